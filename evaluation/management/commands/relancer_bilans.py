"""Daily: remind structures whose bilan is due soon or late (each reminder is sent once)."""

import datetime

from django.core.management.base import BaseCommand

from evaluation.bilans.services.relances import relancer_bilans


class Command(BaseCommand):
    help = (
        "Envoie les relances de bilans (30 et 7 jours avant l'échéance, puis 1 et 30 jours "
        "après). À lancer chaque jour : une relance déjà envoyée ne l'est jamais deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, default=None,
            help="Date du jour à prendre en compte (AAAA-MM-JJ), pour rattraper un jour manqué.",
        )

    def handle(self, *args, date=None, **options):
        envoyees = relancer_bilans(aujourd_hui=date)
        if not envoyees:
            self.stdout.write("Aucune relance à envoyer.")
        else:
            n = len(envoyees)
            self.stdout.write(f"{n} relance{'s' if n > 1 else ''} envoyée{'s' if n > 1 else ''}.")
