"""What the instruction pages share: the dossier or call the user may see, refusals, downloads."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from candidatures.models import AppelAProjets, Dossier

from ..permissions import peut_voir_file


def _dossier(request, pk, predicat):
    """The dossier if the user may see it (``visibles_par``: members of its structure, staff
    of its contract) and ``predicat`` allows the page; a 404 otherwise."""
    dossier = get_object_or_404(
        Dossier.objects.visibles_par(request.user).select_related(
            "structure", "appel", "action_principale__objectif__orientation__pilier"
        ),
        pk=pk,
    )
    if not predicat(request.user, dossier):
        raise Http404
    return dossier


def _refuser_si(condition, message):
    if condition:
        raise PermissionDenied(message)


def _appel(request, appel_pk):
    """The call if the user holds a staff role on its contract; a 404 otherwise."""
    if not peut_voir_file(request.user):
        raise Http404
    return get_object_or_404(
        AppelAProjets.objects.pour_le_personnel(request.user).select_related("contrat"),
        pk=appel_pk,
    )


def _telechargement(contenu, nom, type_mime):
    reponse = HttpResponse(contenu, content_type=type_mime)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse

