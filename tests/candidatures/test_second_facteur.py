"""Second factor at sign-in (TOTP application, recovery codes): enrolment, second step, lock-out,
reset by an administrator, porteurs who choose it, and the optional mode of development."""

import re
import time
from base64 import b32encode
from datetime import timedelta
from io import StringIO
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from candidatures.models import Habilitation, Role
from referentiel.models import Contrat

from .factories import MOT_DE_PASSE, UtilisateurFactory

pytestmark = pytest.mark.django_db

VERIFIER = reverse("comptes:second_facteur:verifier")
ACTIVER = reverse("comptes:second_facteur:activer")
GERER = reverse("comptes:second_facteur:gerer")
PAGE_PERSONNEL = reverse("bilans:tableau_de_bord")


@pytest.fixture
def obligatoire(settings):
    settings.PORTAIL_DOUBLE_AUTHENTIFICATION = "obligatoire"


def _avec_suivant(url, suivant):
    return f"{url}?{urlencode({'next': suivant})}"


def _connexion(client, utilisateur, suivant=""):
    return client.post(
        reverse("comptes:connexion"),
        {"username": utilisateur.email, "password": MOT_DE_PASSE, "next": suivant},
    )


def code_totp(appareil):
    """The code the application shows now, or the next one if the current one already served
    (a code is accepted once; the device tolerates one step of drift)."""
    appareil.refresh_from_db()
    maintenant = int((time.time() - appareil.t0) // appareil.step) + appareil.drift
    return f"{hotp(appareil.bin_key, max(maintenant, appareil.last_t + 1)):06d}"


def code_faux(appareil):
    """A 6-digit code the device accepts at no step around now."""
    appareil.refresh_from_db()
    maintenant = int((time.time() - appareil.t0) // appareil.step) + appareil.drift
    valables = {
        f"{hotp(appareil.bin_key, t):06d}" for t in range(maintenant - 3, maintenant + 4)
    }
    return next(c for c in (f"{n:06d}" for n in range(1000)) if c not in valables)


def _laisser_passer_le_temps(utilisateur):
    """The waiting time django-otp imposes after a wrong code has elapsed."""
    for modele in (TOTPDevice, StaticDevice):
        modele.objects.filter(user=utilisateur).update(
            throttling_failure_timestamp=timezone.now() - timedelta(hours=1)
        )


def _activer(client, utilisateur, suivant=""):
    """Enrol from the activation page; return the recovery codes shown once."""
    client.get(_avec_suivant(ACTIVER, suivant) if suivant else ACTIVER)
    appareil = TOTPDevice.objects.get(user=utilisateur, confirmed=False)
    reponse = client.post(ACTIVER, {"code": code_totp(appareil), "next": suivant})
    assert reponse.status_code == 302, reponse.content.decode()
    page = client.get(reponse["Location"])
    return re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page.content.decode())


def _connecter_avec_appareil(utilisateur, client=None):
    """A client signed in with password and code, the account having an application."""
    client = client or Client()
    appareil = TOTPDevice.objects.filter(user=utilisateur, confirmed=True).first()
    if appareil is None:
        appareil = TOTPDevice.objects.create(user=utilisateur, name="téléphone", confirmed=True)
    client.force_login(utilisateur)
    assert client.post(VERIFIER, {"code": code_totp(appareil)}).status_code == 302
    return client


# --- Staff, when the second factor is obligatory ------------------------------------------------


@pytest.mark.parametrize(
    "attributs",
    [
        {"instructeur": True},
        {"comite": True},
        {"administrateur": True},
        {"is_staff": True},
        {"is_superuser": True},
    ],
    ids=["instructeur", "comite", "administrateur", "staff-django", "superutilisateur"],
)
def test_le_personnel_active_l_application_avant_toute_page(client, obligatoire, attributs):
    """Signed in with the password only, a staff account reaches nothing but the enrolment page,
    the Django admin included; where it was going is kept."""
    utilisateur = UtilisateurFactory(**attributs)

    reponse = _connexion(client, utilisateur, suivant=PAGE_PERSONNEL)
    assertRedirects(reponse, PAGE_PERSONNEL, fetch_redirect_response=False)

    for url in (
        PAGE_PERSONNEL,
        reverse("evaluation:accueil"),
        reverse("accueil"),
        reverse("comptes:mon_compte"),
        reverse("dossiers:liste"),
        reverse("bilans:liste"),
        reverse("comptes:roles"),
        GERER,
        VERIFIER,
        reverse("admin:index"),
        reverse("admin:candidatures_utilisateur_changelist"),
    ):
        reponse = client.get(url)
        assert reponse.status_code == 302, url
        assert reponse["Location"].startswith(ACTIVER), url
    assertRedirects(
        client.get(PAGE_PERSONNEL),
        _avec_suivant(ACTIVER, PAGE_PERSONNEL),
        fetch_redirect_response=False,
    )
    assert client.get(ACTIVER).status_code == 200


def test_page_d_activation_qr_code_et_cle_lisible(client, obligatoire):
    utilisateur = UtilisateurFactory(instructeur=True, email="dominique@exemple.test")
    client.force_login(utilisateur)

    page = client.get(ACTIVER)

    appareil = TOTPDevice.objects.get(user=utilisateur, confirmed=False)
    cle = b32encode(appareil.bin_key).decode()
    assertContains(page, " ".join(cle[i : i + 4] for i in range(0, len(cle), 4)))
    assertContains(page, '<svg role="img" aria-label="QR code à scanner')
    svg = re.search(r"<svg.*?</svg>", page.content.decode(), re.S).group(0)
    assert "style" not in svg and "<script" not in svg
    assert "otpauth://totp/" in appareil.config_url
    assert "Cache-Control" in page and "no-store" in page["Cache-Control"]
    assertContains(page, "obligatoire")
    assertContains(page, 'for="id_code"')
    # Reloading the page keeps the same secret: a scan made before the reload stays good.
    client.get(ACTIVER)
    assert TOTPDevice.objects.filter(user=utilisateur).count() == 1


def test_activation_un_code_faux_est_refuse_a_cote_du_champ_et_garde(client, obligatoire):
    utilisateur = UtilisateurFactory(instructeur=True)
    client.force_login(utilisateur)
    client.get(ACTIVER)
    appareil = TOTPDevice.objects.get(user=utilisateur)
    faux = code_faux(appareil)

    page = client.post(ACTIVER, {"code": faux})

    assert page.status_code == 200
    assertContains(page, "Le formulaire contient 1 erreur")
    assertContains(page, 'href="#id_code"')
    assertContains(page, "Ce code ne correspond pas.")
    assertContains(page, "is-invalid")
    assertContains(page, f'value="{faux}"')
    appareil.refresh_from_db()
    assert not appareil.confirmed
    assert client.get(PAGE_PERSONNEL)["Location"].startswith(ACTIVER)

    page = client.post(ACTIVER, {"code": "12a45"})
    assertContains(page, "Le code de l&#x27;application compte 6 chiffres")
    assertContains(page, 'value="12a45"')


def test_activation_avec_le_bon_code_montre_dix_codes_de_secours_une_fois(client, obligatoire):
    utilisateur = UtilisateurFactory(instructeur=True)
    _connexion(client, utilisateur, suivant=PAGE_PERSONNEL)
    client.get(_avec_suivant(ACTIVER, PAGE_PERSONNEL))
    appareil = TOTPDevice.objects.get(user=utilisateur)
    client.post(ACTIVER, {"code": code_faux(appareil), "next": PAGE_PERSONNEL})
    _laisser_passer_le_temps(utilisateur)

    reponse = client.post(ACTIVER, {"code": code_totp(appareil), "next": PAGE_PERSONNEL})

    codes_url = _avec_suivant(reverse("comptes:second_facteur:codes"), PAGE_PERSONNEL)
    assertRedirects(reponse, codes_url, fetch_redirect_response=False)
    page = client.get(codes_url)
    codes = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page.content.decode())
    assert len(set(codes)) == 10
    assertContains(page, "ils ne seront plus jamais affichés")
    assertContains(page, f'href="{PAGE_PERSONNEL}"')
    assert StaticToken.objects.filter(device__user=utilisateur).count() == 10
    # Shown once only.
    encore = client.get(codes_url)
    assertRedirects(encore, GERER, fetch_redirect_response=False)
    # The session is verified: the staff pages open.
    assert client.get(PAGE_PERSONNEL).status_code == 200
    assert client.get(GERER).status_code == 200


