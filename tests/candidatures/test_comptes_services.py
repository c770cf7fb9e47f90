"""Services of accounts: sign-up, confirmation links, address change, roles, unlock."""

import re
import time

import pytest
from axes.models import AccessAttempt
from django.core import mail, signing
from django.urls import reverse

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from candidatures.comptes import services as services_comptes
from candidatures.models import Role, Utilisateur

from .factories import UtilisateurFactory

pytestmark = pytest.mark.django_db


def _jeton_du_courriel(message):
    return re.search(r"/(?:confirmation|adresse/confirmer)/([^/\s?]+)/", message.body).group(1)


class HorlogeDecalee:
    """Stands for the ``time`` module inside django.core.signing, shifted by some seconds."""

    def __init__(self, decalage):
        self.decalage = decalage

    def time(self):
        return time.time() + self.decalage


def test_inscription_cree_un_porteur_non_confirme_et_envoie_le_lien(
    django_capture_on_commit_callbacks, executer_taches):
    """Sign-up creates an unconfirmed porteur and e-mails a confirmation link after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        utilisateur = services_comptes.inscrire(
            email=" Jeanne.Dupont@Exemple.TEST ",
            mot_de_passe="un mot de passe solide",
            prenom="Jeanne",
            nom="Dupont",
        )

    assert utilisateur.email == "jeanne.dupont@exemple.test"
    assert utilisateur.email_confirme_le is None
    assert utilisateur.check_password("un mot de passe solide")
    assert utilisateur.a_role(Role.PORTEUR)
    executer_taches()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jeanne.dupont@exemple.test"]
    assert "/comptes/confirmation/" in mail.outbox[0].body


def test_inscription_sur_une_adresse_prise_previent_son_titulaire(
    django_capture_on_commit_callbacks, executer_taches):
    """An address that has an account (whatever its case) gets no second one; its owner is
    told by e-mail, and nothing else changes."""
    jeanne = UtilisateurFactory(email="jeanne@exemple.test")
    mot_de_passe = jeanne.password

    with django_capture_on_commit_callbacks(execute=True):
        resultat = services_comptes.inscrire(email="JEANNE@exemple.test", mot_de_passe="x" * 12)

    assert resultat is None
    assert Utilisateur.objects.filter(email__iexact="jeanne@exemple.test").count() == 1
    jeanne.refresh_from_db()
    assert jeanne.password == mot_de_passe
    executer_taches()
    assert [m.to for m in mail.outbox] == [["jeanne@exemple.test"]]
    assert "Vous avez déjà un compte" in mail.outbox[0].subject
    assert reverse("comptes:mot_de_passe_oublie") in mail.outbox[0].body


def test_confirmation_avec_un_lien_valide(django_capture_on_commit_callbacks, executer_taches):
    """The link received by e-mail confirms the address."""
    with django_capture_on_commit_callbacks(execute=True):
        utilisateur = services_comptes.inscrire(email="a@exemple.test", mot_de_passe="x" * 12)
    executer_taches()
    jeton = _jeton_du_courriel(mail.outbox[0])

    confirme = services_comptes.confirmer_adresse(jeton=jeton)

    utilisateur.refresh_from_db()
    assert confirme == utilisateur
    assert utilisateur.email_confirme_le is not None


def test_confirmation_avec_un_lien_expire(monkeypatch):
    """A link older than three days is refused as expired."""
    utilisateur = UtilisateurFactory(email_confirme_le=None)
    monkeypatch.setattr(signing, "time", HorlogeDecalee(-4 * 24 * 3600))
    jeton = services_comptes.jeton_confirmation(utilisateur)
    monkeypatch.undo()

    with pytest.raises(ErreurMetier) as erreur:
        services_comptes.confirmer_adresse(jeton=jeton)

    assert str(erreur.value) == services_comptes.MESSAGE_LIEN_EXPIRE % {"jours": 3}
    assert "expiré" in str(erreur.value)
    utilisateur.refresh_from_db()
    assert utilisateur.email_confirme_le is None


def test_confirmation_avec_un_lien_falsifie():
    """A tampered link (another user's id) is refused."""
    victime = UtilisateurFactory(email_confirme_le=None)
    jeton = services_comptes.jeton_confirmation(victime)
    donnees, reste = jeton.split(":", 1)
    falsifie = signing.b64_encode(b'{"u":999,"e":"pirate@exemple.test"}').decode() + ":" + reste

    with pytest.raises(ErreurMetier) as erreur:
        services_comptes.confirmer_adresse(jeton=falsifie)

    assert str(erreur.value) == services_comptes.MESSAGE_LIEN_INVALIDE
    victime.refresh_from_db()
    assert victime.email_confirme_le is None


def test_un_lien_de_confirmation_ne_confirme_pas_une_autre_adresse():
    """A link issued before an address change does not confirm the new address."""
    utilisateur = UtilisateurFactory(email="ancienne@exemple.test", email_confirme_le=None)
    jeton = services_comptes.jeton_confirmation(utilisateur)
    Utilisateur.objects.filter(pk=utilisateur.pk).update(email="nouvelle@exemple.test")

    with pytest.raises(ErreurMetier, match="n'est pas valide"):
        services_comptes.confirmer_adresse(jeton=jeton)


def test_renvoyer_la_confirmation_seulement_aux_comptes_non_confirmes(
    django_capture_on_commit_callbacks, executer_taches
):
    """A new link goes to an unconfirmed account, nothing to a confirmed or unknown one."""
    UtilisateurFactory(email="attente@exemple.test", email_confirme_le=None)
    UtilisateurFactory(email="confirme@exemple.test")

    with django_capture_on_commit_callbacks(execute=True):
        services_comptes.renvoyer_confirmation(email="ATTENTE@exemple.test")
        services_comptes.renvoyer_confirmation(email="confirme@exemple.test")
        services_comptes.renvoyer_confirmation(email="inconnu@exemple.test")

    executer_taches()
    assert [m.to for m in mail.outbox] == [["attente@exemple.test"]]


def test_changement_d_adresse_confirme_par_lien(
    django_capture_on_commit_callbacks, executer_taches
):
    """The new address replaces the old one only once the link sent to it is opened."""
    utilisateur = UtilisateurFactory(email="ancienne@exemple.test")

    with django_capture_on_commit_callbacks(execute=True):
        services_comptes.demander_changement_adresse(
            utilisateur=utilisateur, nouvelle_adresse="Nouvelle@Exemple.test"
        )
    utilisateur.refresh_from_db()
    assert utilisateur.email == "ancienne@exemple.test"
    executer_taches()
    destinataires = sorted(m.to[0] for m in mail.outbox)
    assert destinataires == ["ancienne@exemple.test", "nouvelle@exemple.test"]
    executer_taches()
    lien = next(m for m in mail.outbox if m.to == ["nouvelle@exemple.test"])

    services_comptes.confirmer_changement_adresse(jeton=_jeton_du_courriel(lien))

    utilisateur.refresh_from_db()
    assert utilisateur.email == "nouvelle@exemple.test"
    with pytest.raises(ErreurMetier, match="n'est pas valide"):
        services_comptes.confirmer_changement_adresse(jeton=_jeton_du_courriel(lien))


def test_changement_vers_une_adresse_prise_refuse():
    """An address already used by another account cannot be taken."""
    UtilisateurFactory(email="prise@exemple.test")
    utilisateur = UtilisateurFactory()

    with pytest.raises(SaisieInvalide) as erreur:
        services_comptes.demander_changement_adresse(
            utilisateur=utilisateur, nouvelle_adresse="PRISE@exemple.test"
        )

    assert "autre compte" in erreur.value.erreurs["nouvelle_adresse"]


def test_debloquer_efface_les_tentatives_echouees():
    """Unlocking forgets the failures recorded for the address, whatever case was typed."""
    utilisateur = UtilisateurFactory(email="bloque@exemple.test")
    AccessAttempt.objects.create(
        username="bloque@exemple.test", ip_address="127.0.0.1", user_agent="test",
        failures_since_start=5, get_data="", post_data="", http_accept="", path_info="/",
    )

    assert services_comptes.debloquer_connexion(utilisateur=utilisateur) == 1

    assert not AccessAttempt.objects.exists()
