"""Template tags of accounts and structures: the current structure shown in the header."""

from django import template

from ..comptes.permissions import peut_gerer_roles
from ..structures.courante import structure_courante as lire_structure_courante

register = template.Library()


@register.simple_tag(takes_context=True)
def structure_courante(context):
    request = context.get("request")
    return lire_structure_courante(request) if request is not None else None


@register.filter
def gere_les_roles(user):
    return peut_gerer_roles(user)
