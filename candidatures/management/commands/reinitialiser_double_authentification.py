"""Remove the second-factor devices of an account whose phone was lost (it enrols again)."""

import getpass

from django.core.management import BaseCommand, CommandError

from candidatures.comptes.second_facteur import services
from candidatures.models import Utilisateur


class Command(BaseCommand):
    help = (
        "Réinitialise la double authentification d'un compte (téléphone perdu) : son application "
        "et ses codes de secours sont effacés ; il l'activera de nouveau à sa prochaine connexion."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="adresse électronique du compte")

    def handle(self, *args, email, **options):
        utilisateur = Utilisateur.objects.filter(email__iexact=email.strip()).first()
        if utilisateur is None:
            raise CommandError(f"Aucun compte n'utilise l'adresse {email}.")
        try:
            operateur = getpass.getuser()
        except (KeyError, OSError):
            operateur = "inconnu"
        nombre = services.reinitialiser(
            utilisateur, par=f"la ligne de commande (utilisateur système {operateur})"
        )
        if nombre:
            self.stdout.write(
                f"Double authentification de {utilisateur.email} réinitialisée : elle sera de "
                "nouveau activée à la prochaine connexion."
            )
        else:
            self.stdout.write(
                f"{utilisateur.email} n'avait pas de double authentification : rien à faire."
            )
