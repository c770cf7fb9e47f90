"""Exports of a call built in the background: progress page, its state as JSON, the file;
the decision letters of a call in bulk."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from candidatures.models import AppelAProjets
from evaluation import generations
from evaluation.models import GenerationExport

from .. import taches
from ..permissions import peut_exporter, peut_voir_file
from .commun import _appel


def _generation(request, pk):
    """The export if it belongs to a call of the user's contracts and they may export it."""
    if not peut_voir_file(request.user):
        raise Http404
    generation = get_object_or_404(
        GenerationExport.objects.filter(
            appel__in=AppelAProjets.objects.pour_le_personnel(request.user)
        ).select_related("appel"),
        pk=pk,
    )
    if not peut_exporter(request.user, generation.appel):
        raise Http404
    return generation


@require_GET
def export(request, pk):
    """Progress of an export; the page polls (or is refreshed) until the file is ready."""
    generation = _generation(request, pk)
    return render(
        request, "evaluation/export.html",
        {"generation": generation, "nom": taches.nom_telechargement(generation)},
    )


@require_GET
def export_etat(request, pk):
    generation = _generation(request, pk)
    return generations.reponse_etat(
        generation, reverse("evaluation:export_fichier", args=[generation.pk])
    )


@require_GET
def export_fichier(request, pk):
    generation = _generation(request, pk)
    if not generation.est_terminee:
        return redirect("evaluation:export", generation.pk)
    return FileResponse(
        generation.fichier.open("rb"), as_attachment=True,
        filename=taches.nom_telechargement(generation),
        content_type=taches.TYPES_CONTENU[generation.nature],
    )


@require_GET
def export_lettres(request, appel_pk):
    """The decision letters of the call in one ZIP archive, always built in the background
    (each letter is a PDF rendered once, then kept)."""
    appel = _appel(request, appel_pk)
    if not peut_exporter(request.user, appel):
        raise Http404
    if not taches.decisions_de(appel).exists():
        messages.info(request, "Aucune décision n'a encore été prise sur cet appel : il n'y a "
                               "pas de lettre à télécharger.")
        return redirect("evaluation:file", appel.pk)
    generation = taches.demander_export(
        appel=appel, nature=taches.Nature.LETTRES, par=request.user,
        empreinte=taches.empreinte_lettres(appel),
    )
    return redirect("evaluation:export", generation.pk)
