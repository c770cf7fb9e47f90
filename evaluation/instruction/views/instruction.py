"""The instruction page of a dossier: checklist and avis, taking in, assignment, corrections."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from candidatures.commun.erreurs import ErreurMetier, ajouter_au_formulaire
from candidatures.dossiers.selectors import resume_dossier
from candidatures.models import Statut

from ..forms import AffectationForm, CorrectionsForm, InstructionForm
from ..permissions import (
    contrat_de,
    est_instructeur,
    peut_affecter,
    peut_conclure_instruction,
    peut_decider,
    peut_demander_corrections,
    peut_modifier_instruction,
    peut_prendre_en_instruction,
    peut_voir_annotations,
    peut_voir_instruction,
)
from ..selectors import commun as selectors_commun
from ..selectors import controles as selectors_controles
from ..selectors import corrections as selectors_corrections
from ..selectors import grille as selectors_grille
from ..selectors import suivi as selectors_suivi
from ..services import affectation as services_affectation
from ..services import corrections as services_corrections
from ..services import instruction as services_instruction
from .commun import _dossier, _refuser_si


def _contexte_instruction(request, dossier, instruction, form):
    return {
        **resume_dossier(dossier),
        "dossier": dossier,
        "instruction": instruction,
        "form": form,
        "controles": selectors_controles.controles_automatiques(dossier),
        "precedents": selectors_controles.dossiers_precedents(dossier, request.user),
        "comparaisons": selectors_corrections.comparaisons(dossier),
        "chronologie": selectors_suivi.chronologie(dossier, complete=True),
        "demande": dossier.demande_ouverte(),
        "affectation_form": AffectationForm(
            contrat_id=contrat_de(dossier),
            initial={"instructeur": instruction.instructeur_id if instruction else None},
        ),
        "non_lus": selectors_suivi.nombre_non_lus(dossier, request.user),
        "manques": selectors_grille.manques_instruction(dossier, instruction)
        if instruction and dossier.statut == Statut.EN_INSTRUCTION
        else [],
        "decision": getattr(dossier, "decision", None),
        "peut_modifier": peut_modifier_instruction(request.user, dossier),
        "peut_prendre": peut_prendre_en_instruction(request.user, dossier),
        "peut_affecter": peut_affecter(request.user, dossier),
        "peut_corriger": peut_demander_corrections(request.user, dossier),
        "peut_conclure": peut_conclure_instruction(request.user, dossier),
        "peut_decider": peut_decider(request.user, dossier),
        "peut_voir_annotations": peut_voir_annotations(request.user, dossier),
    }


@require_http_methods(["GET", "POST"])
def instruction(request, pk):
    """The dossier (read-only) beside its checklist, automatic checks, avis and trail."""
    dossier = _dossier(request, pk, peut_voir_instruction)
    instruction = selectors_commun.instruction_de(dossier)
    lignes = selectors_grille.grille(dossier, instruction)
    initial = {"version": instruction.version if instruction else 1}
    if instruction:
        initial.update(
            avis=instruction.avis, montant_propose=instruction.montant_propose,
            synthese=instruction.synthese, annotations=instruction.annotations,
        )
    if request.method == "POST":
        _refuser_si(
            not peut_modifier_instruction(request.user, dossier),
            "Vous ne pouvez pas modifier cette instruction.",
        )
        form = InstructionForm(request.POST, lignes=lignes, initial=initial)
        if form.is_valid():
            try:
                instruction = services_instruction.enregistrer_instruction(
                    dossier=dossier, par=request.user, version=form.cleaned_data["version"],
                    champs=form.champs(), verdicts=form.verdicts(),
                )
            except ErreurMetier as erreur:
                ajouter_au_formulaire(form, erreur)
            else:
                if "conclure" in request.POST:
                    return _conclure(request, dossier)
                messages.success(request, "L'instruction est enregistrée.")
                return redirect("evaluation:instruction", dossier.pk)
    else:
        form = InstructionForm(lignes=lignes, initial=initial)
    return render(
        request,
        "evaluation/instruction.html",
        _contexte_instruction(request, dossier, instruction, form),
    )


def _conclure(request, dossier):
    try:
        services_instruction.conclure_instruction(dossier=dossier, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, "L'instruction est conclue : le dossier est présenté au comité.")
    return redirect("evaluation:instruction", dossier.pk)


@require_POST
def prendre(request, pk):
    """Take a submitted (or resubmitted) dossier into instruction."""
    dossier = _dossier(request, pk, peut_voir_instruction)
    _refuser_si(
        not est_instructeur(request.user, contrat_de(dossier)),
        "Seuls les instructeurs instruisent.",
    )
    try:
        services_instruction.prendre_en_instruction(dossier=dossier, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, "Le dossier est en instruction.")
    return redirect("evaluation:instruction", dossier.pk)


@require_POST
def affecter(request, pk):
    dossier = _dossier(request, pk, peut_voir_instruction)
    _refuser_si(
        not peut_affecter(request.user, appel=dossier.appel),
        "Seuls les instructeurs répartissent les dossiers.",
    )
    form = AffectationForm(request.POST, contrat_id=contrat_de(dossier))
    if form.is_valid():
        try:
            services_affectation.affecter(
                dossier=dossier, instructeur=form.cleaned_data["instructeur"], par=request.user
            )
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, "L'affectation est enregistrée.")
    return redirect("evaluation:instruction", dossier.pk)


@require_http_methods(["GET", "POST"])
def corrections(request, pk):
    """Ask the structure to correct some sections (the dossier goes back to it)."""
    dossier = _dossier(request, pk, peut_voir_instruction)
    _refuser_si(
        not peut_demander_corrections(request.user, dossier),
        "Les corrections se demandent sur un dossier en instruction, par un instructeur.",
    )
    form = CorrectionsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_corrections.demander_corrections(
                dossier=dossier, par=request.user, sections=form.cleaned_data["sections"],
                message=form.cleaned_data["message"], echeance=form.cleaned_data["echeance"],
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
        else:
            messages.success(
                request, "La demande de corrections est envoyée à la structure par courriel."
            )
            return redirect("evaluation:instruction", dossier.pk)
    return render(request, "evaluation/corrections.html", {"dossier": dossier, "form": form})

