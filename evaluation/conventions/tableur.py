"""A call's payments dashboard as an Excel workbook (text cells never read as formulas)."""

import io

from openpyxl import Workbook

from candidatures.commun.tableurs import ligne_xlsx

from .services import a_recouvrer

COLONNES = [
    "Dossier", "Structure", "SIRET", "Intitulé", "Convention", "Date de la convention",
    "Montant accordé (€)", "Versé (€)", "Reste à verser (€)", "Solde", "Dépenses réalisées (€)",
    "À recouvrer (€)",
]


def _etat_solde(convention):
    if convention is None:
        return "convention à enregistrer"
    if convention.solde_verse:
        return "versé"
    if convention.sans_solde:
        return "non dû"
    return "à verser"


def _ligne(decision):
    dossier = decision.dossier
    convention = getattr(dossier, "convention", None)
    return [
        dossier.reference, dossier.structure.raison_sociale, dossier.structure.siret,
        dossier.intitule,
        convention.reference if convention else "",
        convention.date_signature if convention else None,
        decision.montant_accorde,
        convention.montant_verse if convention else 0,
        decision.reste,
        _etat_solde(convention),
        decision.depenses,
        a_recouvrer(convention, decision.depenses) if convention else 0,
    ]


def tableau_xlsx(decisions, titre):
    """One row per granted subsidy, in a write-only workbook (memory stays flat)."""
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(title=titre[:31])
    feuille.append(COLONNES)
    for decision in decisions.iterator(chunk_size=500):
        feuille.append(ligne_xlsx(feuille, _ligne(decision)))
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
