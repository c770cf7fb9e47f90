"""Commands: exporter_contrat, importer_contrat, exporter_referentiel --contrat."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from referentiel.classeur.chargement import importer_classeur
from referentiel.classeur.ecriture import contenu_des_feuilles
from referentiel.classeur.extraction import exporter_contrat
from referentiel.models import Contrat
from referentiel.selectors import referentiel_en_dict

from .outils_classeur import ajouter, comptes, exemple, modifier

pytestmark = pytest.mark.django_db


def _appeler(*args):
    sortie, erreurs = StringIO(), StringIO()
    call_command(*args, stdout=sortie, stderr=erreurs)
    return sortie.getvalue(), erreurs.getvalue()


def test_exporter_contrat_ecrit_le_classeur(tmp_path):
    contrat = Contrat.objects.par_defaut()
    chemin = tmp_path / "contrat.xlsx"

    sortie, _ = _appeler("exporter_contrat", "--contrat", contrat.code, "--sortie", str(chemin))

    assert f"Contrat {contrat.code} exporté dans {chemin}." in sortie
    assert contenu_des_feuilles(chemin.read_bytes()) == contenu_des_feuilles(
        exporter_contrat(contrat)
    )


def test_exporter_un_contrat_inconnu(tmp_path):
    with pytest.raises(CommandError, match="Aucun contrat n'a le code « inconnu »."):
        _appeler("exporter_contrat", "--contrat", "inconnu", "--sortie", str(tmp_path / "x.xlsx"))


def test_importer_contrat_a_blanc_puis_pour_de_bon(tmp_path):
    chemin = tmp_path / "exemple.xlsx"
    chemin.write_bytes(exemple())
    avant = comptes()

    sortie, _ = _appeler("importer_contrat", str(chemin), "--contrat", "val-fictif", "--dry-run")

    assert comptes() == avant
    assert (
        "Aperçu (rien n'a été enregistré) — contrat val-fictif (création du contrat) : "
        "48 créé(s), 0 modifié(s), 0 inchangé(s), 0 supprimé(s)."
    ) in sortie
    assert "Actions" in sortie and "Actions — création : 1.1.1.a" in sortie

    sortie, _ = _appeler(
        "importer_contrat", str(chemin), "--contrat", "val-fictif", "--nom", "Val-Fictif"
    )

    assert "Import terminé — contrat val-fictif (création du contrat)" in sortie
    assert Contrat.objects.get(code="val-fictif").nom == "Val-Fictif"

    sortie, _ = _appeler("importer_contrat", str(chemin), "--contrat", "val-fictif")

    assert "0 créé(s), 1 modifié(s), 47 inchangé(s), 0 supprimé(s)" in sortie  # the name
    sortie, _ = _appeler("importer_contrat", str(chemin), "--contrat", "val-fictif")
    assert "0 créé(s), 0 modifié(s), 48 inchangé(s), 0 supprimé(s)" in sortie


def test_importer_contrat_refuse_un_classeur_invalide(tmp_path):
    chemin = tmp_path / "invalide.xlsx"
    chemin.write_bytes(modifier(exemple(), ajouter("Actions", "1.1.9.a", "Orpheline")))
    avant = comptes()
    erreurs = StringIO()

    with pytest.raises(CommandError) as refus:
        call_command("importer_contrat", str(chemin), stdout=StringIO(), stderr=erreurs)

    assert refus.value.returncode != 0
    assert str(refus.value) == "Classeur refusé : 1 erreur(s). Rien n'a été enregistré."
    assert (
        "- Feuille Actions, ligne 14, colonne Code : l'action 1.1.9.a n'a pas d'objectif 1.1.9 "
        "dans le classeur." in erreurs.getvalue()
    )
    assert comptes() == avant


def test_importer_un_fichier_absent(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        _appeler("importer_contrat", str(tmp_path / "absent.xlsx"))


def test_exporter_referentiel_par_defaut_inchange():
    sortie, _ = _appeler("exporter_referentiel")

    assert json.loads(sortie) == json.loads(json.dumps(referentiel_en_dict()))
    assert json.loads(sortie)["contrat"]["code"] == "ales-agglomeration-2015"


def test_exporter_referentiel_d_un_autre_contrat():
    importer_classeur(exemple())

    sortie, _ = _appeler("exporter_referentiel", "--contrat", "exemple-val-fictif-2024")

    donnees = json.loads(sortie)
    assert donnees["contrat"]["code"] == "exemple-val-fictif-2024"
    assert [p["titre"] for p in donnees["piliers"]] == [
        "Cohésion sociale", "Cadre de vie et emploi"
    ]


def test_exporter_referentiel_d_un_contrat_inconnu():
    with pytest.raises(CommandError, match="Aucun contrat n'a le code « inconnu »."):
        _appeler("exporter_referentiel", "--contrat", "inconnu")
