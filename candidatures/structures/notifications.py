"""E-mails about structures, sent by the services once their transaction commits."""

from ..commun import courriels
from ..models import DemandeAdhesion, Membre


def envoyer_invitation(invitation, jeton):
    courriels.envoyer(
        destinataires=[invitation.email],
        sujet=f"Invitation à rejoindre {invitation.structure}",
        gabarit="structures/courriels/invitation.txt",
        contexte={
            "invitation": invitation,
            "lien": courriels.lien_absolu("structures:invitation", jeton),
        },
    )


def envoyer_demande_adhesion(demande):
    courriels.envoyer(
        destinataires=Membre.objects.filter(
            structure=demande.structure, role=Membre.Role.RESPONSABLE
        ).values_list("utilisateur__email", flat=True),
        sujet=f"Demande d'adhésion à {demande.structure}",
        gabarit="structures/courriels/demande_adhesion.txt",
        contexte={
            "demande": demande,
            "lien": courriels.lien_absolu("structures:detail", demande.structure_id),
        },
    )


def envoyer_reponse_adhesion(demande):
    acceptee = demande.statut == DemandeAdhesion.Statut.ACCEPTEE
    courriels.envoyer(
        destinataires=[demande.utilisateur.email],
        sujet=(
            f"Vous avez rejoint {demande.structure}"
            if acceptee
            else f"Votre demande d'adhésion à {demande.structure}"
        ),
        gabarit="structures/courriels/reponse_adhesion.txt",
        contexte={
            "demande": demande,
            "acceptee": acceptee,
            "lien": courriels.lien_absolu("structures:liste"),
        },
    )
