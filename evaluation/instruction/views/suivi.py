"""The follow-up page (structure and staff): corrections asked, thread, trail, decision letter."""

from functools import partial

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidatures.commun.erreurs import ErreurMetier, SaisieInvalide, ajouter_au_formulaire
from candidatures.dossiers.services.fichiers_pdf import ATTENTE_NORMALE
from evaluation import generations
from evaluation.models import PieceMessage

from .. import notifications
from ..forms import MessageForm
from ..permissions import (
    peut_ecrire_message,
    peut_telecharger_lettre,
    peut_voir_grille,
    peut_voir_instruction,
    peut_voir_suivi,
)
from ..selectors import commun as selectors_commun
from ..selectors import grille as selectors_grille
from ..selectors import suivi as selectors_suivi
from ..services import messages as services_messages
from .commun import _dossier, _refuser_si


def _contexte_suivi(request, dossier, form):
    personnel = peut_voir_instruction(request.user, dossier)
    instruction = selectors_commun.instruction_de(dossier)
    demande = dossier.demande_ouverte()
    return {
        "dossier": dossier,
        "personnel": personnel,
        "fil": selectors_suivi.fil(dossier, request.user),
        "form": form,
        "peut_ecrire": peut_ecrire_message(request.user, dossier),
        "demande": demande,
        "suivi_demande": getattr(demande, "suivi", None) if demande else None,
        "chronologie": selectors_suivi.chronologie(dossier, complete=personnel),
        "decision": getattr(dossier, "decision", None),
        "grille": selectors_grille.grille(dossier, instruction)
        if instruction and peut_voir_grille(request.user, dossier)
        else None,
    }


@require_GET
def suivi(request, pk):
    """What the structure follows after submission: corrections asked, thread, trail, decision."""
    dossier = _dossier(request, pk, peut_voir_suivi)
    contexte = _contexte_suivi(request, dossier, MessageForm())
    services_messages.marquer_lu(dossier=dossier, utilisateur=request.user)
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
            services_messages.envoyer_message(
                dossier=dossier, auteur=request.user, texte=form.cleaned_data["texte"],
                fichiers=form.cleaned_data["fichiers"],
            )
        except SaisieInvalide as erreur:
            ajouter_au_formulaire(form, erreur)
        except ErreurMetier as erreur:
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


@require_http_methods(["GET", "POST"])
def lettre(request, pk):
    """The decision letter (PDF), rendered by the worker after the decision and kept.

    GET writes nothing: the kept letter, else a page that follows its preparation. Long after
    the decision (worker down, file lost), that page offers to prepare it again: POST asks the
    worker for it, then comes back here.
    """
    dossier = _dossier(request, pk, peut_telecharger_lettre)
    decision = dossier.decision
    if request.method == "POST":
        if not decision.lettre:
            transaction.on_commit(
                partial(notifications.preparer_lettre.enqueue, decision_id=decision.pk)
            )
            messages.success(request, "La préparation de la lettre de décision est relancée.")
        return redirect("evaluation:lettre", dossier.pk)
    if decision.lettre:
        try:
            return FileResponse(
                decision.lettre.open("rb"), as_attachment=True,
                filename=f"decision-{dossier.reference}.pdf",
            )
        except FileNotFoundError:
            pass
    en_retard = decision.decidee_le < timezone.now() - ATTENTE_NORMALE
    return render(
        request, "evaluation/lettre_en_preparation.html",
        {"dossier": dossier, "en_retard": en_retard},
    )


@require_GET
def lettre_etat(request, pk):
    """Whether the decision letter exists yet, as its page polls it (the shape of the other
    files' states: ``fichier`` is the download address once it exists)."""
    dossier = _dossier(request, pk, peut_telecharger_lettre)
    if dossier.decision.lettre:
        return generations.reponse(
            etat="terminee", libelle="terminée", progression=100,
            fichier=reverse("evaluation:lettre", args=[dossier.pk]),
        )
    return generations.reponse(etat="en_attente", libelle="en préparation")
