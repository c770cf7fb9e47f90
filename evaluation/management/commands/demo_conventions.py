"""Demo conventions and payments on the default contract (dev only; ``scripts/run.sh``)."""

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from evaluation.conventions.demo import creer_conventions_demo


class Command(BaseCommand):
    help = (
        "Enregistre, sur l'appel du contrat par défaut rempli par generer_volume, une convention "
        "avec son avance et une convention soldée après le bilan validé. Refusé hors "
        "développement ; sans effet si elles existent déjà."
    )

    def handle(self, *args, **options):
        if not getattr(settings, "PORTAIL_DEMO", False):
            raise CommandError("Les données de démonstration ne sont créées qu'en développement.")
        self.stdout.write("\n".join(creer_conventions_demo()))
