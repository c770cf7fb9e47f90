"""What the bilan pages share: the dossier the user may see, the names and types of the files."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify

from candidatures.models import Dossier
from referentiel.models import Contrat

TYPES_CONTENU = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _dossier(request, pk, predicat):
    """The dossier if the user may see it and ``predicat`` allows the page; a 404 otherwise."""
    dossier = get_object_or_404(
        Dossier.objects.visibles_par(request.user).select_related(
            "structure", "appel", "action_principale__objectif", "decision"
        ),
        pk=pk,
    )
    if not predicat(request.user, dossier):
        raise Http404
    return dossier


def _nom_fichier(perimetre, format, structure=None):
    """The file's name: the contract (its code), the year or period, the structure's SIRET."""
    code = slugify(
        Contrat.objects.filter(pk=perimetre.contrat_id).values_list("code", flat=True).first()
        or ""
    )
    periode = (
        str(perimetre.annee_debut) if perimetre.annee_debut == perimetre.annee_fin
        else f"{perimetre.annee_debut}-{perimetre.annee_fin}"
    )
    if structure is not None:
        return f"bilan-{structure.siret}-{code}-{periode}.{format}"
    return f"bilan-contrat-de-ville-{code}-{periode}.{format}"
