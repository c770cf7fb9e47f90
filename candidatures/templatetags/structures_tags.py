"""Template tags of accounts and structures: the current structure shown in the header, the
documents it still lacks to submit a dossier."""

from django import template

from ..comptes.permissions import peut_gerer_roles
from ..models import DocumentStructure
from ..structures import selectors as selecteurs
from ..structures.courante import structure_courante as lire_structure_courante

register = template.Library()


@register.simple_tag(takes_context=True)
def structure_courante(context):
    request = context.get("request")
    return lire_structure_courante(request) if request is not None else None


@register.filter
def gere_les_roles(user):
    return peut_gerer_roles(user)


@register.simple_tag(takes_context=True)
def documents_requis_manquants(context):
    """The current structure and the required documents it lacks to submit a dossier (labels),
    or None when there is no current structure or nothing lacks."""
    structure = structure_courante(context)
    if structure is None:
        return None
    manquants = selecteurs.documents_requis_manquants(
        DocumentStructure.objects.actuels().filter(structure=structure)
    )
    if not manquants:
        return None
    return {"structure": structure, "manquants": [str(t.label) for t in manquants]}
