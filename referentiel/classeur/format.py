"""The workbook format: its sheets, their columns, the values allowed, and the limits.

Every sheet has one header row (French headers); the rows below are the data. Headers are
matched without regard to case, accents or surrounding spaces. The « Contrat » sheet is made of
key/value rows (« Champ », « Valeur »). The « Mode d'emploi » sheet explains all this in French
and is ignored on import.
"""

import re
import unicodedata
from dataclasses import dataclass

# Limits: a file larger than this is refused before it is opened, a sheet longer than this is
# refused as soon as its reading passes the limit, and the unpacked size of the file is bounded
# too (an xlsx is a zip: a small file can unpack to a huge one).
TAILLE_MAX = 5 * 1024 * 1024
TAILLE_DECOMPRESSEE_MAX = 100 * 1024 * 1024
LIGNES_MAX = 5000

MODE_D_EMPLOI = "Mode d'emploi"
CONTRAT = "Contrat"
PILIERS = "Piliers"
ORIENTATIONS = "Orientations"
OBJECTIFS = "Objectifs"
CAHIER = "Cahier des charges"
FINANCEMENTS = "Financements"
INDICATEURS = "Indicateurs"
ACTIONS = "Actions"
RENVOIS = "Renvois"
QPV = "QPV"

# Codes of the tree: the parent of a row is its code without the last part.
CODE_PILIER = re.compile(r"^\d{1,3}$")
CODE_ORIENTATION = re.compile(r"^\d{1,3}\.\d{1,3}$")
CODE_OBJECTIF = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}$")
CODE_ACTION = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.[a-z]$")
# Contracts, territories, generations and QPV: letters, digits, hyphens (a « slug »).
CODE_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
SIREN = re.compile(r"^\d{9}$")

VENTILATIONS = {"F/H": "FH", "F/G": "FG", "F/H et F/G": "FH_FG", "aucune": "aucune"}
VENTILATIONS_ECRITES = {v: k for k, v in VENTILATIONS.items()}
NATURES = ("nombre", "texte", "documents")
TYPES_TERRITOIRE = ("EPCI", "commune", "autre")
OUI, NON = "oui", "non"


def plier(texte):
    """Lower case, no accents, single spaces: how headers and keys are compared."""
    sans_accents = unicodedata.normalize("NFKD", str(texte))
    sans_accents = "".join(c for c in sans_accents if not unicodedata.combining(c))
    return " ".join(sans_accents.replace("’", "'").lower().split())


def parent(code):
    """The code of a row's parent: « 1.1.9 » for the action « 1.1.9.a »."""
    return code.rsplit(".", 1)[0]


@dataclass(frozen=True)
class Colonne:
    entete: str
    cle: str
    # How the cell is read: texte, code, rang, oui_non, ventilation, nature, date.
    type: str = "texte"
    obligatoire: bool = True
    longueur_max: int | None = None
    aide: str = ""
    largeur: int = 20


@dataclass(frozen=True)
class Feuille:
    nom: str
    cle: str
    colonnes: tuple
    aide: str

    def colonne(self, cle):
        return next(c for c in self.colonnes if c.cle == cle)


def _code(entete, aide, longueur_max):
    return Colonne(entete, "code", "code", longueur_max=longueur_max, aide=aide, largeur=12)


def _objectif():
    return Colonne("Objectif", "objectif", "code", aide="Code de l'objectif (1.2.3).", largeur=12)


def _rang():
    return Colonne(
        "Rang", "ordre", "rang", aide="1, 2, 3… : la place de la ligne dans l'objectif.",
        largeur=8,
    )


