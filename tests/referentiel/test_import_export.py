"""Import/export of the référentiel in the admin: keyed by code, with a dry-run preview."""

import pytest
import tablib
from django.contrib.auth.models import Group
from django.urls import reverse
from pytest_django.asserts import assertContains

from candidatures.models import Utilisateur
from referentiel.models import Action, Exigence, Objectif
from referentiel.resources import ActionResource, ExigenceResource, ObjectifResource

pytestmark = pytest.mark.django_db


def _jeu(entetes, *lignes):
    return tablib.Dataset(*lignes, headers=entetes)


def test_import_a_blanc_ne_modifie_rien():
    """A dry run reports the change but writes nothing."""

    jeu = _jeu(["code", "objectif", "libelle", "ordre"], ["1.1.1.a", "1.1.1", "Nouveau libellé", 1])

    resultat = ActionResource().import_data(jeu, dry_run=True)

    assert not resultat.has_errors()
    assert resultat.totals["update"] == 1
    assert Action.objects.get(code="1.1.1.a").libelle != "Nouveau libellé"


def test_import_met_a_jour_par_code_sans_dupliquer():
    """Importing a known code updates that row in place."""

    avant = Action.objects.count()
    pk = Action.objects.get(code="1.1.1.a").pk
    jeu = _jeu(["code", "objectif", "libelle", "ordre"], ["1.1.1.a", "1.1.1", "Nouveau libellé", 1])

    ActionResource().import_data(jeu, dry_run=False)

    assert Action.objects.count() == avant
    assert Action.objects.get(code="1.1.1.a").pk == pk
    assert Action.objects.get(code="1.1.1.a").libelle == "Nouveau libellé"


def test_import_d_une_exigence_par_objectif_et_rang():
    """Requirements are matched on (objective code, rank)."""

    exigence = Exigence.objects.filter(objectif__code="1.1.1").order_by("ordre").first()
    jeu = _jeu(["objectif", "ordre", "texte"], ["1.1.1", exigence.ordre, "Texte révisé"])

    ExigenceResource().import_data(jeu, dry_run=False)

    exigence.refresh_from_db()
    assert exigence.texte == "Texte révisé"


def test_import_avec_objectif_inconnu_signale_l_erreur():
    """An unknown parent code is reported as an error on its row, nothing is saved."""

    jeu = _jeu(["code", "objectif", "libelle", "ordre"], ["9.9.9.a", "9.9.9", "X", 1])

    resultat = ActionResource().import_data(jeu, dry_run=False, raise_errors=False)

    assert resultat.has_errors() or resultat.has_validation_errors()
    assert not Action.objects.filter(code="9.9.9.a").exists()


def test_export_xlsx_relu():
    """The XLSX export of objectives reads back with one row per objective."""

    donnees = ObjectifResource().export()
    contenu = donnees.export("xlsx")

    relu = tablib.Dataset().load(contenu, format="xlsx")
    assert len(relu) == Objectif.objects.count()
    assert "hors_appel_a_projets" in relu.headers


@pytest.fixture
def administrateur():
    user = Utilisateur.objects.create_user(
        email="admin@exemple.fr", password="x", is_staff=True, is_superuser=True
    )
    user.groups.add(Group.objects.get(name="administrateur"))
    return user


def test_page_d_import_de_l_admin(client, administrateur):
    """An administrator reaches the import page of each level, with CSV and XLSX formats."""

    client.force_login(administrateur)

    reponse = client.get(reverse("admin:referentiel_action_import"))

    assert reponse.status_code == 200
    assertContains(reponse, "xlsx")


def test_page_d_import_refusee_aux_anonymes(client):
    """Anonymous visitors are sent to the admin login."""

    reponse = client.get(reverse("admin:referentiel_action_import"))

    assert reponse.status_code == 302
