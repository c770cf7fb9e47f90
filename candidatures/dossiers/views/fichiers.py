"""Print, PDF and attachments of a dossier, and the fiche-action data the form asks for."""

from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from referentiel.models import Action, Contrat

from ...commun.erreurs import ErreurMetier
from ...models import PieceJointe
from .. import selectors as selecteurs
from ..pdf import rendre_dossier_pdf
from ..services.eligibilite import action_eligible
from .detail import _dossier_visible


@require_GET
def apercu(request, pk):
    """The whole dossier on one printable page."""
    dossier = _dossier_visible(request, pk)
    return render(request, "dossiers/apercu.html", selecteurs.resume_dossier(dossier))


@require_GET
def pdf(request, pk):
    """The dossier as PDF, at any time; once submitted, it is the récépissé."""
    dossier = _dossier_visible(request, pk)
    recepisse = dossier.depose_le is not None and request.GET.get("recepisse") == "1"
    contenu = rendre_dossier_pdf(dossier, recepisse=recepisse)
    nom = (
        f"recepisse-{dossier.reference}.pdf"
        if recepisse
        else f"dossier-{dossier.reference or dossier.pk}.pdf"
    )
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


@require_GET
def telecharger_piece(request, pk, piece_pk):
    dossier = _dossier_visible(request, pk)
    piece = get_object_or_404(PieceJointe, pk=piece_pk, dossier=dossier)
    return FileResponse(
        piece.fichier.open("rb"), as_attachment=True, filename=piece.nom_original
    )


@require_GET
def fiche_action(request):
    """JSON for the form: is this code eligible in the call's contract, and what its objective
    asks. ``contrat`` is the code of the call's contract (the default contract if absent)."""
    code_contrat = request.GET.get("contrat", "")[:50]
    contrat = (
        Contrat.objects.filter(code=code_contrat).first()
        if code_contrat
        else Contrat.objects.par_defaut()
    )
    if contrat is None:
        return JsonResponse({"eligible": False, "message": "Ce contrat de ville n'existe pas."})
    try:
        action = action_eligible(request.GET.get("code", ""), contrat)
    except ErreurMetier as erreur:
        return JsonResponse({"eligible": False, "message": str(erreur)})
    objectif = Action.objects.select_related("objectif").get(pk=action.pk).objectif
    objectif = type(objectif).objects.prefetch_related(
        Prefetch("exigences"), Prefetch("indicateurs")
    ).get(pk=objectif.pk)
    return JsonResponse(
        {
            "eligible": True,
            "action": {"code": action.code, "libelle": action.libelle},
            "objectif": {"code": objectif.code, "titre": objectif.titre},
            "exigences": [e.texte for e in objectif.exigences.all()],
            "indicateurs": [
                {
                    "libelle": i.libelle,
                    "ventilation": i.get_ventilation_display(),
                    "nature": i.nature,
                }
                for i in objectif.indicateurs.all()
            ],
        }
    )
