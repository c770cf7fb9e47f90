"""Load a contract from one workbook (xlsx): check everything, preview or write it all."""

from django.core.management import BaseCommand, CommandError

from referentiel.classeur.chargement import importer_classeur
from referentiel.classeur.erreurs import ClasseurInvalide


class Command(BaseCommand):
    help = (
        "Charge un contrat de ville entier depuis un classeur Excel (voir docs/contrats.md). "
        "Le contrat est créé s'il n'existe pas. Le classeur est vérifié en entier avant toute "
        "écriture ; avec --dry-run, rien n'est écrit et l'aperçu des changements s'affiche."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="Classeur .xlsx à charger.")
        parser.add_argument(
            "--contrat", help="Code du contrat (par défaut : celui de la feuille Contrat)."
        )
        parser.add_argument("--nom", help="Nom du contrat (par défaut : celui de la feuille).")
        parser.add_argument(
            "--dry-run", "--a-blanc", action="store_true", dest="a_blanc",
            help="Vérifier et afficher l'aperçu sans rien écrire.",
        )
        parser.add_argument(
            "--limite", type=int, default=50,
            help="Nombre de changements détaillés affichés (50 par défaut, 0 : aucun).",
        )

    def handle(self, *args, fichier, contrat=None, nom=None, a_blanc=False, limite=50, **options):
        try:
            rapport = importer_classeur(fichier, contrat, nom=nom, a_blanc=a_blanc)
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {fichier}") from None
        except ClasseurInvalide as erreur:
            for ligne in erreur.erreurs:
                self.stderr.write(f"- {ligne}")
            raise CommandError(
                f"Classeur refusé : {len(erreur.erreurs)} erreur(s). Rien n'a été enregistré."
            ) from None
        entete = "Aperçu (rien n'a été enregistré)" if a_blanc else "Import terminé"
        creation = " (création du contrat)" if rapport.contrat_cree else ""
        self.stdout.write(f"{entete} — contrat {rapport.code}{creation} : {rapport.resume()}.")
        for compte in rapport.comptes.values():
            self.stdout.write(
                f"  {compte.feuille:<20} créés {compte.crees:>5}   modifiés {compte.modifies:>5}"
                f"   inchangés {compte.inchanges:>5}   supprimés {compte.supprimes:>5}"
            )
        if limite and rapport.changements:
            self.stdout.write("Changements :")
            for changement in rapport.changements[:limite]:
                self.stdout.write(f"  - {changement}")
            reste = len(rapport.changements) - limite
            if reste > 0:
                self.stdout.write(f"  … et {reste} autre(s) (--limite pour en voir plus).")
