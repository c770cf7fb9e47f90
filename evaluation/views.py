"""Pages of the instruction: queue, instruction, corrections, thread, decisions, programmation."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidatures.dossiers.selectors import resume_dossier
from candidatures.dossiers.services.erreurs import ErreurDossier
from candidatures.models import AppelAProjets, Dossier, Statut
from referentiel.models import Pilier

from . import exports, selectors, services
from .forms import (
    AffectationForm,
    AffectationsPiliersForm,
    CorrectionsForm,
    DecisionForm,
    FiltreFileForm,
    InstructionForm,
    LignesProgrammationFormSet,
    MessageForm,
    SeanceForm,
)
from .models import AffectationPilier, Decision, PieceMessage
from .permissions import (
    est_instructeur,
    peut_affecter,
    peut_conclure_instruction,
    peut_decider,
    peut_demander_corrections,
    peut_ecrire_message,
    peut_exporter,
    peut_gerer_affectations,
    peut_modifier_instruction,
    peut_prendre_en_instruction,
    peut_telecharger_lettre,
    peut_voir_annotations,
    peut_voir_file,
    peut_voir_grille,
    peut_voir_instruction,
    peut_voir_suivi,
)

PAR_PAGE = 50
AUCUNE_DECISION = "Aucune décision n'est enregistrée : corrigez les lignes signalées."


def _dossier(request, pk, predicat):
    """The dossier if the user may see it and ``predicat`` allows the page; a 404 otherwise."""
    dossier = get_object_or_404(
        Dossier.objects.visibles_par(request.user).select_related(
            "structure", "appel", "action_principale__objectif__orientation__pilier"
        ),
        pk=pk,
    )
    if not predicat(request.user, dossier):
        raise Http404
    return dossier


def _refuser_si(condition, message):
    if condition:
        raise PermissionDenied(message)


def _appel(request, appel_pk):
    if not peut_voir_file(request.user):
        raise Http404
    return get_object_or_404(AppelAProjets, pk=appel_pk)


# --- Queue ----------------------------------------------------------------------------------------


@require_GET
def accueil(request):
    """Open the queue of the call chosen (``?appel=``), else of the current call."""
    if not peut_voir_file(request.user):
        raise Http404
    choisi = request.GET.get("appel", "")
    appel = (
        AppelAProjets.objects.filter(pk=choisi).first() if choisi.isdigit() else None
    ) or AppelAProjets.objects.courant()
    if appel is None:
        messages.info(request, "Aucun appel à projets n'existe encore.")
        return redirect("accueil")
    return redirect("evaluation:file", appel.pk)


def _file_filtree(request, appel):
    form = FiltreFileForm(request.GET or None, appel=appel)
    filtres = form.filtres()
    dossiers = selectors.file_instruction(appel=appel, filtres=filtres, user=request.user)
    return form, filtres, dossiers


@require_GET
def file(request, appel_pk):
    """Submitted dossiers of a call: filters, search, sort, counts per status, pages."""
    appel = _appel(request, appel_pk)
    form, filtres, dossiers = _file_filtree(request, appel)
    page = Paginator(dossiers, PAR_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    sans_statut = parametres.copy()
    sans_statut.pop("statut", None)
    mes = parametres.copy()
    mes["instructeur"] = "moi"
    tous = parametres.copy()
    tous.pop("instructeur", None)
    return render(
        request,
        "evaluation/file.html",
        {
            "appel": appel,
            "appels": AppelAProjets.objects.order_by("-annee"),
            "form": form,
            "page": page,
            "comptes": selectors.comptes_par_statut(
                appel=appel, filtres=filtres, user=request.user
            ),
            "statut_actif": filtres.get("statut", ""),
            "parametres": parametres.urlencode(),
            "parametres_sans_statut": sans_statut.urlencode(),
            "lien_mes": mes.urlencode(),
            "lien_tous": tous.urlencode(),
            "vue_mes": filtres.get("instructeur") == "moi",
            "peut_affecter": peut_affecter(request.user),
            "peut_exporter": peut_exporter(request.user),
            "peut_gerer_affectations": peut_gerer_affectations(request.user),
        },
    )


def _telechargement(contenu, nom, type_mime):
    reponse = HttpResponse(contenu, content_type=type_mime)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


@require_GET
def export_xlsx(request, appel_pk):
    appel = _appel(request, appel_pk)
    _form, _filtres, dossiers = _file_filtree(request, appel)
    return _telechargement(
        exports.file_xlsx(dossiers, f"Dossiers {appel.annee}"),
        f"dossiers-{appel.annee}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_GET
def export_csv(request, appel_pk):
    appel = _appel(request, appel_pk)
    _form, _filtres, dossiers = _file_filtree(request, appel)
    return _telechargement(
        exports.file_csv(dossiers), f"dossiers-{appel.annee}.csv", "text/csv; charset=utf-8"
    )


@require_GET
def export_scdl(request, appel_pk):
    """Granted subsidies of the call in the SCDL « subventions » format, for publication."""
    appel = _appel(request, appel_pk)
    if not peut_exporter(request.user):
        raise Http404
    return _telechargement(
        exports.subventions_scdl(selectors.subventions_accordees(appel)),
        f"subventions-contrat-de-ville-{appel.annee}.csv",
        "text/csv; charset=utf-8",
    )


@require_POST
def affecter_selon_piliers(request, appel_pk):
    appel = _appel(request, appel_pk)
    _refuser_si(
        not peut_affecter(request.user), "Seuls les instructeurs répartissent les dossiers."
    )
    nombre = services.affecter_selon_piliers(appel=appel, par=request.user)
    if nombre:
        messages.success(request, f"{nombre} dossier{'s' if nombre > 1 else ''} affecté"
                                  f"{'s' if nombre > 1 else ''} selon les piliers.")
    else:
        messages.info(request, "Aucun dossier à affecter : tous ont un instructeur, ou aucun "
                               "pilier n'a d'instructeur par défaut.")
    return redirect("evaluation:file", appel.pk)


@require_http_methods(["GET", "POST"])
def affectations(request):
    """The pilier → default instructor table (administrators)."""
    if not peut_voir_file(request.user):
        raise Http404
    _refuser_si(not peut_gerer_affectations(request.user),
                "Seuls les administrateurs fixent les instructeurs par défaut.")
    piliers = list(Pilier.objects.order_by("ordre"))
    initiales = dict(AffectationPilier.objects.values_list("pilier_id", "instructeur_id"))
    form = AffectationsPiliersForm(request.POST or None, piliers=piliers, initiales=initiales)
    if request.method == "POST" and form.is_valid():
        for pilier, instructeur in form.valeurs():
            services.definir_instructeur_pilier(
                pilier=pilier, instructeur=instructeur, par=request.user
            )
        messages.success(request, "Les instructeurs par défaut sont enregistrés.")
        return redirect("evaluation:affectations")
    return render(request, "evaluation/affectations.html", {"form": form})


# --- Instruction ---------------------------------------------------------------------------------


def _contexte_instruction(request, dossier, instruction, form):
    return {
        **resume_dossier(dossier),
        "dossier": dossier,
        "instruction": instruction,
        "form": form,
        "controles": selectors.controles_automatiques(dossier),
        "precedents": selectors.dossiers_precedents(dossier),
        "comparaisons": selectors.comparaisons(dossier),
        "chronologie": selectors.chronologie(dossier, complete=True),
        "demande": dossier.demande_ouverte(),
        "affectation_form": AffectationForm(
            initial={"instructeur": instruction.instructeur_id if instruction else None}
        ),
        "non_lus": selectors.nombre_non_lus(dossier, request.user),
        "manques": selectors.manques_instruction(dossier, instruction)
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
    instruction = selectors.instruction_de(dossier)
    lignes = selectors.grille(dossier, instruction)
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
                instruction = services.enregistrer_instruction(
                    dossier=dossier, par=request.user, version=form.cleaned_data["version"],
                    champs=form.champs(), verdicts=form.verdicts(),
                )
            except services.SaisieInvalide as erreur:
                for champ, texte in erreur.erreurs.items():
                    form.add_error(champ if champ in form.fields else None, texte)
            except services.ErreurInstruction as erreur:
                form.add_error(None, str(erreur))
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
        services.conclure_instruction(dossier=dossier, par=request.user)
    except ErreurDossier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, "L'instruction est conclue : le dossier est présenté au comité.")
    return redirect("evaluation:instruction", dossier.pk)


@require_POST
def prendre(request, pk):
    """Take a submitted (or resubmitted) dossier into instruction."""
    dossier = _dossier(request, pk, peut_voir_instruction)
    _refuser_si(not est_instructeur(request.user), "Seuls les instructeurs instruisent.")
    try:
        services.prendre_en_instruction(dossier=dossier, par=request.user)
    except ErreurDossier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, "Le dossier est en instruction.")
    return redirect("evaluation:instruction", dossier.pk)


@require_POST
def affecter(request, pk):
    dossier = _dossier(request, pk, peut_voir_instruction)
    _refuser_si(
        not peut_affecter(request.user), "Seuls les instructeurs répartissent les dossiers."
    )
    form = AffectationForm(request.POST)
    if form.is_valid():
        try:
            services.affecter(
                dossier=dossier, instructeur=form.cleaned_data["instructeur"], par=request.user
            )
        except ErreurDossier as erreur:
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
            services.demander_corrections(
                dossier=dossier, par=request.user, sections=form.cleaned_data["sections"],
                message=form.cleaned_data["message"], echeance=form.cleaned_data["echeance"],
            )
        except services.SaisieInvalide as erreur:
            for champ, texte in erreur.erreurs.items():
                form.add_error(champ if champ in form.fields else None, texte)
        except ErreurDossier as erreur:
            form.add_error(None, str(erreur))
        else:
            messages.success(
                request, "La demande de corrections est envoyée à la structure par courriel."
            )
            return redirect("evaluation:instruction", dossier.pk)
    return render(request, "evaluation/corrections.html", {"dossier": dossier, "form": form})


# --- Follow-up page: thread, trail, decision (structure and staff) -------------------------------


def _contexte_suivi(request, dossier, form):
    personnel = peut_voir_instruction(request.user, dossier)
    instruction = selectors.instruction_de(dossier)
    demande = dossier.demande_ouverte()
    return {
        "dossier": dossier,
        "personnel": personnel,
        "fil": selectors.fil(dossier, request.user),
        "form": form,
        "peut_ecrire": peut_ecrire_message(request.user, dossier),
        "demande": demande,
        "suivi_demande": getattr(demande, "suivi", None) if demande else None,
        "chronologie": selectors.chronologie(dossier, complete=personnel),
        "decision": getattr(dossier, "decision", None),
        "grille": selectors.grille(dossier, instruction)
        if instruction and peut_voir_grille(request.user, dossier)
        else None,
    }


@require_GET
def suivi(request, pk):
    """What the structure follows after submission: corrections asked, thread, trail, decision."""
    dossier = _dossier(request, pk, peut_voir_suivi)
    contexte = _contexte_suivi(request, dossier, MessageForm())
    services.marquer_lu(dossier=dossier, utilisateur=request.user)
    return render(request, "evaluation/suivi.html", contexte)


@require_POST
def message(request, pk):
    """Post a message (with attachments) to the thread; on error, the text typed comes back."""
    dossier = _dossier(request, pk, peut_voir_suivi)
    _refuser_si(
        not peut_ecrire_message(request.user, dossier),
        "Seuls la structure et les instructeurs échangent sur ce dossier.",
    )
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.envoyer_message(
                dossier=dossier, auteur=request.user, texte=form.cleaned_data["texte"],
                fichiers=form.cleaned_data["fichiers"],
            )
        except services.SaisieInvalide as erreur:
            for champ, texte in erreur.erreurs.items():
                form.add_error(champ if champ in form.fields else None, texte)
        except ErreurDossier as erreur:
            form.add_error("fichiers", str(erreur))
        else:
            messages.success(request, "Votre message est envoyé.")
            return redirect(reverse("evaluation:suivi", args=[dossier.pk]) + "#fil")
    return render(
        request, "evaluation/suivi.html", _contexte_suivi(request, dossier, form), status=400
    )


@require_GET
def piece_message(request, pk, piece_pk):
    dossier = _dossier(request, pk, peut_voir_suivi)
    piece = get_object_or_404(PieceMessage, pk=piece_pk, message__dossier=dossier)
    return FileResponse(piece.fichier.open("rb"), as_attachment=True, filename=piece.nom_original)


@require_GET
def lettre(request, pk):
    """The decision letter (PDF), kept once generated."""
    dossier = _dossier(request, pk, peut_telecharger_lettre)
    contenu = services.generer_lettre(decision=dossier.decision)
    return _telechargement(contenu, f"decision-{dossier.reference}.pdf", "application/pdf")


# --- Decisions -----------------------------------------------------------------------------------


def _appliquer_erreurs(form, erreur):
    if isinstance(erreur, services.SaisieInvalide):
        for champ, texte in erreur.erreurs.items():
            form.add_error(champ if champ in form.fields else None, texte)
    else:
        form.add_error(None, str(erreur))


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
    instruction = selectors.instruction_de(dossier)
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
            services.decider(
                dossier=dossier, par=request.user, **form.valeurs(),
                reference_deliberation=seance.cleaned_data["reference_deliberation"],
            )
        except ErreurDossier as erreur:
            _appliquer_erreurs(form, erreur)
        else:
            messages.success(request, "La décision est enregistrée ; la structure est prévenue.")
            return redirect("evaluation:instruction", dossier.pk)
    return render(
        request,
        "evaluation/decision.html",
        {"dossier": dossier, "instruction": instruction, "form": form, "seance": seance,
         "montant_demande": selectors.montant_demande(dossier)},
    )


@require_http_methods(["GET", "POST"])
def programmation(request, appel_pk):
    """Instructed dossiers with avis and amounts, totals against envelopes, decisions at once."""
    appel = _appel(request, appel_pk)
    prog = selectors.programmation(appel)
    decideur = peut_decider(request.user)
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
        decisions = services.decider_en_lot(lignes=lignes, par=request.user)
    except services.ErreurLot as erreur:
        _appliquer_erreurs(formulaires[erreur.index], erreur.erreur)
        messages.error(request, AUCUNE_DECISION)
        return None
    n = len(decisions)
    messages.success(
        request,
        f"{n} décision{'s' if n > 1 else ''} enregistrée{'s' if n > 1 else ''} ; les structures "
        "sont prévenues par courriel.",
    )
    return redirect("evaluation:programmation", prog.appel.pk)
