"""Files out of the instruction: the queue as XLSX or CSV, granted subsidies in SCDL format."""

import csv
import io

from django.utils import timezone
from openpyxl import Workbook

from candidatures.commun.tableurs import ligne_csv, ligne_xlsx
from evaluation.donnees_ouvertes.scdl import COLONNES_SCDL, ligne_scdl, subventions_scdl

__all__ = ["COLONNES_FILE", "COLONNES_SCDL", "file_csv", "file_xlsx", "ligne_scdl",
           "subventions_scdl"]

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
