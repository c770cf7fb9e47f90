"""Public catalogue of the référentiel (no login): contracts, trees, search, objectives, JSON."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from . import selectors
from .models import Contrat, Objectif


def _contrat_ou_404(code=None):
    try:
        return selectors.contrat_par_code(code)
    except Contrat.DoesNotExist:
        if code is None:
            return None
        raise Http404(f"Aucun contrat de ville n'a le code « {code[:60]} ».") from None


def _page_arbre(request, contrat, plusieurs):
    requete = request.GET.get("q", "").strip()
    recherche = selectors.rechercher(contrat, requete) if requete and contrat else None
    if recherche:
        for r in recherche.resultats:
            r.extrait = selectors.surligner(r.texte, recherche.termes)
            r.code_surligne = (
                selectors.surligner(r.code, recherche.termes) if recherche.par_code else r.code
            )
    return render(
        request,
        "referentiel/index.html",
        {
            "contrat": contrat,
            "plusieurs_contrats": plusieurs,
            "piliers": selectors.piliers_avec_arbre(contrat) if contrat and not recherche else [],
            "quartiers": contrat.quartiers.all() if contrat and not recherche else [],
            "requete": requete,
            "recherche": recherche,
        },
    )


@login_not_required
@require_GET
def index(request):
    """One contract: its tree, as the portal always showed it. Several: the list of contracts."""
    # Read once: the list shown is the list counted (a portal holds tens of contracts at most).
    contrats = list(selectors.contrats_du_catalogue())
    if len(contrats) > 1:
        if request.GET.get("q"):
            defaut = _contrat_ou_404()
            return redirect(f"{defaut.get_absolute_url()}?{request.GET.urlencode()}")
        return render(request, "referentiel/contrats.html", {"contrats": contrats})
    return _page_arbre(request, contrats[0] if contrats else None, plusieurs=False)


@login_not_required
@require_GET
def contrat(request, contrat):
    obj = _contrat_ou_404(contrat)
    return _page_arbre(request, obj, plusieurs=Contrat.objects.count() > 1)


@login_not_required
@require_GET
def objectif(request, contrat, code):
    obj_contrat = _contrat_ou_404(contrat)
    try:
        obj = selectors.objectif_detaille(obj_contrat, code)
    except Objectif.DoesNotExist:
        raise Http404(
            f"Aucun objectif opérationnel n'a le code « {code[:20]} » dans ce contrat."
        ) from None
    return render(
        request,
        "referentiel/objectif.html",
        {
            "objectif": obj,
            "contrat": obj_contrat,
            "plusieurs_contrats": Contrat.objects.count() > 1,
        },
    )


@login_not_required
@require_GET
def objectif_par_defaut(request, code):
    """Links made when the portal held one contract lead to that contract's objective."""
    defaut = _contrat_ou_404()
    if defaut is None:
        raise Http404("Le référentiel n'est pas encore chargé.")
    return redirect("referentiel:objectif", defaut.code, code, permanent=True)


def _json(contrat):
    contenu = json.dumps(selectors.referentiel_en_dict(contrat), ensure_ascii=False, indent=2)
    reponse = HttpResponse(contenu, content_type="application/json; charset=utf-8")
    reponse["Access-Control-Allow-Origin"] = "*"
    return reponse


@login_not_required
@require_GET
def referentiel_json(request):
    """The default contract's tree (the address the single-contract portal published)."""
    return _json(None)


@login_not_required
@require_GET
def contrat_json(request, contrat):
    return _json(_contrat_ou_404(contrat))
