"""French formats for letters, pages and exports: « 12 500 € », « 3 mars 2026 »."""

from django.utils import timezone
from django.utils.formats import date_format, number_format

ESPACE_INSECABLE = "\xa0"


def euros(montant):
    """12500 → « 12 500 € » with non-breaking spaces; empty for None."""
    if montant is None or montant == "":
        return ""
    chiffres = number_format(montant, decimal_pos=0, use_l10n=True, force_grouping=True)
    return f"{chiffres}{ESPACE_INSECABLE}€"


def date_longue(valeur):
    """A date (or an instant, read in Paris time) as « 3 mars 2026 »."""
    if valeur is None:
        return ""
    if hasattr(valeur, "hour"):
        valeur = timezone.localtime(valeur).date()
    texte = date_format(valeur, "j F Y")
    return f"1er{texte[1:]}" if valeur.day == 1 else texte
