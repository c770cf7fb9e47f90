"""The example contract: the committed workbook is what its generator makes, and it loads."""

import pytest
from django.conf import settings

from referentiel.classeur import exemple
from referentiel.classeur.chargement import importer_classeur
from referentiel.classeur.ecriture import contenu_des_feuilles, ecrire_classeur, modele_vierge
from referentiel.classeur.format import CHAMPS_CONTRAT, FEUILLES, MODE_D_EMPLOI, ORDRE_FEUILLES
from referentiel.classeur.lecture import lire_classeur
from referentiel.models import Contrat, Indicateur


def test_le_fichier_committe_est_celui_du_generateur():
    """Regenerate it with « python -m referentiel.classeur.exemple » when this fails."""
    attendu = contenu_des_feuilles(ecrire_classeur(exemple.classeur_exemple()))

    assert contenu_des_feuilles(exemple.FICHIER.read_bytes()) == attendu
    assert exemple.main(["--check"]) == 0


def test_le_generateur_signale_un_fichier_perime(tmp_path, capsys):
    perime = tmp_path / "perime.xlsx"
    perime.write_bytes(modele_vierge())

    assert exemple.main(["--check", "--sortie", str(perime)]) == 1
    assert exemple.main(["--sortie", str(perime)]) == 0
    assert exemple.main(["--check", "--sortie", str(perime)]) == 0


def test_l_exemple_se_relit_a_l_identique():
    relu = lire_classeur(exemple.FICHIER)

    assert relu.en_donnees() == exemple.classeur_exemple().en_donnees()


def test_l_exemple_est_clairement_fictif():
    contrat = exemple.classeur_exemple().contrat

    assert "exemple" in contrat["nom"].lower() and "fictif" in contrat["nom"].lower()
    assert "fictif" in contrat["territoire_nom"]
    assert contrat["generation_nom"] == "Engagements Quartiers 2030"
    assert (contrat["generation_annee_debut"], contrat["generation_annee_fin"]) == (2024, 2030)
    assert all(q["code_officiel"] == "" for q in exemple.QPV)


@pytest.mark.django_db
def test_l_exemple_se_charge():
    rapport = importer_classeur(exemple.FICHIER)

    contrat = Contrat.objects.get(code=exemple.CODE)
    assert rapport.contrat == contrat
    assert contrat.piliers.count() == 2
    assert contrat.quartiers.count() == 2
    ventilations = set(
        Indicateur.objects.filter(objectif__contrat=contrat).values_list("ventilation", flat=True)
    )
    assert ventilations == {"aucune", "FH", "FG", "FH_FG"}
    assert contrat.piliers.get(code="2").orientations.get(code="2.2").objectifs.get(
        code="2.2.1"
    ).hors_appel_a_projets


def test_modele_vierge_en_tetes_et_mode_d_emploi():
    contenu = contenu_des_feuilles(modele_vierge())

    assert list(contenu) == list(ORDRE_FEUILLES)
    for feuille in FEUILLES:
        assert contenu[feuille.nom] == [[c.entete for c in feuille.colonnes]]
    mode_d_emploi = "\n".join(str(ligne[0]) for ligne in contenu[MODE_D_EMPLOI] if ligne)
    for feuille in FEUILLES:
        assert f"Feuille « {feuille.nom} »" in mode_d_emploi
    assert "ignorée à l'import" in mode_d_emploi


def test_la_documentation_decrit_chaque_feuille_et_chaque_colonne():
    doc = (settings.BASE_DIR / "docs" / "contrats.md").read_text(encoding="utf-8")

    for feuille in FEUILLES:
        assert f"{feuille.nom} |" in doc or f"« {feuille.nom} »" in doc, feuille.nom
        for colonne in feuille.colonnes:
            assert colonne.entete in doc, (feuille.nom, colonne.entete)
    for champ in CHAMPS_CONTRAT:
        assert champ.libelle in doc, champ.libelle
