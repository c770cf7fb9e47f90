"""Granted subsidies as SCDL « subventions » rows (OpenDataFrance schema v2.1.1).

Each field says what the schema means by it: ``dateConvention`` is the date of the convention,
``datesPeriodeVersement`` the date of the single payment or the period of the staggered ones,
``pourcentageSubvention`` the share of the subsidy that goes to this beneficiary (the portal
grants each subsidy to one structure: 1.00), ``dispositifAide`` the UUID of the *dispositif
d'aide* the administrator named for the call, or nothing. A subsidy without a convention has no
``dateConvention`` and is not a row: a required field is never left empty.
"""

import csv
import io
from decimal import Decimal

from django.conf import settings

from candidatures.commun.tableurs import cellule_csv

COLONNES_SCDL = [
    "nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire",
    "idBeneficiaire", "rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement",
    "datesPeriodeVersement", "idRAE", "notificationUE", "pourcentageSubvention",
    "dispositifAide",
]
OBJET_MAX = 255
BENEFICIAIRE_UNIQUE = "1.00"
UNIQUE = "unique"
ECHELONNE = "échelonné"


def attribuant_publiable():
    """Whether the grantor's SIRET is a real one: the placeholder is never published."""
    siret = settings.ATTRIBUANT_SIRET
    return (
        len(siret) == 14 and siret.isdigit() and siret != settings.ATTRIBUANT_SIRET_PROVISOIRE
    )


def _objet(dossier):
    action = dossier.action_principale
    texte = f"{dossier.intitule} (fiche-action {action.code})" if action else dossier.intitule
    texte = " ".join(texte.split())
    return texte if len(texte) <= OBJET_MAX else texte[: OBJET_MAX - 1] + "…"


def _conditions(convention):
    return UNIQUE if convention.versement_unique else ECHELONNE


def _periode(convention, paiements, fin_prevue):
    """The single payment's date, or the period of the staggered payments.

    A payment not made yet is dated by the schedule: the advance at the convention's date,
    the balance once the bilan is due (``fin_prevue``).
    """
    dates = sorted(p.date for p in paiements)
    if convention.versement_unique:
        if dates:
            return dates[0].isoformat()
        return convention.date_signature.isoformat()
    debut = dates[0] if dates else convention.date_signature
    termine = convention.solde_verse or convention.sans_solde
    fin = dates[-1] if dates and termine else max(fin_prevue or debut, debut, *dates)
    return f"{debut.isoformat()}/{fin.isoformat()}"


def _dispositif(dossier):
    parametres = getattr(dossier.appel, "parametres_conventions", None)
    if parametres is None or parametres.dispositif_aide is None:
        return ""
    return str(parametres.dispositif_aide)


def ligne_scdl(decision):
    """One subsidy as a dict of SCDL fields; the decision's dossier must have a convention."""
    dossier = decision.dossier
    structure = dossier.structure
    convention = dossier.convention
    return {
        "nomAttribuant": settings.ATTRIBUANT_NOM,
        "idAttribuant": settings.ATTRIBUANT_SIRET,
        "dateConvention": convention.date_signature.isoformat(),
        "referenceDecision": decision.reference,
        "nomBeneficiaire": structure.raison_sociale,
        "idBeneficiaire": structure.siret,
        "rnaBeneficiaire": structure.rna or "",
        "objet": _objet(dossier),
        "montant": f"{Decimal(convention.montant_accorde):.2f}",
        "nature": "aide en numéraire",
        "conditionsVersement": _conditions(convention),
        "datesPeriodeVersement": _periode(
            convention, convention.paiements.all(), decision.date_limite_bilan
        ),
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": BENEFICIAIRE_UNIQUE,
        "dispositifAide": _dispositif(dossier),
    }


def subventions_scdl(decisions):
    """Granted subsidies as SCDL « subventions » CSV: UTF-8, commas, columns in schema order.

    Subsidies whose convention is not recorded yet are left out (no ``dateConvention``).
    """
    if hasattr(decisions, "select_related"):
        decisions = decisions.select_related(
            "dossier__convention", "dossier__appel__parametres_conventions"
        ).prefetch_related("dossier__convention__paiements")
    sortie = io.StringIO()
    ecrivain = csv.DictWriter(sortie, fieldnames=COLONNES_SCDL, lineterminator="\r\n")
    ecrivain.writeheader()
    for decision in decisions:
        if getattr(decision.dossier, "convention", None) is None:
            continue
        ecrivain.writerow({cle: cellule_csv(v) for cle, v in ligne_scdl(decision).items()})
    return sortie.getvalue().encode("utf-8")
