"""The summary page of a dossier, and the one check of who may see a dossier at all."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from ...models import AppelAProjets, Dossier
from .. import selectors as selecteurs
from ..permissions import (
    peut_deposer_dossier,
    peut_modifier_dossier,
    peut_renouveler_dossier,
    peut_retirer_dossier,
)


def _dossier_visible(request, pk):
    """The dossier if the user may see it; a 404 otherwise, whether it exists or not."""
    return get_object_or_404(
        Dossier.objects.visibles_par(request.user).select_related(
            "structure", "appel", "action_principale__objectif", "modifie_par"
        ),
        pk=pk,
    )


MODIFICATIONS_AFFICHEES = 50


@require_GET
def detail(request, pk):
    dossier = _dossier_visible(request, pk)
    historique = dossier.historique.select_related("par")
    return render(
        request,
        "dossiers/detail.html",
        {
            **selecteurs.resume_dossier(dossier),
            "historique": historique,
            "modifications": dossier.modifications.select_related("par").order_by("-le", "-pk")[
                :MODIFICATIONS_AFFICHEES
            ],
            "manques": selecteurs.manques(dossier) if dossier.sections_modifiables() else {},
            "etape": selecteurs.prochaine_etape(dossier),
            "demande": dossier.demande_ouverte(),
            "peut_modifier": peut_modifier_dossier(request.user, dossier),
            "peut_deposer": peut_deposer_dossier(request.user, dossier),
            "peut_retirer": peut_retirer_dossier(request.user, dossier),
            "peut_renouveler": peut_renouveler_dossier(request.user, dossier)
            and AppelAProjets.objects.ouverts().exclude(pk=dossier.appel_id).exists(),
        },
    )
