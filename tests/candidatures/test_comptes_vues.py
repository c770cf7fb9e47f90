"""Account pages end to end through the test client: sign-up, confirmation, passwords, roles."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from candidatures.models import Utilisateur

from .factories import MOT_DE_PASSE, UtilisateurFactory

pytestmark = pytest.mark.django_db

INSCRIPTION = {
    "email": "jeanne@exemple.test",
    "prenom": "Jeanne",
    "nom": "Dupont",
    "password1": "cevennes-solidaires-2025",
    "password2": "cevennes-solidaires-2025",
}


def _lien(message):
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def _connexion(client, email, mot_de_passe=MOT_DE_PASSE):
    return client.post(reverse("comptes:connexion"), {"username": email, "password": mot_de_passe})


def test_inscription_puis_confirmation_puis_connexion(
    client, django_capture_on_commit_callbacks, executer_taches
):
    """Sign up, open the e-mailed link, then sign in."""
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("comptes:inscription"), INSCRIPTION)
    assertRedirects(reponse, reverse("comptes:inscription_envoyee"))
    assertContains(client.get(reponse.url), "jeanne@exemple.test")
    executer_taches()
    assert len(mail.outbox) == 1

    reponse = client.get(_lien(mail.outbox[0]), follow=True)

    assertContains(reponse, "Votre adresse électronique est confirmée.")
    assert Utilisateur.objects.get(email="jeanne@exemple.test").email_confirme_le is not None
    assert _connexion(client, "jeanne@exemple.test", INSCRIPTION["password1"]).status_code == 302


def test_inscription_garde_la_suite_jusqu_a_la_connexion(
    client, django_capture_on_commit_callbacks, executer_taches):
    """A sign-up started from an invitation leads back to it after confirmation."""
    suite = "/structures/invitation/abc/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comptes:inscription"), {**INSCRIPTION, "next": suite})

    executer_taches()
    reponse = client.get(_lien(mail.outbox[0]))

    assert reponse.url == reverse("comptes:connexion") + "?next=%2Fstructures%2Finvitation%2Fabc%2F"


def test_inscription_refuse_un_mot_de_passe_faible_sans_perdre_la_saisie(client):
    """Django's password validators answer in French and the typed fields are kept."""
    donnees = {**INSCRIPTION, "password1": "123", "password2": "123"}

    reponse = client.post(reverse("comptes:inscription"), donnees)

    assert reponse.status_code == 200
    assertContains(reponse, "Ce mot de passe est trop court")
    assertContains(reponse, 'value="jeanne@exemple.test"')
    assertContains(reponse, 'value="Dupont"')
    assertContains(reponse, 'id="resume-erreurs"')
    assert not Utilisateur.objects.exists()


def test_inscription_ne_revele_pas_quune_adresse_a_un_compte(client):
    """Signing up with an address that has an account answers exactly as for a new one."""
    nouvelle = client.post(reverse("comptes:inscription"), INSCRIPTION, follow=True)
    Utilisateur.objects.filter(email="jeanne@exemple.test").delete()
    UtilisateurFactory(email="jeanne@exemple.test")
    client.logout()
    client.cookies.clear()

    prise = client.post(reverse("comptes:inscription"), INSCRIPTION, follow=True)

    assert prise.redirect_chain == nouvelle.redirect_chain
    assert prise.content.decode().replace(
        prise.wsgi_request.META.get("CSRF_COOKIE", ""), ""
    ) == nouvelle.content.decode().replace(nouvelle.wsgi_request.META.get("CSRF_COOKIE", ""), "")


def test_un_compte_non_confirme_ne_peut_pas_se_connecter(client):
    """The right password is not enough before the address is confirmed."""
    UtilisateurFactory(email="attente@exemple.test", email_confirme_le=None)

    reponse = _connexion(client, "attente@exemple.test")

    assert reponse.status_code == 200
    assertContains(reponse, "pas encore confirmée")
    renvoi = reverse("comptes:renvoyer_confirmation") + "?email=attente%40exemple.test"
    assertContains(reponse, renvoi)
    assert "_auth_user_id" not in client.session


def test_renvoyer_le_lien_ne_revele_pas_si_le_compte_existe(
    client, django_capture_on_commit_callbacks, executer_taches
):
    """The resend page says the same thing for any address."""
    UtilisateurFactory(email="attente@exemple.test", email_confirme_le=None)

    with django_capture_on_commit_callbacks(execute=True):
        connu = client.post(
            reverse("comptes:renvoyer_confirmation"), {"email": "attente@exemple.test"},
            follow=True,
        )
        inconnu = client.post(
            reverse("comptes:renvoyer_confirmation"), {"email": "personne@exemple.test"},
            follow=True,
        )

    assertContains(connu, "Si un compte non confirmé utilise cette adresse")
    assertContains(inconnu, "Si un compte non confirmé utilise cette adresse")
    executer_taches()
    assert [m.to for m in mail.outbox] == [["attente@exemple.test"]]


def test_connexion_insensible_a_la_casse(client):
    """People type their address with capitals; it still works."""
    UtilisateurFactory(email="jeanne@exemple.test")

    assert _connexion(client, "Jeanne@Exemple.TEST").status_code == 302


