"""The référentiel: contracts (the root), their tree, its requirements, and the QPV."""

from .arbre import Action, Objectif, Orientation, Pilier
from .cles import CodeManager
from .contrats import Contrat, Generation, QuartierPrioritaire, Territoire
from .lignes import Exigence, Indicateur, NoteFinancement, Renvoi

__all__ = [
    "Action",
    "CodeManager",
    "Contrat",
    "Exigence",
    "Generation",
    "Indicateur",
    "NoteFinancement",
    "Objectif",
    "Orientation",
    "Pilier",
    "QuartierPrioritaire",
    "Renvoi",
    "Territoire",
]
