"""Pages of the calls for projects: public presentation and documents, list for administrators."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from ..models import AppelAProjets, DocumentAppel, Role
from .permissions import peut_gerer_appels


def _afficher(request, appel, autres):
    return render(
        request,
        "appels/detail.html",
        {
            "appel": appel,
            "documents": appel.documents.all() if appel else [],
            "enveloppes": (
                appel.enveloppes.select_related("pilier").order_by("pilier__ordre", "pilier__code")
                if appel else []
            ),
            "autres": autres,
            "peut_gerer": peut_gerer_appels(request.user),
        },
    )


@login_not_required
@require_GET
def courant(request):
    """The open call (else the next one, else the last one), public."""
    appel = AppelAProjets.objects.courant()
    autres = AppelAProjets.objects.exclude(pk=appel.pk) if appel else []
    return _afficher(request, appel, autres)


@login_not_required
@require_GET
def detail(request, pk):
    appel = get_object_or_404(AppelAProjets, pk=pk)
    return _afficher(request, appel, AppelAProjets.objects.exclude(pk=appel.pk))


@login_not_required
@require_GET
def document(request, pk, document_pk):
    """The call's rules and notices are public: anyone may download them."""
    piece = get_object_or_404(DocumentAppel, pk=document_pk, appel_id=pk)
    nom = f"{piece.titre}{piece.fichier.name[piece.fichier.name.rfind('.'):]}"
    return FileResponse(piece.fichier.open("rb"), as_attachment=True, filename=nom)


@require_GET
def gestion(request):
    """The calls of the contracts the user administers (every call for a portal administrator)
    with their state and dossier counts; created and edited in the administration."""
    if not peut_gerer_appels(request.user):
        raise PermissionDenied("Seuls les administrateurs gèrent les appels à projets.")
    appels = AppelAProjets.objects.pour_le_personnel(request.user, Role.ADMINISTRATEUR).annotate(
        nb_brouillons=Count("dossiers", filter=Q(dossiers__statut="brouillon")),
        nb_deposes=Count("dossiers", filter=Q(dossiers__depose_le__isnull=False)),
    ).order_by("-annee")
    return render(request, "appels/gestion.html", {"appels": appels})
