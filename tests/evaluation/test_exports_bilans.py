"""The annual bilan files read back: the workbook with openpyxl, the PDF text with pypdf."""

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluation.bilans.agregats import Perimetre, agreger, fiches_dossiers, lignes_brutes
from evaluation.bilans.rendus import bilan_pdf, classeur_xlsx
from tests.evaluation.factories import jeu_bilans

pytestmark = pytest.mark.django_db


@pytest.fixture
def jeu():
    return jeu_bilans()


@pytest.fixture
def classeur(jeu):
    perimetre = Perimetre.pour_appel(jeu["appel_2025"])
    contenu = classeur_xlsx(agreger(perimetre), lignes_brutes(perimetre))
    return load_workbook(io.BytesIO(contenu))


def _lignes(feuille):
    return list(feuille.iter_rows(values_only=True))


def _par_premiere_colonne(feuille, colonne=0):
    return {ligne[colonne]: ligne for ligne in _lignes(feuille)[1:]}


def texte_pdf(contenu):
    """The PDF's text with every run of spaces (line breaks included) made one plain space."""
    lecteur = PdfReader(io.BytesIO(contenu))
    texte = "\n".join(page.extract_text() for page in lecteur.pages)
    return re.sub(r"[\s\u00a0\u202f]+", " ", texte), len(lecteur.pages)


# --- XLSX -----------------------------------------------------------------------------------------


def test_feuilles_du_classeur(classeur):
    """A summary, one sheet per level, QPV, structures, funders, years and raw rows."""
    assert classeur.sheetnames == [
        "Synthèse", "Piliers", "Orientations", "Objectifs", "Actions", "Indicateurs",
        "Quartiers", "Structures", "Financeurs", "Années", "Données brutes",
    ]


def test_synthese_porte_l_appel_la_date_et_les_totaux(classeur, jeu):
    """The summary names the call and the date; figures are numbers, euros formatted."""
    synthese = classeur["Synthèse"]
    valeurs = {
        ligne[0].value: ligne[1] for ligne in synthese.iter_rows(min_row=2) if ligne[0].value
    }

    assert f"{jeu['appel_2025'].titre} (2025)" == valeurs["Appel(s) à projets"].value
    assert re.fullmatch(r"\d{1,2} \w+ 20\d\d à \d\d:\d\d", valeurs["Généré le"].value)
    assert valeurs["Bilans comptés"].value == "bilans validés uniquement"
    assert valeurs["Dossiers déposés"].value == 6
    assert valeurs["Dossiers retenus"].value == 4
    assert valeurs["Dossiers non retenus"].value == 1
    assert valeurs["Montant demandé au contrat de ville"].value == 25000
    assert valeurs["Montant proposé par l'instruction"].value == 16500
    assert valeurs["Montant accordé par le comité"].value == 13500
    assert "€" in valeurs["Montant accordé par le comité"].number_format
    assert valeurs["Bénéficiaires total"].value == 80
    assert valeurs["Part des femmes et des filles"].value == 0.525
    assert "%" in valeurs["Part des femmes et des filles"].number_format


def test_feuille_des_piliers(classeur):
    """Each pilier row holds its hand-computed figures as numbers."""
    feuille = classeur["Piliers"]
    lignes = _par_premiere_colonne(feuille)

    assert _lignes(feuille)[0][:5] == (
        "Code", "Intitulé", "Dossiers déposés", "Retenus", "Non retenus"
    )
    assert lignes["1"][1:] == (
        "Cohésion sociale", 4, 3, 0, 14000, 11500, 9500, 1, 30, 20, 0, 0, 50, 0.6
    )
    assert lignes["3"][2:9] == (1, 1, 0, 6000, 5000, 4000, 1)
    assert lignes["4"][2:9] == (0, 0, 0, 0, 0, 0, 0)


def test_mise_en_forme_des_feuilles(classeur):
    """Styled, frozen, filtered header row; sensible widths; euro columns formatted."""
    feuille = classeur["Piliers"]

    assert feuille.freeze_panes == "A2"
    assert feuille.auto_filter.ref == "A1:O5"
    assert feuille["A1"].font.bold
    assert feuille.column_dimensions["B"].width == 50
    assert "€" in feuille["F2"].number_format
    assert "%" in feuille["O2"].number_format


def test_feuilles_orientations_objectifs_actions(classeur):
    """Orientations, objectives and actions carry their parent code and figures."""
    orientations = _par_premiere_colonne(classeur["Orientations"])
    objectifs = _par_premiere_colonne(classeur["Objectifs"])
    actions = _par_premiere_colonne(classeur["Actions"])

    assert orientations["1.1"][2:10] == ("1", 2, 1, 0, 8500, 6000, 5000, 1)
    assert objectifs["1.1.1"][2:10] == ("1.1", 2, 1, 0, 8500, 6000, 5000, 1)
    assert actions["3.1.3.a"][2:] == (
        "3.1.3", 1, 1, 0, 6000, 5000, 4000, 1, 12, 18, 0, 0, 30, 0.4
    )


