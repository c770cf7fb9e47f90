"""Reading a workbook: the file checked, every sheet read row by row, every error collected.

``lire_classeur(fichier)`` returns a ``Classeur`` or raises ``ClasseurInvalide`` listing every
problem found, each placed by sheet, row and column. The file is opened read-only and read as a
stream: a sheet longer than the limit is refused as soon as the limit is passed.
"""

import io
import os
import zipfile
from pathlib import Path

import openpyxl

from . import cellules
from .contenu import Classeur, Element
from .erreurs import Erreurs
from .format import (
    CHAMP,
    CHAMPS_CONTRAT,
    CONTRAT,
    FEUILLES,
    LIGNES_MAX,
    TAILLE_DECOMPRESSEE_MAX,
    TAILLE_MAX,
    VALEUR,
    plier,
)
from .verification import verifier

SIGNATURE_XLS = b"\xd0\xcf\x11\xe0"
PAS_UN_XLSX = "le fichier n'est pas un classeur Excel (.xlsx) lisible."


def _mo(octets):
    return f"{octets / 1024 / 1024:.1f} Mo".replace(".", ",")


def _taille_annoncee(fichier):
    if isinstance(fichier, str | os.PathLike):
        return Path(fichier).stat().st_size
    return getattr(fichier, "size", None)


def lire_octets(fichier, erreurs):
    """The bytes of ``fichier`` (bytes, path or open file), or None if it is too large: a file
    whose size is known is refused before it is read, another one once the limit is read."""
    taille = len(fichier) if isinstance(fichier, bytes | bytearray) else _taille_annoncee(fichier)
    donnees = None
    if taille is None or taille <= TAILLE_MAX:
        if isinstance(fichier, bytes | bytearray):
            donnees = bytes(fichier)
        elif isinstance(fichier, str | os.PathLike):
            with open(fichier, "rb") as flux:
                donnees = flux.read(TAILLE_MAX + 1)
        else:
            if hasattr(fichier, "seek"):
                fichier.seek(0)
            donnees = fichier.read(TAILLE_MAX + 1)
    if donnees is None or len(donnees) > TAILLE_MAX:
        erreurs.ajouter(
            f"le fichier est trop gros : {_mo(TAILLE_MAX)} au plus. Un contrat de ville tient "
            "en quelques centaines de kilo-octets ; retirez les images et mises en forme."
        )
        return None
    return donnees


def _archive_valide(donnees, erreurs):
    if donnees.startswith(SIGNATURE_XLS):
        erreurs.ajouter(
            "le fichier est au format Excel 97-2003 (.xls) : enregistrez-le au format .xlsx."
        )
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as archive:
            membres = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        erreurs.ajouter(PAS_UN_XLSX)
        return False
    if "[Content_Types].xml" not in {m.filename for m in membres}:
        erreurs.ajouter(PAS_UN_XLSX)
        return False
    if sum(m.file_size for m in membres) > TAILLE_DECOMPRESSEE_MAX:
        erreurs.ajouter(
            f"le fichier décompressé dépasse {_mo(TAILLE_DECOMPRESSEE_MAX)} : ce n'est pas un "
            "classeur de contrat."
        )
        return False
    return True


def lire_classeur(fichier, *, code_contrat=None):
    """Read and check the whole workbook; return a Classeur or raise ClasseurInvalide.

    ``code_contrat``: the code the workbook is loaded into, when it is not the one of its
    « Contrat » sheet (renvois may name it).
    """
    erreurs = Erreurs()
    donnees = lire_octets(fichier, erreurs)
    if donnees is None or not _archive_valide(donnees, erreurs):
        erreurs.lever()
    try:
        classeur_xlsx = openpyxl.load_workbook(
            io.BytesIO(donnees), read_only=True, data_only=True
        )
    except Exception:  # openpyxl raises anything from KeyError to XML errors on a bad file
        erreurs.ajouter(PAS_UN_XLSX)
        erreurs.lever()
    try:
        classeur, complet = _lire_feuilles(classeur_xlsx, erreurs)
    finally:
        classeur_xlsx.close()
    if not complet:  # a sheet or a column missing, a sheet too long: checking more is noise
        erreurs.lever()
    verifier(classeur, erreurs, code_contrat=code_contrat)
    erreurs.lever()
    return classeur


class FeuilleIncomplete(Exception):
    """A sheet cannot be read whole (missing column, too long): the error is already noted."""


