"""Spreadsheet cells that can never run: text stays text in every CSV and XLSX the portal writes.

A porteur types a title such as ``=HYPERLINK("http://…","clic")``; opened by an instructeur,
a cell starting with ``=`` would run as a formula. OWASP's rule: in CSV, a cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe; in XLSX, every
text cell is written as text, whatever it starts with.
"""

from openpyxl.cell import WriteOnlyCell

DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def cellule_csv(valeur):
    """The value as a CSV cell no spreadsheet will read as a formula."""
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DE_FORMULE):
        return "'" + valeur
    return valeur


def ligne_csv(valeurs):
    return [cellule_csv(v) for v in valeurs]


def cellule_xlsx(feuille, valeur, style=None):
    """A write-only cell: text is stored as text (never a formula), other values as they are."""
    cellule = WriteOnlyCell(feuille, value=valeur)
    if isinstance(valeur, str):
        cellule.data_type = "s"
    if style is not None:
        cellule.style = style
    return cellule


def ligne_xlsx(feuille, valeurs):
    """A row of write-only cells for ``feuille.append``."""
    return [cellule_xlsx(feuille, v) for v in valeurs]


def ecrire_texte(cellule, valeur):
    """Set a cell of an ordinary (not write-only) sheet, keeping text as text."""
    cellule.value = valeur
    if isinstance(valeur, str):
        cellule.data_type = "s"
    return cellule
