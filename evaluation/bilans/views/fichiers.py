"""Files built in the background: progress page, its state as JSON, the finished file."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from evaluation import generations
from evaluation.models import GenerationBilan

from .. import taches
from ..permissions import peut_telecharger_generation
from .commun import TYPES_CONTENU, _nom_fichier


def _generation(request, pk):
    generation = get_object_or_404(
        GenerationBilan.objects.select_related("structure"), pk=pk
    )
    if not peut_telecharger_generation(request.user, generation):
        raise Http404
    return generation


@require_GET
def generation(request, pk):
    """Progress of a background file; the page polls (or is refreshed) until it is ready."""
    generation = _generation(request, pk)
    return render(request, "bilans/generation.html", {"generation": generation})


@require_GET
def generation_etat(request, pk):
    generation = _generation(request, pk)
    return generations.reponse_etat(
        generation, reverse("bilans:generation_fichier", args=[generation.pk])
    )


@require_GET
def generation_fichier(request, pk):
    generation = _generation(request, pk)
    if generation.etat != GenerationBilan.Etat.TERMINEE or not generation.fichier:
        return redirect("bilans:generation", generation.pk)
    perimetre = taches.perimetre_de(generation)
    structure = generation.structure if generation.structure_id else None
    return FileResponse(
        generation.fichier.open("rb"), as_attachment=True,
        filename=_nom_fichier(perimetre, generation.format, structure),
        content_type=TYPES_CONTENU[generation.format],
    )

