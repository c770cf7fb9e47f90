"""The amount asked of the contrat de ville, kept on the dossier by the services that save it."""

import pytest

from candidatures.dossiers.selectors import totaux_budget
from candidatures.dossiers.services.brouillons import enregistrer_brouillon
from candidatures.dossiers.services.depot import (
    deposer_dossier,
    ouvrir_corrections,
    renouveler_dossier,
)
from candidatures.dossiers.services.montants import actualiser_montants_demandes
from candidatures.dossiers.services.statuts import changer_statut
from candidatures.models import Dossier, LigneBudget, Section, Statut

from .factories import AppelAProjetsFactory, DossierFactory, MembreFactory

pytestmark = pytest.mark.django_db


def _attendu(dossier):
    """What the budget lines say, summed by the budget grid itself."""
    return totaux_budget(dossier).montant_demande


@pytest.fixture
def responsable():
    return MembreFactory()


def test_enregistrer_le_budget_d_un_brouillon_garde_le_montant(responsable):
    """Each draft save of the budget keeps the stored amount equal to its lines."""
    brouillon = DossierFactory(structure=responsable.structure)

    enregistrer_brouillon(
        dossier=brouillon, par=responsable.utilisateur, version=1,
        lignes={
            "74_etat_pv": {"montant": 4000, "precision": ""},
            "74_epci": {"montant": 2500, "precision": ""},
            "64": {"montant": 9000, "precision": ""},
        },
    )
    brouillon.refresh_from_db()
    assert brouillon.montant_demande == _attendu(brouillon) == 6500

    enregistrer_brouillon(
        dossier=brouillon, par=responsable.utilisateur, version=brouillon.version,
        lignes={"74_epci": {"montant": 0, "precision": ""}},
    )

    brouillon.refresh_from_db()
    assert brouillon.montant_demande == _attendu(brouillon) == 4000


def test_enregistrer_autre_chose_que_le_budget_ne_change_pas_le_montant(responsable):
    """A save of other sections leaves the stored amount as the lines say."""
    complet = DossierFactory(structure=responsable.structure, complet=responsable.utilisateur)

    enregistrer_brouillon(
        dossier=complet, par=responsable.utilisateur, version=complet.version,
        champs={"resume": "Un autre résumé"},
    )

    complet.refresh_from_db()
    assert complet.montant_demande == _attendu(complet) > 0


def test_corriger_le_budget_garde_le_montant(responsable):
    """A correction of the budget asked by the instructor updates the stored amount."""
    complet = DossierFactory(structure=responsable.structure, complet=responsable.utilisateur)
    instructeur = MembreFactory().utilisateur
    deposer_dossier(dossier=complet, par=responsable.utilisateur)
    changer_statut(dossier=complet, vers=Statut.EN_INSTRUCTION, par=instructeur)
    ouvrir_corrections(
        dossier=complet, sections=[Section.BUDGET], par=instructeur, message="Revoyez le 74."
    )
    complet.refresh_from_db()

    enregistrer_brouillon(
        dossier=complet, par=responsable.utilisateur, version=complet.version,
        lignes={"74_epci": {"montant": 123, "precision": ""}},
    )

    complet.refresh_from_db()
    assert complet.montant_demande == _attendu(complet)
    assert LigneBudget.objects.get(dossier=complet, code="74_epci").montant == 123


def test_renouveler_un_dossier_garde_le_montant(responsable):
    """A renewed dossier carries the amount of the budget it copied."""
    ancien = DossierFactory(
        structure=responsable.structure, appel=AppelAProjetsFactory(clos=True), retenu=True,
        complet=responsable.utilisateur,
    )

    nouveau = renouveler_dossier(
        source=ancien, appel=AppelAProjetsFactory(), par=responsable.utilisateur
    )

    nouveau.refresh_from_db()
    assert nouveau.montant_demande == _attendu(nouveau) == _attendu(ancien) > 0


def test_recalcul_en_masse_depuis_les_lignes(responsable):
    """Rows inserted without the services (bulk loads) get their amount in one update."""
    avec = DossierFactory(structure=responsable.structure)
    sans = DossierFactory(structure=responsable.structure)
    LigneBudget.objects.bulk_create([
        LigneBudget(dossier=avec, code="74_etat_pv", montant=700),
        LigneBudget(dossier=avec, code="74_epci", montant=300),
        LigneBudget(dossier=avec, code="60", montant=5000),
    ])
    Dossier.objects.filter(pk=sans.pk).update(montant_demande=99)

    actualiser_montants_demandes(Dossier.objects.filter(pk__in=[avec.pk, sans.pk]))

    assert Dossier.objects.get(pk=avec.pk).montant_demande == _attendu(avec) == 1000
    assert Dossier.objects.get(pk=sans.pk).montant_demande == 0