FEUILLES = (
    Feuille(
        PILIERS, "piliers",
        (
            _code("Code", "Un nombre : 1, 2…", 10),
            Colonne("Titre", "titre", longueur_max=255, aide="Titre du pilier.", largeur=60),
        ),
        "Les piliers du contrat, dans l'ordre où ils sont présentés.",
    ),
    Feuille(
        ORIENTATIONS, "orientations",
        (
            _code("Code", "Code du pilier, un point, un nombre : 1.2.", 10),
            Colonne("Titre", "titre", longueur_max=255, aide="Titre de l'orientation.",
                    largeur=80),
        ),
        "Les orientations stratégiques. Le pilier est donné par le code (1.2 est dans le "
        "pilier 1) ; l'ordre des lignes d'un même pilier est l'ordre de présentation.",
    ),
    Feuille(
        OBJECTIFS, "objectifs",
        (
            _code("Code", "Code de l'orientation, un point, un nombre : 1.2.3.", 12),
            Colonne("Titre", "titre", longueur_max=500, aide="Titre de l'objectif.",
                    largeur=80),
            Colonne(
                "Hors appel à projets", "hors_appel_a_projets", "oui_non", obligatoire=False,
                aide="« oui » si aucune demande ne peut être déposée sur cet objectif "
                "(vide : non).", largeur=14,
            ),
        ),
        "Les objectifs opérationnels. L'orientation est donnée par le code (1.2.3 est dans "
        "l'orientation 1.2) ; l'ordre des lignes d'une même orientation est l'ordre de "
        "présentation.",
    ),
    Feuille(
        CAHIER, "exigences",
        (_objectif(), _rang(), Colonne("Texte", "texte", aide="Une exigence.", largeur=100)),
        "Le cahier des charges de chaque objectif : une exigence par ligne.",
    ),
    Feuille(
        FINANCEMENTS, "notes_financement",
        (
            _objectif(), _rang(),
            Colonne("Texte", "texte", aide="Une mention de financement.", largeur=100),
        ),
        "Les mentions de financement de chaque objectif (« Prioriser les financements… »).",
    ),
    Feuille(
        INDICATEURS, "indicateurs",
        (
            _objectif(), _rang(),
            Colonne("Libellé", "libelle", aide="Le libellé, sans la ventilation.", largeur=80),
            Colonne(
                "Ventilation", "ventilation", "ventilation", obligatoire=False,
                aide="« F/H », « F/G », « F/H et F/G » ou « aucune » (vide : aucune) : les "
                "chiffres sont demandés par sexe, chez les adultes (F/H) ou les enfants (F/G).",
                largeur=14,
            ),
            Colonne(
                "Nature", "nature", "nature",
                aide="« nombre », « texte » ou « documents » : ce que le porteur fournit.",
                largeur=12,
            ),
        ),
        "Les indicateurs d'évaluation de chaque objectif.",
    ),
    Feuille(
        ACTIONS, "actions",
        (
            _code("Code", "Code de l'objectif, un point, une lettre : 1.2.3.a.", 14),
            Colonne("Libellé", "libelle", aide="Le libellé de l'action.", largeur=100),
        ),
        "Les fiches actions, sur lesquelles les porteurs déposent leurs demandes. L'objectif "
        "est donné par le code (1.2.3.a est dans l'objectif 1.2.3) ; l'ordre des lignes d'un "
        "même objectif est l'ordre de présentation.",
    ),
    Feuille(
        RENVOIS, "renvois",
        (
            _objectif(), _rang(),
            Colonne(
                "Action", "action", "code", obligatoire=False,
                aide="Facultatif : l'action de l'objectif dont le libellé est ce renvoi.",
                largeur=12,
            ),
            Colonne(
                "Cible", "cible", "code",
                aide="Code de l'objectif (1.2.3) ou de l'orientation (1.2) visé, dans ce même "
                "contrat.", largeur=12,
            ),
            Colonne("Texte", "texte", longueur_max=255, aide="La mention telle qu'imprimée.",
                    largeur=60),
        ),
        "Les renvois (« Cf. objectif opérationnel 1.1.3 ») : les propositions relevant d'un "
        "objectif sont à déposer sur l'élément visé.",
    ),
    Feuille(
        QPV, "quartiers",
        (
            Colonne(
                "Code", "code", "code", longueur_max=60, largeur=30,
                aide="Identifiant du quartier dans la génération : lettres, chiffres, "
                "tirets (ales-pres-saint-jean).",
            ),
            Colonne("Nom", "nom", longueur_max=255, aide="Nom du quartier.", largeur=30),
            Colonne(
                "Commune(s)", "commune", longueur_max=255, largeur=25,
                aide="La commune ; pour un quartier intercommunal, les communes séparées par "
                "des virgules.",
            ),
            Colonne(
                "Code officiel", "code_officiel", "code", obligatoire=False, longueur_max=10,
                aide="Code national (QN03xxxx) ; vide tant qu'il n'est pas vérifié.",
                largeur=14,
            ),
            Colonne("Secteurs", "secteurs", obligatoire=False, aide="Facultatif.", largeur=50),
            Colonne("Valide du", "valide_du", "date", aide="Date (JJ/MM/AAAA).", largeur=12),
            Colonne(
                "Valide au", "valide_au", "date", obligatoire=False,
                aide="Date (JJ/MM/AAAA) ; vide : toujours valide.", largeur=12,
            ),
        ),
        "Les quartiers prioritaires du contrat. Un quartier appartient à une génération de "
        "contrats : le même code dans la même génération désigne le même quartier. La liste "
        "des quartiers du contrat devient celle de cette feuille.",
    ),
)
FEUILLES_PAR_CLE = {f.cle: f for f in FEUILLES}


