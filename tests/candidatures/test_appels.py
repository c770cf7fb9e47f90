"""Calls for projects: states from the dates, public page, documents, admin list."""

import datetime
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from pytest_django.asserts import assertContains

from candidatures.models import AppelAProjets, DocumentAppel

from .factories import AppelAProjetsFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_etat_derive_des_dates_a_la_minute_heure_de_paris():
    """À venir before opening, ouvert until the closing instant excluded, clos after."""
    appel = AppelAProjetsFactory(
        ouverture=datetime.datetime(2031, 1, 15, 9, 0, tzinfo=PARIS),
        cloture=datetime.datetime(2031, 3, 31, 12, 0, tzinfo=PARIS),
    )

    assert appel.etat(datetime.datetime(2031, 1, 15, 8, 59, 59, tzinfo=PARIS)) == "a_venir"
    assert appel.etat(datetime.datetime(2031, 1, 15, 9, 0, tzinfo=PARIS)) == "ouvert"
    assert appel.etat(datetime.datetime(2031, 3, 31, 11, 59, 59, tzinfo=PARIS)) == "ouvert"
    assert appel.etat(datetime.datetime(2031, 3, 31, 12, 0, tzinfo=PARIS)) == "clos"


def test_appel_courant_prefere_louvert():
    """The current call is the open one, else the next, else the last closed."""
    ancien = AppelAProjetsFactory(clos=True)
    assert AppelAProjets.objects.courant() == ancien
    prochain = AppelAProjetsFactory(a_venir=True)
    assert AppelAProjets.objects.courant() == prochain
    ouvert = AppelAProjetsFactory()
    assert AppelAProjets.objects.courant() == ouvert


def test_page_publique_de_lappel_courant(client):
    """Anyone reads the current call: dates, documents and a link to the catalogue."""
    appel = AppelAProjetsFactory(titre="Appel à projets 2031")
    document = DocumentAppel.objects.create(
        appel=appel, titre="Règlement de l'appel", fichier=ContentFile(b"%PDF-1.4", name="r.pdf")
    )

    reponse = client.get(reverse("appels:courant"))

    assertContains(reponse, "Appel à projets 2031")
    assertContains(reponse, "Ouvert")
    assertContains(reponse, reverse("referentiel:index"))
    lien = reverse("appels:document", args=[appel.pk, document.pk])
    assertContains(reponse, lien)
    telechargement = client.get(lien)
    assert telechargement.status_code == 200
    assert "R%C3%A8glement" in telechargement["Content-Disposition"]


def test_page_sans_appel(client):
    """Without any call, the page says so."""

    reponse = client.get(reverse("appels:courant"))

    assertContains(reponse, "Aucun appel à projets")


@pytest.mark.parametrize(
    ("roles", "attendu"),
    [([], 403), (["porteur"], 403), (["instructeur"], 403), (["comite"], 403),
     (["administrateur"], 200)],
)
def test_liste_des_appels_pour_les_administrateurs(client, roles, attendu):
    """Only administrators see the management list of calls."""
    AppelAProjetsFactory()
    client.force_login(UtilisateurFactory(roles=roles))

    reponse = client.get(reverse("appels:gestion"))

    assert reponse.status_code == attendu


def test_liste_des_appels_anonyme_redirige(client):
    """The management list requires signing in."""

    reponse = client.get(reverse("appels:gestion"))

    assert reponse.status_code == 302
