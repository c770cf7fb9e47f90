"""A contract as held in a workbook, in memory: what is read, written, compared and loaded.

Values are plain Python values, in the shape of the model fields: texts (empty string when a
text is left empty), integers, booleans, dates. Tree rows carry their rank within their parent
(« ordre »), which the workbook gives by the order of the rows; references are codes.
"""

from dataclasses import dataclass, field

from .format import FEUILLES

# The key of a row of each sheet: tree rows by code, rows of an objective by (objective, rank),
# QPV by code (within the generation of the contract).
CLES = {
    "piliers": ("code",),
    "orientations": ("code",),
    "objectifs": ("code",),
    "actions": ("code",),
    "exigences": ("objectif", "ordre"),
    "notes_financement": ("objectif", "ordre"),
    "indicateurs": ("objectif", "ordre"),
    "renvois": ("objectif", "ordre"),
    "quartiers": ("code",),
}
ARBRE = ("piliers", "orientations", "objectifs", "actions")


@dataclass
class Element:
    """One row: its values, where it was read (row number) or the database row it comes from."""

    champs: dict
    ligne: int | None = None
    objet: object = None

    def __getitem__(self, cle):
        return self.champs[cle]

    def get(self, cle, defaut=None):
        return self.champs.get(cle, defaut)


def cle_de(feuille, element):
    """The key of ``element`` in ``feuille`` (« 1.1.1.a », or (« 1.1.1 », 2)…)."""
    valeurs = tuple(element.champs.get(c) for c in CLES[feuille])
    return valeurs[0] if len(valeurs) == 1 else valeurs


def cle_lisible(feuille, element):
    cle = cle_de(feuille, element)
    return f"{cle[0]}, rang {cle[1]}" if isinstance(cle, tuple) else str(cle)


@dataclass
class Classeur:
    """The « Contrat » block (key → value) and the rows of every other sheet, in sheet order."""

    contrat: dict = field(default_factory=dict)
    # Row of each key of the « Contrat » sheet, to place errors.
    lignes_contrat: dict = field(default_factory=dict)
    feuilles: dict = field(default_factory=lambda: {f.cle: [] for f in FEUILLES})

    def __getitem__(self, feuille):
        return self.feuilles[feuille]

    def en_donnees(self):
        """Plain data (no row numbers, no database rows), to compare two workbooks."""
        return {
            "contrat": dict(self.contrat),
            **{cle: [dict(e.champs) for e in lignes] for cle, lignes in self.feuilles.items()},
        }

    def nombre_de_lignes(self):
        return sum(len(lignes) for lignes in self.feuilles.values())
