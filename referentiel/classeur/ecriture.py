"""Writing a workbook: a Classeur (or nothing, for the blank template) to xlsx bytes.

What is written reads back to the same Classeur (``lire_classeur``): codes are text cells (an
edited « 1.10 » stays « 1.10 »), dates are date cells, the breakdown and the yes/no columns have
drop-down lists.
"""

import datetime
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .contenu import Classeur
from .format import (
    CHAMP,
    CHAMPS_CONTRAT,
    CONTRAT,
    FEUILLES,
    LIGNES_MAX,
    MODE_D_EMPLOI,
    NATURES,
    NON,
    OUI,
    TAILLE_MAX,
    VALEUR,
    VENTILATIONS,
    VENTILATIONS_ECRITES,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GRAS = Font(bold=True)
TITRE = Font(bold=True, size=14)
ENVELOPPE = Alignment(wrap_text=True, vertical="top")
FORMAT_DATE = "DD/MM/YYYY"
LISTES = {
    "oui_non": (OUI, NON),
    "ventilation": tuple(VENTILATIONS),
    "nature": NATURES,
}


def ecrire_classeur(classeur=None):
    """Return the xlsx bytes of ``classeur`` (None: the blank template, headers only)."""
    classeur = classeur or Classeur()
    livre = Workbook()
    livre.properties.creator = "Portail du contrat de ville"
    _mode_d_emploi(livre.active)
    _feuille_contrat(livre.create_sheet(CONTRAT), classeur.contrat)
    for format_feuille in FEUILLES:
        feuille = livre.create_sheet(format_feuille.nom)
        _feuille(feuille, format_feuille, classeur[format_feuille.cle])
    sortie = io.BytesIO()
    _texte_en_texte(livre)
    livre.save(sortie)
    return sortie.getvalue()


def modele_vierge():
    return ecrire_classeur(None)


def _entete(feuille, entetes, largeurs):
    feuille.append(list(entetes))
    for index, largeur in enumerate(largeurs, start=1):
        feuille.cell(row=1, column=index).font = GRAS
        feuille.column_dimensions[get_column_letter(index)].width = largeur
    feuille.freeze_panes = "A2"


def _texte_en_texte(livre):
    """Every text cell stays text: a title typed « =1+1 » must never become a formula."""
    for feuille in livre.worksheets:
        for ligne in feuille.iter_rows():
            for cellule in ligne:
                if isinstance(cellule.value, str):
                    cellule.data_type = "s"


def _valeur_ecrite(colonne, valeur):
    if colonne.type == "oui_non":
        return OUI if valeur else NON
    if colonne.type == "ventilation":
        return VENTILATIONS_ECRITES.get(valeur, valeur)
    if valeur == "" or valeur is None:
        return None
    return valeur


def _feuille(feuille, format_feuille, elements):
    colonnes = format_feuille.colonnes
    _entete(feuille, (c.entete for c in colonnes), (c.largeur for c in colonnes))
    for element in elements:
        feuille.append([_valeur_ecrite(c, element.get(c.cle)) for c in colonnes])
    derniere = LIGNES_MAX + 1
    for index, colonne in enumerate(colonnes, start=1):
        lettre = get_column_letter(index)
        formats = {"code": "@", "date": FORMAT_DATE}
        if colonne.type in formats:
            # Codes in text cells: what is typed there stays text (no 1.10 turned into 1.1).
            feuille.column_dimensions[lettre].number_format = formats[colonne.type]
            for (cellule,) in feuille.iter_rows(
                min_row=2, max_row=feuille.max_row, min_col=index, max_col=index
            ):
                cellule.number_format = formats[colonne.type]
        if colonne.type in LISTES:
            choix = ",".join(LISTES[colonne.type])
            validation = DataValidation(type="list", formula1=f'"{choix}"', allow_blank=True)
            validation.error = f"Valeurs permises : {', '.join(LISTES[colonne.type])}."
            validation.add(f"{lettre}2:{lettre}{derniere}")
            feuille.add_data_validation(validation)


def _feuille_contrat(feuille, contrat):
    _entete(feuille, (CHAMP, VALEUR, "Explication"), (32, 60, 70))
    for champ in CHAMPS_CONTRAT:
        valeur = contrat.get(champ.cle)
        feuille.append([champ.libelle, None if valeur == "" else valeur, champ.aide or None])
        ligne = feuille.max_row
        feuille.cell(row=ligne, column=2).number_format = (
            "0" if champ.type == "annee" else "@"
        )
        feuille.cell(row=ligne, column=3).alignment = ENVELOPPE


LIGNES_LISIBLES = f"{LIGNES_MAX:,}".replace(",", " ")
MODE_D_EMPLOI_INTRO = (
    "Ce classeur décrit un contrat de ville entier : le contrat lui-même, son arbre (piliers, "
    "orientations stratégiques, objectifs opérationnels, actions), ce que demande chaque "
    "objectif (cahier des charges, financements, indicateurs, renvois) et ses quartiers "
    "prioritaires (QPV). Un administrateur du portail le charge depuis l'administration "
    "(Contrats de ville › Importer un classeur) ou avec la commande "
    "« manage.py importer_contrat ».",
    "Règles communes : une ligne d'en-tête par feuille, dont les intitulés ne doivent pas être "
    "changés (les colonnes peuvent être déplacées, et d'autres ajoutées : elles sont "
    "ignorées) ; une ligne par élément ; les lignes vides sont ignorées. L'ordre des lignes "
    "d'un même parent est l'ordre de présentation sur le portail. Saisissez les codes comme "
    "du texte (les colonnes de codes sont au format Texte).",
    "Avant toute écriture, le classeur entier est vérifié ; chaque erreur est signalée avec sa "
    "feuille, sa ligne et sa colonne, et rien n'est enregistré tant qu'il en reste une. Un "
    "aperçu indique ensuite ce qui sera créé, modifié ou supprimé. Recharger le même classeur "
    "ne change rien. Un élément absent du classeur est supprimé du contrat, sauf si des "
    "dossiers ou d'autres données y renvoient : l'import est alors refusé et le message dit "
    "lesquelles.",
    f"Limites : {TAILLE_MAX // (1024 * 1024)} Mo par fichier, {LIGNES_LISIBLES} lignes par "
    "feuille (en-tête non comprise).",
    "Cette feuille « Mode d'emploi » est ignorée à l'import.",
)


def _mode_d_emploi(feuille):
    feuille.title = MODE_D_EMPLOI
    feuille.column_dimensions["A"].width = 110
    feuille.append(["Classeur d'un contrat de ville : mode d'emploi"])
    feuille["A1"].font = TITRE
    for paragraphe in MODE_D_EMPLOI_INTRO:
        feuille.append([paragraphe])
    feuille.append([])
    feuille.append([f"Feuille « {CONTRAT} »"])
    feuille.cell(row=feuille.max_row, column=1).font = GRAS
    feuille.append([
        "Une ligne par champ : « Champ » (l'intitulé, à ne pas changer) et « Valeur ». "
        "Le territoire et la génération sont créés s'ils n'existent pas encore."
    ])
    for champ in CHAMPS_CONTRAT:
        facultatif = "" if champ.obligatoire else " (facultatif)"
        aide = f" : {champ.aide}" if champ.aide else ""
        feuille.append([f"• {champ.libelle}{facultatif}{aide}"])
    for format_feuille in FEUILLES:
        feuille.append([])
        feuille.append([f"Feuille « {format_feuille.nom} »"])
        feuille.cell(row=feuille.max_row, column=1).font = GRAS
        feuille.append([format_feuille.aide])
        for colonne in format_feuille.colonnes:
            facultatif = "" if colonne.obligatoire else " (facultatif)"
            feuille.append([f"• {colonne.entete}{facultatif} : {colonne.aide}"])
    for (cellule,) in feuille.iter_rows(min_row=2, max_col=1):
        cellule.alignment = ENVELOPPE


def contenu_des_feuilles(donnees):
    """Every sheet's cell values, row by row (trailing empty cells dropped): to compare files
    content-wise, whatever the zip timestamps."""
    from openpyxl import load_workbook

    livre = load_workbook(io.BytesIO(donnees), read_only=True, data_only=True)
    try:
        contenu = {}
        for nom in livre.sheetnames:
            lignes = []
            for valeurs in livre[nom].iter_rows(values_only=True):
                valeurs = list(valeurs)
                while valeurs and valeurs[-1] is None:
                    valeurs.pop()
                lignes.append(
                    [v.date() if isinstance(v, datetime.datetime) else v for v in valeurs]
                )
            while lignes and not lignes[-1]:
                lignes.pop()
            contenu[nom] = lignes
        return contenu
    finally:
        livre.close()
