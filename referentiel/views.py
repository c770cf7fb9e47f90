"""Public catalogue of the référentiel (no login): contracts, trees, search, objectives, JSON."""

import json

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import fragments, selectors
from .models import Contrat, Objectif


def _contrat_ou_404(code=None):
    try:
        return selectors.contrat_par_code(code)
    except Contrat.DoesNotExist:
        if code is None:
            return None
        raise Http404(f"Aucun contrat de ville n'a le code « {code[:60]} ».") from None


def _contexte_arbre(contrat, plusieurs, requete="", recherche=None):
    return {
        "contrat": contrat,
        "plusieurs_contrats": plusieurs,
        "titre_contrat": contrat.nom if plusieurs and contrat else "",
        "piliers": selectors.piliers_avec_arbre(contrat) if contrat and not recherche else [],
        "quartiers": contrat.quartiers.all() if contrat and not recherche else [],
        "requete": requete,
        "recherche": recherche,
    }


def _arbre_garde(request, contrat, plusieurs):
    """The title and the rendered tree of ``contrat`` (search form included), built once per
    version of the référentiel: ``(titre, html)``."""
    contexte = _contexte_arbre(contrat, plusieurs)
    return contexte["titre_contrat"], render_to_string(
        "referentiel/_arbre.html", contexte, request=request
    )


def _page_arbre(request, contrat, plusieurs, garde=None):
    """A tree page; ``garde`` the kept ``(titre, html)`` of the tree when there is no search."""
    requete = request.GET.get("q", "").strip()
    recherche = selectors.rechercher(contrat, requete) if requete and contrat else None
    if recherche:
        for r in recherche.resultats:
            r.extrait = selectors.surligner(r.texte, recherche.termes)
            r.code_surligne = (
                selectors.surligner(r.code, recherche.termes) if recherche.par_code else r.code
            )
    if recherche is None:
        titre, corps = garde or _arbre_garde(request, contrat, plusieurs)
        return render(request, "referentiel/index.html", {"titre_contrat": titre, "corps": corps})
    return render(
        request, "referentiel/index.html", _contexte_arbre(contrat, plusieurs, requete, recherche)
    )


def _catalogue(request):
    """What /referentiel/ shows without a search: the list of contracts if there are several,
    else the tree of the only one; ``(nombre de contrats, titre, html)``."""
    # Read once: the list shown is the list counted (a portal holds tens of contracts at most).
    contrats = list(selectors.contrats_du_catalogue())
    if len(contrats) > 1:
        html = render_to_string(
            "referentiel/_contrats.html", {"contrats": contrats}, request=request
        )
        return len(contrats), "", html
    return (len(contrats), *_arbre_garde(request, contrats[0] if contrats else None, False))


@login_not_required
@require_GET
def index(request):
    """One contract: its tree, as the portal always showed it. Several: the list of contracts.

    Without a search, the page's content is kept under the référentiel's version (no query);
    for a visitor who is not signed in, the whole page (nothing in it is theirs)."""
    if request.GET.get("q"):
        contrats = list(selectors.contrats_du_catalogue())
        if len(contrats) > 1:
            defaut = _contrat_ou_404()
            return redirect(f"{defaut.get_absolute_url()}?{request.GET.urlencode()}")
        return _page_arbre(request, contrats[0] if contrats else None, plusieurs=False)
    if request.user.is_authenticated or fragments.messages_en_attente(request):
        return _index(request)
    # Kept under the référentiel's version (in the key ``garder`` builds), the links' prefix
    # and the day; not the query string, which this page ignores (no key per address typed).
    cle = f"catalogue-anonyme:{get_script_prefix()}:{timezone.localdate()}"
    return HttpResponse(fragments.garder(cle, lambda: _index(request).content.decode()))


def _index(request):
    nombre, titre, corps = fragments.garder("catalogue", lambda: _catalogue(request))
    if nombre > 1:
        return render(request, "referentiel/contrats.html", {"corps": corps})
    return render(request, "referentiel/index.html", {"titre_contrat": titre, "corps": corps})


@login_not_required
@require_GET
def contrat(request, contrat):
    if request.GET.get("q"):
        obj = _contrat_ou_404(contrat)
        return _page_arbre(request, obj, plusieurs=Contrat.objects.count() > 1)
    # Only an existing contract's tree is kept (a mistyped code fills no cache).
    garde = fragments.garder(f"arbre:{contrat}", lambda: _arbre_du_code(request, contrat))
    if garde is None:
        _contrat_ou_404(contrat)
    return _page_arbre(request, None, None, garde=garde)


def _arbre_du_code(request, code):
    try:
        obj = selectors.contrat_par_code(code)
    except Contrat.DoesNotExist:
        return None
    return _arbre_garde(request, obj, Contrat.objects.count() > 1)


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
