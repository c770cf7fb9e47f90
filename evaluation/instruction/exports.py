"""Files out of the instruction: the queue as XLSX or CSV, granted subsidies in SCDL format."""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook

from candidatures.commun.tableurs import cellule_csv, ligne_csv, ligne_xlsx
from candidatures.dossiers import budget

# --- The queue ------------------------------------------------------------------------------------

COLONNES_FILE = [
    "Référence", "Structure", "SIRET", "Intitulé", "Action", "Objectif", "Pilier",
    "Quartiers prioritaires", "Statut", "Instructeur", "Avis", "Montant demandé (€)",
    "Montant proposé (€)", "Décision", "Montant accordé (€)", "Déposé le",
]


def _ligne_file(dossier):
    action = dossier.action_principale
    instruction = getattr(dossier, "instruction", None)
    decision = getattr(dossier, "decision", None)
    return [
        dossier.reference,
        str(dossier.structure),
        dossier.structure.siret,
        dossier.intitule,
        action.code if action else "",
        action.objectif.code if action else "",
        action.objectif.orientation.pilier.titre if action else "",
        ", ".join(str(q) for q in dossier.quartiers.all()),
        dossier.get_statut_display(),
        str(instruction.instructeur) if instruction and instruction.instructeur else "",
        instruction.get_avis_display() if instruction and instruction.avis else "",
        dossier.montant_demande_total,
        instruction.montant_propose if instruction else None,
        decision.get_nature_display() if decision else "",
        decision.montant_accorde if decision else None,
        timezone.localtime(dossier.depose_le).date() if dossier.depose_le else None,
    ]


def file_xlsx(dossiers, titre):
    """The queue as an Excel workbook (write-only: memory stays flat however long the list)."""
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(title=titre[:31])
    feuille.append(COLONNES_FILE)
    for dossier in dossiers:
        feuille.append(ligne_xlsx(feuille, _ligne_file(dossier)))
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def file_csv(dossiers):
    """The queue as CSV for French spreadsheets: semicolons, UTF-8 with a byte-order mark."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(COLONNES_FILE)
    for dossier in dossiers:
        ligne = _ligne_file(dossier)
        ligne[-1] = ligne[-1].strftime("%d/%m/%Y") if ligne[-1] else ""
        ecrivain.writerow(ligne_csv(["" if v is None else v for v in ligne]))
    return ("\ufeff" + sortie.getvalue()).encode("utf-8")

# --- SCDL « subventions » -------------------------------------------------------------------------

COLONNES_SCDL = [
    "nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire",
    "idBeneficiaire", "rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement",
    "datesPeriodeVersement", "idRAE", "notificationUE", "pourcentageSubvention",
    "dispositifAide",
]
OBJET_MAX = 255
CENTIEME = Decimal("0.01")


def _pourcentage(montant, charges):
    """Share of the project's cost the subsidy covers, 0.01 to 1, two decimals."""
    if not charges:
        return ""
    part = (Decimal(montant) / Decimal(charges)).quantize(CENTIEME, rounding=ROUND_HALF_UP)
    return str(min(max(part, CENTIEME), Decimal("1.00")))


def _objet(dossier):
    action = dossier.action_principale
    texte = f"{dossier.intitule} (fiche-action {action.code})" if action else dossier.intitule
    texte = " ".join(texte.split())
    return texte if len(texte) <= OBJET_MAX else texte[: OBJET_MAX - 1] + "…"


def _periode(dossier):
    if dossier.date_debut and dossier.date_fin:
        return f"{dossier.date_debut.isoformat()}/{dossier.date_fin.isoformat()}"
    return ""


def ligne_scdl(decision):
    dossier = decision.dossier
    structure = dossier.structure
    charges = sum(
        ligne.montant
        for ligne in dossier.lignes_budget.all()
        if budget.PAR_CODE[ligne.code].cote == budget.CHARGE
    )
    return {
        "nomAttribuant": settings.ATTRIBUANT_NOM,
        "idAttribuant": settings.ATTRIBUANT_SIRET,
        "dateConvention": timezone.localtime(decision.decidee_le).date().isoformat(),
        "referenceDecision": decision.reference,
        "nomBeneficiaire": structure.raison_sociale,
        "idBeneficiaire": structure.siret,
        "rnaBeneficiaire": structure.rna,
        "objet": _objet(dossier),
        "montant": f"{Decimal(decision.montant_accorde):.2f}",
        "nature": "aide en numéraire",
        "conditionsVersement": decision.get_versement_display(),
        "datesPeriodeVersement": _periode(dossier),
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": _pourcentage(decision.montant_accorde, charges),
        "dispositifAide": f"Contrat de ville — {dossier.appel.titre}"[:255],
    }


def subventions_scdl(decisions):
    """Granted subsidies as SCDL « subventions » CSV: UTF-8, commas, columns in schema order."""
    sortie = io.StringIO()
    ecrivain = csv.DictWriter(sortie, fieldnames=COLONNES_SCDL, lineterminator="\r\n")
    ecrivain.writeheader()
    for decision in decisions:
        ecrivain.writerow({cle: cellule_csv(v) for cle, v in ligne_scdl(decision).items()})
    return sortie.getvalue().encode("utf-8")
