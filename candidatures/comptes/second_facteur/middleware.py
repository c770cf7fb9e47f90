"""Sends a signed-in account that owes its second factor to the code or enrolment page."""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from . import politique

# Pages an account reaches before giving its code: the second step itself, enrolment, and the
# ways out. Everything else, the Django admin included, waits for the code.
VUES_LIBRES = {
    "comptes:second_facteur:verifier",
    "comptes:second_facteur:activer",
    "comptes:deconnexion",
    "admin:login",
    "admin:logout",
}


class SecondFacteurMiddleware:
    """Placed after OTPMiddleware (is_verified) and LoginRequiredMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        if request.resolver_match.view_name in VUES_LIBRES:
            return None
        if settings.STATIC_URL and request.path.startswith(settings.STATIC_URL):
            return None
        etape = politique.etape_due(request)
        if etape is None:
            return None
        url = reverse(f"comptes:second_facteur:{etape}")
        if request.method in ("GET", "HEAD"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(url)
