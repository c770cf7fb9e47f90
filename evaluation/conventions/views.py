"""Pages of the conventions: a dossier's convention and payments, a call's dashboard, settings."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidatures.commun.erreurs import ErreurMetier, ajouter_au_formulaire
from candidatures.commun.formats import euros
from candidatures.models import AppelAProjets, Dossier
from evaluation import generations
from evaluation.donnees_ouvertes.scdl import attribuant_publiable
from evaluation.donnees_ouvertes.selectors import etat_publication

from . import selectors, services, tableur
from .forms import ConventionForm, PaiementForm, ParametresConventionsForm, SansSoldeForm
from .permissions import (
    peut_enregistrer_convention,
    peut_gerer_conventions,
    peut_parametrer_conventions,
    peut_voir_convention,
    peut_voir_conventions,
)

PAR_PAGE = 50


def _dossier(request, pk):
    """A retained dossier the user may see the convention of; a 404 otherwise."""
    dossier = get_object_or_404(
        Dossier.objects.visibles_par(request.user).select_related(
            "structure", "appel", "decision", "convention", "bilan"
        ),
        pk=pk,
    )
    if not peut_voir_convention(request.user, dossier):
        raise Http404
    return dossier


def _appel(request, appel_pk, predicat):
    appel = get_object_or_404(AppelAProjets.objects.select_related("contrat"), pk=appel_pk)
    if not predicat(request.user, appel):
        raise Http404
    return appel


def _initial_convention(dossier, convention):
    if convention is not None:
        return {
            "reference": convention.reference, "date_signature": convention.date_signature,
            "signataires": convention.signataires, "deliberation": convention.deliberation,
            "part_avance": convention.part_avance, "publier": convention.publier,
        }
    return {
        "reference": f"{dossier.reference}-C",
        "deliberation": dossier.decision.reference_deliberation,
        "part_avance": services.part_avance_par_defaut(dossier),
    }


def _contexte(request, dossier, **formulaires):
    convention = getattr(dossier, "convention", None)
    gerer = peut_enregistrer_convention(request.user, dossier)
    contexte = {
        "dossier": dossier, "decision": dossier.decision, "convention": convention,
        "generation": selectors.pdf_de(convention),
        "paiements": list(convention.paiements.all()) if convention else [],
        "peut_gerer": gerer,
        "bilan_valide": services.bilan_valide(dossier),
        "peut_voir_tableau": peut_voir_conventions(request.user, dossier.appel),
    }
    if convention is not None:
        depenses = services.depenses_realisees(dossier)
        contexte["depenses"] = depenses
        contexte["a_recouvrer"] = services.a_recouvrer(convention, depenses)
    if gerer:
        contexte["form"] = formulaires.get("form") or ConventionForm(
            initial=_initial_convention(dossier, convention)
        )
        contexte["form_paiement"] = formulaires.get("form_paiement") or PaiementForm(
            prefix="paiement"
        )
        contexte["form_sans_solde"] = formulaires.get("form_sans_solde") or SansSoldeForm(
            prefix="sans_solde"
        )
    return contexte


@require_http_methods(["GET", "POST"])
def convention(request, pk):
    """A retained dossier's convention and payments; staff record them here."""
    dossier = _dossier(request, pk)
    if request.method == "GET":
        return render(request, "conventions/convention.html", _contexte(request, dossier))
    if not peut_enregistrer_convention(request.user, dossier):
        raise Http404
    form = ConventionForm(request.POST)
    if form.is_valid():
        try:
            services.enregistrer_convention(dossier=dossier, par=request.user, **form.cleaned_data)
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(
                request, "Convention enregistrée : son PDF est en préparation, il apparaîtra "
                "sur cette page dans quelques instants."
            )
            return redirect("conventions:convention", pk=dossier.pk)
    return render(request, "conventions/convention.html", _contexte(request, dossier, form=form),
                  status=400)


def _convention_geree(request, pk):
    dossier = _dossier(request, pk)
    convention = getattr(dossier, "convention", None)
    if convention is None or not peut_gerer_conventions(request.user, dossier.appel):
        raise Http404
    return dossier, convention


