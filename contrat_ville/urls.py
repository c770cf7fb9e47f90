"""Wires the apps together."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import TemplateView

from referentiel import views as referentiel_views


@login_not_required
def icone(request):
    """Browsers ask for /favicon.ico before reading the page's <link rel="icon">."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))


admin.site.site_header = "Administration du portail du contrat de ville"
admin.site.site_title = "Contrat de ville"
admin.site.index_title = "Administration"

urlpatterns = [
    path(
        "",
        login_not_required(TemplateView.as_view(template_name="accueil.html")),
        name="accueil",
    ),
    path("favicon.ico", icone),
    path("referentiel/", include("referentiel.urls")),
    path("api/referentiel.json", referentiel_views.referentiel_json, name="api_referentiel"),
    path(
        "api/contrats/<slug:contrat>/referentiel.json",
        referentiel_views.contrat_json,
        name="api_contrat_referentiel",
    ),
    path("comptes/", include("candidatures.comptes.urls")),
    path("structures/", include("candidatures.structures.urls")),
    path("appels/", include("candidatures.appels.urls")),
    path("dossiers/", include("candidatures.dossiers.urls")),
    path("instruction/", include("evaluation.instruction.urls")),
    path("bilans/", include("evaluation.bilans.urls")),
    path("conventions/", include("evaluation.conventions.urls")),
    path("donnees-ouvertes/", include("evaluation.donnees_ouvertes.urls")),
    path("admin/", admin.site.urls),
]
