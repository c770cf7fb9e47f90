"""Back up the database and the documents folder into one dated archive (scripts/sauvegarder.sh)."""

import os
import shutil
import tarfile
import tempfile
from pathlib import Path

import django
from django.conf import settings
from django.core.management import BaseCommand
from django.db import connection
from django.utils import timezone

from candidatures.sauvegarde import ErreurSauvegarde, archives, echec_explique
from candidatures.sauvegarde.bases import base_de


def _creer_dossier(destination):
    try:
        destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as erreur:
        raise ErreurSauvegarde(
            f"dossier de destination {destination} impossible à créer : {erreur}"
        ) from None
    if not os.access(destination, os.W_OK):
        raise ErreurSauvegarde(f"le dossier de destination {destination} n'est pas accessible "
                               "en écriture.")
    documents = Path(settings.MEDIA_ROOT).resolve()
    if destination == documents or documents in destination.parents:
        raise ErreurSauvegarde(
            f"le dossier de destination {destination} est dans le dossier des documents "
            f"({documents}) : chaque sauvegarde contiendrait les précédentes."
        )


def _synchroniser(chemin):
    """fsync a file or a folder: the archive, then its name, reach the disk before we say so."""
    descripteur = os.open(chemin, os.O_RDONLY)
    try:
        os.fsync(descripteur)
    finally:
        os.close(descripteur)


class Command(BaseCommand):
    help = (
        "Sauvegarde la base (pg_dump ou sauvegarde en ligne SQLite) et le dossier des documents "
        "dans une archive datée sauvegarde-portail-AAAA-MM-JJTHHMMSS.tar.gz, avec un manifeste "
        "(versions, migrations, lignes par table, empreinte SHA-256 de chaque fichier)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "destination", nargs="?",
            help="Dossier où écrire l'archive (par défaut : VAR_DIR/sauvegardes).",
        )
        parser.add_argument(
            "--garder", type=int, metavar="N",
            help="Après une sauvegarde réussie, ne garder que les N archives les plus récentes "
                 "de ce dossier.",
        )

    def handle(self, *args, destination=None, garder=None, **options):
        with echec_explique(self.stderr, "Échec de la sauvegarde"):
            if garder is not None and garder < 1:
                raise ErreurSauvegarde("--garder attend un nombre entier au moins égal à 1.")
            destination = Path(destination or Path(settings.VAR_DIR) / "sauvegardes").resolve()
            _creer_dossier(destination)
            archive, manifeste = self._sauvegarder(destination)
            self._resumer(archive, manifeste)
            if garder:
                self._elaguer(destination, garder)

    def _sauvegarder(self, destination):
        maintenant = timezone.localtime()
        nom = f"{archives.PREFIXE}{maintenant:%Y-%m-%dT%H%M%S}.tar.gz"
        finale = destination / nom
        if finale.exists():
            raise ErreurSauvegarde(f"{finale} existe déjà : relancez dans une seconde.")
        base = base_de(connection)
        # Everything is written in a hidden folder next to the archive, which takes its final
        # name by a rename once complete: never a half-written file under that name.
        travail = Path(tempfile.mkdtemp(prefix=".sauvegarde-en-cours-", dir=destination))
        try:
            copie = travail / base.fichier
            etat = base.sauvegarder(copie)
            partielle = travail / nom
            manifeste = {
                "format": archives.FORMAT,
                "date": maintenant.isoformat(timespec="seconds"),
                "portail": archives.version_portail(),
                "django": django.get_version(),
                "base": {"moteur": base.nom, "fichier": f"{archives.BASE}/{base.fichier}", **etat},
                "fichiers": [],
            }
            self._ecrire(partielle, copie, manifeste, maintenant.timestamp())
            os.replace(partielle, finale)
            _synchroniser(destination)
        except OSError as erreur:
            raise ErreurSauvegarde(f"écriture de l'archive impossible : {erreur}") from None
        finally:
            shutil.rmtree(travail, ignore_errors=True)
        return finale, manifeste

    def _ecrire(self, partielle, copie, manifeste, mtime):
        fichiers = manifeste["fichiers"]

        def ouvrir_prive(chemin, drapeaux):
            # The archive holds personal data (bank details, documents): owner only.
            return os.open(chemin, drapeaux, 0o600)

        with open(partielle, "xb", opener=ouvrir_prive) as brut:
            with tarfile.open(fileobj=brut, mode="w:gz") as tar:
                fichiers.append(archives.ajouter(tar, copie, manifeste["base"]["fichier"]))
                copie.unlink()
                for chemin, nom in archives.documents(settings.MEDIA_ROOT):
                    if entree := archives.ajouter(tar, chemin, nom, facultatif=True):
                        fichiers.append(entree)
                    else:
                        self.stderr.write(f"Attention : {chemin} a disparu pendant la sauvegarde.")
                archives.ecrire_manifeste(tar, manifeste, mtime)
            brut.flush()
            os.fsync(brut.fileno())

    def _resumer(self, archive, manifeste):
        tables = manifeste["base"]["tables"]
        documents = manifeste["fichiers"][1:]
        octets = sum(entree["taille"] for entree in documents)
        self.stdout.write(
            f"Sauvegarde écrite : {archive}\n"
            f"  base {manifeste['base']['moteur']} : {len(tables)} tables, "
            f"{sum(tables.values())} lignes, {len(manifeste['base']['migrations'])} migrations\n"
            f"  documents : {len(documents)} fichier(s), {octets} octets\n"
            f"  archive : {archive.stat().st_size} octets"
        )
        if not Path(settings.MEDIA_ROOT).is_dir():
            self.stderr.write(
                f"Attention : le dossier des documents {settings.MEDIA_ROOT} n'existe pas "
                "(MEDIA_ROOT) : aucun document n'est sauvegardé."
            )

    def _elaguer(self, destination, garder):
        sauvegardes = sorted(
            chemin for chemin in destination.iterdir()
            if archives.NOM_ARCHIVE.match(chemin.name) and chemin.is_file()
        )
        for ancienne in sauvegardes[:-garder]:
            ancienne.unlink()
            self.stdout.write(f"Ancienne sauvegarde supprimée : {ancienne.name}")