def test_connexion_suivante_demande_le_code_puis_mene_ou_l_on_allait(client, obligatoire):
    utilisateur = UtilisateurFactory(instructeur=True)
    client.force_login(utilisateur)
    _activer(client, utilisateur)
    client.post(reverse("comptes:deconnexion"))

    _connexion(client, utilisateur, suivant=PAGE_PERSONNEL)

    assertRedirects(
        client.get(PAGE_PERSONNEL),
        _avec_suivant(VERIFIER, PAGE_PERSONNEL),
        fetch_redirect_response=False,
    )
    assert client.get(reverse("admin:index"))["Location"].startswith(VERIFIER)
    page = client.get(_avec_suivant(VERIFIER, PAGE_PERSONNEL))
    assertContains(page, "Code à 6 chiffres de votre application")
    assertContains(page, 'autocomplete="one-time-code"')
    assertContains(page, f'name="next" value="{PAGE_PERSONNEL}"')
    appareil = TOTPDevice.objects.get(user=utilisateur)
    reponse = client.post(
        _avec_suivant(VERIFIER, PAGE_PERSONNEL),
        {"code": code_totp(appareil), "next": PAGE_PERSONNEL},
    )
    assertRedirects(reponse, PAGE_PERSONNEL, fetch_redirect_response=False)
    assert client.get(PAGE_PERSONNEL).status_code == 200


