"""Template helpers of the bilans: numbers and percentages written the French way."""

from django import template

from ..bilans import graphiques
from ..bilans.selectors import STATUTS_BILAN

register = template.Library()


@register.filter
def nombre(valeur):
    """1500 → « 1 500 »."""
    return graphiques.nombre(valeur)


@register.filter
def pourcentage(valeur):
    """0.525 → « 52,5 % »; empty for None."""
    return graphiques.pourcentage(valeur)


@register.filter
def phase_bilan(dossier):
    """Whether the dossier is at a stage that has a bilan (retained and started)."""
    return dossier.statut in STATUTS_BILAN