@dataclass(frozen=True)
class Champ:
    """One key/value row of the « Contrat » sheet."""

    libelle: str
    cle: str
    type: str = "texte"  # texte, slug, annee, type_territoire, siren
    obligatoire: bool = True
    longueur_max: int | None = 255
    aide: str = ""


CHAMP, VALEUR = "Champ", "Valeur"
CHAMPS_CONTRAT = (
    Champ(
        "Code du contrat", "code", "slug", obligatoire=False, longueur_max=50,
        aide="Lettres, chiffres, tirets (ales-agglomeration-2024). Peut être donné à l'import "
        "à la place.",
    ),
    Champ("Nom du contrat", "nom", obligatoire=False, aide="Peut être donné à l'import."),
    Champ("Code du territoire", "territoire_code", "slug", longueur_max=60,
          aide="Lettres, chiffres, tirets (ales-agglomeration)."),
    Champ("Nom du territoire", "territoire_nom"),
    Champ("Type de territoire", "territoire_type", "type_territoire",
          aide="« EPCI », « commune » ou « autre »."),
    Champ("SIREN du territoire", "territoire_siren", "siren", obligatoire=False,
          aide="9 chiffres ; vide tant qu'il n'est pas vérifié."),
    Champ("Code de la génération", "generation_code", "slug", longueur_max=60,
          aide="Lettres, chiffres, tirets (engagements-quartiers-2030)."),
    Champ("Nom de la génération", "generation_nom", aide="Engagements Quartiers 2030…"),
    Champ("Génération : année de début", "generation_annee_debut", "annee"),
    Champ("Génération : année de fin", "generation_annee_fin", "annee"),
    Champ("Année de début", "annee_debut", "annee", aide="Première année du contrat."),
    Champ("Année de fin", "annee_fin", "annee", aide="Dernière année du contrat."),
    Champ("Source", "source", obligatoire=False,
          aide="Le document d'où le contrat est transcrit."),
)
CHAMPS_PAR_CLE = {c.cle: c for c in CHAMPS_CONTRAT}
ANNEE_MIN, ANNEE_MAX = 1990, 2100

# Order of the sheets in a written workbook.
ORDRE_FEUILLES = (MODE_D_EMPLOI, CONTRAT, *(f.nom for f in FEUILLES))
