"""A signed-in user who only reads writes nothing: no session save, no « current structure »
stored again, on every page they merely look at (issue of speed: a write per GET serialises
concurrent readers on the session table)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidatures.structures.courante import CLE_SESSION

from .factories import AppelAProjetsFactory, DossierFactory, MembreFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

ECRITURE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _ecritures(client, url):
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(url)
    assert reponse.status_code == 200, url
    return [q["sql"][:120] for q in requetes.captured_queries if ECRITURE.match(q["sql"])]


@pytest.fixture
def monde():
    membre = MembreFactory(utilisateur__porteur=True)
    appel = AppelAProjetsFactory()
    dossier = DossierFactory(structure=membre.structure, appel=appel, depose=True)
    return {
        "porteur": membre.utilisateur,
        "instructeur": UtilisateurFactory(instructeur=True),
        "comite": UtilisateurFactory(comite=True),
        "administrateur": UtilisateurFactory(administrateur=True),
        "appel": appel,
        "dossier": dossier,
    }


def _pages(role, monde):
    pages = [reverse("referentiel:index")]
    if role == "porteur":
        return [
            *pages,
            reverse("dossiers:liste"),
            reverse("dossiers:detail", args=[monde["dossier"].pk]),
        ]
    return [
        *pages,
        reverse("evaluation:file", args=[monde["appel"].pk]),
        reverse("dossiers:detail", args=[monde["dossier"].pk]),
    ]


@pytest.mark.parametrize("role", ["porteur", "instructeur", "comite", "administrateur"])
def test_aucune_ecriture_sur_une_simple_lecture(client, monde, role):
    """Reading pages writes nothing (a porteur's current structure is stored on the first one:
    see below)."""
    client.force_login(monde[role])
    if role == "porteur":
        client.get(reverse("referentiel:index"))
    for _tour in range(2):
        for url in _pages(role, monde):
            assert _ecritures(client, url) == [], url


def test_la_structure_courante_est_retenue_une_seule_fois(client, monde):
    """The « current structure » is stored on the first page only, then read."""
    client.force_login(monde["porteur"])
    premiere = _ecritures(client, reverse("dossiers:liste"))
    assert client.session[CLE_SESSION] == monde["dossier"].structure_id
    assert any("django_session" in sql for sql in premiere)
    assert _ecritures(client, reverse("dossiers:liste")) == []


def test_une_session_utilisee_est_renouvelee_de_temps_en_temps(client, monde, settings):
    """A session still in use is renewed (its expiry pushed back) once the delay has passed."""
    from django.contrib.sessions.models import Session

    client.force_login(monde["porteur"])
    client.get(reverse("referentiel:index"))
    cle = client.session.session_key
    Session.objects.filter(pk=cle).update(
        expire_date=Session.objects.get(pk=cle).expire_date - datetime.timedelta(hours=2)
    )
    avant = Session.objects.get(pk=cle).expire_date

    assert _ecritures(client, reverse("referentiel:index")) == []  # not due yet
    settings.SESSION_RENOUVELLEMENT = 0
    ecritures = _ecritures(client, reverse("referentiel:index"))

    assert len(ecritures) == 1 and "django_session" in ecritures[0]
    assert Session.objects.get(pk=cle).expire_date > avant + datetime.timedelta(hours=1)
