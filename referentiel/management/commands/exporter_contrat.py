"""Write a contract's workbook (xlsx): the format that importer_contrat reads back."""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from referentiel.classeur.extraction import exporter_contrat
from referentiel.models import Contrat


class Command(BaseCommand):
    help = (
        "Exporte un contrat de ville entier (arbre, cahiers des charges, indicateurs, renvois, "
        "QPV) dans un classeur Excel, au format que lit importer_contrat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contrat", required=True, help="Code du contrat à exporter.")
        parser.add_argument("--sortie", "-o", required=True, help="Fichier .xlsx à écrire.")

    def handle(self, *args, contrat, sortie, **options):
        try:
            objet = Contrat.objects.select_related("territoire", "generation").get(code=contrat)
        except Contrat.DoesNotExist:
            raise CommandError(f"Aucun contrat n'a le code « {contrat} ».") from None
        Path(sortie).write_bytes(exporter_contrat(objet))
        self.stdout.write(self.style.SUCCESS(f"Contrat {objet.code} exporté dans {sortie}."))
