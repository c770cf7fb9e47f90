"""Template helpers of the instruction: roles in the menu, a dictionary lookup."""

from django import template

from candidatures.comptes.permissions import est_personnel as _est_personnel

from ..instruction.permissions import est_comite as _est_comite
from ..instruction.permissions import est_instructeur as _est_instructeur

register = template.Library()


@register.filter
def est_personnel(user):
    return _est_personnel(user)


@register.filter
def est_instructeur(user):
    return _est_instructeur(user)


@register.filter
def est_comite(user):
    return _est_comite(user)


@register.filter
def element(dictionnaire, cle):
    """``{{ d|element:cle }}``: a dictionary value whose key is a variable."""
    return dictionnaire.get(cle) if dictionnaire else None
