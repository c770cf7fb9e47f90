"""Automatic checks shown beside the checklist, and the structure's previous dossiers."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from candidatures.models import DocumentStructure, HistoriqueStatut, LigneBudget
from evaluation.instruction.selectors import controles as selectors_controles
from referentiel.models import Action
from tests.candidatures.factories import PDF_MINIMAL

from .factories import (
    AppelAProjetsFactory,
    DecisionFactory,
    DossierFactory,
    UtilisateurFactory,
    dossier_depose,
)

pytestmark = pytest.mark.django_db


def _controles(dossier):
    return {c.libelle: c for c in selectors_controles.controles_automatiques(dossier)}


def _document(structure, type_, date):
    DocumentStructure.objects.filter(structure=structure, type=type_).update(est_actuel=False)
    DocumentStructure.objects.create(
        structure=structure, type=type_, fichier=ContentFile(PDF_MINIMAL, name="doc.pdf"),
        nom_original="doc.pdf", taille=len(PDF_MINIMAL), type_mime="application/pdf",
        date_document=date,
    )


def test_un_dossier_complet_passe_les_controles():
    """A complete dossier submitted on time passes every check but the optional documents."""
    dossier = dossier_depose()
    aujourd_hui = timezone.localdate()
    _document(dossier.structure, "rapport_activite", aujourd_hui - datetime.timedelta(days=60))
    _document(dossier.structure, "comptes_approuves", aujourd_hui - datetime.timedelta(days=60))

    controles = _controles(dossier)

    assert {c.etat for c in controles.values()} == {"ok"}


def test_budget_desequilibre_et_part_elevee():
    """An unbalanced budget fails; a request above 80 % of the charges raises an alert."""
    dossier = dossier_depose()
    LigneBudget.objects.filter(dossier=dossier, code="74_communes").update(montant=5000)
    LigneBudget.objects.filter(dossier=dossier, code="64").update(montant=1000)

    controles = _controles(dossier)

    assert controles["Budget équilibré"].etat == "ko"
    assert controles["Part demandée au contrat de ville"].etat == "alerte"


def test_comptes_perimes_signales():
    """Approved accounts older than 18 months are flagged as out of date."""
    dossier = dossier_depose()
    _document(dossier.structure, "comptes_approuves", datetime.date(2019, 6, 30))

    documents = _controles(dossier)["Documents de la structure présents et à jour"]

    assert documents.etat == "alerte"
    assert any("périmé" in e for e in documents.elements)


def test_document_obligatoire_manquant():
    """A missing RIB fails the documents check."""
    dossier = dossier_depose()
    DocumentStructure.objects.filter(structure=dossier.structure, type="rib").delete()

    documents = _controles(dossier)["Documents de la structure présents et à jour"]

    assert documents.etat == "ko"


def test_action_hors_appel_et_depot_tardif():
    """An action outside the call and a submission after the closing both fail."""
    dossier = dossier_depose()
    dossier.action_principale = Action.objects.filter(
        objectif__hors_appel_a_projets=True
    ).first()
    dossier.save()
    HistoriqueStatut.objects.filter(dossier=dossier, vers="depose").update(
        le=dossier.appel.cloture + datetime.timedelta(minutes=1)
    )

    controles = _controles(dossier)

    assert controles["Action éligible à l'appel à projets"].etat == "ko"
    assert controles["Délai de l'appel respecté"].etat == "ko"


def test_dossiers_precedents_avec_leur_decision():
    """The structure's earlier dossiers come with their decision; drafts are left out."""
    instructeur = UtilisateurFactory(instructeur=True)
    dossier = dossier_depose()
    ancien = DossierFactory(
        structure=dossier.structure, appel=AppelAProjetsFactory(clos=True), en_cours=True
    )
    DecisionFactory(dossier=ancien, montant_accorde=3000)
    DossierFactory(structure=dossier.structure, appel=ancien.appel)

    precedents = list(selectors_controles.dossiers_precedents(dossier, instructeur))

    assert precedents == [ancien]
    assert precedents[0].decision.montant_accorde == 3000