def test_un_code_deja_utilise_est_refuse(client, obligatoire):
    """The code that opened a session cannot open a second one (replay)."""
    utilisateur = UtilisateurFactory(instructeur=True)
    TOTPDevice.objects.create(user=utilisateur, name="téléphone", confirmed=True)
    client.force_login(utilisateur)
    appareil = TOTPDevice.objects.get(user=utilisateur)
    code = code_totp(appareil)
    assert client.post(VERIFIER, {"code": code}).status_code == 302

    autre = Client()
    autre.force_login(utilisateur)
    page = autre.post(VERIFIER, {"code": code})

    assertContains(page, "Ce code n&#x27;est pas valable.")


def test_un_code_de_secours_sert_une_seule_fois(client, obligatoire):
    utilisateur = UtilisateurFactory(comite=True)
    client.force_login(utilisateur)
    codes = _activer(client, utilisateur)
    client.post(reverse("comptes:deconnexion"))

    _connexion(client, utilisateur)
    reponse = client.post(VERIFIER, {"code": f" {codes[3].upper()} "})

    assertRedirects(reponse, reverse("accueil"), fetch_redirect_response=False)
    page = client.get(reverse("accueil"))
    assertContains(page, "il vous en reste 9")
    client.post(reverse("comptes:deconnexion"))

    _connexion(client, utilisateur)
    _laisser_passer_le_temps(utilisateur)
    page = client.post(VERIFIER, {"code": codes[3]})
    assert page.status_code == 200
    assertContains(page, "Ce code n&#x27;est pas valable.")
    assert client.get(PAGE_PERSONNEL)["Location"].startswith(VERIFIER)
    _laisser_passer_le_temps(utilisateur)
    assert client.post(VERIFIER, {"code": codes[4]}).status_code == 302


def test_attente_imposee_apres_des_codes_faux(client, obligatoire):
    """After repeated wrong codes, django-otp makes the account wait; the page says how long."""
    utilisateur = UtilisateurFactory(instructeur=True)
    appareil = TOTPDevice.objects.create(
        user=utilisateur,
        name="téléphone",
        confirmed=True,
        throttling_failure_count=3,
        throttling_failure_timestamp=timezone.now(),
    )
    client.force_login(utilisateur)

    page = client.post(VERIFIER, {"code": code_totp(appareil)})

    assertContains(page, "patientez")
    assertContains(page, "secondes avant de saisir un nouveau code")
    assert client.get(PAGE_PERSONNEL)["Location"].startswith(VERIFIER)


