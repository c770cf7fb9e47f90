"""Print, PDFs (kept, built by the worker) and attachments of a dossier, and the fiche-action
data the form asks for."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from referentiel.models import Action, Contrat

from ...commun.erreurs import ErreurMetier
from ...models import PieceJointe
from .. import selectors as selecteurs
from ..services import fichiers_pdf
from ..services.eligibilite import action_eligible
from .detail import _dossier_visible, etat_des_pdf


@require_GET
def apercu(request, pk):
    """The whole dossier on one printable page."""
    dossier = _dossier_visible(request, pk)
    return render(request, "dossiers/apercu.html", selecteurs.resume_dossier(dossier))


def _servir(pdf):
    return FileResponse(
        pdf.fichier.open("rb"), as_attachment=True, filename=fichiers_pdf.nom_du_fichier(pdf),
        content_type="application/pdf",
    )


def _vers_les_pdf(dossier):
    return redirect(reverse("dossiers:detail", args=[dossier.pk]) + "#fichiers-dossier")


@require_http_methods(["GET", "POST"])
def pdf(request, pk):
    """The dossier as PDF at its current version: the kept file (GET), or ask the worker for it
    (POST). No PDF is ever rendered in the request."""
    dossier = _dossier_visible(request, pk)
    if request.method == "POST":
        demande = fichiers_pdf.demander_pdf_dossier(dossier)
        if not demande.est_pret:
            messages.info(
                request,
                "Le PDF du dossier est en cours de préparation : il vous sera proposé sur cette "
                "page dès qu'il sera prêt.",
            )
        return _vers_les_pdf(dossier)
    existant = fichiers_pdf.pdf_actuel(dossier)
    if existant is not None and existant.est_pret:
        return _servir(existant)
    messages.info(
        request,
        "Le PDF de la version actuelle du dossier n'est pas encore prêt : "
        "demandez-le avec le bouton « Préparer le PDF du dossier »."
        if existant is None
        else "Le PDF du dossier est en cours de préparation : il vous sera proposé sur cette "
        "page dès qu'il sera prêt.",
    )
    return _vers_les_pdf(dossier)


@require_GET
def recepisse(request, pk):
    """The récépissé of the latest submission, as the worker kept it."""
    dossier = _dossier_visible(request, pk)
    if dossier.depose_le is None:
        raise Http404("Ce dossier n'a pas été déposé : il n'a pas de récépissé.")
    existant = fichiers_pdf.recepisse_actuel(dossier)
    if existant is not None and existant.est_pret:
        return _servir(existant)
    messages.info(
        request,
        "Le récépissé de ce dossier n'a pas encore été préparé : demandez-le avec le bouton "
        "« Préparer le récépissé »."
        if existant is None
        else "Le récépissé est en cours de préparation : il vous sera proposé sur cette page dès "
        "qu'il sera prêt.",
    )
    return _vers_les_pdf(dossier)


@require_POST
def redemander_recepisse(request, pk):
    """Ask the worker for the récépissé again (it was never built: the worker was down)."""
    dossier = _dossier_visible(request, pk)
    if dossier.depose_le is None:
        raise Http404("Ce dossier n'a pas été déposé : il n'a pas de récépissé.")
    demande = fichiers_pdf.redemander_recepisse(dossier)
    if not demande.est_pret:
        messages.info(
            request,
            "La préparation du récépissé est relancée : il vous sera proposé sur cette page dès "
            "qu'il sera prêt.",
        )
    return _vers_les_pdf(dossier)


@require_GET
def fichiers(request, pk):
    """The « Documents PDF » block alone: the dossier page asks for it again while a PDF is
    being prepared, and shows the download link as soon as it exists."""
    dossier = _dossier_visible(request, pk)
    return render(request, "dossiers/_fichiers.html", etat_des_pdf(request, dossier))


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
