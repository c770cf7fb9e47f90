"""Login throttling (django-axes): lock-out after 5 failures, French page, unlock by an admin."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from .factories import MOT_DE_PASSE, UtilisateurFactory

pytestmark = pytest.mark.django_db


def _connexion(client, email, mot_de_passe):
    return client.post(reverse("comptes:connexion"), {"username": email, "password": mot_de_passe})


def test_verrouillage_apres_cinq_echecs_puis_deblocage_par_un_administrateur(client):
    """After 5 failures even the right password is refused; an administrator unlocks."""
    victime = UtilisateurFactory(email="jeanne@exemple.test")
    for i in range(5):
        _connexion(client, "jeanne@exemple.test" if i % 2 else "Jeanne@Exemple.test", "mauvais")

    reponse = _connexion(client, "jeanne@exemple.test", MOT_DE_PASSE)

    assert reponse.status_code == 429
    assertContains(reponse, "Connexion temporairement bloquée", status_code=429)
    assertContains(reponse, "administrateur du portail", status_code=429)
    assert "_auth_user_id" not in client.session

    administrateur = UtilisateurFactory(administrateur=True)
    client.force_login(administrateur)
    page = client.get(reverse("comptes:roles"), {"q": "jeanne"})
    assertContains(page, "connexion bloquée")
    client.post(reverse("comptes:debloquer", args=[victime.pk]))
    client.logout()

    reponse = _connexion(client, "jeanne@exemple.test", MOT_DE_PASSE)

    assert reponse.status_code == 302
    assert client.session["_auth_user_id"] == str(victime.pk)


def test_quatre_echecs_ne_bloquent_pas(client):
    """Below the limit, the right password still works."""
    UtilisateurFactory(email="jeanne@exemple.test")
    for _ in range(4):
        _connexion(client, "jeanne@exemple.test", "mauvais")

    assert _connexion(client, "jeanne@exemple.test", MOT_DE_PASSE).status_code == 302