# --- Lock-out (django-axes) -------------------------------------------------------------------


def test_cinq_codes_faux_verrouillent_meme_le_bon_code_puis_deblocage(client, obligatoire):
    victime = UtilisateurFactory(instructeur=True, email="jeanne@exemple.test")
    appareil = TOTPDevice.objects.create(user=victime, name="téléphone", confirmed=True)
    _connexion(client, victime)

    for i in range(4):
        _laisser_passer_le_temps(victime)
        page = client.post(VERIFIER, {"code": code_faux(appareil)})
        assert page.status_code == 200, i
    _laisser_passer_le_temps(victime)
    cinquieme = client.post(VERIFIER, {"code": code_faux(appareil)})

    assertContains(cinquieme, "Connexion temporairement bloquée", status_code=429)
    _laisser_passer_le_temps(victime)
    bon = client.post(VERIFIER, {"code": code_totp(appareil)})
    assertContains(bon, "Connexion temporairement bloquée", status_code=429)
    assert client.get(PAGE_PERSONNEL)["Location"].startswith(VERIFIER)
    # The codes typed are not kept with the failed attempts.
    tentative = AccessAttempt.objects.get(username="jeanne@exemple.test")
    assert tentative.failures_since_start == 5
    assert code_faux(appareil) not in tentative.post_data
    # The same counter as passwords: the password is refused too from this address.
    assert _connexion(Client(), victime).status_code == 429

    administrateur = _connecter_avec_appareil(
        UtilisateurFactory(administrateur=True, is_superuser=True)
    )
    page = administrateur.get(reverse("comptes:roles"), {"q": "jeanne"})
    assertContains(page, "connexion bloquée")
    administrateur.post(reverse("comptes:debloquer", args=[victime.pk]))

    reponse = client.post(VERIFIER, {"code": code_totp(appareil)})
    assertRedirects(reponse, reverse("accueil"), fetch_redirect_response=False)
    assert client.get(PAGE_PERSONNEL).status_code == 200


def test_deblocage_depuis_l_administration_django(client, obligatoire):
    victime = UtilisateurFactory(instructeur=True)
    appareil = TOTPDevice.objects.create(user=victime, name="téléphone", confirmed=True)
    client.force_login(victime)
    for _ in range(5):
        client.post(VERIFIER, {"code": code_faux(appareil)})
    assert client.post(VERIFIER, {"code": code_totp(appareil)}).status_code == 429

    administrateur = _connecter_avec_appareil(
        UtilisateurFactory(administrateur=True, is_superuser=True)
    )
    administrateur.post(
        reverse("admin:candidatures_utilisateur_changelist"),
        {"action": "debloquer_connexion", "_selected_action": [victime.pk]},
    )

    assert client.post(VERIFIER, {"code": code_totp(appareil)}).status_code == 302


# --- Reset of a lost device -------------------------------------------------------------------


def test_reinitialisation_par_un_administrateur_force_une_nouvelle_activation(client, obligatoire):
    victime = UtilisateurFactory(instructeur=True, email="perdu@exemple.test")
    client.force_login(victime)
    _activer(client, victime)
    assert client.get(PAGE_PERSONNEL).status_code == 200
    administrateur_compte = UtilisateurFactory(administrateur=True, is_superuser=True)
    administrateur = _connecter_avec_appareil(administrateur_compte)

    reponse = administrateur.post(
        reverse("admin:candidatures_utilisateur_changelist"),
        {"action": "reinitialiser_double_authentification", "_selected_action": [victime.pk]},
        follow=True,
    )

    assertContains(reponse, "Double authentification réinitialisée pour 1 compte(s)")
    assert not TOTPDevice.objects.filter(user=victime).exists()
    assert not StaticDevice.objects.filter(user=victime).exists()
    entree = LogEntry.objects.get(object_id=str(victime.pk))
    assert entree.user == administrateur_compte
    assert "réinitialisée" in entree.get_change_message()
    # The open session of the account lost its second factor: enrolment again.
    reponse = client.get(PAGE_PERSONNEL, follow=True)
    assert reponse.redirect_chain[-1][0].startswith(ACTIVER)
    client.post(reverse("comptes:deconnexion"))
    _connexion(client, victime)
    assert client.get(PAGE_PERSONNEL)["Location"].startswith(ACTIVER)
    assert len(_activer(client, victime)) == 10


