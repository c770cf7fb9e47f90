"""Lists of dossiers: my dossiers by call, and the start of a new draft."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ...commun.erreurs import ErreurMetier
from ...models import AppelAProjets, Dossier
from ...structures.courante import structure_courante
from ...structures.selectors import structures_de
from .. import selectors as selecteurs
from ..forms import NouveauDossierForm
from ..permissions import peut_creer_dossier
from ..services.brouillons import creer_dossier


@require_GET
def mes_dossiers(request):
    """The dossiers of the user's structures, grouped by call, with status, next step and
    deadline (staff find the submitted dossiers of their contracts in the queue)."""
    dossiers = (
        Dossier.objects.de_ses_structures(request.user)
        .select_related("structure", "appel", "action_principale")
        .order_by("-appel__annee", "structure__raison_sociale", "-cree_le")
    )
    appels = {}
    for dossier in dossiers:
        dossier.etape = selecteurs.prochaine_etape(dossier)
        appels.setdefault(dossier.appel, []).append(dossier)
    return render(
        request,
        "dossiers/liste.html",
        {
            "appels": appels.items(),
            "appel_ouvert": AppelAProjets.objects.ouverts().order_by("cloture").first(),
            "peut_creer": structures_de(request.user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def nouveau(request):
    """Start a draft for one of the user's structures on a call that is not closed."""
    structures = structures_de(request.user)
    appels = AppelAProjets.objects.filter(cloture__gt=timezone.now()).order_by("ouverture")
    if not structures.exists():
        messages.error(
            request, "Rattachez-vous d'abord à une structure : c'est elle qui dépose les dossiers."
        )
        return redirect("structures:liste")
    courante = structure_courante(request)
    form = NouveauDossierForm(
        request.POST or None,
        structures=structures,
        appels=appels,
        initial={"structure": courante.pk if courante else None},
    )
    if request.method == "POST" and form.is_valid():
        structure = form.cleaned_data["structure"]
        if not peut_creer_dossier(request.user, structure):
            raise Http404
        try:
            dossier = creer_dossier(
                structure=structure, appel=form.cleaned_data["appel"], par=request.user
            )
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, "Le brouillon est créé : il est enregistré à chaque saisie.")
            return redirect("dossiers:modifier", dossier.pk)
    return render(request, "dossiers/nouveau.html", {"form": form, "appels": appels})
