"""Errors found in a workbook, each placed by sheet, row and column, worded in French."""

from dataclasses import dataclass

from .format import ORDRE_FEUILLES


@dataclass(frozen=True)
class Erreur:
    """One problem of a workbook: « Feuille Actions, ligne 12, colonne Code : … »."""

    message: str
    feuille: str | None = None
    ligne: int | None = None
    colonne: str | None = None

    def __str__(self):
        lieu = []
        if self.feuille:
            lieu.append(f"Feuille {self.feuille}")
        if self.ligne:
            lieu.append(f"ligne {self.ligne}")
        if self.colonne:
            lieu.append(f"colonne {self.colonne}")
        return f"{', '.join(lieu)} : {self.message}" if lieu else self.message


class ClasseurInvalide(Exception):
    """The workbook cannot be loaded; ``erreurs`` lists every problem found (nothing written)."""

    def __init__(self, erreurs):
        self.erreurs = list(erreurs)
        super().__init__("\n".join(str(e) for e in self.erreurs))


class Erreurs(list):
    """The errors collected while reading and checking a workbook."""

    def ajouter(self, message, feuille=None, ligne=None, colonne=None):
        self.append(Erreur(message, feuille, ligne, colonne))

    def lever(self):
        """Raise ClasseurInvalide if any error: those of the file first, then sheet by sheet,
        row by row."""
        if self:
            raise ClasseurInvalide(sorted(self, key=_place))


def _place(erreur):
    if erreur.feuille is None:
        return (-1, 0)
    rang = ORDRE_FEUILLES.index(erreur.feuille) if erreur.feuille in ORDRE_FEUILLES else 99
    return (rang, erreur.ligne or 0)
