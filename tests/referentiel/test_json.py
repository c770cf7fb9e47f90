"""The référentiel as JSON: /api/referentiel.json and `manage.py exporter_referentiel`."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from referentiel.models import Action, Objectif

pytestmark = pytest.mark.django_db

CLES_OBJECTIF = {
    "code",
    "titre",
    "hors_appel_a_projets",
    "cahier_des_charges",
    "notes_financement",
    "indicateurs",
    "renvois",
    "actions",
}


@pytest.fixture
def donnees(client):
    reponse = client.get(reverse("api_referentiel"))
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(reponse.content)


def _objectifs(donnees):
    return [
        obj for p in donnees["piliers"] for o in p["orientations"] for obj in o["objectifs"]
    ]


def test_json_a_exactement_la_forme_documentee(donnees):
    """Every level has exactly the documented keys and types."""

    assert set(donnees) == {"contrat", "piliers"}
    assert donnees["contrat"]["territoire"] == "Alès Agglomération"
    for pilier in donnees["piliers"]:
        assert set(pilier) == {"code", "titre", "orientations"}
        for orientation in pilier["orientations"]:
            assert set(orientation) == {"code", "titre", "objectifs"}
    for obj in _objectifs(donnees):
        assert set(obj) == CLES_OBJECTIF
        assert isinstance(obj["hors_appel_a_projets"], bool)
        assert all(isinstance(t, str) for t in obj["cahier_des_charges"])
        assert all(isinstance(t, str) for t in obj["notes_financement"])
        for indicateur in obj["indicateurs"]:
            assert set(indicateur) == {"libelle", "ventilation"}
            assert indicateur["ventilation"] in (None, "F/H", "F/G", "F/H+F/G")
        assert all(isinstance(code, str) for code in obj["renvois"])
        for action in obj["actions"]:
            assert set(action) == {"code", "libelle"}


def test_json_contient_tout_l_arbre(donnees):
    """Every objective and action of the database is in the JSON, in the tree's order."""

    objectifs = _objectifs(donnees)

    assert len(objectifs) == Objectif.objects.count()
    assert sum(len(o["actions"]) for o in objectifs) == Action.objects.count()
    assert [p["code"] for p in donnees["piliers"]] == ["1", "2", "3", "4"]
    codes = [o["code"] for o in objectifs]
    assert codes.index("1.3.9") < codes.index("1.3.10") < codes.index("1.4.1")


def test_json_renvois_et_ventilations(donnees):
    """Cross-references are codes; breakdowns are spelled as printed."""

    par_code = {o["code"]: o for o in _objectifs(donnees)}

    assert par_code["1.6.5"]["renvois"] == ["1.1.1", "1.1.3"]
    assert par_code["1.3.10"]["renvois"] == ["1.4"]
    assert par_code["1.3.10"]["actions"] == []
    ventilations = {i["ventilation"] for o in par_code.values() for i in o["indicateurs"]}
    assert ventilations == {None, "F/H", "F/G", "F/H+F/G"}


def test_commande_exporter_referentiel_identique_a_l_api(donnees):
    """The command prints the same JSON as the API."""

    sortie = StringIO()

    call_command("exporter_referentiel", stdout=sortie)

    assert json.loads(sortie.getvalue()) == donnees


def test_commande_exporter_referentiel_vers_un_fichier(donnees, tmp_path):
    """--sortie writes the JSON to a UTF-8 file."""

    fichier = tmp_path / "referentiel.json"

    call_command("exporter_referentiel", sortie=str(fichier), stderr=StringIO())

    assert json.loads(fichier.read_text(encoding="utf-8")) == donnees
    assert "Cohésion sociale" in fichier.read_text(encoding="utf-8")
