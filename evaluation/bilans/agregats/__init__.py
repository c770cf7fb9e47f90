"""Annual bilans: the figures of one or several calls, aggregated, as dataclasses.

``perimetre`` (which dossiers, the fingerprint of their data), ``resultats`` (what a bilan
holds), ``annuel`` (the annual aggregation), ``arbre`` (the contract's tree and indicators),
``brutes`` (raw rows for pivot tables), ``fiches`` (a structure's own dossiers),
``pluriannuel`` (each year of a contract side by side).
"""

from .annuel import agreger
from .brutes import LigneBrute, lignes_brutes
from .cache import bilan_annuel
from .fiches import FicheDossier, LigneFinanciere, LigneIndicateurDossier, fiches_dossiers
from .perimetre import (
    CODES_CONTRAT_VILLE,
    CODES_FINANCEURS,
    VERSION_FORMAT,
    Perimetre,
    empreinte,
    statuts_comptes,
)
from .pluriannuel import (
    BilanPluriannuel,
    IndicateurPluriannuel,
    ObjectifPluriannuel,
    Serie,
    agreger_pluriannuel,
)
from .resultats import (
    BilanAnnuel,
    Chiffres,
    Financeur,
    LigneAnnee,
    LigneIndicateur,
    LigneNiveau,
    LigneQuartier,
    LigneStructure,
    Valeurs,
    part,
)

__all__ = [
    "CODES_CONTRAT_VILLE", "CODES_FINANCEURS", "VERSION_FORMAT", "BilanAnnuel",
    "BilanPluriannuel", "Chiffres", "FicheDossier", "Financeur", "IndicateurPluriannuel",
    "LigneAnnee", "LigneBrute", "LigneFinanciere", "LigneIndicateur", "LigneIndicateurDossier",
    "LigneNiveau", "LigneQuartier", "LigneStructure", "ObjectifPluriannuel", "Perimetre", "Serie",
    "Valeurs", "agreger", "bilan_annuel", "agreger_pluriannuel", "empreinte", "fiches_dossiers",
    "lignes_brutes", "part", "statuts_comptes",
]
