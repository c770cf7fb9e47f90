"""The summary page of a dossier, and the one check of who may see a dossier at all."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ...models import AppelAProjets, Dossier
from .. import selectors as selecteurs
from ..permissions import (
    peut_deposer_dossier,
    peut_modifier_dossier,
    peut_renouveler_dossier,
    peut_retirer_dossier,
)
from ..services import fichiers_pdf


def _dossier_visible(request, pk):
    """The dossier if the user may see it; a 404 otherwise, whether it exists or not."""
    return get_object_or_404(
        Dossier.objects.visibles_par(request.user).select_related(
            "structure", "appel", "action_principale__objectif", "modifie_par"
        ),
        pk=pk,
    )


def etat_des_pdf(request, dossier):
    """What the « Documents PDF » block shows: each kept PDF, ready or being prepared."""
    recepisse = fichiers_pdf.recepisse_actuel(dossier) if dossier.depose_le else None
    pdf_dossier = fichiers_pdf.pdf_actuel(dossier)
    maintenant = timezone.now()
    return {
        "dossier": dossier,
        "recepisse": recepisse,
        "recepisse_en_retard": bool(
            dossier.depose_le
            and (recepisse is None or fichiers_pdf.en_retard(recepisse, maintenant))
        ),
        "pdf_dossier": pdf_dossier,
        "pdf_en_retard": bool(pdf_dossier and fichiers_pdf.en_retard(pdf_dossier, maintenant)),
        "en_preparation": any(p is not None and not p.est_pret for p in (recepisse, pdf_dossier)),
        "du_porteur": dossier.structure.membres.filter(utilisateur=request.user).exists(),
    }


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
            **etat_des_pdf(request, dossier),
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
