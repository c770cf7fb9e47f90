"""The envelope per pilier of a call, set by the administrators of its contract."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from candidatures.commun.erreurs import ErreurMetier
from candidatures.models import EnveloppePilier
from referentiel.models import Pilier

from ..forms import EnveloppesForm
from ..permissions import peut_gerer_enveloppes
from ..services import enveloppes as services_enveloppes
from .commun import _appel, _refuser_si


@require_http_methods(["GET", "POST"])
def enveloppes(request, appel_pk):
    """One amount per pilier of the call's contract (the programmation compares with them)."""
    appel = _appel(request, appel_pk)
    _refuser_si(
        not peut_gerer_enveloppes(request.user, appel),
        "Seuls les administrateurs du contrat de ville fixent les enveloppes.",
    )
    piliers = list(Pilier.objects.filter(contrat_id=appel.contrat_id).order_by("ordre", "code"))
    initiales = dict(
        EnveloppePilier.objects.filter(appel=appel).values_list("pilier_id", "montant")
    )
    form = EnveloppesForm(request.POST or None, piliers=piliers, initiales=initiales)
    if request.method == "POST" and form.is_valid():
        try:
            services_enveloppes.definir_enveloppes(
                appel=appel, montants=form.montants(), par=request.user
            )
        except ErreurMetier as erreur:
            form.add_error(None, str(erreur))
        else:
            messages.success(request, "Les enveloppes par pilier sont enregistrées.")
            return redirect("evaluation:programmation", appel.pk)
    return render(request, "evaluation/enveloppes.html", {"appel": appel, "form": form})
