"""E-mails of the instruction, queued after commit: corrections asked, new message, decision."""

from django.tasks import task

from candidatures.commun import courriels
from candidatures.models import DemandeCorrection

from ..models import Decision, Message
from .pdf import generer_lettre
from .permissions import contrat_de
from .selectors.commun import instructeurs


def membres_de_la_structure(dossier):
    """Addresses of every member of the dossier's structure, sorted."""
    return sorted(
        dossier.structure.membres.filter(utilisateur__is_active=True).values_list(
            "utilisateur__email", flat=True
        )
    )


def instructeurs_du_dossier(dossier):
    """The assigned instructor's address, or, while nobody is assigned, the address of every
    instructor of the dossier's contract (never those of another contract)."""
    instruction = getattr(dossier, "instruction", None)
    if instruction is not None and instruction.instructeur_id:
        return [instruction.instructeur.email]
    return sorted(instructeurs(contrat_de(dossier)).values_list("email", flat=True))


def notifier_corrections(*, demande_id):
    """Tell the structure which sections to correct, why, and by when."""
    demande = DemandeCorrection.objects.select_related(
        "dossier__structure", "suivi"
    ).get(pk=demande_id)
    dossier = demande.dossier
    courriels.envoyer(
        sujet=f"Dossier {dossier.reference} : corrections demandées",
        gabarit="evaluation/courriels/corrections.txt",
        contexte={
            "dossier": dossier,
            "demande": demande,
            "echeance": demande.suivi.echeance,
            "lien": courriels.lien_absolu("dossiers:detail", dossier.pk),
            "lien_suivi": courriels.lien_absolu("evaluation:suivi", dossier.pk),
        },
        destinataires=membres_de_la_structure(dossier),
    )


def notifier_message(*, message_id):
    """Tell the other side of the thread that a message arrived."""
    message = Message.objects.select_related(
        "dossier__structure", "dossier__instruction__instructeur", "auteur"
    ).get(pk=message_id)
    dossier = message.dossier
    if message.de_la_structure:
        destinataires = instructeurs_du_dossier(dossier)
        lien = courriels.lien_absolu("evaluation:instruction", dossier.pk)
    else:
        destinataires = membres_de_la_structure(dossier)
        lien = courriels.lien_absolu("evaluation:suivi", dossier.pk)
    destinataires = [d for d in destinataires if not message.auteur or d != message.auteur.email]
    courriels.envoyer(
        sujet=f"Dossier {dossier.reference} : nouveau message",
        gabarit="evaluation/courriels/message.txt",
        contexte={"dossier": dossier, "message": message, "lien": lien},
        destinataires=destinataires,
    )


@task()
def preparer_lettre(*, decision_id):
    """Render and keep a decision letter asked for before it existed (or whose file was lost)."""
    decision = Decision.objects.filter(pk=decision_id).first()
    if decision is not None:
        generer_lettre(decision=decision)


@task()
def notifier_decision(*, decision_id):
    """Render and keep the decision letter, then e-mail it to the structure (a background task:
    the « décider » request only queues it)."""
    decision = Decision.objects.select_related("dossier__structure", "dossier__appel").filter(
        pk=decision_id
    ).first()
    if decision is None:
        return
    generer_lettre(decision=decision)
    decision.refresh_from_db(fields=["lettre"])
    dossier = decision.dossier
    courriels.envoyer(
        sujet=f"Dossier {dossier.reference} : décision du comité de pilotage",
        gabarit="evaluation/courriels/decision.txt",
        contexte={
            "dossier": dossier,
            "decision": decision,
            "lien": courriels.lien_absolu("evaluation:suivi", dossier.pk),
        },
        destinataires=membres_de_la_structure(dossier),
        pieces=[(f"decision-{dossier.reference}.pdf", decision.lettre, "application/pdf")],
    )
