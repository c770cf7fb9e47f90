"""The comité's decisions: one dossier at a time, or the programmation of a call at once."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from candidatures.commun.erreurs import ErreurMetier, ajouter_au_formulaire
from evaluation.models import Decision

from ..forms import DecisionForm, LignesProgrammationFormSet, SeanceForm
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


@require_http_methods(["GET", "POST"])
def programmation(request, appel_pk):
    """Instructed dossiers with avis and amounts, totals against envelopes, decisions at once."""
    appel = _appel(request, appel_pk)
    prog = selectors_programmation.programmation(appel)
    decideur = peut_decider(request.user, appel=appel)
    initial = [
        {
            "dossier": d.pk,
            "montant_accorde": d.instruction.montant_propose or None,
            "date_limite_bilan": _bilan_par_defaut(appel),
            "versement": Decision.Versement.UNIQUE,
        }
        for d in prog.a_decider
    ]
    if request.method == "POST":
        _refuser_si(not decideur, "Seuls le comité de pilotage et les administrateurs décident.")
        formset = LignesProgrammationFormSet(request.POST, initial=initial)
        seance = SeanceForm(request.POST)
        resultat = _enregistrer_programmation(request, prog, formset, seance)
        if resultat:
            return resultat
    else:
        formset = LignesProgrammationFormSet(initial=initial)
        seance = SeanceForm()
    return render(
        request,
        "evaluation/programmation.html",
        {
            "appel": appel,
            "prog": prog,
            "lignes": list(zip(prog.a_decider, formset.forms, strict=False)),
            "formset": formset,
            "seance": seance,
            "peut_decider": decideur,
            "peut_gerer_enveloppes": peut_gerer_enveloppes(request.user, appel),
            "siret_provisoire": settings.ATTRIBUANT_SIRET == settings.ATTRIBUANT_SIRET_PROVISOIRE,
        },
    )


def _enregistrer_programmation(request, prog, formset, seance):
    if not (formset.is_valid() and seance.is_valid()):
        messages.error(request, AUCUNE_DECISION)
        return None
    dossiers = {d.pk: d for d in prog.a_decider}
    lignes, formulaires = [], []
    for form in formset.forms:
        dossier = dossiers.get(form.cleaned_data.get("dossier"))
        if dossier is None:
            form.add_error(None, "Ce dossier n'attend plus de décision : rechargez la page.")
            messages.error(request, "Aucune décision n'est enregistrée : la liste a changé.")
            return None
        if form.a_decider():
            lignes.append(
                {
                    "dossier": dossier,
                    **form.valeurs(),
                    "reference_deliberation": seance.cleaned_data["reference_deliberation"],
                }
            )
            formulaires.append(form)
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
    return redirect("evaluation:programmation", prog.appel.pk)