def test_commande_de_reinitialisation(obligatoire):
    utilisateur = UtilisateurFactory(comite=True, email="claude@exemple.test")
    TOTPDevice.objects.create(user=utilisateur, name="téléphone", confirmed=True)
    StaticDevice.objects.create(user=utilisateur, name="secours", confirmed=True)
    sortie = StringIO()

    call_command("reinitialiser_double_authentification", "Claude@Exemple.test", stdout=sortie)

    assert "réinitialisée" in sortie.getvalue()
    assert not TOTPDevice.objects.filter(user=utilisateur).exists()
    assert not StaticDevice.objects.filter(user=utilisateur).exists()
    with pytest.raises(CommandError, match="Aucun compte"):
        call_command("reinitialiser_double_authentification", "inconnu@exemple.test")


# --- Porteurs, and the optional mode ----------------------------------------------------------


def test_un_porteur_n_est_jamais_force_mais_peut_activer_puis_desactiver(client, obligatoire):
    porteur = UtilisateurFactory(porteur=True)
    _connexion(client, porteur)
    assert client.get(reverse("structures:liste")).status_code == 200
    compte = client.get(reverse("comptes:mon_compte"))
    assertContains(compte, "Double authentification")
    assertContains(compte, f'href="{ACTIVER}"')

    assert len(_activer(client, porteur)) == 10
    assertContains(client.get(reverse("comptes:mon_compte")), f'href="{GERER}"')
    client.post(reverse("comptes:deconnexion"))
    _connexion(client, porteur, suivant=reverse("structures:liste"))

    assert client.get(reverse("structures:liste"))["Location"].startswith(VERIFIER)
    appareil = TOTPDevice.objects.get(user=porteur)
    assert client.post(VERIFIER, {"code": code_totp(appareil)}).status_code == 302

    page = client.get(GERER)
    assertContains(page, "Codes de secours inutilisés")
    assertContains(page, "Désactiver la double authentification")
    refus = client.post(reverse("comptes:second_facteur:desactiver"), {"code": "000000"})
    assertContains(refus, "Ce code n&#x27;est pas valable.")
    _laisser_passer_le_temps(porteur)
    reponse = client.post(
        reverse("comptes:second_facteur:desactiver"), {"code": code_totp(appareil)}
    )
    assertRedirects(reponse, reverse("comptes:mon_compte"), fetch_redirect_response=False)
    assert not TOTPDevice.objects.filter(user=porteur).exists()
    client.post(reverse("comptes:deconnexion"))
    _connexion(client, porteur)
    assert client.get(reverse("structures:liste")).status_code == 200


def test_le_personnel_ne_peut_pas_desactiver_quand_c_est_obligatoire(obligatoire):
    instructeur = UtilisateurFactory(instructeur=True)
    client = _connecter_avec_appareil(instructeur)
    appareil = TOTPDevice.objects.get(user=instructeur)

    assertNotContains(client.get(GERER), "Désactiver la double authentification")
    reponse = client.post(
        reverse("comptes:second_facteur:desactiver"), {"code": code_totp(appareil)}
    )

    assertRedirects(reponse, GERER, fetch_redirect_response=False)
    assert TOTPDevice.objects.filter(user=instructeur).exists()


def test_nouveaux_codes_de_secours_remplacent_les_anciens(client, obligatoire):
    porteur = UtilisateurFactory(porteur=True)
    client.force_login(porteur)
    anciens = _activer(client, porteur)

    reponse = client.post(reverse("comptes:second_facteur:regenerer"))

    page = client.get(reponse["Location"])
    nouveaux = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page.content.decode())
    assert len(nouveaux) == 10 and not set(nouveaux) & set(anciens)
    assert StaticToken.objects.filter(device__user=porteur).count() == 10
    client.post(reverse("comptes:deconnexion"))
    _connexion(client, porteur)
    assertContains(client.post(VERIFIER, {"code": anciens[0]}), "n&#x27;est pas valable")
    _laisser_passer_le_temps(porteur)
    assert client.post(VERIFIER, {"code": nouveaux[0]}).status_code == 302


