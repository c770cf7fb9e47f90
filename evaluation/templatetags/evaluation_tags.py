"""Template helpers of the instruction: roles in the menu, amounts and percentages in French."""

from django import template

from candidatures.comptes.permissions import est_personnel as _est_personnel

from ..formats import date_longue as _date_longue
from ..formats import euros as _euros
from ..instruction.permissions import est_comite as _est_comite
from ..instruction.permissions import est_instructeur as _est_instructeur

register = template.Library()


@register.filter
def euros(montant):
    """12500 → « 12 500 € » (non-breaking spaces); empty for None."""
    return _euros(montant)


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


@register.filter
def date_longue(valeur):
    """« 1er mars 2026 », « 12 mars 2026 »."""
    return _date_longue(valeur)
