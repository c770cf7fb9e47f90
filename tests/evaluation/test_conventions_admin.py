"""Conventions, payments and open data in the Django admin: listed, searchable, and read-only
where an edit would bypass the services (a payment above the grant stays impossible)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.conventions import services
from evaluation.models import Convention, Paiement, ParametresConventions

from .factories import UtilisateurFactory, dossier_retenu

pytestmark = pytest.mark.django_db

IL_Y_A_UN_MOIS = timezone.localdate() - datetime.timedelta(days=30)


@pytest.fixture
def convention():
    instructeur = UtilisateurFactory(instructeur=True)
    dossier = dossier_retenu(accorde=6000)
    convention = services.enregistrer_convention(
        dossier=dossier, par=instructeur, reference="CONV-ADMIN-1",
        date_signature=IL_Y_A_UN_MOIS, signataires="La présidente",
        deliberation="COPIL-2026-04", part_avance=50,
    )
    services.enregistrer_paiement(
        convention=convention, par=instructeur, nature="avance", date=IL_Y_A_UN_MOIS,
        montant=3000,
    )
    return convention


@pytest.fixture
def admin_connecte(client):
    client.force_login(UtilisateurFactory(administrateur=True, is_superuser=True))
    return client


@pytest.mark.parametrize("modele", [
    "convention", "paiement", "parametresconventions", "publicationdonnees",
    "documentbilanannuel",
])
def test_les_modeles_sont_listes_et_cherchables(admin_connecte, convention, modele):
    reponse = admin_connecte.get(
        reverse(f"admin:evaluation_{modele}_changelist"), {"q": "CONV-ADMIN"}
    )

    assert reponse.status_code == 200


def test_l_admin_ne_paie_pas_au_dela_de_l_accorde(admin_connecte, convention):
    """No payment added nor convention edited from the admin: the 3 000 € left stay the limit."""
    ajout = admin_connecte.post(
        reverse("admin:evaluation_paiement_add"),
        {"convention": convention.pk, "nature": "solde", "date": IL_Y_A_UN_MOIS.isoformat(),
         "montant": "9000"},
    )
    modification = admin_connecte.post(
        reverse("admin:evaluation_convention_change", args=[convention.pk]),
        {"montant_verse": "9000", "montant_accorde": "9000"},
    )
    paiement = convention.paiements.get()
    changement_paiement = admin_connecte.post(
        reverse("admin:evaluation_paiement_change", args=[paiement.pk]),
        {"convention": convention.pk, "nature": "avance",
         "date": IL_Y_A_UN_MOIS.isoformat(), "montant": "9000"},
    )
    page = admin_connecte.get(reverse("admin:evaluation_convention_change", args=[convention.pk]))

    assert ajout.status_code == modification.status_code == changement_paiement.status_code == 403
    assert page.status_code == 200 and "CONV-ADMIN-1" in page.content.decode()
    convention.refresh_from_db()
    assert (convention.montant_accorde, convention.montant_verse) == (6000, 3000)
    assert list(Paiement.objects.values_list("montant", flat=True)) == [3000]
    assert Convention.objects.count() == 1


def test_parametres_par_le_service_et_modele_verifie(admin_connecte, convention):
    """The call's settings are edited through the portal's service; an unknown field in the
    convention text is refused next to the field."""
    appel = convention.dossier.appel
    parametres = ParametresConventions.objects.create(appel=appel)
    adresse = reverse("admin:evaluation_parametresconventions_change", args=[parametres.pk])

    refus = admin_connecte.post(adresse, {"part_avance": "30", "modele": "{inconnu}"})
    accepte = admin_connecte.post(adresse, {"part_avance": "30", "modele": "Objet : {objet}"})

    assert refus.status_code == 200 and "inconnu" in refus.content.decode()
    assert accepte.status_code == 302
    parametres.refresh_from_db()
    assert (parametres.part_avance, parametres.modele) == (30, "Objet : {objet}")
    assert parametres.modifie_par is not None
