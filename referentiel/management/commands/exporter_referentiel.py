"""Write the whole tree as JSON, in the shape served at /api/referentiel.json."""

import json

from django.core.management import BaseCommand

from referentiel.selectors import referentiel_en_dict


class Command(BaseCommand):
    help = "Exporte le référentiel en JSON (même forme que /api/referentiel.json)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sortie", "-o", help="Fichier où écrire le JSON (par défaut : la sortie standard)."
        )

    def handle(self, *args, sortie=None, **options):
        contenu = json.dumps(referentiel_en_dict(), ensure_ascii=False, indent=2)
        if sortie:
            with open(sortie, "w", encoding="utf-8") as fichier:
                fichier.write(contenu + "\n")
            self.stderr.write(f"Référentiel écrit dans {sortie}.")
        else:
            self.stdout.write(contenu)
