"""A year's annual bilan as a document: the comité's comment, the partners and the logo."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide
from candidatures.models import AppelAProjets
from evaluation.models import DocumentBilanAnnuel

from ..forms import DocumentBilanForm
from ..permissions import peut_commenter_bilan_annuel, peut_presenter_bilan_annuel
from ..services import document as services_document


def _changements(form, presenter):
    """The fields the user may change, as the service takes them."""
    d = form.cleaned_data
    changements = {"commentaire": d["commentaire"]}
    if presenter:
        changements["partenaires"] = d["partenaires"]
        if d["logo"]:
            changements["logo"] = d["logo"]
        elif d["supprimer_logo"]:
            changements["logo"] = None
    return changements


@require_http_methods(["GET", "POST"])
def document(request, appel_pk):
    """The comité and the administrators of the contract prepare the year's bilan PDF."""
    appel = get_object_or_404(
        AppelAProjets.objects.select_related("contrat__territoire"), pk=appel_pk
    )
    if not peut_commenter_bilan_annuel(request.user, appel):
        raise Http404
    presenter = peut_presenter_bilan_annuel(request.user, appel)
    actuel = DocumentBilanAnnuel.objects.filter(appel=appel).first()
    initial = (
        {"commentaire": actuel.commentaire, "partenaires": actuel.partenaires} if actuel else {}
    )
    form = DocumentBilanForm(
        request.POST or None, request.FILES or None, initial=initial, presenter=presenter
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_document.enregistrer_document(
                appel=appel, par=request.user, **_changements(form, presenter)
            )
        except SaisieInvalide as erreur:
            for champ, message in erreur.erreurs.items():
                form.add_error(champ if champ in form.fields else None, message)
        except ErreurMetier as erreur:
            form.add_error(None, str(erreur))
        else:
            messages.success(
                request, f"Enregistré : le prochain bilan PDF de {appel.annee} en tiendra compte."
            )
            filtres = urlencode({
                "contrat": appel.contrat.code, "annee_debut": appel.annee, "annee_fin": appel.annee,
            })
            return redirect(f"{reverse('bilans:tableau_de_bord')}?{filtres}")
    return render(request, "bilans/document.html", {
        "appel": appel, "form": form, "presenter": presenter, "document": actuel,
    })
