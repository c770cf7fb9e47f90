"""A submitted dossier shows the structure's yearly declaration as it was on submission; a draft
shows it live; dossiers submitted before the copy existed get the declaration of their year."""

import importlib
import io
import re

import pytest
from django.apps import apps
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains

from candidatures.dossiers.pdf import rendre_dossier_pdf
from candidatures.dossiers.selectors import informations_du_dossier
from candidatures.dossiers.services.brouillons import signer_declaration
from candidatures.dossiers.services.depot import deposer_dossier
from candidatures.models import Dossier, InformationsAnnuelles, Statut

from .factories import DossierFactory, MembreFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def responsable():
    return MembreFactory()


@pytest.fixture
def depose(responsable):
    dossier = DossierFactory(structure=responsable.structure, complet=True)
    signer_declaration(dossier=dossier, par=responsable.utilisateur)
    deposer_dossier(dossier=dossier, par=responsable.utilisateur)
    dossier.refresh_from_db()
    return dossier


def _modifier_apres_depot(dossier, budget=True):
    informations = InformationsAnnuelles.objects.get(structure=dossier.structure)
    informations.affiliations = "Réseau déclaré après le dépôt"
    informations.adherents = 999
    informations.save()
    informations.agrements.create(type="Agrément tardif", attribue_par="Préfecture",
                                  date="2026-06-01")
    if budget:
        informations.lignes_budget.filter(code="64").update(montant=123456)


def _texte(pdf):
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"[\s\u202f\u00a0]+", " ", texte)


def test_le_depot_fige_les_informations_annuelles(depose):
    """The submission keeps a copy: fields, agréments and annual budget lines."""
    copie = depose.informations_deposees

    assert copie["annee"] == depose.appel.annee
    assert copie["affiliations"] == "Fédération des centres sociaux du Gard"
    assert copie["adherents"] == 120 and copie["etpt"] == "3.50"
    assert copie["lignes"]["64"] > 0


def test_une_modification_posterieure_ne_change_pas_le_dossier_depose(
    client, depose, responsable
):
    """After submission, editing the yearly declaration changes neither the dossier page, nor
    its PDF, nor the instruction page: they show what was declared."""
    _modifier_apres_depot(depose)
    instructeur = UtilisateurFactory(instructeur=True)

    client.force_login(responsable.utilisateur)
    page = client.get(reverse("dossiers:detail", args=[depose.pk]))
    client.force_login(instructeur)
    instruction = client.get(reverse("evaluation:instruction", args=[depose.pk]))
    texte = _texte(rendre_dossier_pdf(depose))

    for reponse in (page, instruction):
        assertContains(reponse, "Fédération des centres sociaux du Gard")
        assertContains(reponse, "Telles que déclarées lors du dépôt du dossier")
        assertNotContains(reponse, "Réseau déclaré après le dépôt")
        assertNotContains(reponse, "Agrément tardif")
    assert "Fédération des centres sociaux du Gard" in texte and "Adhérents 120" in texte
    assert "Réseau déclaré après le dépôt" not in texte and "123 456" not in texte
    assert "Agrément tardif" not in texte
    # The printed form says where and when it was signed, and when it was submitted.
    assert "Fait à Alès, le" in texte and "dossier déposé le" in texte


def test_un_brouillon_montre_les_informations_du_moment(responsable):
    """A draft reads the declaration live: the edit shows at once."""
    brouillon = DossierFactory(structure=responsable.structure, complet=True)
    _modifier_apres_depot(brouillon)

    informations = informations_du_dossier(brouillon)

    assert not informations.figees
    assert informations.adherents == 999


def test_le_redepot_apres_corrections_fige_de_nouveau(depose, responsable):
    """While corrected the dossier reads the declaration live; its resubmission copies it
    again."""
    Dossier.objects.filter(pk=depose.pk).update(statut=Statut.A_CORRIGER)
    depose.refresh_from_db()
    _modifier_apres_depot(depose, budget=False)
    assert informations_du_dossier(depose).adherents == 999

    deposer_dossier(dossier=depose, par=responsable.utilisateur)
    depose.refresh_from_db()

    informations = informations_du_dossier(depose)
    assert informations.figees and informations.adherents == 999
    assert [a.type for a in informations.liste_agrements] == ["Agrément tardif"]


def test_depose_sans_informations_le_reste(client, responsable):
    """A dossier submitted while its structure had declared nothing keeps showing so, even
    once the structure declares its year."""
    dossier = DossierFactory(structure=responsable.structure, complet=True)
    Dossier.objects.filter(pk=dossier.pk).update(
        statut=Statut.DEPOSE, depose_le=dossier.cree_le, reference="AAP-X-0001", numero=1
    )
    dossier.refresh_from_db()
    client.force_login(responsable.utilisateur)

    reponse = client.get(reverse("dossiers:detail", args=[dossier.pk]))

    assert informations_du_dossier(dossier) is None
    assertContains(reponse, "n'avait pas déclaré ses informations")
    assertNotContains(reponse, "Fédération des centres sociaux du Gard")


def test_la_migration_fige_les_dossiers_deja_deposes(responsable):
    """Dossiers submitted before the copy existed get their year's declaration; drafts and
    dossiers of a year without declaration stay without copy."""
    deja_depose = DossierFactory(structure=responsable.structure, complet=True)
    brouillon = DossierFactory(structure=responsable.structure, appel=deja_depose.appel)
    autre = DossierFactory(depose=True)
    Dossier.objects.filter(pk=deja_depose.pk).update(
        statut=Statut.DEPOSE, depose_le=deja_depose.cree_le, reference="AAP-X-0002", numero=2
    )
    migration = importlib.import_module(
        "candidatures.migrations.0014_dossier_informations_deposees"
    )

    migration.figer_existants(apps, None)

    deja_depose.refresh_from_db()
    assert deja_depose.informations_deposees["adherents"] == 120
    assert Dossier.objects.get(pk=brouillon.pk).informations_deposees is None
    assert Dossier.objects.get(pk=autre.pk).informations_deposees is None
    assert informations_du_dossier(deja_depose).figees
