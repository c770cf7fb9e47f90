"""A malformed workbook is refused whole: each error placed, worded in French, nothing written."""

import io
import zipfile

import openpyxl
import pytest

from referentiel.classeur import lecture
from referentiel.classeur.chargement import importer_classeur
from referentiel.classeur.erreurs import ClasseurInvalide, Erreurs
from referentiel.classeur.format import FEUILLES_PAR_CLE, LIGNES_MAX, TAILLE_MAX

from .outils_classeur import (
    ajouter,
    comptes,
    ecrire,
    erreurs_d_import,
    exemple,
    modifier,
    supprimer_ligne,
    valeur_contrat,
)

pytestmark = pytest.mark.django_db


def _renommer_entete(feuille, ancien, nouveau):
    def operation(livre):
        for cellule in livre[feuille][1]:
            if cellule.value == ancien:
                cellule.value = nouveau

    return operation


def _retirer_feuille(nom):
    def operation(livre):
        del livre[nom]

    return operation


CAS = {
    "feuille absente": (
        [_retirer_feuille("Actions")],
        "Feuille Actions : feuille absente du classeur.",
    ),
    "colonne absente": (
        [_renommer_entete("Actions", "Libellé", "Intitulé")],
        "Feuille Actions, ligne 1, colonne Libellé : colonne absente de la ligne d'en-tête.",
    ),
    "code en double": (
        [ajouter("Actions", "1.1.1.a", "Une autre action")],
        "Feuille Actions, ligne 14, colonne Code : le code 1.1.1.a figure déjà ligne 2.",
    ),
    "action orpheline": (
        [ajouter("Actions", "1.1.9.a", "Action sans objectif")],
        "Feuille Actions, ligne 14, colonne Code : l'action 1.1.9.a n'a pas d'objectif 1.1.9 "
        "dans le classeur.",
    ),
    "orientation orpheline": (
        [ajouter("Orientations", "3.1", "Orientation sans pilier")],
        "Feuille Orientations, ligne 6, colonne Code : l'orientation 3.1 n'a pas de pilier 3 "
        "dans le classeur.",
    ),
    "indicateur d'un objectif inconnu": (
        [ajouter("Indicateurs", "9.9.9", 1, "Nombre de x", "F/H", "nombre")],
        "Feuille Indicateurs, ligne 11, colonne Objectif : l'objectif 9.9.9 n'est pas dans la "
        "feuille Objectifs.",
    ),
    "ventilation inconnue": (
        [ecrire("Indicateurs", 2, "Ventilation", "F/X")],
        "Feuille Indicateurs, ligne 2, colonne Ventilation : « F/X » n'est pas une ventilation "
        "connue : « F/H », « F/G », « F/H et F/G » ou « aucune ».",
    ),
    "nature inconnue": (
        [ecrire("Indicateurs", 3, "Nature", "pourcentage")],
        "Feuille Indicateurs, ligne 3, colonne Nature : « pourcentage » n'est pas une nature "
        "connue",
    ),
    "titre vide": (
        [ecrire("Piliers", 2, "Titre", None)],
        "Feuille Piliers, ligne 2, colonne Titre : la cellule est vide.",
    ),
    "texte d'exigence vide": (
        [ecrire("Cahier des charges", 3, "Texte", "   ")],
        "Feuille Cahier des charges, ligne 3, colonne Texte : la cellule est vide.",
    ),
    "code mal formé": (
        [ecrire("Orientations", 2, "Code", "1-1")],
        "Feuille Orientations, ligne 2, colonne Code : « 1-1 » n'est pas un code d'orientation "
        "(forme 1.2).",
    ),
    "code d'action mal formé": (
        [ajouter("Actions", "1.1.1.AB", "Action")],
        "Feuille Actions, ligne 14, colonne Code : « 1.1.1.AB » n'est pas un code d'action "
        "(forme 1.2.3.a).",
    ),
    "code saisi comme un nombre": (
        [ecrire("Orientations", 2, "Code", 1.1)],
        "Feuille Orientations, ligne 2, colonne Code : le code 1.1 est saisi comme un nombre",
    ),
    "rang en double": (
        [ajouter("Cahier des charges", "1.1.1", 2, "Exigence de trop")],
        "Feuille Cahier des charges, ligne 9, colonne Rang : le rang 2 de l'objectif 1.1.1 "
        "figure déjà ligne 3.",
    ),
    "rang non entier": (
        [ecrire("Financements", 2, "Rang", "premier")],
        "Feuille Financements, ligne 2, colonne Rang : le rang doit être un nombre entier à "
        "partir de 1, pas « premier ».",
    ),
    "oui/non illisible": (
        [ecrire("Objectifs", 2, "Hors appel à projets", "peut-être")],
        "Feuille Objectifs, ligne 2, colonne Hors appel à projets : « peut-être » : répondez "
        "« oui » ou « non ».",
    ),
    "renvoi vers une cible inconnue": (
        [ecrire("Renvois", 2, "Cible", "9.9.9")],
        "Feuille Renvois, ligne 2, colonne Cible : la cible 9.9.9 n'est ni un objectif ni une "
        "orientation du classeur.",
    ),
    "renvoi vers un autre contrat": (
        [ecrire("Renvois", 2, "Cible", "ales-agglomeration-2015:1.1.3")],
        "Feuille Renvois, ligne 2, colonne Cible : « ales-agglomeration-2015:1.1.3 » vise "
        "l'élément 1.1.3 du contrat « ales-agglomeration-2015 » : un renvoi ne peut viser qu'un "
        "élément du même contrat.",
    ),
    "renvoi vers lui-même": (
        [ecrire("Renvois", 2, "Cible", "2.2.1")],
        "Feuille Renvois, ligne 2, colonne Cible : l'objectif 2.2.1 ne peut pas renvoyer à "
        "lui-même.",
    ),
    "action du renvoi d'un autre objectif": (
        [ecrire("Renvois", 2, "Action", "1.1.1.a")],
        "Feuille Renvois, ligne 2, colonne Action : l'action 1.1.1.a n'est pas une action de "
        "l'objectif 2.2.1.",
    ),
    "année illisible": (
        [valeur_contrat("Année de début", "20x4")],
        "Feuille Contrat, ligne 12, colonne Valeur : Année de début : « 20x4 » n'est pas une "
        "année (AAAA).",
    ),
    "années à l'envers": (
        [valeur_contrat("Année de fin", 2020)],
        "Feuille Contrat, ligne 13, colonne Valeur : l'année de fin (2020) précède l'année de "
        "début (2024).",
    ),
    "champ du contrat absent": (
        [supprimer_ligne("Contrat", 5)],
        "Feuille Contrat : le champ « Nom du territoire » est absent.",
    ),
    "champ du contrat inconnu": (
        [ajouter("Contrat", "Couleur préférée", "bleu")],
        "Feuille Contrat, ligne 15, colonne Champ : champ « Couleur préférée » inconnu.",
    ),
    "type de territoire inconnu": (
        [valeur_contrat("Type de territoire", "région")],
        "« région » n'est pas un type de territoire",
    ),
    "SIREN mal formé": (
        [valeur_contrat("SIREN du territoire", "1234")],
        "« 1234 » n'est pas un SIREN (9 chiffres).",
    ),
    "date illisible": (
        [ecrire("QPV", 2, "Valide du", "31/02/2024")],
        "Feuille QPV, ligne 2, colonne Valide du : « 31/02/2024 » n'est pas une date "
        "(JJ/MM/AAAA).",
    ),
    "code de QPV avec des accents": (
        [ecrire("QPV", 2, "Code", "les-tilleuls-été")],
        "Feuille QPV, ligne 2, colonne Code : le code « les-tilleuls-été » ne doit contenir que "
        "des lettres sans accent",
    ),
    "QPV en double": (
        [ecrire("QPV", 3, "Code", "val-fictif-les-tilleuls")],
        "Feuille QPV, ligne 3, colonne Code : le code val-fictif-les-tilleuls figure déjà "
        "ligne 2.",
    ),
    "titre trop long": (
        [ecrire("Piliers", 2, "Titre", "x" * 300)],
        "Feuille Piliers, ligne 2, colonne Titre : le texte compte 300 caractères (255 au plus).",
    ),
}


