"""Restore a backup archive into an empty database and documents folder (scripts/restaurer.sh)."""

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from candidatures.sauvegarde import ErreurSauvegarde, archives, echec_explique
from candidatures.sauvegarde.bases import base_de
from referentiel import fragments

# Exit code of a restore that succeeded on a database older than the code: `migrate` is due.
CODE_MIGRATIONS_EN_ATTENTE = 3


def _comparer(etat, attendu):
    """The restored database holds the rows and migrations the manifest lists."""
    if etat["migrations"] != attendu["migrations"]:
        raise ErreurSauvegarde(
            "les migrations de la base restaurée ne sont pas celles du manifeste."
        )
    tables, prevues = etat["tables"], attendu["tables"]
    for table in sorted(set(tables) | set(prevues)):
        if tables.get(table) != prevues.get(table):
            raise ErreurSauvegarde(
                f"la base restaurée ne correspond pas au manifeste : table {table}, "
                f"{tables.get(table, 'absente')} lignes au lieu de {prevues.get(table, 'aucune')}."
            )


class Command(BaseCommand):
    help = (
        "Restaure une archive de sauvegarde-portail dans la base de DATABASE_URL et le dossier "
        "MEDIA_ROOT, vides (sauf --ecraser) ; vérifie les empreintes du manifeste, le nombre de "
        "lignes de chaque table et l'état des migrations. Arrêtez le portail avant."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Archive sauvegarde-portail-….tar.gz à restaurer.")
        parser.add_argument(
            "--ecraser", action="store_true",
            help="Remplacer le contenu d'une base ou d'un dossier de documents qui n'est pas vide "
                 "(ce contenu est perdu).",
        )

    def handle(self, *args, archive, ecraser=False, **options):
        with echec_explique(self.stderr, "Échec de la restauration"):
            archive = Path(archive)
            if not archive.is_file():
                raise ErreurSauvegarde(f"l'archive {archive} est introuvable.")
            base = base_de(connection)
            documents = Path(settings.MEDIA_ROOT)
            base.connecter()
            if not ecraser:
                self._refuser_si_occupe(base, documents)
            manifeste = self._restaurer(archive, base, documents, ecraser)
            # The restored tables were written without signals: the pages kept from the
            # référentiel before the restoration must not be served after it.
            fragments.changer()
            self.stdout.write(
                f"Restauration terminée depuis {archive.name} (sauvegarde du "
                f"{manifeste['date']}) : {base.decrire()}, "
                f"{sum(manifeste['base']['tables'].values())} lignes ; {documents}, "
                f"{len(manifeste['fichiers']) - 1} document(s). Empreintes vérifiées."
            )
            self._verifier_schema()

    def _refuser_si_occupe(self, base, documents):
        occupes = []
        if not base.est_vide():
            occupes.append(f"la {base.decrire()} n'est pas vide")
        if not archives.dossier_vide(documents):
            occupes.append(f"le dossier des documents {documents} n'est pas vide")
        if occupes:
            raise ErreurSauvegarde(
                " et ".join(occupes) + ". Restaurez dans une base et un dossier vides, ou "
                "relancez avec --ecraser pour remplacer leur contenu (il sera perdu).",
                titre="Restauration refusée",
            )

    def _restaurer(self, archive, base, documents, ecraser):
        documents.parent.mkdir(parents=True, exist_ok=True)
        # Unpacked next to MEDIA_ROOT, so that moving the documents in is a rename.
        travail = Path(tempfile.mkdtemp(prefix=".restauration-", dir=documents.parent))
        try:
            archives.extraire(archive, travail)
            manifeste = archives.lire_manifeste(travail)
            # Nothing is touched before every checksum is known to be right.
            archives.verifier(travail, manifeste)
            moteur = manifeste["base"]["moteur"]
            if moteur != base.nom:
                raise ErreurSauvegarde(
                    f"l'archive contient une base {moteur}, le portail est configuré pour "
                    f"{base.nom} (DATABASE_URL) : restaurez-la sur le même moteur."
                )
            if ecraser:
                base.vider()
            base.restaurer(travail / manifeste["base"]["fichier"])
            _comparer(base.etat(), manifeste["base"])
            documents.mkdir(parents=True, exist_ok=True)
            if ecraser:
                archives.vider(documents)
            if (travail / archives.DOCUMENTS).is_dir():
                archives.deplacer_contenu(travail / archives.DOCUMENTS, documents)
            archives.verifier(documents, manifeste, partie=archives.DOCUMENTS)
        except OSError as erreur:
            raise ErreurSauvegarde(
                f"écriture impossible pendant la restauration : {erreur}"
            ) from None
        finally:
            shutil.rmtree(travail, ignore_errors=True)
        return manifeste

    def _verifier_schema(self):
        """What ``manage.py migrate --check`` says, and migrations this code does not know."""
        connection.close()
        executeur = MigrationExecutor(connection)
        chargeur = executeur.loader
        inconnues = sorted(set(chargeur.applied_migrations) - set(chargeur.disk_migrations))
        if inconnues:
            self.stderr.write(
                f"Attention : la base a {len(inconnues)} migrations que ce code ne connaît pas "
                f"({inconnues[0][0]}.{inconnues[0][1]}…) : la sauvegarde vient d'une version plus "
                "récente du portail ; déployez cette version avant de le redémarrer."
            )
        en_attente = executeur.migration_plan(chargeur.graph.leaf_nodes())
        if en_attente:
            raise ErreurSauvegarde(
                f"les données sont restaurées, mais la base attend {len(en_attente)} migrations "
                "de ce code (sauvegarde d'une version plus ancienne) : lancez "
                "« manage.py migrate » avant de redémarrer le portail.",
                code=CODE_MIGRATIONS_EN_ATTENTE,
            )
        self.stdout.write("Schéma à jour : aucune migration en attente.")
