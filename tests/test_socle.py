"""The foundation: roles, user model, security settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from candidatures.models import Utilisateur

RACINE = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_les_roles_existent_apres_migration():
    """The four groups the code relies on are created by a data migration."""

    assert set(Group.objects.values_list("name", flat=True)) >= {
        "porteur",
        "instructeur",
        "comite",
        "administrateur",
    }


@pytest.mark.django_db
def test_connexion_par_adresse_electronique_insensible_a_la_casse(client):
    """Users log in with their e-mail, whatever its case."""

    Utilisateur.objects.create_user(
        email="Marie@Exemple.fr", password="un-mot-de-passe-long", email_confirme_le=timezone.now()
    )

    reponse = client.post(
        reverse("comptes:connexion"),
        {"username": "MARIE@exemple.fr", "password": "un-mot-de-passe-long"},
    )

    assert reponse.status_code == 302
    assert client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_deux_comptes_ne_partagent_pas_une_adresse():
    """The database refuses two accounts whose e-mails differ only by case."""

    Utilisateur.objects.create(email="paul@exemple.fr")

    with pytest.raises(IntegrityError):
        Utilisateur.objects.create(email="PAUL@exemple.fr")


@pytest.mark.django_db
def test_en_tetes_de_securite(client):
    """Pages carry a strict Content-Security-Policy and anti-framing headers."""

    reponse = client.get(reverse("accueil"))

    csp = reponse["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert reponse["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_pages_publiques_et_pages_protegees(client):
    """Home and catalogue are public; the admin needs a login."""

    assert client.get(reverse("accueil")).status_code == 200
    assert client.get(reverse("referentiel:index")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def _manage(*args, env=None):
    ignorees = {"SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    environnement = {k: v for k, v in os.environ.items() if k not in ignorees}
    environnement.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=RACINE,
        env=environnement,
        capture_output=True,
        text=True,
        timeout=600,  # only a guard against a hung command
    )


def test_la_production_refuse_de_demarrer_sans_cle_secrete():
    """Production settings fail fast when SECRET_KEY is missing."""

    resultat = _manage("check", env={"DJANGO_SETTINGS_MODULE": "contrat_ville.settings.production"})

    assert resultat.returncode != 0
    assert "SECRET_KEY doit être fournie" in resultat.stderr


def test_check_deploy_sans_avertissement_en_production():
    """`manage.py check --deploy` is clean with production settings and a real secret."""

    resultat = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "contrat_ville.settings.production",
            "SECRET_KEY": "k" * 20 + "Zx9#mQ2$vL8!pR4&tW6*yB1@nD3^fH5%jK7",
            "ALLOWED_HOSTS": "portail.exemple.fr",
        },
    )

    assert resultat.returncode == 0, resultat.stdout + resultat.stderr


def _production(static_root):
    return {
        "DJANGO_SETTINGS_MODULE": "contrat_ville.settings.production",
        "SECRET_KEY": "k" * 20 + "Zx9#mQ2$vL8!pR4&tW6*yB1@nD3^fH5%jK7",
        "ALLOWED_HOSTS": "portail.exemple.fr",
        "STATIC_ROOT": str(static_root),
    }


def _demarrer_wsgi(static_root):
    """Import the WSGI application as gunicorn would, with production settings."""
    return subprocess.run(
        [sys.executable, "-c", "import contrat_ville.wsgi"],
        cwd=RACINE,
        capture_output=True,
        text=True,
        timeout=600,  # only a guard against a hung start
        env={**os.environ, **_production(static_root)},
    )


def test_la_production_refuse_de_demarrer_sans_collectstatic(tmp_path):
    """Without collected static files the server refuses to start, and says what to run;
    once they are collected it starts."""

    sans = _demarrer_wsgi(tmp_path / "vide")
    collecte = _manage(
        "collectstatic", "--noinput", "-v0", env=_production(tmp_path / "statiques")
    )
    avec = _demarrer_wsgi(tmp_path / "statiques")

    assert sans.returncode != 0
    assert "collectstatic --noinput" in sans.stderr
    assert collecte.returncode == 0, collecte.stderr
    assert avec.returncode == 0, avec.stderr


@pytest.mark.django_db
def test_licone_du_site_existe(client):
    """/favicon.ico leads to the icon: no 404 on every first visit."""

    from django.contrib.staticfiles import finders

    reponse = client.get("/favicon.ico")

    assert (reponse.status_code, reponse["Location"]) == (301, "/static/favicon.ico")
    assert Path(finders.find("favicon.ico")).read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert 'rel="icon"' in client.get(reverse("accueil")).content.decode()


def _referentiel_par_cles_naturelles():
    from io import StringIO

    from django.core.management import call_command

    sortie = StringIO()
    call_command("dumpdata", "referentiel", "auth.group", natural_foreign=True,
                 natural_primary=True, stdout=sortie)
    return sortie.getvalue()


@pytest.mark.django_db(transaction=True)
def test_apres_un_vidage_le_referentiel_revient_tel_que_le_donne_la_fixture():
    """Transactional tests (browser journeys) get the référentiel back after each flush without
    ``loaddata``: the same rows as the fixture gives, and new rows still get free identifiers."""
    from django.core.management import call_command

    from referentiel.models import Territoire
    from tests.conftest import charger_donnees_de_base

    call_command("flush", verbosity=0, interactive=False)
    call_command("loaddata", "referentiel", verbosity=0)
    for nom in ("porteur", "instructeur", "comite", "administrateur"):
        Group.objects.get_or_create(name=nom)
    attendu = _referentiel_par_cles_naturelles()
    call_command("flush", verbosity=0, interactive=False)

    charger_donnees_de_base()

    assert _referentiel_par_cles_naturelles() == attendu
    ajoute = Territoire.objects.create(code="ajoute", nom="Territoire ajouté")
    assert ajoute.pk > max(Territoire.objects.exclude(pk=ajoute.pk).values_list("pk", flat=True))
