"""URLs of the pages benchmark: the portal's, and the floor page (``/plancher/``)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from contrat_ville.urls import urlpatterns as urls_du_portail


@login_not_required
def plancher(request):
    """The floor: the middleware stack and the session of the signed-in user, nothing else."""
    return HttpResponse(f"plancher {request.user.pk}", content_type="text/plain")


urlpatterns = [path("plancher/", plancher), *urls_du_portail]