@pytest.mark.parametrize("cas", list(CAS))
def test_classeur_mal_forme_refuse_sans_rien_ecrire(cas):
    operations, message = CAS[cas]
    donnees = modifier(exemple(), *operations)
    avant = comptes()

    erreurs = erreurs_d_import(donnees)

    assert any(message in e for e in erreurs), erreurs
    assert comptes() == avant


def test_toutes_les_erreurs_sont_signalees_ensemble():
    """The whole workbook is checked: three problems in three sheets, three messages."""
    donnees = modifier(
        exemple(),
        ecrire("Piliers", 2, "Titre", None),
        ajouter("Actions", "1.1.9.a", "Action sans objectif"),
        ecrire("QPV", 2, "Valide du", "hier"),
    )

    erreurs = erreurs_d_import(donnees)

    assert len(erreurs) == 3
    assert [e.split(",")[0] for e in erreurs] == ["Feuille Piliers", "Feuille Actions",
                                                    "Feuille QPV"]


def _zip(**membres):
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w") as archive:
        for nom, contenu in membres.items():
            archive.writestr(nom.replace("__", "/"), contenu)
    return sortie.getvalue()


@pytest.mark.parametrize(
    ("donnees", "message"),
    [
        (b"Code;Titre\n1;Cohesion\n", "le fichier n'est pas un classeur Excel (.xlsx) lisible."),
        (b"%PDF-1.4\n", "le fichier n'est pas un classeur Excel (.xlsx) lisible."),
        (_zip(**{"mimetype": "x"}), "le fichier n'est pas un classeur Excel (.xlsx) lisible."),
        (_zip(**{"[Content_Types].xml": "<pas du xml"}),
         "le fichier n'est pas un classeur Excel (.xlsx) lisible."),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100,
         "le fichier est au format Excel 97-2003 (.xls) : enregistrez-le au format .xlsx."),
    ],
    ids=["csv", "pdf", "zip quelconque", "xlsx corrompu", "xls"],
)
def test_fichier_qui_n_est_pas_un_classeur(donnees, message):
    avant = comptes()

    assert erreurs_d_import(donnees) == [message]
    assert comptes() == avant


