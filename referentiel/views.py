"""Public catalogue of the référentiel (no login): tree, search, objective pages, JSON."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .models import Objectif, QuartierPrioritaire


@login_not_required
@require_GET
def index(request):
    requete = request.GET.get("q", "").strip()
    recherche = selectors.rechercher(requete) if requete else None
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
            "piliers": selectors.piliers_avec_arbre() if not recherche else [],
            "quartiers": QuartierPrioritaire.objects.all() if not recherche else [],
            "requete": requete,
            "recherche": recherche,
        },
    )


@login_not_required
@require_GET
def objectif(request, code):
    try:
        obj = selectors.objectif_detaille(code)
    except Objectif.DoesNotExist:
        raise Http404(f"Aucun objectif opérationnel n'a le code « {code[:20]} ».") from None
    return render(request, "referentiel/objectif.html", {"objectif": obj})


@login_not_required
@require_GET
def referentiel_json(request):
    contenu = json.dumps(selectors.referentiel_en_dict(), ensure_ascii=False, indent=2)
    reponse = HttpResponse(contenu, content_type="application/json; charset=utf-8")
    reponse["Access-Control-Allow-Origin"] = "*"
    return reponse
