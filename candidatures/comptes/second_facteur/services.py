"""Enrolment, codes, recovery codes and reset of the second factor."""

import logging
import math
import re
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import politique

logger = logging.getLogger(__name__)

NOMBRE_CODES_DE_SECOURS = 10
NOM_APPLICATION = "Application d'authentification"
NOM_CODES = "Codes de secours"
# Recovery codes shown once, on the page that follows their creation.
CLE_CODES_A_MONTRER = "second_facteur_codes"


@dataclass
class Verification:
    """Outcome of a code check: the device that accepted it, or why it was refused."""

    appareil: object = None
    erreur: str = ""
    verrouille: bool = False


def normaliser_code(code):
    """Codes are typed with or without spaces and dashes, in either case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def formater_code_de_secours(code):
    return f"{code[:4]}-{code[4:]}"


def _attente(appareil):
    """Seconds to wait before the device accepts another code (0: none), after failures."""
    permis, details = appareil.verify_is_allowed()
    if permis or not details or "locked_until" not in details:
        return 0
    return max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))


def _message_attente(secondes):
    pluriel = "s" if secondes > 1 else ""
    return (
        f"Trop de codes erronés d'affilée : patientez {secondes} seconde{pluriel} avant de saisir "
        "un nouveau code."
    )


# --- Enrolment ------------------------------------------------------------------------------------


def appareil_en_attente(utilisateur):
    """The application being enrolled (same secret on every reload of the page)."""
    appareil = (
        TOTPDevice.objects.filter(user=utilisateur, confirmed=False).order_by("pk").first()
    )
    if appareil is None:
        appareil = TOTPDevice.objects.create(
            user=utilisateur, name=NOM_APPLICATION, confirmed=False
        )
    return appareil


def confirmer_appareil(request, appareil, code):
    """Confirm the enrolled application with its first code; return an error message or ""."""
    with transaction.atomic():
        appareil = TOTPDevice.objects.select_for_update().get(pk=appareil.pk)
        attente = _attente(appareil)
        if attente:
            return _message_attente(attente)
        if not appareil.verify_token(normaliser_code(code)):
            return (
                "Ce code ne correspond pas. Vérifiez l'heure de votre téléphone et saisissez le "
                "code affiché à l'instant par l'application."
            )
        appareil.confirmed = True
        appareil.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=appareil.user, confirmed=False).delete()
        codes = regenerer_codes_de_secours(appareil.user)
    ouvrir_session_verifiee(request, appareil)
    request.session[CLE_CODES_A_MONTRER] = codes
    logger.info("Double authentification activée par %s.", appareil.user.email)
    return ""


def regenerer_codes_de_secours(utilisateur):
    """Replace the account's recovery codes with new ones; return them (shown only once)."""
    with transaction.atomic():
        appareil, _ = StaticDevice.objects.get_or_create(
            user=utilisateur, name=NOM_CODES, defaults={"confirmed": True}
        )
        StaticDevice.objects.filter(user=utilisateur).exclude(pk=appareil.pk).delete()
        appareil.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(NOMBRE_CODES_DE_SECOURS)]
        StaticToken.objects.bulk_create(StaticToken(device=appareil, token=c) for c in codes)
        if not appareil.confirmed or appareil.throttling_failure_count:
            appareil.confirmed = True
            appareil.throttle_reset(commit=False)
            appareil.save()
    return [formater_code_de_secours(c) for c in codes]


def codes_de_secours_restants(utilisateur):
    return StaticToken.objects.filter(device__user=utilisateur, device__confirmed=True).count()


# --- Second step ----------------------------------------------------------------------------------


def _identifiants(utilisateur):
    """What django-axes counts the failures against: the account's address, as at sign-in."""
    return {settings.AXES_USERNAME_FORM_FIELD: utilisateur.email}


def _appareil_pour(utilisateur, code):
    """A 6-digit code is for the application; anything else is a recovery code."""
    modele = TOTPDevice if re.fullmatch(r"[0-9]{6}", code) else StaticDevice
    return (
        modele.objects.select_for_update()
        .filter(user=utilisateur, confirmed=True)
        .order_by("pk")
        .first()
    )


def verifier_code(request, code):
    """Check a code of the signed-in account, counting failures as django-axes counts wrong
    passwords: the same lock-out, lifted by the same « Débloquer la connexion »."""
    utilisateur = request.user
    identifiants = _identifiants(utilisateur)
    if AxesProxyHandler.is_locked(request, identifiants):
        return Verification(verrouille=True)
    code = normaliser_code(code)
    with transaction.atomic():
        appareil = _appareil_pour(utilisateur, code)
        attente = _attente(appareil) if appareil else 0
        accepte = bool(appareil) and not attente and appareil.verify_token(code)
    if accepte:
        if settings.AXES_RESET_ON_SUCCESS:
            axes_reset(ip=request.axes_ip_address, username=utilisateur.email.lower())
        return Verification(appareil=appareil)
    user_login_failed.send(sender=__name__, credentials=identifiants, request=request)
    if getattr(request, "axes_locked_out", False):
        return Verification(verrouille=True)
    if attente:
        return Verification(erreur=_message_attente(attente))
    return Verification(
        erreur=(
            "Ce code n'est pas valable. Saisissez le code affiché à l'instant par votre "
            "application, ou un code de secours qui n'a pas encore servi."
        )
    )


def ouvrir_session_verifiee(request, appareil):
    """The session passed the second factor: a new session key, as Django gives at sign-in."""
    request.session.cycle_key()
    otp_login(request, appareil)
    request.session[politique.CLE_APPAREIL] = True


# --- Removal --------------------------------------------------------------------------------------


def _supprimer_appareils(utilisateur):
    """Remove every device of the account; return how many there were."""
    with transaction.atomic():
        applications, _ = TOTPDevice.objects.filter(user=utilisateur).delete()
        codes = StaticDevice.objects.filter(user=utilisateur)
        nombre_codes = codes.count()
        codes.delete()
    return applications + nombre_codes


def desactiver(request):
    """The account holder turns the second factor off (not allowed where it is obligatory)."""
    utilisateur = request.user
    _supprimer_appareils(utilisateur)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[politique.CLE_APPAREIL] = False
    request.user.otp_device = None
    logger.info("Double authentification désactivée par %s.", utilisateur.email)


def reinitialiser(utilisateur, *, par):
    """An administrator removes the devices of an account whose phone was lost: it enrols again
    at its next sign-in (if staff) and its open sessions must give a code again."""
    nombre = _supprimer_appareils(utilisateur)
    if nombre:
        logger.warning(
            "Double authentification de %s réinitialisée par %s.", utilisateur.email, par
        )
    else:
        logger.info(
            "Réinitialisation demandée par %s : %s n'avait pas de double authentification.",
            par,
            utilisateur.email,
        )
    return nombre


def lever_attente(adresse):
    """Forget the failed codes the devices of this address count (after an unlock)."""
    for modele in (TOTPDevice, StaticDevice):
        for appareil in modele.objects.filter(
            user__email__iexact=adresse.strip(), throttling_failure_count__gt=0
        ):
            appareil.throttle_reset()