@require_POST
def paiement(request, pk):
    """Record a payment on the convention."""
    dossier, convention = _convention_geree(request, pk)
    form = PaiementForm(request.POST, prefix="paiement")
    if form.is_valid():
        try:
            fait = services.enregistrer_paiement(
                convention=convention, par=request.user, **form.cleaned_data
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(
                request, f"Paiement enregistré : {fait.get_nature_display()} de "
                f"{euros(fait.montant)}."
            )
            return redirect("conventions:convention", pk=dossier.pk)
    return render(
        request, "conventions/convention.html",
        _contexte(request, dossier, form_paiement=form), status=400,
    )


@require_POST
def sans_solde(request, pk):
    """Record that the balance is not due (bilan refused, action not carried out)."""
    dossier, convention = _convention_geree(request, pk)
    form = SansSoldeForm(request.POST, prefix="sans_solde")
    if form.is_valid():
        try:
            services.renoncer_au_solde(convention=convention, par=request.user,
                                       **form.cleaned_data)
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(request, "C'est noté : le solde ne sera pas versé.")
            return redirect("conventions:convention", pk=dossier.pk)
    return render(
        request, "conventions/convention.html",
        _contexte(request, dossier, form_sans_solde=form), status=400,
    )


def _pdf(request, pk, *, pret):
    dossier = _dossier(request, pk)
    return dossier, selectors.pdf_de(getattr(dossier, "convention", None), pret=pret)


@require_GET
def pdf(request, pk):
    """The generated convention, for the structure and the contract's staff."""
    dossier, generation = _pdf(request, pk, pret=True)
    if generation is None:
        raise Http404
    try:
        fichier = generation.fichier.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        fichier, as_attachment=True, filename=f"convention-{dossier.reference}.pdf",
        content_type="application/pdf",
    )


@require_GET
def pdf_etat(request, pk):
    """The state of the convention's PDF being rendered, as the page polls it."""
    dossier, generation = _pdf(request, pk, pret=False)
    if generation is None:
        raise Http404
    return generations.reponse_etat(generation, reverse("conventions:pdf", args=[dossier.pk]))


@require_GET
def tableau(request, appel_pk):
    """The call's payments dashboard: granted, paid, remaining; one page at a time."""
    appel = _appel(request, appel_pk, peut_voir_conventions)
    page = Paginator(selectors.subventions_de_l_appel(appel), PAR_PAGE).get_page(
        request.GET.get("page")
    )
    lignes = [
        (d, getattr(d.dossier, "convention", None)) for d in page.object_list
    ]
    return render(request, "conventions/tableau.html", {
        "appel": appel, "page": page, "lignes": lignes,
        "totaux": selectors.totaux_de_l_appel(appel),
        "peut_parametrer": peut_parametrer_conventions(request.user, appel),
        "publication": etat_publication(appel.contrat_id, appel.annee),
        "siret_provisoire": not attribuant_publiable(),
    })


@require_GET
def tableau_xlsx(request, appel_pk):
    appel = _appel(request, appel_pk, peut_voir_conventions)
    contenu = tableur.tableau_xlsx(
        selectors.subventions_de_l_appel(appel), f"Paiements {appel.annee}"
    )
    reponse = HttpResponse(
        contenu, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    reponse["Content-Disposition"] = f'attachment; filename="paiements-{appel.annee}.xlsx"'
    return reponse


@require_http_methods(["GET", "POST"])
def parametres(request, appel_pk):
    """The call's schedule default, convention text and dispositif d'aide identifier."""
    appel = _appel(request, appel_pk, peut_parametrer_conventions)
    actuels = services.parametres_de(appel)
    form = ParametresConventionsForm(request.POST or None, initial={
        "part_avance": actuels.part_avance, "modele": actuels.modele,
        "dispositif_aide": actuels.dispositif_aide,
    })
    if request.method == "POST" and form.is_valid():
        try:
            services.parametrer_conventions(
                appel=appel, par=request.user, part_avance=form.cleaned_data["part_avance"],
                modele_texte=form.cleaned_data["modele"],
                dispositif_aide=form.cleaned_data["dispositif_aide"],
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(request, "Paramètres des conventions enregistrés.")
            return redirect(reverse("conventions:tableau", args=[appel.pk]))
    return render(request, "conventions/parametres.html", {"appel": appel, "form": form},
                  status=400 if form.errors else 200)

