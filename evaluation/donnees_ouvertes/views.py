"""The public open-data page, its files, and the administrators' publish action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from candidatures.commun.erreurs import ErreurMetier
from candidatures.models import AppelAProjets
from evaluation.models import PublicationDonnees

from . import selectors, services


@login_not_required
@require_GET
def index(request):
    """Every published year, with its SCDL « subventions » file; a file whose data changed
    since it was built is rebuilt in the background, the last complete one served meanwhile."""
    etats = selectors.etats_publications()
    services.actualiser(etats)
    return render(request, "donnees_ouvertes/index.html", {
        "publications": [e for e in etats if e.servi is not None],
    })


@login_not_required
@require_GET
def fichier(request, pk):
    """A published year's CSV file: the last complete one (a newer one is asked for if its
    data changed)."""
    publication = get_object_or_404(PublicationDonnees.objects.select_related("contrat"), pk=pk)
    etat = selectors.etat_publication(publication.contrat_id, publication.annee)
    services.actualiser([etat])
    if etat.servi is None:
        raise Http404
    try:
        contenu = etat.servi.fichier.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        contenu, as_attachment=True, content_type="text/csv; charset=utf-8",
        filename=f"subventions-{publication.contrat.code}-{publication.annee}.csv",
    )


@require_POST
def publier(request, appel_pk):
    """Publish the granted subsidies of the call's contract and year."""
    appel = get_object_or_404(AppelAProjets.objects.select_related("contrat"), pk=appel_pk)
    if not request.user.a_role_sur(appel.contrat_id):
        raise Http404
    try:
        services.publier_annee(contrat=appel.contrat, annee=appel.annee, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(
            request, f"Subventions {appel.annee} publiées : le fichier public est en "
            "préparation et sera à jour dans quelques instants."
        )
    return redirect("conventions:tableau", appel_pk=appel.pk)
