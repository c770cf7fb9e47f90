"""French formats for pages, e-mails, letters and exports: « 12 500 € », « 1er mars 2026 »,
« 812 345 676 00017 »."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format

ESPACE_INSECABLE = "\xa0"


def euros(montant):
    """12500 → « 12 500 € » with non-breaking spaces; empty for None."""
    if montant is None or montant == "":
        return ""
    chiffres = number_format(montant, decimal_pos=0, use_l10n=True, force_grouping=True)
    return f"{chiffres}{ESPACE_INSECABLE}€"


def nombre(valeur):
    """1500 → « 1 500 » (non-breaking space); None counts as 0."""
    return number_format(valeur or 0, decimal_pos=0, use_l10n=True, force_grouping=True)


def siret(valeur):
    """81234567600017 → « 812 345 676 00017 » (SIREN by threes, then the NIC), non-breaking."""
    chiffres = "".join(str(valeur or "").split())
    if len(chiffres) != 14 or not chiffres.isdigit():
        return valeur or ""
    groupes = [chiffres[0:3], chiffres[3:6], chiffres[6:9], chiffres[9:]]
    return ESPACE_INSECABLE.join(groupes)


def iban(valeur):
    """FR7630006000011234567890189 → « FR76 3000 6000 0112 3456 7890 189 » (groups of four)."""
    propre = "".join(str(valeur or "").split()).upper()
    return " ".join(propre[i:i + 4] for i in range(0, len(propre), 4))


def pourcentage(valeur, decimales=1):
    """0.525 → « 52,5 % »; empty for None (or a missing template value)."""
    if valeur is None or valeur == "":
        return ""
    # number_format truncates: round half up first (0.5625 → « 56,3 % »).
    arrondi = (Decimal(str(valeur)) * 100).quantize(
        Decimal(1).scaleb(-decimales), rounding=ROUND_HALF_UP
    )
    return number_format(arrondi, decimal_pos=decimales, use_l10n=True) + f"{ESPACE_INSECABLE}%"


def _heure_locale(valeur):
    """An aware instant in Paris time; anything else unchanged."""
    if isinstance(valeur, datetime.datetime) and timezone.is_aware(valeur):
        return timezone.localtime(valeur)
    return valeur


def date_longue(valeur):
    """A date (or an instant, read in Paris time) as « 3 mars 2026 », « 1er mars 2026 »;
    empty for nothing (None, or a template's missing value)."""
    if valeur is None or valeur == "":
        return ""
    if hasattr(valeur, "hour"):
        valeur = _heure_locale(valeur).date()
    texte = date_format(valeur, "j F Y")
    return f"1er{texte[1:]}" if valeur.day == 1 else texte


def date_heure(instant):
    """An instant in Paris time as « 3 mars 2026 à 14:05 »; empty for None."""
    if instant is None or instant == "":
        return ""
    return date_format(_heure_locale(instant), "j F Y à H:i")


def heure(instant):
    """An instant in Paris time as « 14:05 »; empty for None."""
    if instant is None or instant == "":
        return ""
    return date_format(_heure_locale(instant), "H:i")
