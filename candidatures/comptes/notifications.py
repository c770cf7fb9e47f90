"""E-mails about accounts, sent by the services once their transaction commits."""

from ..commun import courriels


def envoyer_confirmation(utilisateur, jeton, suivant=""):
    courriels.envoyer(
        destinataires=[utilisateur.email],
        sujet="Confirmez votre adresse électronique",
        gabarit="comptes/courriels/confirmation.txt",
        contexte={
            "utilisateur": utilisateur,
            "lien": courriels.lien_absolu(
                "comptes:confirmer", jeton, parametres={"next": suivant} if suivant else None
            ),
        },
    )


def envoyer_changement_adresse(utilisateur, nouvelle_adresse, jeton):
    courriels.envoyer(
        destinataires=[nouvelle_adresse],
        sujet="Confirmez votre nouvelle adresse électronique",
        gabarit="comptes/courriels/changement_adresse.txt",
        contexte={
            "utilisateur": utilisateur,
            "nouvelle_adresse": nouvelle_adresse,
            "lien": courriels.lien_absolu("comptes:confirmer_adresse", jeton),
        },
    )
    courriels.envoyer(
        destinataires=[utilisateur.email],
        sujet="Changement d'adresse électronique demandé",
        gabarit="comptes/courriels/changement_adresse_avertissement.txt",
        contexte={"utilisateur": utilisateur, "nouvelle_adresse": nouvelle_adresse},
    )


def envoyer_reinitialisation(adresse, contexte):
    """The password-reset link; ``contexte`` is Django's (uid, token, protocol, domain…)."""
    courriels.envoyer(
        destinataires=[adresse],
        sujet="Choisissez un nouveau mot de passe",
        gabarit="comptes/courriels/reinitialisation.txt",
        contexte=contexte,
    )
