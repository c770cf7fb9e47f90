"""Files out of the instruction: the queue as XLSX or CSV, granted subsidies in SCDL format."""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook

from candidatures.commun.tableurs import cellule_csv, ligne_csv, ligne_xlsx
from candidatures.dossiers import budget
from candidatures.models import Statut

from ..models import Avis, NatureDecision

# --- The queue ------------------------------------------------------------------------------------

COLONNES_FILE = [
    "Référence", "Structure", "SIRET", "Intitulé", "Action", "Objectif", "Pilier",
    "Quartiers prioritaires", "Statut", "Instructeur", "Avis", "Montant demandé (€)",
    "Montant proposé (€)", "Décision", "Montant accordé (€)", "Déposé le",
]


# Labels looked up once, not once per cell (``get_…_display`` rebuilds its choices every call).
STATUTS = dict(Statut.choices)
AVIS = dict(Avis.choices)
NATURES = dict(NatureDecision.choices)
# Rows read from the database by batches: memory stays flat however long the list.
LOT = 2000


def _ligne_file(dossier):
    action = dossier.action_principale
    instruction = getattr(dossier, "instruction", None)
    decision = getattr(dossier, "decision", None)
    instructeur = instruction.instructeur if instruction else None
    return [
        dossier.reference,
        str(dossier.structure),
        dossier.structure.siret,
        dossier.intitule,
        action.code if action else "",
        action.objectif.code if action else "",
        action.objectif.orientation.pilier.titre if action else "",
        ", ".join(str(q) for q in dossier.quartiers.all()),
        STATUTS.get(dossier.statut, dossier.statut),
        str(instructeur) if instructeur else "",
        AVIS.get(instruction.avis, instruction.avis) if instruction and instruction.avis else "",
        dossier.montant_demande,
        instruction.montant_propose if instruction else None,
        NATURES.get(decision.nature, decision.nature) if decision else "",
        decision.montant_accorde if decision else None,
        timezone.localtime(dossier.depose_le).date() if dossier.depose_le else None,
    ]


def _lignes_file(dossiers, progression=None):
    """The rows of the queue, read by batches, reporting progress from 10 to 90 % if asked."""
    total = dossiers.count() if progression else 0
    for rang, dossier in enumerate(dossiers.iterator(chunk_size=LOT), start=1):
        if progression and rang % LOT == 0:
            progression(10 + 80 * rang // max(total, 1))
        yield _ligne_file(dossier)


def file_xlsx(dossiers, titre, progression=None):
    """The queue as an Excel workbook (write-only: memory stays flat however long the list)."""
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(title=titre[:31])
    feuille.append(COLONNES_FILE)
    for ligne in _lignes_file(dossiers, progression):
        feuille.append(ligne_xlsx(feuille, ligne))
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def file_csv(dossiers, progression=None):
    """The queue as CSV for French spreadsheets: semicolons, UTF-8 with a byte-order mark."""
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(COLONNES_FILE)
    for ligne in _lignes_file(dossiers, progression):
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
