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


def envoyer_compte_existant(utilisateur):
    """Someone tried to sign up with an address that already has an account."""
    courriels.envoyer(
        destinataires=[utilisateur.email],
        sujet="Vous avez déjà un compte",
        gabarit="comptes/courriels/compte_existant.txt",
        contexte={
            "utilisateur": utilisateur,
            "lien_connexion": courriels.lien_absolu("comptes:connexion"),
            "lien_mot_de_passe": courriels.lien_absolu("comptes:mot_de_passe_oublie"),
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
