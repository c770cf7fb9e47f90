"""Load (or reload) the contract's tree from fixtures/referentiel.json, idempotently."""

from django.core.management import BaseCommand, call_command

from referentiel.models import Action, Indicateur, Objectif, Orientation, Pilier


class Command(BaseCommand):
    help = (
        "Charge le référentiel du contrat de ville (fixtures/referentiel.json). "
        "Peut être relancée : les éléments existants sont mis à jour, "
        "jamais dupliqués ni supprimés."
    )

    def handle(self, *args, **options):
        call_command("loaddata", "referentiel", verbosity=0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Référentiel chargé : {Pilier.objects.count()} piliers, "
                f"{Orientation.objects.count()} orientations, "
                f"{Objectif.objects.count()} objectifs, "
                f"{Action.objects.count()} actions, {Indicateur.objects.count()} indicateurs."
            )
        )
