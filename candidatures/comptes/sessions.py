"""Sessions that stay alive while used, without a write on every request.

Django's ``SESSION_SAVE_EVERY_REQUEST`` renews the session's expiry by saving it on each request:
one UPDATE per page viewed, which serialises concurrent readers. Here a signed-in session is
renewed only once ``SESSION_RENOUVELLEMENT`` seconds have passed since its last renewal.
"""

import time

from django.conf import settings

CLE_RENOUVELLEMENT = "renouvelee_le"


def _maintenant():
    return int(time.time())


def renouveler_a_la_connexion(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: signing in saves the session, which is thus renewed."""
    if request is not None and hasattr(request, "session"):
        request.session[CLE_RENOUVELLEMENT] = _maintenant()


class RenouvellementSession:
    """Placed right after SessionMiddleware: marks the session to be saved (renewed) when due."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reponse = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or not session.session_key:
            return reponse
        maintenant = _maintenant()
        precedent = session.get(CLE_RENOUVELLEMENT)
        if not isinstance(precedent, int) or maintenant - precedent >= getattr(
            settings, "SESSION_RENOUVELLEMENT", 1800
        ):
            # Changing the session marks it modified: SessionMiddleware saves it, with a new
            # expiry, and sends the cookie again.
            session[CLE_RENOUVELLEMENT] = maintenant
        return reponse
