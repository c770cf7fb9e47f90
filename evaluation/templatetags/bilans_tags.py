"""Template helpers of the bilans: numbers and percentages written the French way."""

from django import template

from ..bilans import graphiques

register = template.Library()


@register.filter
def nombre(valeur):
    """1500 → « 1 500 »."""
    return graphiques.nombre(valeur)


@register.filter
def pourcentage(valeur):
    """0.525 → « 52,5 % »; empty for None."""
    return graphiques.pourcentage(valeur)
