"""Write a contract's tree as JSON, in the shape served at /api/referentiel.json."""

import json

from django.core.management import BaseCommand, CommandError

from referentiel.models import Contrat
from referentiel.selectors import referentiel_en_dict


class Command(BaseCommand):
    help = (
        "Exporte le référentiel d'un contrat en JSON (même forme que /api/referentiel.json ; "
        "par défaut le contrat par défaut)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sortie", "-o", help="Fichier où écrire le JSON (par défaut : la sortie standard)."
        )
        parser.add_argument(
            "--contrat", help="Code du contrat à exporter (par défaut : le contrat par défaut)."
        )

    def handle(self, *args, sortie=None, contrat=None, **options):
        objet = None
        if contrat:
            objet = Contrat.objects.select_related("territoire").filter(code=contrat).first()
            if objet is None:
                raise CommandError(f"Aucun contrat n'a le code « {contrat} ».")
        contenu = json.dumps(referentiel_en_dict(objet), ensure_ascii=False, indent=2)
        if sortie:
            with open(sortie, "w", encoding="utf-8") as fichier:
                fichier.write(contenu + "\n")
            self.stderr.write(f"Référentiel écrit dans {sortie}.")
        else:
            self.stdout.write(contenu)