def test_mauvais_mot_de_passe_message_en_francais(client):
    """A failed login says so in French and warns about the lock-out."""
    UtilisateurFactory(email="jeanne@exemple.test")

    reponse = _connexion(client, "jeanne@exemple.test", "mauvais")

    assertContains(reponse, "Adresse électronique ou mot de passe incorrect")
    assertContains(reponse, 'autocomplete="current-password"')
    assertContains(reponse, 'autocomplete="email"')


def test_mot_de_passe_oublie(client, django_capture_on_commit_callbacks, executer_taches):
    """The reset link e-mailed in French lets the user choose a new password; the request only
    queues the e-mail, the worker sends it."""
    UtilisateurFactory(email="jeanne@exemple.test")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comptes:mot_de_passe_oublie"), {"email": "jeanne@exemple.test"})
    assert mail.outbox == []
    executer_taches()
    assert "nouveau mot de passe" in mail.outbox[0].subject
    reponse = client.get(_lien(mail.outbox[0]), follow=True)
    assertContains(reponse, "Choisir un nouveau mot de passe")
    nouveau = "un-tout-nouveau-secret-30"
    reponse = client.post(
        reponse.redirect_chain[-1][0], {"new_password1": nouveau, "new_password2": nouveau}
    )

    assertRedirects(reponse, reverse("comptes:mot_de_passe_reinitialise"))
    assert _connexion(client, "jeanne@exemple.test", nouveau).status_code == 302


def test_la_reinitialisation_confirme_aussi_l_adresse(
    client, django_capture_on_commit_callbacks, executer_taches
):
    """Someone who lost the confirmation e-mail gets in through « mot de passe oublié »."""
    utilisateur = UtilisateurFactory(email="attente@exemple.test", email_confirme_le=None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("comptes:mot_de_passe_oublie"), {"email": "attente@exemple.test"})
    executer_taches()
    formulaire = client.get(_lien(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    nouveau = "un-tout-nouveau-secret-30"

    client.post(formulaire, {"new_password1": nouveau, "new_password2": nouveau})

    utilisateur.refresh_from_db()
    assert utilisateur.email_confirme_le is not None
    assert _connexion(client, "attente@exemple.test", nouveau).status_code == 302


def test_changer_de_mot_de_passe(client):
    """A signed-in user changes their password."""
    utilisateur = UtilisateurFactory()
    client.force_login(utilisateur)
    nouveau = "garrigue-et-chataigniers"

    reponse = client.post(
        reverse("comptes:mot_de_passe_changer"),
        {"old_password": MOT_DE_PASSE, "new_password1": nouveau, "new_password2": nouveau},
        follow=True,
    )

    assertContains(reponse, "Votre mot de passe a été modifié.")
    utilisateur.refresh_from_db()
    assert utilisateur.check_password(nouveau)


def test_changer_d_adresse(client, django_capture_on_commit_callbacks, executer_taches):
    """The new address needs the current password and is confirmed by link."""
    utilisateur = UtilisateurFactory(email="ancienne@exemple.test")
    client.force_login(utilisateur)
    url = reverse("comptes:changer_adresse")

    refuse = client.post(url, {"nouvelle_adresse": "n@exemple.test", "mot_de_passe": "faux"})
    assertContains(refuse, "Le mot de passe est incorrect.")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"nouvelle_adresse": "n@exemple.test", "mot_de_passe": MOT_DE_PASSE})
    executer_taches()
    lien = next(m for m in mail.outbox if m.to == ["n@exemple.test"])
    reponse = client.get(_lien(lien), follow=True)

    assertContains(reponse, "Votre adresse électronique est désormais n@exemple.test.")
    utilisateur.refresh_from_db()
    assert utilisateur.email == "n@exemple.test"


def test_modifier_son_nom(client):
    """The profile page updates first and last name."""
    utilisateur = UtilisateurFactory()
    client.force_login(utilisateur)

    client.post(reverse("comptes:mon_compte"), {"prenom": "Aïcha", "nom": "Benali"})

    utilisateur.refresh_from_db()
    assert utilisateur.get_full_name() == "Aïcha Benali"


def test_la_page_des_roles_recherche_et_montre_les_habilitations(client):
    """The list filters by name or address and shows each account's habilitations."""
    admin = UtilisateurFactory(
        administrateur=True, email="admin@exemple.test", prenom="Alice", nom="Admin"
    )
    UtilisateurFactory(email="claude@exemple.test", prenom="Claude", nom="Comité", comite=True)
    UtilisateurFactory(email="autre@exemple.test", prenom="Bernard", nom="Autre")
    client.force_login(admin)

    reponse = client.get(reverse("comptes:roles"), {"q": "claude"})

    assertContains(reponse, "claude@exemple.test")
    assertNotContains(reponse, "autre@exemple.test")
    assertContains(reponse, "<strong>comité de pilotage</strong> —\ntous les contrats du "
                            "territoire Alès Agglomération")


def test_la_page_des_roles_ne_multiplie_pas_les_requetes(client):
    """The roles page costs the same number of queries for 2 or 20 accounts."""
    admin = UtilisateurFactory(administrateur=True)
    client.force_login(admin)
    UtilisateurFactory.create_batch(2, porteur=True)
    with CaptureQueriesContext(connection) as peu:
        client.get(reverse("comptes:roles"))
    UtilisateurFactory.create_batch(18, instructeur=True)

    with CaptureQueriesContext(connection) as beaucoup:
        client.get(reverse("comptes:roles"))

    assert len(beaucoup) == len(peu)