def test_regenerer_les_codes_exige_une_session_verifiee(client, obligatoire):
    porteur = UtilisateurFactory(porteur=True)
    TOTPDevice.objects.create(user=porteur, name="téléphone", confirmed=True)
    client.force_login(porteur)

    reponse = client.post(reverse("comptes:second_facteur:regenerer"))

    assert reponse["Location"].startswith(VERIFIER)
    assert not StaticToken.objects.exists()


def test_facultative_laisse_entrer_le_personnel_sans_appareil(client, settings):
    settings.PORTAIL_DOUBLE_AUTHENTIFICATION = "facultative"
    instructeur = UtilisateurFactory(instructeur=True)

    _connexion(client, instructeur)

    assert client.get(PAGE_PERSONNEL).status_code == 200
    assertContains(client.get(reverse("comptes:mon_compte")), f'href="{ACTIVER}"')


def test_facultative_demande_le_code_a_qui_a_une_application(client, settings):
    settings.PORTAIL_DOUBLE_AUTHENTIFICATION = "facultative"
    instructeur = UtilisateurFactory(instructeur=True)
    TOTPDevice.objects.create(user=instructeur, name="téléphone", confirmed=True)

    _connexion(client, instructeur)

    assert client.get(PAGE_PERSONNEL)["Location"].startswith(VERIFIER)


# --- Where the second step leads ---------------------------------------------------------------


@pytest.mark.parametrize(
    "suivant",
    ["https://malveillant.example/", "//malveillant.example/", "/\\malveillant.example/"],
)
def test_une_redirection_hors_du_site_est_refusee(client, obligatoire, suivant):
    instructeur = UtilisateurFactory(instructeur=True)
    appareil = TOTPDevice.objects.create(user=instructeur, name="téléphone", confirmed=True)
    client.force_login(instructeur)

    page = client.get(_avec_suivant(VERIFIER, suivant))
    assertNotContains(page, "malveillant")
    reponse = client.post(
        _avec_suivant(VERIFIER, suivant), {"code": code_totp(appareil), "next": suivant}
    )

    assertRedirects(reponse, reverse("accueil"), fetch_redirect_response=False)


def test_la_deconnexion_reste_possible_avant_le_code(client, obligatoire):
    instructeur = UtilisateurFactory(instructeur=True)
    client.force_login(instructeur)

    client.post(reverse("comptes:deconnexion"))

    assert "_auth_user_id" not in client.session


def test_deja_verifie_la_page_du_code_mene_plus_loin(obligatoire):
    instructeur = UtilisateurFactory(instructeur=True)
    client = _connecter_avec_appareil(instructeur)

    reponse = client.get(_avec_suivant(VERIFIER, PAGE_PERSONNEL))

    assertRedirects(reponse, PAGE_PERSONNEL, fetch_redirect_response=False)
    assertRedirects(client.get(ACTIVER), GERER, fetch_redirect_response=False)


def test_un_role_du_personnel_accorde_en_cours_de_session_exige_l_activation(
    client, obligatoire
):
    compte = UtilisateurFactory(porteur=True)
    _connexion(client, compte)
    assert client.get(reverse("dossiers:liste")).status_code == 200

    Habilitation.objects.create(
        utilisateur=compte,
        role=Role.INSTRUCTEUR,
        territoire=Contrat.objects.par_defaut().territoire,
    )

    assert client.get(reverse("dossiers:liste"))["Location"].startswith(ACTIVER)


@pytest.mark.parametrize("mode", ["facultative", "obligatoire"])
def test_sans_application_les_pages_ne_lisent_pas_les_appareils(client, settings, mode):
    """Whether the account has a device is noted at sign-in: pages do not ask at each request."""
    settings.PORTAIL_DOUBLE_AUTHENTIFICATION = mode
    client.force_login(UtilisateurFactory(porteur=True))

    with CaptureQueriesContext(connection) as requetes:
        assert client.get(reverse("structures:liste")).status_code == 200

    assert not [r["sql"] for r in requetes.captured_queries if "otp_" in r["sql"]]
