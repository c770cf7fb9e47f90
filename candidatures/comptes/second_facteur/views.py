"""Pages of the second factor: code at sign-in, enrolment, recovery codes, management."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from ...commun.redirections import suivant_sur
from . import politique, services
from .forms import CodeForm

GABARITS = "comptes/second_facteur/"


def _suivant(request):
    return suivant_sur(request, request.POST.get("next") or request.GET.get("next"))


def _avec_suivant(nom, suivant):
    url = reverse(f"comptes:second_facteur:{nom}")
    return f"{url}?{urlencode({'next': suivant})}" if suivant else url


def _continuer(suivant):
    return redirect(suivant or settings.LOGIN_REDIRECT_URL)


def _exiger_session_verifiee(request):
    """None when the account has a device and gave its code in this session; else where to go.

    The session's note may be stale (devices added or reset elsewhere): ask the database."""
    if not politique.noter_appareil(request, request.user):
        return redirect("comptes:second_facteur:gerer")
    if not politique.est_verifie(request):
        return redirect(_avec_suivant("verifier", request.get_full_path()))
    return None


@never_cache
def verifier(request):
    """Second step of the sign-in: a code of the application, or a recovery code."""
    suivant = _suivant(request)
    if politique.est_verifie(request):
        return _continuer(suivant)
    if not politique.noter_appareil(request, request.user):
        # No device (any more: an administrator reset it).
        if politique.doit_avoir_un_appareil(request.user):
            return redirect(_avec_suivant("activer", suivant))
        return _continuer(suivant)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resultat = services.verifier_code(request, form.cleaned_data["code"])
        if resultat.verrouille:
            return get_lockout_response(request, credentials={"username": request.user.email})
        if resultat.appareil:
            services.ouvrir_session_verifiee(request, resultat.appareil)
            if isinstance(resultat.appareil, StaticDevice):
                _avertir_codes_restants(request)
            return _continuer(suivant)
        form.add_error("code", resultat.erreur)
    return render(request, GABARITS + "verifier.html", {"form": form, "next": suivant})


def _avertir_codes_restants(request):
    restants = services.codes_de_secours_restants(request.user)
    messages.warning(
        request,
        f"Vous avez utilisé un code de secours : il vous en reste {restants}. Si votre téléphone "
        "est perdu, réinstallez l'application ou générez de nouveaux codes depuis « Mon compte ».",
    )


def _qr_code(appareil):
    """The enrolment link as an inline SVG (attributes only: the CSP forbids inline styles)."""
    svg = segno.make(appareil.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", omitsize=False
    )
    etiquette = format_html(
        '<svg role="img" aria-label="{}" ',
        "QR code à scanner avec votre application d'authentification",
    )
    return mark_safe(svg.replace("<svg ", etiquette, 1))  # segno's markup, our constant label


def _cle_lisible(appareil):
    cle = b32encode(appareil.bin_key).decode()
    return " ".join(cle[i : i + 4] for i in range(0, len(cle), 4))


@never_cache
def activer(request):
    """Enrolment: scan the QR code (or type the key), then confirm with a first code."""
    suivant = _suivant(request)
    if politique.noter_appareil(request, request.user):
        if politique.est_verifie(request):
            return redirect("comptes:second_facteur:gerer")
        return redirect(_avec_suivant("verifier", suivant))
    appareil = services.appareil_en_attente(request.user)
    form = CodeForm(request.POST or None, secours=False)
    if request.method == "POST" and form.is_valid():
        erreur = services.confirmer_appareil(request, appareil, form.cleaned_data["code"])
        if not erreur:
            messages.success(request, "La double authentification est activée.")
            return redirect(_avec_suivant("codes", suivant))
        form.add_error("code", erreur)
    return render(
        request,
        GABARITS + "activer.html",
        {
            "form": form,
            "next": suivant,
            "qr_code": _qr_code(appareil),
            "cle": _cle_lisible(appareil),
            "obligatoire": politique.doit_avoir_un_appareil(request.user),
        },
    )


@never_cache
def codes(request):
    """The recovery codes just created, shown this once."""
    if refus := _exiger_session_verifiee(request):
        return refus
    liste = request.session.pop(services.CLE_CODES_A_MONTRER, None)
    if not liste:
        messages.info(
            request,
            "Les codes de secours ne s'affichent qu'une fois. Si vous ne les avez plus, "
            "générez-en de nouveaux.",
        )
        return redirect("comptes:second_facteur:gerer")
    suivant = _suivant(request) or reverse("comptes:mon_compte")
    return render(request, GABARITS + "codes.html", {"codes": liste, "suite": suivant})


def gerer(request):
    """State of the account's second factor: enable it, new recovery codes, disable it."""
    if not politique.noter_appareil(request, request.user):
        return render(
            request,
            GABARITS + "gerer.html",
            {"active": False, "obligatoire": politique.doit_avoir_un_appareil(request.user)},
        )
    if refus := _exiger_session_verifiee(request):
        return refus
    return render(
        request,
        GABARITS + "gerer.html",
        {
            "active": True,
            "application": TOTPDevice.objects.filter(user=request.user, confirmed=True).first(),
            "restants": services.codes_de_secours_restants(request.user),
            "peut_desactiver": politique.peut_desactiver(request.user),
        },
    )


@require_POST
def regenerer(request):
    if refus := _exiger_session_verifiee(request):
        return refus
    request.session[services.CLE_CODES_A_MONTRER] = services.regenerer_codes_de_secours(
        request.user
    )
    messages.success(request, "Vos anciens codes de secours ne sont plus valables.")
    return redirect("comptes:second_facteur:codes")


@never_cache
def desactiver(request):
    """A porteur (or anyone for whom it is optional) turns it off, with a code."""
    if refus := _exiger_session_verifiee(request):
        return refus
    if not politique.peut_desactiver(request.user):
        messages.error(
            request,
            "La double authentification est obligatoire pour les comptes du personnel : elle ne "
            "peut pas être désactivée.",
        )
        return redirect("comptes:second_facteur:gerer")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resultat = services.verifier_code(request, form.cleaned_data["code"])
        if resultat.verrouille:
            return get_lockout_response(request, credentials={"username": request.user.email})
        if resultat.appareil:
            services.desactiver(request)
            messages.success(request, "La double authentification est désactivée.")
            return redirect("comptes:mon_compte")
        form.add_error("code", resultat.erreur)
    return render(request, GABARITS + "desactiver.html", {"form": form})