def test_feuille_des_indicateurs(classeur):
    """F, H, total prévu and réalisé, share of women and rate of each indicator."""
    lignes = _par_premiere_colonne(classeur["Indicateurs"], colonne=2)

    habitants = lignes["Nombre d'habitants mobilisés"]
    assert habitants[:5] == ("1", "1.1.1", "Nombre d'habitants mobilisés",
                             "femmes / hommes (F/H)", 1)
    assert habitants[5:] == (25, 25, 0, 0, 0, 50, 30, 20, 0, 0, 0, 50, 0.6, 1)


def test_feuilles_quartiers_et_structures(classeur):
    """One row per QPV (with the dossiers without QPV) and per structure."""
    quartiers = _par_premiere_colonne(classeur["Quartiers"])
    structures = _par_premiere_colonne(classeur["Structures"])

    assert quartiers["Alès"][1:8] == (3, 2, 1, 15000, 9000, 7500, 1)
    assert quartiers["Aucun quartier renseigné"][1:5] == (1, 0, 0, 1500)
    assert structures["Association Bêta"][2:9] == (2, 1, 1, 11000, 5000, 4000, 1)


def test_feuille_des_financeurs(classeur):
    """Each funder line of account 74, all piliers together then per pilier."""
    lignes = [ligne for ligne in _lignes(classeur["Financeurs"])[1:] if ligne[0] == "Tous"]
    par_libelle = {ligne[1]: ligne[2:] for ligne in lignes}

    assert par_libelle["Intercommunalité(s) : EPCI"] == (11500, 9000, 8500, -500)
    assert par_libelle["Région(s)"] == (1000, 1000, 1200, 200)


def test_donnees_brutes(classeur, jeu):
    """One row per dossier × indicator, numbers stored as numbers."""
    lignes = _lignes(classeur["Données brutes"])

    assert len(lignes) == 4
    d3 = jeu["dossiers"][2]
    ligne = next(lg for lg in lignes if lg[1] == d3.reference)
    assert ligne[:9] == (
        2025, d3.reference, "Association Bêta", "3", "3.1", "3.1.3", "3.1.3.a",
        "Trescol – La Levade (La Grand-Combe)", "clôturé",
    )
    assert ligne[9].startswith("Nombre de personnes et typologie")
    assert ligne[10] == "F/H"
    assert ligne[11:] == (10, 10, 0, 0, 0, 20, 12, 18, 0, 0, 0, 30)


def test_annees_avec_evolution(jeu):
    """Over 2024–2025 the years sheet gives the change from one year to the next."""
    perimetre = Perimetre(contrat_id=jeu["appel_2025"].contrat_id, annee_debut=2024,
                          annee_fin=2025)
    classeur = load_workbook(io.BytesIO(classeur_xlsx(agreger(perimetre), [])))

    lignes = _par_premiere_colonne(classeur["Années"])

    assert lignes[2024][1:8] == (1, 1, 0, 3000, 3000, 3000, 1)
    assert lignes[2025][14:] == (5, 3, 3.5, 1)
    assert lignes[2024][14:] == (None, None, None, None)


# --- PDF ------------------------------------------------------------------------------------------


def test_pdf_montre_les_chiffres_du_jeu(jeu):
    """Cover, contents, totals, pilier sections and page numbers, in French formats."""
    bilan = agreger(Perimetre.pour_appel(jeu["appel_2025"]))

    texte, pages = texte_pdf(bilan_pdf(bilan))

    assert "Bilan annuel du contrat de ville 2025" in texte
    assert "Sommaire" in texte
    assert "Bilans comptés : bilans validés uniquement." in texte
    assert "Dossiers déposés 6" in texte
    assert "Montant demandé 25 000 €" in texte
    assert "Montant proposé 16 500 €" in texte
    assert "Montant accordé 13 500 €" in texte
    assert "Part des femmes et des filles 52,5 %" in texte
    assert "Pilier 1. Cohésion sociale" in texte
    assert "Pilier 3. Emploi et développement économique" in texte
    assert "Nombre d'habitants mobilisés" in texte
    assert "Association Bêta" in texte
    assert f"Page 2 sur {pages}" in texte
    assert re.search(r"Généré le \d{1,2} \w+ 2\d{3} à \d\d:\d\d", texte)


def test_pdf_signale_les_bilans_deposes_inclus(jeu):
    """When submitted bilans are included, the cover says so."""
    bilan = agreger(Perimetre.pour_appel(jeu["appel_2025"], inclure_deposes=True))

    texte, _pages = texte_pdf(bilan_pdf(bilan))

    assert "bilans validés et bilans déposés non encore validés" in texte
    assert "Montant accordé 13 500 €" in texte


def test_pdf_d_une_structure(jeu):
    """A structure's PDF lists its own dossiers with their reported values."""
    s1 = jeu["structures"][0]
    perimetre = Perimetre(contrat_id=jeu["appel_2025"].contrat_id, annee_debut=2024,
                          annee_fin=2025, structure_id=s1.pk)

    texte, _pages = texte_pdf(bilan_pdf(agreger(perimetre), fiches_dossiers(perimetre)))

    assert "Bilan de Association Alpha 2024–2025" in texte
    assert "Dossiers de la structure" in texte
    assert "Animations de rue" in texte and "Sport pour toutes et tous" in texte
    assert "Association Bêta" not in texte
    assert "30 / 20 / 0 / 0 / 0 (50)" in texte
