"""Calls for projects: states from the dates, public page, documents, admin list."""

import datetime
import re
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from candidatures.models import AppelAProjets, DocumentAppel
from referentiel.models import Territoire

from .contrats import creer_contrat
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


# --- Several territories ----------------------------------------------------------------------


@pytest.fixture
def deux_territoires():
    """Alès (the default contract) and Nîmes each run calls."""
    nimes = creer_contrat()["contrat"]
    return {
        "ales_ouvert": AppelAProjetsFactory(annee=2031, titre="Appel à projets 2031"),
        "ales_clos": AppelAProjetsFactory(annee=2030, titre="Appel à projets 2030", clos=True),
        "nimes_a_venir": AppelAProjetsFactory(
            contrat=nimes, annee=2031, titre="Appel à projets 2031", a_venir=True
        ),
        "nimes": nimes,
    }


def test_la_page_d_un_appel_nomme_son_territoire_et_son_contrat(client, deux_territoires):
    appel = deux_territoires["nimes_a_venir"]

    reponse = client.get(reverse("appels:detail", args=[appel.pk]))

    assertContains(reponse, '<dt class="col-sm-3">Territoire</dt><dd class="col-sm-9">Nîmes '
                            "Métropole</dd>")
    assertContains(reponse, "Contrat de ville de Nîmes Métropole — Engagements Quartiers 2030 "
                            "(2024–2030)")
    # The other calls listed are the same contract's only: here, none.
    assertNotContains(reponse, "Autres appels du même contrat")
    assertContains(reponse, reverse("appels:liste"))


def test_la_liste_publique_distingue_les_territoires(client, deux_territoires):
    """Same title, two territories: each row says which territory, contract and generation."""
    reponse = client.get(reverse("appels:liste"))

    lignes = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", reponse.content.decode(), re.S)
    resumes = [re.sub(r"<[^>]+>|\s+", " ", ligne).split() for ligne in lignes]
    assert [" ".join(r[:6]) for r in resumes] == [
        "Appel à projets 2031 Alès Agglomération",
        "Appel à projets 2031 Nîmes Métropole",
        "Appel à projets 2030 Alès Agglomération",
    ]
    assertContains(reponse, "Contrat de ville de Nîmes Métropole <span class=\"small\">"
                            "(Engagements Quartiers 2030)</span>")
    assertContains(reponse, "Contrat de ville d&#x27;Alès Agglomération <span class=\"small\">"
                            "(Contrat de ville 2015–2023)</span>")


def test_la_liste_se_filtre_par_territoire_et_par_etat(client, deux_territoires):
    nimes = client.get(reverse("appels:liste"), {"q": "nîmes"})
    clos = client.get(reverse("appels:liste"), {"etat": "clos"})

    assert list(nimes.context["page"]) == [deux_territoires["nimes_a_venir"]]
    assert list(clos.context["page"]) == [deux_territoires["ales_clos"]]


def test_plusieurs_appels_ouverts_la_page_de_l_appel_mene_a_la_liste(client, deux_territoires):
    """Two territories open at once: « the » call is the visitor's choice."""
    AppelAProjetsFactory(contrat=deux_territoires["nimes"], annee=2032)

    reponse = client.get(reverse("appels:courant"))

    assertRedirects(reponse, reverse("appels:liste") + "?etat=ouvert")


def test_un_seul_appel_ouvert_la_page_le_montre(client, deux_territoires):
    reponse = client.get(reverse("appels:courant"))

    assert reponse.context["appel"] == deux_territoires["ales_ouvert"]
    assertContains(reponse, "Alès Agglomération</dd>")


def test_la_liste_et_la_page_coutent_autant_de_requetes(client, deux_territoires,
                                                        django_assert_num_queries):
    """A page of 25 calls of many contracts costs what a page of 3 does; the call's page too."""
    appel = deux_territoires["ales_ouvert"]
    with CaptureQueriesContext(connection) as liste:
        client.get(reverse("appels:liste"))
    with CaptureQueriesContext(connection) as page:
        client.get(reverse("appels:detail", args=[appel.pk]))
    for n in range(30):
        contrat = creer_contrat(f"contrat-{n}", territoire=Territoire.objects.create(
            code=f"territoire-{n}", nom=f"Territoire {n}"
        ))["contrat"]
        AppelAProjetsFactory(contrat=contrat, annee=2031, clos=True)
    for annee in range(2020, 2026):
        AppelAProjetsFactory(annee=annee, clos=True)

    with django_assert_num_queries(len(liste)):
        reponse = client.get(reverse("appels:liste"))
    with django_assert_num_queries(len(page)):
        client.get(reverse("appels:detail", args=[appel.pk]))

    assert len(reponse.context["page"]) == 25
    assert reponse.context["page"].paginator.num_pages == 2
