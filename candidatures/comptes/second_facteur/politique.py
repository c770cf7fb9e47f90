"""Who owes a second factor, and what the session remembers about it.

An account that enrolled a device gives a code at every sign-in, whatever the mode. In the
« obligatoire » mode, staff (instructeurs, comité, administrateurs, Django staff) must also have
one: they enrol at their first sign-in.
"""

from django.conf import settings
from django_otp import user_has_device

OBLIGATOIRE = "obligatoire"
FACULTATIVE = "facultative"

# Whether the signed-in account has a confirmed device: noted at sign-in, so that pages do not
# ask the database at every request (devices_for_user reads two tables).
CLE_APPAREIL = "second_facteur_appareil"


def mode():
    return getattr(settings, "PORTAIL_DOUBLE_AUTHENTIFICATION", OBLIGATOIRE)


def est_personnel(utilisateur):
    """Staff of the portal, or of its technical administration."""
    return utilisateur.is_staff or utilisateur.is_superuser or utilisateur.est_personnel


def doit_avoir_un_appareil(utilisateur):
    """Whether the account may not go without a second factor (staff, when it is obligatory)."""
    return mode() == OBLIGATOIRE and est_personnel(utilisateur)


def peut_desactiver(utilisateur):
    return not doit_avoir_un_appareil(utilisateur)


def noter_appareil(request, utilisateur):
    """Record in the session whether the account has a confirmed device; return it."""
    present = user_has_device(utilisateur)
    request.session[CLE_APPAREIL] = present
    return present


def a_un_appareil(request):
    """Whether the signed-in account has a confirmed device (as noted in its session)."""
    if CLE_APPAREIL not in request.session:
        return noter_appareil(request, request.user)
    return request.session[CLE_APPAREIL]


def noter_a_la_connexion(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: note at sign-in whether a code will be asked."""
    if request is not None and hasattr(request, "session"):
        noter_appareil(request, user)


def est_verifie(request):
    verifie = getattr(request.user, "is_verified", None)
    return bool(verifie and verifie())


def etape_due(request):
    """The page the signed-in account must go through first: "verifier", "activer" or None."""
    if est_verifie(request):
        return None
    if a_un_appareil(request):
        return "verifier"
    if doit_avoir_un_appareil(request.user):
        return "activer"
    return None
