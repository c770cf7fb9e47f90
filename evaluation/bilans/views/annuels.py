"""The annual bilans: dashboard and files of a scope, a structure's own bilan, a call's settings."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from candidatures.commun.erreurs import SaisieInvalide
from candidatures.models import AppelAProjets, Dossier, Structure
from evaluation.models import GenerationBilan

from .. import graphiques, selectors, taches
from ..agregats import Perimetre, agreger
from ..forms import FiltreBilansForm, ParametresBilanForm
from ..permissions import (
    peut_parametrer_bilans,
    peut_voir_bilan_structure,
    peut_voir_bilans_annuels,
)
from ..services import parametres as services_bilans_parametres
from .commun import TYPES_CONTENU, _nom_fichier

STRUCTURES_AFFICHEES = 100


# --- Annual bilans ----------------------------------------------------------------------------


def _exiger_annuels(request):
    if not peut_voir_bilans_annuels(request.user):
        raise Http404


def _perimetre(request):
    """The scope the filters ask for (the latest call by default), and the filter form."""
    form = FiltreBilansForm(request.GET or None)
    derniere = AppelAProjets.objects.order_by("-annee").first()
    if derniere is None:
        return None, form
    contrat_id = derniere.contrat_id
    if request.GET and form.is_valid():
        donnees = form.cleaned_data
        return Perimetre(
            contrat_id=contrat_id,
            annee_debut=donnees["annee_debut"],
            annee_fin=donnees["annee_fin"],
            pilier_id=donnees["pilier"].pk if donnees["pilier"] else None,
            quartier_id=donnees["quartier"].pk if donnees["quartier"] else None,
            inclure_deposes=donnees["inclure_deposes"],
        ), form
    if request.GET:
        return None, form
    form = FiltreBilansForm(initial={"annee_debut": derniere.annee, "annee_fin": derniere.annee})
    return Perimetre.pour_appel(derniere), form


@require_GET
def tableau_de_bord(request):
    """The annual figures with their charts; every chart has its table beside it."""
    _exiger_annuels(request)
    perimetre, form = _perimetre(request)
    contexte = {"form": form, "bilan": None}
    if perimetre is not None:
        bilan = agreger(perimetre)
        contexte.update({
            "bilan": bilan,
            "peut_parametrer": peut_parametrer_bilans(request.user),
            "graphiques": graphiques.graphiques_du_bilan(bilan),
            "objectifs": [o for o in bilan.objectifs if o.chiffres.deposes],
            "actions": [a for a in bilan.actions if a.chiffres.deposes],
            "financeurs": [
                f for f in bilan.financeurs if f.demande or f.prevu_bilans or f.realise_bilans
            ],
            "structures": bilan.structures[:STRUCTURES_AFFICHEES],
            "structures_tronquees": len(bilan.structures) > STRUCTURES_AFFICHEES,
            "parametres": request.GET.urlencode() if request.GET else _parametres(perimetre),
        })
    return render(request, "bilans/tableau_de_bord.html", contexte)


def _parametres(perimetre):
    return urlencode({
        "annee_debut": perimetre.annee_debut, "annee_fin": perimetre.annee_fin,
        **({"pilier": perimetre.pilier_id} if perimetre.pilier_id else {}),
        **({"quartier": perimetre.quartier_id} if perimetre.quartier_id else {}),
        **({"inclure_deposes": "on"} if perimetre.inclure_deposes else {}),
    })


def _servir(perimetre, format, demandeur, structure=None):
    """The file now when small; above the threshold, a kept or background-built file."""
    seuil = getattr(settings, "BILANS_SEUIL_ARRIERE_PLAN", 300)
    if perimetre.dossiers().count() <= seuil:
        contenu = taches.construire(perimetre, format)
        reponse = HttpResponse(contenu, content_type=TYPES_CONTENU[format])
        reponse["Content-Disposition"] = (
            f'attachment; filename="{_nom_fichier(perimetre, format, structure)}"'
        )
        return reponse
    generation = taches.demander_generation(perimetre=perimetre, format=format, par=demandeur)
    if generation.etat == GenerationBilan.Etat.TERMINEE:
        return redirect("bilans:generation_fichier", generation.pk)
    return redirect("bilans:generation", generation.pk)


@require_GET
def telecharger(request, format):
    """The annual bilan as PDF or XLSX, for the scope of the filters."""
    _exiger_annuels(request)
    perimetre, _form = _perimetre(request)
    if perimetre is None:
        raise Http404
    return _servir(perimetre, format, request.user)


@require_GET
def structure_pdf(request, structure_pk):
    """A structure's own bilan: its dossiers of the chosen years, validated bilans."""
    structure = get_object_or_404(Structure.objects.visibles_par(request.user), pk=structure_pk)
    if not peut_voir_bilan_structure(request.user, structure):
        raise Http404
    appels = list(
        Dossier.objects.filter(structure=structure, depose_le__isnull=False)
        .values_list("appel__contrat_id", "appel__annee")
        .distinct()
        .order_by("appel__annee")
    )
    if not appels:
        raise Http404
    annee = request.GET.get("annee", "")
    debut = fin = int(annee) if annee.isdigit() else None
    perimetre = Perimetre(
        contrat_id=appels[-1][0], annee_debut=debut or appels[0][1],
        annee_fin=fin or appels[-1][1], structure_id=structure.pk,
    )
    return _servir(perimetre, "pdf", request.user, structure=structure)


# --- Settings of a call -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def parametres(request, appel_pk):
    """Administrators set the gap threshold of a call's comptes rendus."""
    if not peut_parametrer_bilans(request.user):
        raise Http404
    appel = get_object_or_404(AppelAProjets, pk=appel_pk)
    seuil = selectors.seuil_ecart(appel)
    form = ParametresBilanForm(request.POST or None, initial={"seuil_ecart": seuil})
    if request.method == "POST" and form.is_valid():
        try:
            services_bilans_parametres.definir_seuil_ecart(
                appel=appel, seuil=form.cleaned_data["seuil_ecart"], par=request.user
            )
        except SaisieInvalide as erreur:
            form.add_error("seuil_ecart", erreur.erreurs["seuil_ecart"])
        else:
            messages.success(
                request, f"Seuil enregistré : au-delà de {form.cleaned_data['seuil_ecart']} %, "
                "un écart du compte rendu financier doit être expliqué."
            )
            return redirect("bilans:tableau_de_bord")
    return render(request, "bilans/parametres.html", {"appel": appel, "form": form})

