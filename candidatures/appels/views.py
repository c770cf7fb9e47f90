"""Pages of the calls for projects: public list (territory, contract) and presentation,
documents, and the list for administrators."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, Value, When
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from ..models import AppelAProjets, DocumentAppel, Role
from .permissions import peut_gerer_appels

APPELS_PAR_PAGE = 25
ETATS = {"": "Tous les états", "ouvert": "Ouverts", "a_venir": "À venir", "clos": "Clos"}
RANGS = {"ouvert": 0, "a_venir": 1, "clos": 2}  # the list's order: open, announced, closed


def _avec_contrat(appels):
    return appels.select_related("contrat__territoire", "contrat__generation")


def _afficher(request, appel):
    """A call's page: its territory and contract, dates, documents, envelope, and the other
    calls of the same contract (one per year: a short list)."""
    autres = (
        AppelAProjets.objects.filter(contrat_id=appel.contrat_id).exclude(pk=appel.pk)
        .order_by("-annee") if appel else []
    )
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
    """The open call (else the next one, else the last one), public.

    When several territories have a call open at once (else announced), which one is « the »
    call is the visitor's choice: the list of those calls, with their territory, is shown.
    """
    maintenant = timezone.now()
    for etat, appels in (
        ("ouvert", AppelAProjets.objects.ouverts(maintenant)),
        ("a_venir", AppelAProjets.objects.filter(ouverture__gt=maintenant)),
    ):
        nombre = appels.count()
        if nombre > 1:
            return redirect(f"{reverse('appels:liste')}?{urlencode({'etat': etat})}")
        if nombre == 1:
            break
    return _afficher(request, _avec_contrat(AppelAProjets.objects).courant(maintenant))


@login_not_required
@require_GET
def liste(request):
    """Every call, with its territory and contract: open ones first; paginated, searchable."""
    maintenant = timezone.now()
    texte = request.GET.get("q", "").strip()[:100]
    etat = request.GET.get("etat", "")
    etat = etat if etat in ETATS else ""
    appels = _avec_contrat(AppelAProjets.objects).annotate(rang=Case(
        When(ouverture__lte=maintenant, cloture__gt=maintenant, then=Value(RANGS["ouvert"])),
        When(ouverture__gt=maintenant, then=Value(RANGS["a_venir"])),
        default=Value(RANGS["clos"]),
    ))
    if etat:
        appels = appels.filter(rang=RANGS[etat])
    if texte:
        appels = appels.filter(
            Q(contrat__territoire__nom__icontains=texte) | Q(contrat__nom__icontains=texte)
            | Q(contrat__code__icontains=texte) | Q(titre__icontains=texte)
        )
    appels = appels.order_by("rang", "contrat__territoire__nom", "-annee", "contrat__code")
    page = Paginator(appels, APPELS_PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "appels/liste.html", {
        "page": page, "texte": texte, "etat": etat, "etats": ETATS,
        "parametres": urlencode({k: v for k, v in (("q", texte), ("etat", etat)) if v}),
    })


@login_not_required
@require_GET
def detail(request, pk):
    appel = get_object_or_404(_avec_contrat(AppelAProjets.objects), pk=pk)
    return _afficher(request, appel)


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