def test_classeur_tronque():
    donnees = exemple()

    assert erreurs_d_import(donnees[: len(donnees) // 2]) == [
        "le fichier n'est pas un classeur Excel (.xlsx) lisible."
    ]


def test_fichier_trop_gros():
    erreurs = erreurs_d_import(b"PK" + b"\0" * TAILLE_MAX)

    assert erreurs == [
        "le fichier est trop gros : 5,0 Mo au plus. Un contrat de ville tient en quelques "
        "centaines de kilo-octets ; retirez les images et mises en forme."
    ]


def test_fichier_trop_gros_refuse_sans_etre_lu(tmp_path):
    """A file on disk above the limit is refused from its size, before any reading."""
    chemin = tmp_path / "enorme.xlsx"
    with open(chemin, "wb") as fichier:
        fichier.truncate(TAILLE_MAX + 1)

    with pytest.raises(ClasseurInvalide, match="trop gros"):
        importer_classeur(chemin, "contrat-teste")


def _feuille_tres_longue(lignes):
    """The example with an Actions sheet of ``lignes`` rows; rows past the limit are invalid,
    so that an error about them would show the reading went on."""

    def operation(livre):
        feuille = livre["Actions"]
        feuille.delete_rows(2, feuille.max_row)
        for numero in range(lignes):
            code = f"1.1.1.{chr(97 + numero % 26)}" if numero < LIGNES_MAX else "mauvais code"
            feuille.append([code, f"Action n°{numero}"])

    return operation


def test_feuille_trop_longue_refusee_des_la_limite():
    donnees = modifier(exemple(), _feuille_tres_longue(10_000))
    avant = comptes()

    erreurs = erreurs_d_import(donnees)

    assert (
        "Feuille Actions, ligne 5002 : la feuille compte plus de 5 000 lignes, la limite : la "
        "lecture s'arrête là. Vérifiez qu'elle ne contient que le contrat."
    ) in erreurs
    # The reading stopped at the limit: nothing is said of the rows beyond it.
    assert not any("mauvais code" in e for e in erreurs)
    assert comptes() == avant


def test_lignes_vides_ignorees_et_dimension_fausse_sans_effet():
    """Empty rows are skipped; rows are read even past a wrong declared dimension."""
    livre = openpyxl.Workbook()
    feuille = livre.active
    feuille.append(["Code", "Titre"])
    feuille.append(["1", "Premier"])
    feuille.append([None, None])
    feuille.append(["2", "Second"])
    sortie = io.BytesIO()
    livre.save(sortie)
    contenu = sortie.getvalue()
    # Rewrite the declared dimension as « A1 » only.
    entree = zipfile.ZipFile(io.BytesIO(contenu))
    refait = io.BytesIO()
    with zipfile.ZipFile(refait, "w") as archive:
        for membre in entree.infolist():
            donnees = entree.read(membre.filename)
            if membre.filename == "xl/worksheets/sheet1.xml":
                donnees = donnees.replace(b'<dimension ref="A1:B4"/>', b'<dimension ref="A1"/>')
            archive.writestr(membre, donnees)
    classeur = openpyxl.load_workbook(io.BytesIO(refait.getvalue()), read_only=True)
    erreurs = Erreurs()
    feuille_lue = classeur.active
    feuille_lue.reset_dimensions()
    elements = lecture._lire_lignes(feuille_lue, FEUILLES_PAR_CLE["piliers"], erreurs)
    classeur.close()

    assert not erreurs
    assert [(e.ligne, e["code"]) for e in elements] == [(2, "1"), (4, "2")]


def test_en_tetes_sans_accents_ni_casse_et_colonnes_en_plus():
    """Headers match without regard to case and accents; extra columns are ignored."""
    donnees = modifier(
        exemple(),
        _renommer_entete("Actions", "Libellé", "LIBELLE"),
        ecrire("Actions", 1, "Code", " code "),
        lambda livre: livre["Actions"].cell(row=1, column=5, value="Remarques"),
    )

    classeur = lecture.lire_classeur(donnees)

    assert len(classeur["actions"]) == 12
