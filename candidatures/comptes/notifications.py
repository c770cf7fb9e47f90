"""E-mails about accounts and structures, sent by the services once their transaction commits."""

from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import DemandeAdhesion, Membre


def url_absolue(chemin):
    return f"{settings.PORTAIL_URL}{chemin}"


def _envoyer(*, destinataires, sujet, gabarit, contexte):
    corps = render_to_string(
        gabarit,
        {**contexte, "PORTAIL_NOM": settings.PORTAIL_NOM, "PORTAIL_URL": settings.PORTAIL_URL},
    )
    send_mail(f"[{settings.PORTAIL_NOM}] {sujet}", corps, None, destinataires)


def envoyer_confirmation(utilisateur, jeton, suivant=""):
    lien = reverse("comptes:confirmer", args=[jeton])
    if suivant:
        lien += "?" + urlencode({"next": suivant})
    _envoyer(
        destinataires=[utilisateur.email],
        sujet="Confirmez votre adresse électronique",
        gabarit="comptes/courriels/confirmation.txt",
        contexte={"utilisateur": utilisateur, "lien": url_absolue(lien)},
    )


def envoyer_changement_adresse(utilisateur, nouvelle_adresse, jeton):
    _envoyer(
        destinataires=[nouvelle_adresse],
        sujet="Confirmez votre nouvelle adresse électronique",
        gabarit="comptes/courriels/changement_adresse.txt",
        contexte={
            "utilisateur": utilisateur,
            "nouvelle_adresse": nouvelle_adresse,
            "lien": url_absolue(reverse("comptes:confirmer_adresse", args=[jeton])),
        },
    )
    _envoyer(
        destinataires=[utilisateur.email],
        sujet="Changement d'adresse électronique demandé",
        gabarit="comptes/courriels/changement_adresse_avertissement.txt",
        contexte={"utilisateur": utilisateur, "nouvelle_adresse": nouvelle_adresse},
    )


def envoyer_invitation(invitation, jeton):
    _envoyer(
        destinataires=[invitation.email],
        sujet=f"Invitation à rejoindre {invitation.structure}",
        gabarit="structures/courriels/invitation.txt",
        contexte={
            "invitation": invitation,
            "lien": url_absolue(reverse("structures:invitation", args=[jeton])),
        },
    )


def envoyer_demande_adhesion(demande):
    responsables = list(
        Membre.objects.filter(structure=demande.structure, role=Membre.Role.RESPONSABLE)
        .values_list("utilisateur__email", flat=True)
    )
    if not responsables:
        return
    _envoyer(
        destinataires=responsables,
        sujet=f"Demande d'adhésion à {demande.structure}",
        gabarit="structures/courriels/demande_adhesion.txt",
        contexte={
            "demande": demande,
            "lien": url_absolue(reverse("structures:detail", args=[demande.structure_id])),
        },
    )


def envoyer_reponse_adhesion(demande):
    acceptee = demande.statut == DemandeAdhesion.Statut.ACCEPTEE
    _envoyer(
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
            "lien": url_absolue(reverse("structures:liste")),
        },
    )
