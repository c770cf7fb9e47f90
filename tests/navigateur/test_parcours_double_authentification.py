"""Journey: an instructeur's first sign-in with the obligatory second factor, then the next one."""

import re
import time
from base64 import b32decode

from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.candidatures.factories import MOT_DE_PASSE, UtilisateurFactory
from tests.navigateur.accessibilite import verifier_accessibilite


def _code(cle_base32, decalage=0):
    """What the application would show now for this key (as FreeOTP computes it)."""
    cle = b32decode(cle_base32.replace(" ", ""))
    return f"{hotp(cle, int(time.time() // 30) + decalage):06d}"


def _se_connecter(page, utilisateur):
    page.goto(reverse("bilans:tableau_de_bord"))
    page.get_by_label("Adresse électronique").fill(utilisateur.email)
    page.get_by_label("Mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()


def test_premiere_connexion_activation_puis_code(page, referentiel_charge, settings):
    settings.PORTAIL_DOUBLE_AUTHENTIFICATION = "obligatoire"
    instructeur = UtilisateurFactory(instructeur=True, prenom="Paul", nom="Durand")

    # First sign-in: the application must be enrolled before anything else.
    _se_connecter(page, instructeur)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la double authentification")
    expect(page.get_by_role("img", name="QR code à scanner")).to_be_visible()
    verifier_accessibilite(page, "activation")
    cle = page.locator("#cle-second-facteur").inner_text()

    page.get_by_label("Code à 6 chiffres de votre application").fill("12345")
    page.get_by_role("button", name="Activer").click()
    resume = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(resume).to_contain_text("6 chiffres")
    expect(page.get_by_label("Code à 6 chiffres de votre application")).to_have_value("12345")
    verifier_accessibilite(page, "activation, code refusé")

    page.get_by_label("Code à 6 chiffres de votre application").fill(_code(cle))
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos codes de secours")
    expect(page.get_by_role("list", name="Codes de secours").get_by_role("listitem")).to_have_count(
        10
    )
    verifier_accessibilite(page, "codes de secours")
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(page).to_have_url(re.compile(r"/bilans/annuels/$"))

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)

    # Next sign-in: the code of the application, then where the instructeur was going.
    _se_connecter(page, instructeur)
    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification")
    verifier_accessibilite(page, "second facteur")
    appareil = TOTPDevice.objects.get(user=instructeur)
    page.get_by_label("Code à 6 chiffres de votre application").fill(
        _code(cle, max(0, appareil.last_t + 1 - int(time.time() // 30)))
    )
    page.get_by_role("button", name="Valider le code").click()
    expect(page).to_have_url(re.compile(r"/bilans/annuels/$"))
    page.get_by_role("link", name="Mon compte").click()
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    expect(
        page.get_by_role("link", name="Gérer la double authentification et les codes de secours")
    ).to_be_visible()
    assert page.erreurs_csp == []
