"""Template helpers of the bilans."""

from django import template

from ..bilans.selectors import STATUTS_BILAN

register = template.Library()


@register.filter
def phase_bilan(dossier):
    """Whether the dossier is at a stage that has a bilan (retained and started)."""
    return dossier.statut in STATUTS_BILAN
