"""The comité's decisions: one dossier at a time, or the programmation of a call at once."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from candidatures.commun.bornes import ENTIER_MAX
from candidatures.commun.erreurs import ErreurMetier, ajouter_au_formulaire
from candidatures.commun.formulaires import lire_entier
from candidatures.commun.pagination import PageParCurseur
from evaluation.models import Decision

from ..forms import (
    DecisionForm,
    FiltreProgrammationForm,
    LignesProgrammationFormSet,
    SeanceForm,
)
from ..permissions import peut_decider, peut_gerer_enveloppes, peut_voir_instruction
from ..selectors import commun as selectors_commun
from ..selectors import programmation as selectors_programmation
from ..services import decisions as services_decisions
from .commun import _appel, _dossier, _refuser_si

AUCUNE_DECISION = "Aucune décision n'est enregistrée : corrigez les lignes signalées."


def _bilan_par_defaut(appel):
    # Cerfa n°15059: the compte rendu is due within six months after the financial year.
    return datetime.date(appel.annee + 1, 6, 30)


@require_http_methods(["GET", "POST"])
def decision(request, pk):
    """The comité's decision on one instructed dossier."""
    dossier = _dossier(request, pk, peut_voir_instruction)
    _refuser_si(
        not peut_decider(request.user, dossier),
        "Seuls le comité de pilotage et les administrateurs décident, sur un dossier instruit.",
    )
    instruction = selectors_commun.instruction_de(dossier)
    form = DecisionForm(
        request.POST or None,
        initial={
            "montant_accorde": instruction.montant_propose if instruction else None,
            "date_limite_bilan": _bilan_par_defaut(dossier.appel),
        },
    )
    seance = SeanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and seance.is_valid():
        try:
            services_decisions.decider(
                dossier=dossier, par=request.user, **form.valeurs(),
                reference_deliberation=seance.cleaned_data["reference_deliberation"],
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(request, "La décision est enregistrée ; la structure est prévenue.")
            return redirect("evaluation:instruction", dossier.pk)
    return render(
        request,
        "evaluation/decision.html",
        {"dossier": dossier, "instruction": instruction, "form": form, "seance": seance,
         "montant_demande": selectors_commun.montant_demande(dossier)},
    )


LIGNES_PAR_PAGE = 50


@require_http_methods(["GET", "POST"])
def programmation(request, appel_pk):
    """A bounded page of dossiers (filters in the query string), the whole call's totals against
    the envelopes on every page, and the comité's decisions on the page's rows at once."""
    appel = _appel(request, appel_pk)
    decideur = peut_decider(request.user, appel=appel)
    filtre = FiltreProgrammationForm(request.GET, appel=appel)
    filtres = filtre.filtres()
    prog = selectors_programmation.programmation(appel)
    a_decider = filtres["etat"] == selectors_programmation.A_DECIDER
    page = _page(request, appel, prog, filtres, a_decider)
    initial = [
        {"dossier": d.pk, "date_limite_bilan": _bilan_par_defaut(appel),
         "versement": Decision.Versement.UNIQUE}
        for d in (page if a_decider else [])
    ]
    if request.method == "POST":
        _refuser_si(not decideur, "Seuls le comité de pilotage et les administrateurs décident.")
        donnees = request.POST.copy()
        refus = _accorder_le_propose(appel, donnees)
        formset = LignesProgrammationFormSet(donnees, initial=initial)
        seance = SeanceForm(donnees)
        resultat = None if refus else _enregistrer_programmation(request, appel, formset, seance)
        if resultat:
            return resultat
        _signaler_refus(request, formset, refus)
    else:
        formset = LignesProgrammationFormSet(initial=initial)
        seance = SeanceForm()
    return render(
        request,
        "evaluation/programmation.html",
        {
            "appel": appel,
            "prog": prog,
            "page": page,
            "filtre": filtre,
            "a_decider": a_decider,
            "lignes": list(page) if a_decider else [],
            "formset": formset,
            # Read here: the template's ``formset.x`` would first try ``formset["x"]``, which
            # builds every row's form (an unbound page writes its rows from one model).
            "formset_gestion": formset.management_form,
            "formset_erreurs": formset.non_form_errors(),
            "seance": seance,
            "peut_decider": decideur,
            "peut_gerer_enveloppes": peut_gerer_enveloppes(request.user, appel),
            "siret_provisoire": settings.ATTRIBUANT_SIRET == settings.ATTRIBUANT_SIRET_PROVISOIRE,
        },
    )


def _page(request, appel, prog, filtres, a_decider):
    """Awaiting rows: a numbered page (the comité's pending work) of the list's kept order.
    Decided rows: a page read from the ``(appel, numero)`` index after or before the key its
    links carry, counted by the whole call's totals when they hold the count."""
    if a_decider:
        # The kept order of the list: the page reads its rows by their keys.
        rang = selectors_programmation.rang_a_decider(
            prog, pilier=filtres["pilier"], objectif=filtres["objectif"]
        )
        page = Paginator(rang, LIGNES_PAR_PAGE).get_page(request.GET.get("page"))
        page.object_list = selectors_programmation.lignes_par_cle(appel, page.object_list)
        return page
    dossiers = selectors_programmation.lignes(appel, **filtres)
    compte = selectors_programmation.compte(prog, **filtres)
    numero = lire_entier(request.GET.get("page")) or 1
    return PageParCurseur(
        dossiers, "numero", LIGNES_PAR_PAGE, numero=min(numero, ENTIER_MAX // LIGNES_PAR_PAGE),
        apres=_cle(request.GET.get("apres")), avant=_cle(request.GET.get("avant")),
        compte=compte,
    )


def _cle(texte):
    cle = lire_entier(texte)
    return cle if cle is not None and cle <= ENTIER_MAX else None


def _accorder_le_propose(appel, donnees):
    """« Accorder le montant proposé » without JavaScript: the rows it names (one, or the
    selected ones) become « retenu » at the proposed amount, then the form is saved as usual.
    Returns ``{form index: message}`` for rows that have no proposed amount."""
    cible = donnees.get("accorder")
    if not cible:
        return {}
    voulus = set(donnees.getlist("selection")) if cible == "selection" else {cible}
    total = donnees.get("form-TOTAL_FORMS", "")
    lignes = min(int(total), LIGNES_PAR_PAGE) if total.isdigit() else 0
    index = {donnees.get(f"form-{i}-dossier"): i for i in range(lignes)}
    proposes = selectors_programmation.montants_proposes(
        appel, [int(pk) for pk in voulus & set(index) if pk.isdigit() and int(pk) <= ENTIER_MAX]
    )
    refus = {}
    for pk in voulus & set(index):
        i = index[pk]
        if proposes.get(pk):
            donnees[f"form-{i}-nature"] = Decision.Nature.RETENU
            donnees[f"form-{i}-montant_accorde"] = str(proposes[pk])
        else:
            refus[i] = "Aucun montant n'est proposé pour ce dossier : saisissez le montant accordé."
    if not voulus & set(index):
        refus[None] = "Cochez au moins une ligne avant d'accorder le montant proposé."
    return refus


def _signaler_refus(request, formset, refus):
    formset.is_valid()
    for i, message in refus.items():
        if i is None or i >= len(formset.forms):
            messages.error(request, message)
        else:
            formset.forms[i].add_error("montant_accorde", message)
    if any(i is not None for i in refus):
        messages.error(request, AUCUNE_DECISION)


def _enregistrer_programmation(request, appel, formset, seance):
    if not (formset.is_valid() and seance.is_valid()):
        messages.error(request, AUCUNE_DECISION)
        return None
    formulaires = [form for form in formset.forms if form.a_decider()]
    dossiers = selectors_programmation.a_decider_parmi(
        appel, [form.cleaned_data.get("dossier") for form in formulaires]
    )
    lignes = []
    for form in formulaires:
        dossier = dossiers.get(form.cleaned_data.get("dossier"))
        if dossier is None:
            form.add_error(None, "Ce dossier n'attend plus de décision : rechargez la page.")
            messages.error(request, "Aucune décision n'est enregistrée : la liste a changé.")
            return None
        lignes.append(
            {
                "dossier": dossier,
                **form.valeurs(),
                "reference_deliberation": seance.cleaned_data["reference_deliberation"],
            }
        )
    if not lignes:
        messages.info(request, "Aucune décision saisie.")
        return None
    try:
        decisions = services_decisions.decider_en_lot(lignes=lignes, par=request.user)
    except services_decisions.ErreurLot as erreur:
        ajouter_au_formulaire(formulaires[erreur.index], erreur.erreur)
        messages.error(request, AUCUNE_DECISION)
        return None
    n = len(decisions)
    messages.success(
        request,
        f"{n} décision{'s' if n > 1 else ''} enregistrée{'s' if n > 1 else ''} ; les structures "
        "sont prévenues par courriel.",
    )
    return redirect(request.get_full_path())
