"""The annual bilans of one contract: dashboard and files of a scope, the multi-year view,
a structure's own bilan, a call's settings."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from candidatures.commun.erreurs import SaisieInvalide
from candidatures.commun.formulaires import lire_entier
from candidatures.comptes.selectors import libelle_contrat, rechercher_contrats, trouver
from candidatures.models import AppelAProjets, Dossier, Structure
from candidatures.structures.permissions import est_membre
from evaluation.models import GenerationBilan
from referentiel.models import Contrat

from .. import graphiques, selectors, taches
from ..agregats import Perimetre, agreger_pluriannuel, bilan_annuel
from ..forms import FiltreBilansForm, ParametresBilanForm
from ..permissions import (
    peut_parametrer_bilans,
    peut_voir_bilan_structure,
    peut_voir_bilans_annuels,
)
from ..services import parametres as services_bilans_parametres

STRUCTURES_AFFICHEES = 100
# Up to this many, the user's contracts are written into the page (no script needed).
CONTRATS_DANS_LA_PAGE = 30


# --- Annual bilans ----------------------------------------------------------------------------


def _exiger_annuels(request):
    if not peut_voir_bilans_annuels(request.user):
        raise Http404


def _contrats_permis(user):
    """The contracts whose annual bilans ``user`` reads: those it holds a staff role on."""
    contrats = Contrat.objects.select_related("territoire", "generation")
    ids = user.contrats_ids()
    return contrats if ids is None else contrats.filter(pk__in=ids)


def _contrat_demande(request):
    """The contract of the page and the text typed for it.

    Named by ``?contrat=`` (code, else exact name): a 404 if the user holds no staff role on
    it, None if no contract has that code or name (the form says so). Otherwise the contract
    of the latest call among the user's contracts.
    """
    texte = request.GET.get("contrat", "").strip()
    if texte:
        contrat = trouver(Contrat.objects.select_related("territoire", "generation"), texte)
        if contrat is not None and not request.user.est_personnel_de(contrat.pk):
            raise Http404
        return contrat, texte
    permis = _contrats_permis(request.user)
    derniere = (
        AppelAProjets.objects.filter(contrat__in=permis)
        .select_related("contrat__territoire", "contrat__generation")
        .order_by("-annee", "contrat__territoire__nom", "contrat__code")
        .first()
    )
    contrat = derniere.contrat if derniere else permis.order_by("territoire__nom", "code").first()
    return contrat, ""


def _perimetre_demande(request, *, toutes_les_annees=False):
    """The scope the filters ask for, and the filter form; a None scope when it is invalid.

    Without years, the latest call of the contract (every call with ``toutes_les_annees``).
    """
    contrat, texte = _contrat_demande(request)
    if contrat is None and not texte:
        return None, FiltreBilansForm(contrat=None)
    ids_appels = dict(
        AppelAProjets.objects.filter(contrat=contrat).order_by("annee").values_list(
            "annee", "pk"
        )
    ) if contrat else {}
    appels = list(ids_appels)
    if "annee_debut" in request.GET or "annee_fin" in request.GET or contrat is None:
        donnees = request.GET.copy()
        if not texte:
            donnees["contrat"] = contrat.code if contrat else ""
        form = FiltreBilansForm(donnees, contrat=contrat, annees=appels)
        if not form.is_valid():
            return None, form
        d = form.cleaned_data
        return Perimetre(
            contrat_id=contrat.pk, annee_debut=d["annee_debut"], annee_fin=d["annee_fin"],
            pilier_id=d["pilier"].pk if d["pilier"] else None,
            quartier_id=d["quartier"].pk if d["quartier"] else None,
            inclure_deposes=d["inclure_deposes"],
        ), form
    if not appels:
        form = FiltreBilansForm(initial={"contrat": contrat.code}, contrat=contrat, annees=[])
        return None, form
    fin = appels[-1] if toutes_les_annees else _derniere_annee_chiffree(ids_appels)
    debut = appels[0] if toutes_les_annees else fin
    form = FiltreBilansForm(
        initial={"contrat": contrat.code, "annee_debut": debut, "annee_fin": fin},
        contrat=contrat, annees=appels,
    )
    return Perimetre(contrat_id=contrat.pk, annee_debut=debut, annee_fin=fin), form


def _derniere_annee_chiffree(ids_appels):
    """The latest year whose call received a dossier; the latest call when none did."""
    derniere = (
        Dossier.objects.filter(appel_id__in=list(ids_appels.values()), depose_le__isnull=False)
        .order_by("-appel__annee").values_list("appel__annee", flat=True).first()
    )
    return derniere or max(ids_appels)


def _contexte_filtres(request, form):
    """What the filter form needs besides itself: the contracts proposed as one types."""
    ids = request.user.contrats_ids()
    proposes = [] if ids is None else [
        (c.code, libelle_contrat(c))
        for c in _contrats_permis(request.user).order_by("territoire__nom", "-annee_debut")[
            :CONTRATS_DANS_LA_PAGE
        ]
    ]
    return {"form": form, "contrats_proposes": proposes}


@require_GET
def contrats(request):
    """The user's contracts matching what is typed, for the contract field (JSON)."""
    _exiger_annuels(request)
    return JsonResponse({"resultats": [
        {"valeur": c.code, "libelle": libelle_contrat(c)}
        for c in rechercher_contrats(_contrats_permis(request.user), request.GET.get("q", ""))
    ]})


