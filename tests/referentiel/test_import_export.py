"""Import/export of the référentiel, on the real 2015 contract: its workbook, keyed by code
within the contract, with a dry-run preview (the per-level CSV resources are gone)."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pytest_django.asserts import assertContains

from candidatures.models import Utilisateur
from referentiel.classeur.chargement import importer_classeur
from referentiel.classeur.erreurs import ClasseurInvalide
from referentiel.classeur.extraction import exporter_contrat
from referentiel.models import Action, Contrat, Exigence, Objectif

from .outils_classeur import ajouter, comptes, ecrire, modifier

pytestmark = pytest.mark.django_db


@pytest.fixture
def contrat():
    return Contrat.objects.select_related("territoire", "generation").par_defaut()


@pytest.fixture
def classeur(contrat):
    return exporter_contrat(contrat)


def _ligne_de(donnees, feuille, *debut):
    """Row number of the first row of ``feuille`` starting with the values ``debut``."""
    livre = openpyxl.load_workbook(io.BytesIO(donnees), read_only=True)
    try:
        for numero, valeurs in enumerate(livre[feuille].iter_rows(values_only=True), start=1):
            if tuple(valeurs[: len(debut)]) == debut:
                return numero
    finally:
        livre.close()
    raise LookupError(debut)


def test_import_a_blanc_ne_modifie_rien(contrat, classeur):
    """A dry run reports the change but writes nothing."""
    ligne = _ligne_de(classeur, "Actions", "1.1.1.a")
    donnees = modifier(classeur, ecrire("Actions", ligne, "Libellé", "Nouveau libellé"))

    rapport = importer_classeur(donnees, contrat.code, a_blanc=True)

    assert rapport.modifies == 1
    assert Action.objects.get(contrat=contrat, code="1.1.1.a").libelle != "Nouveau libellé"


def test_import_met_a_jour_par_code_sans_dupliquer(contrat, classeur):
    """Importing a known code updates that row in place."""
    avant = Action.objects.count()
    pk = Action.objects.get(contrat=contrat, code="1.1.1.a").pk
    ligne = _ligne_de(classeur, "Actions", "1.1.1.a")

    importer_classeur(
        modifier(classeur, ecrire("Actions", ligne, "Libellé", "Nouveau libellé")), contrat.code
    )

    assert Action.objects.count() == avant
    action = Action.objects.get(contrat=contrat, code="1.1.1.a")
    assert (action.pk, action.libelle) == (pk, "Nouveau libellé")


def test_import_d_une_exigence_par_objectif_et_rang(contrat, classeur):
    """Requirements are matched on (objective code, rank)."""
    exigence = Exigence.objects.filter(objectif__contrat=contrat, objectif__code="1.1.1").order_by(
        "ordre"
    ).first()
    ligne = _ligne_de(classeur, "Cahier des charges", "1.1.1", exigence.ordre)

    importer_classeur(
        modifier(classeur, ecrire("Cahier des charges", ligne, "Texte", "Texte révisé")),
        contrat.code,
    )

    exigence.refresh_from_db()
    assert exigence.texte == "Texte révisé"


def test_import_avec_objectif_inconnu_signale_l_erreur(contrat, classeur):
    """An unknown parent code is reported on its row; nothing is saved."""
    avant = comptes()

    with pytest.raises(ClasseurInvalide) as refus:
        importer_classeur(modifier(classeur, ajouter("Actions", "9.9.9.a", "X")), contrat.code)

    assert [str(e) for e in refus.value.erreurs] == [
        f"Feuille Actions, ligne {Action.objects.filter(contrat=contrat).count() + 2}, colonne "
        "Code : l'action 9.9.9.a n'a pas d'objectif 9.9.9 dans le classeur."
    ]
    assert comptes() == avant


def test_export_xlsx_relu(contrat, classeur):
    """The export has one row per objective, with its « hors appel à projets » answer."""
    relu = openpyxl.load_workbook(io.BytesIO(classeur), read_only=True)
    lignes = list(relu["Objectifs"].iter_rows(values_only=True))
    relu.close()

    assert lignes[0] == ("Code", "Titre", "Hors appel à projets")
    assert len(lignes) - 1 == Objectif.objects.filter(contrat=contrat).count()
    hors = set(
        Objectif.objects.filter(contrat=contrat, hors_appel_a_projets=True).values_list(
            "code", flat=True
        )
    )
    assert {code for code, _, reponse in lignes[1:] if reponse == "oui"} == hors


@pytest.fixture
def administrateur():
    user = Utilisateur.objects.create_user(
        email="admin@exemple.fr", password="x", is_staff=True, is_superuser=True
    )
    user.groups.add(Group.objects.get(name="administrateur"))
    return user


def test_page_d_import_de_l_admin(client, administrateur):
    """An administrator reaches the import page, which takes xlsx workbooks."""
    client.force_login(administrateur)

    reponse = client.get(reverse("admin:referentiel_contrat_importer"))

    assert reponse.status_code == 200
    assertContains(reponse, 'accept=".xlsx')


def test_page_d_import_refusee_aux_anonymes(client):
    """Anonymous visitors are sent to the login page."""
    reponse = client.get(reverse("admin:referentiel_contrat_importer"))

    assert reponse.status_code == 302
