"""Files out of the instruction: the queue as XLSX or CSV, granted subsidies in SCDL format."""

import csv
import io

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook

from candidatures.commun.tableurs import ligne_csv, ligne_xlsx
from candidatures.dossiers.budget import FINANCEURS_NOMMES, financeur_nomme
from candidatures.models import AppelAProjets, LigneBudget, Statut
from evaluation.donnees_ouvertes.scdl import COLONNES_SCDL, ligne_scdl, subventions_scdl

from ..models import Avis, NatureDecision

__all__ = ["COLONNES_FILE", "COLONNES_SCDL", "file_csv", "file_xlsx", "ligne_scdl",
           "subventions_scdl"]

# --- The queue ------------------------------------------------------------------------------------

COLONNES_FILE = [
    "Référence", "Structure", "SIRET", "Intitulé", "Action", "Objectif", "Pilier",
    "Quartiers prioritaires", "Statut", "Instructeur", "Avis", "Montant demandé (€)",
    "Montant proposé (€)", "Décision", "Montant accordé (€)",
    # The funders the dossier names, as its budget does (« Région Occitanie »), and their amount.
    *(colonne for titre in FINANCEURS_NOMMES.values()
      for colonne in (f"{titre} : financeur", f"{titre} : montant demandé (€)")),
    "Déposé le",
]


# Labels looked up once, not once per cell (``get_…_display`` rebuilds its choices every call).
STATUTS = dict(Statut.choices)
AVIS = dict(Avis.choices)
NATURES = dict(NatureDecision.choices)
# Rows read from the database by batches: memory stays flat however long the list.
LOT = 2000


def _financeurs(dossier, territoire):
    lignes = {lg.code: lg for lg in dossier.financeurs_nommes}
    cellules = []
    for code in FINANCEURS_NOMMES:
        ligne = lignes.get(code)
        cellules += [
            financeur_nomme(code, ligne.precision, territoire) if ligne else "",
            ligne.montant if ligne else None,
        ]
    return cellules


def _ligne_file(dossier, territoire=""):
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
        *_financeurs(dossier, territoire),
        timezone.localtime(dossier.depose_le).date() if dossier.depose_le else None,
    ]


def _lignes_file(dossiers, progression=None):
    """The rows of the queue, read by batches, reporting progress from 10 to 90 % if asked."""
    total = dossiers.count() if progression else 0
    dossiers = dossiers.prefetch_related(Prefetch(
        "lignes_budget",
        queryset=LigneBudget.objects.filter(code__in=list(FINANCEURS_NOMMES), montant__gt=0),
        to_attr="financeurs_nommes",
    ))
    territoires = {}
    for rang, dossier in enumerate(dossiers.iterator(chunk_size=LOT), start=1):
        if progression and rang % LOT == 0:
            progression(10 + 80 * rang // max(total, 1))
        if dossier.appel_id not in territoires:
            territoires[dossier.appel_id] = AppelAProjets.objects.filter(
                pk=dossier.appel_id
            ).values_list("contrat__territoire__nom", flat=True).first() or ""
        yield _ligne_file(dossier, territoires[dossier.appel_id])


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
