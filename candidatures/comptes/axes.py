"""Login throttling (django-axes): the identifier failures are counted against, and unlocking."""

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.utils import timezone


def identifiant_connexion(request, credentials=None):
    """Count failures per e-mail address, whatever case or spaces were typed."""
    source = credentials or getattr(request, "POST", None) or {}
    valeur = source.get(settings.AXES_USERNAME_FORM_FIELD) or ""
    return valeur.strip().lower() or None


def adresses_bloquees(adresses):
    """The addresses among ``adresses`` whose failures reached the limit (hence locked out)."""
    tentatives = AccessAttempt.objects.filter(
        username__in=[a.lower() for a in adresses],
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    )
    duree = get_cool_off()
    if duree:
        tentatives = tentatives.filter(attempt_time__gte=timezone.now() - duree)
    return set(tentatives.values_list("username", flat=True))


def debloquer(adresse):
    """Forget every failed attempt recorded for the address (passwords, and second-factor codes
    with the waiting time they impose); return how many attempts were removed."""
    from .second_facteur.services import lever_attente

    lever_attente(adresse)
    return reset(username=adresse.strip().lower())