def _lire_feuilles(classeur_xlsx, erreurs):
    """Return (Classeur, whether every sheet was read whole)."""
    par_nom = {plier(nom): nom for nom in classeur_xlsx.sheetnames}
    classeur, complet = Classeur(), True
    for nom, lecteur in ((CONTRAT, _lire_contrat), *((f.nom, f) for f in FEUILLES)):
        titre = par_nom.get(plier(nom))
        if titre is None:
            erreurs.ajouter("feuille absente du classeur.", nom)
            complet = False
            continue
        feuille = classeur_xlsx[titre]
        feuille.reset_dimensions()  # a wrong <dimension> must not cut the reading short
        try:
            if callable(lecteur):
                lecteur(feuille, classeur, erreurs)
            else:
                classeur.feuilles[lecteur.cle] = _lire_lignes(feuille, lecteur, erreurs)
        except FeuilleIncomplete:
            complet = False
        except Exception:  # a damaged sheet: a parse error deep inside openpyxl
            erreurs.ajouter("la feuille est illisible (fichier endommagé ?).", nom)
            complet = False
    return classeur, complet


def _lignes(feuille, nom, erreurs):
    """(row number, values) of the non-empty rows below the header; stop past the limit."""
    compte = 0
    for numero, valeurs in enumerate(feuille.iter_rows(min_row=2, values_only=True), start=2):
        if all(cellules.vide(v) for v in valeurs):
            continue
        compte += 1
        if compte > LIGNES_MAX:
            limite = f"{LIGNES_MAX:,}".replace(",", " ")
            erreurs.ajouter(
                f"la feuille compte plus de {limite} lignes, la limite : la lecture s'arrête "
                "là. Vérifiez qu'elle ne contient que le contrat.",
                nom,
                numero,
            )
            raise FeuilleIncomplete
        yield numero, valeurs


def _entetes(feuille, nom, attendues, erreurs):
    """Map each expected header to its column index; report the missing ones (row 1)."""
    premiere = next(feuille.iter_rows(min_row=1, max_row=1, values_only=True), ())
    positions = {}
    for index, valeur in enumerate(premiere):
        if not cellules.vide(valeur):
            positions.setdefault(plier(valeur), index)
    trouvees = {}
    for entete in attendues:
        if plier(entete) in positions:
            trouvees[entete] = positions[plier(entete)]
        else:
            erreurs.ajouter("colonne absente de la ligne d'en-tête.", nom, 1, entete)
    if len(trouvees) < len(attendues):
        raise FeuilleIncomplete
    return trouvees


def _lire_lignes(feuille, format_feuille, erreurs):
    nom = format_feuille.nom
    positions = _entetes(feuille, nom, [c.entete for c in format_feuille.colonnes], erreurs)
    elements = []
    for numero, valeurs in _lignes(feuille, nom, erreurs):
        champs = {}
        for colonne in format_feuille.colonnes:
            index = positions[colonne.entete]
            brute = valeurs[index] if index < len(valeurs) else None
            try:
                champs[colonne.cle] = cellules.lire(
                    colonne.type, brute,
                    obligatoire=colonne.obligatoire, longueur_max=colonne.longueur_max,
                )
            except cellules.ValeurInvalide as erreur:
                erreurs.ajouter(str(erreur), nom, numero, colonne.entete)
                champs[colonne.cle] = None
        elements.append(Element(champs, ligne=numero))
    return elements


def _lire_contrat(feuille, classeur, erreurs):
    positions = _entetes(feuille, CONTRAT, [CHAMP, VALEUR], erreurs)
    champs = {plier(c.libelle): c for c in CHAMPS_CONTRAT}
    for numero, valeurs in _lignes(feuille, CONTRAT, erreurs):
        libelle = valeurs[positions[CHAMP]] if positions[CHAMP] < len(valeurs) else None
        brute = valeurs[positions[VALEUR]] if positions[VALEUR] < len(valeurs) else None
        champ = champs.get(plier(libelle)) if not cellules.vide(libelle) else None
        if champ is None:
            erreurs.ajouter(
                f"champ « {cellules.texte(libelle, obligatoire=False)} » inconnu.",
                CONTRAT, numero, CHAMP,
            )
            continue
        if champ.cle in classeur.lignes_contrat:
            erreurs.ajouter(
                f"le champ « {champ.libelle} » figure déjà ligne "
                f"{classeur.lignes_contrat[champ.cle]}.", CONTRAT, numero, CHAMP,
            )
            continue
        classeur.lignes_contrat[champ.cle] = numero
        try:
            classeur.contrat[champ.cle] = cellules.lire(
                champ.type, brute, obligatoire=champ.obligatoire, longueur_max=champ.longueur_max
            )
        except cellules.ValeurInvalide as erreur:
            erreurs.ajouter(f"{champ.libelle} : {erreur}", CONTRAT, numero, VALEUR)
            classeur.contrat[champ.cle] = None
    for champ in CHAMPS_CONTRAT:
        if champ.cle not in classeur.lignes_contrat:
            if champ.obligatoire:
                erreurs.ajouter(f"le champ « {champ.libelle} » est absent.", CONTRAT)
            else:
                classeur.contrat[champ.cle] = ""