@require_GET
def tableau_de_bord(request):
    """The annual figures with their charts; every chart has its table beside it."""
    _exiger_annuels(request)
    perimetre, form = _perimetre_demande(request)
    contexte = {**_contexte_filtres(request, form), "bilan": None}
    if perimetre is not None:
        bilan = bilan_annuel(perimetre)
        contexte.update({
            "bilan": bilan,
            "peut_parametrer": request.user.est_administrateur_de(perimetre.contrat_id),
            "peut_preparer": request.user.est_comite_de(perimetre.contrat_id),
            "graphiques": graphiques.graphiques_du_bilan(bilan),
            "objectifs": [o for o in bilan.objectifs if o.chiffres.deposes],
            "actions": [a for a in bilan.actions if a.chiffres.deposes],
            "financeurs": [
                f for f in bilan.financeurs if f.demande or f.prevu_bilans or f.realise_bilans
            ],
            "structures": bilan.structures[:STRUCTURES_AFFICHEES],
            "structures_tronquees": len(bilan.structures) > STRUCTURES_AFFICHEES,
            "parametres": _parametres(perimetre, form),
        })
    return render(request, "bilans/tableau_de_bord.html", contexte)


def _parametres(perimetre, form):
    return urlencode({
        "contrat": form.contrat_choisi.code,
        "annee_debut": perimetre.annee_debut, "annee_fin": perimetre.annee_fin,
        **({"pilier": perimetre.pilier_id} if perimetre.pilier_id else {}),
        **({"quartier": perimetre.quartier_id} if perimetre.quartier_id else {}),
        **({"inclure_deposes": "on"} if perimetre.inclure_deposes else {}),
    })


def _en_arriere_plan(perimetre, format, demandeur):
    """Never built in the request: the kept file of unchanged data, else the progress page
    of its build by the worker."""
    generation = taches.demander_generation(perimetre=perimetre, format=format, par=demandeur)
    if generation.etat == GenerationBilan.Etat.TERMINEE:
        return redirect("bilans:generation_fichier", generation.pk)
    return redirect("bilans:generation", generation.pk)


@require_GET
def telecharger(request, format):
    """The annual bilan as PDF or XLSX, for the scope of the filters."""
    _exiger_annuels(request)
    perimetre, _form = _perimetre_demande(request)
    if perimetre is None:
        raise Http404
    return _en_arriere_plan(perimetre, format, request.user)


# --- Multi-year view --------------------------------------------------------------------------


@require_GET
def pluriannuel(request):
    """Each year of one contract side by side: forecast and achieved per objective."""
    _exiger_annuels(request)
    perimetre, form = _perimetre_demande(request, toutes_les_annees=True)
    contexte = {**_contexte_filtres(request, form), "bilan": None}
    if perimetre is not None:
        contexte.update({
            "bilan": agreger_pluriannuel(perimetre),
            "parametres": _parametres(perimetre, form),
        })
    return render(request, "bilans/pluriannuel.html", contexte)


@require_GET
def pluriannuel_xlsx(request):
    """The multi-year workbook: always built in the background, then kept."""
    _exiger_annuels(request)
    perimetre, _form = _perimetre_demande(request, toutes_les_annees=True)
    if perimetre is None:
        raise Http404
    return _en_arriere_plan(perimetre, GenerationBilan.Format.XLSX, request.user)


# --- A structure's own bilan ------------------------------------------------------------------


@require_GET
def structure_pdf(request, structure_pk):
    """A structure's own bilan: its dossiers of one contract, of the chosen years.

    Its members choose among every contract it applied to; staff among theirs only.
    """
    structure = get_object_or_404(Structure.objects.visibles_par(request.user), pk=structure_pk)
    if not peut_voir_bilan_structure(request.user, structure):
        raise Http404
    dossiers = Dossier.objects.filter(structure=structure, depose_le__isnull=False)
    ids = None if est_membre(request.user, structure) else request.user.contrats_ids()
    if ids is not None:
        dossiers = dossiers.filter(appel__contrat_id__in=ids)
    code = request.GET.get("contrat", "")
    if code:
        dossiers = dossiers.filter(appel__contrat__code=code)
    appels = list(
        dossiers.values_list("appel__contrat_id", "appel__annee")
        .distinct()
        .order_by("appel__annee", "appel__contrat_id")
    )
    if not appels:
        raise Http404
    contrat_id = appels[-1][0]
    annees = [annee for cid, annee in appels if cid == contrat_id]
    debut = fin = lire_entier(request.GET.get("annee", ""))
    perimetre = Perimetre(
        contrat_id=contrat_id, annee_debut=debut or annees[0], annee_fin=fin or annees[-1],
        structure_id=structure.pk,
    )
    return _en_arriere_plan(perimetre, GenerationBilan.Format.PDF, request.user)


# --- Settings of a call -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def parametres(request, appel_pk):
    """Administrators set the gap threshold of a call's comptes rendus."""
    appel = get_object_or_404(AppelAProjets.objects.select_related("contrat"), pk=appel_pk)
    if not (
        peut_parametrer_bilans(request.user)
        and request.user.est_administrateur_de(appel.contrat_id)
    ):
        raise Http404
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
            url = reverse("bilans:tableau_de_bord")
            return redirect(f"{url}?{urlencode({'contrat': appel.contrat.code})}")
    return render(request, "bilans/parametres.html", {"appel": appel, "form": form})

