"""The archive of a backup: its members, its manifest, their checksums, the documents folder.

An archive ``sauvegarde-portail-AAAA-MM-JJTHHMMSS.tar.gz`` holds ``base/`` (the database dump),
``documents/`` (MEDIA_ROOT: uploaded documents and generated files, as they are on disk) and
``manifeste.json``, written last: date, version of the portal, database engine, rows of each
table, applied migrations, and the size and SHA-256 of every other member.
"""

import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import tarfile
import tomllib
import zlib
from pathlib import Path, PurePosixPath

from django.conf import settings

from . import ErreurSauvegarde

FORMAT = 1
MANIFESTE = "manifeste.json"
BASE = "base"
DOCUMENTS = "documents"
PREFIXE = "sauvegarde-portail-"
NOM_ARCHIVE = re.compile(r"^sauvegarde-portail-\d{4}-\d{2}-\d{2}T\d{6}\.tar\.gz$")
BLOC = 1024 * 1024


class _LecteurEmpreinte:
    """A file object whose reads feed a SHA-256: what goes into the tar is what gets hashed."""

    def __init__(self, fichier):
        self.fichier = fichier
        self.empreinte = hashlib.sha256()
        self.taille = 0

    def read(self, taille=-1):
        donnees = self.fichier.read(taille)
        self.empreinte.update(donnees)
        self.taille += len(donnees)
        return donnees


def empreinte(chemin):
    """SHA-256 of a file, read by blocks."""
    calcul = hashlib.sha256()
    with open(chemin, "rb") as fichier:
        while bloc := fichier.read(BLOC):
            calcul.update(bloc)
    return calcul.hexdigest()


# --- Writing --------------------------------------------------------------------------------------


def ajouter(tar, chemin, nom, facultatif=False):
    """Add one file under ``nom``; return its manifest entry (size and SHA-256 as archived).

    A ``facultatif`` file deleted since the folder was listed (a document replaced meanwhile)
    gives None instead of failing the whole backup.
    """
    try:
        fichier = open(chemin, "rb")  # closed by the with block below
    except FileNotFoundError:
        if facultatif:
            return None
        raise
    with fichier:
        infos = os.fstat(fichier.fileno())
        membre = tarfile.TarInfo(nom)
        membre.size = infos.st_size
        membre.mtime = int(infos.st_mtime)
        membre.mode = stat.S_IMODE(infos.st_mode)
        lecteur = _LecteurEmpreinte(fichier)
        tar.addfile(membre, lecteur)
    return {"chemin": nom, "taille": lecteur.taille, "sha256": lecteur.empreinte.hexdigest()}


def documents(racine):
    """(path on disk, name in the archive) of every file under MEDIA_ROOT, in a stable order."""
    racine = Path(racine)
    if not racine.is_dir():
        return
    for dossier, sous_dossiers, fichiers in os.walk(racine):
        sous_dossiers.sort()
        for nom in sorted(fichiers):
            chemin = Path(dossier, nom)
            if chemin.is_file():
                yield chemin, f"{DOCUMENTS}/{chemin.relative_to(racine).as_posix()}"


def ecrire_manifeste(tar, manifeste, mtime):
    contenu = json.dumps(manifeste, ensure_ascii=False, indent=1).encode()
    membre = tarfile.TarInfo(MANIFESTE)
    membre.size = len(contenu)
    membre.mtime = int(mtime)
    membre.mode = 0o600
    tar.addfile(membre, io.BytesIO(contenu))


def version_portail():
    """Version from pyproject.toml and the git commit, when the portal runs from a clone."""
    version = commit = None
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as fichier:
            version = tomllib.load(fichier)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    try:
        resultat = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=10, check=False,
        )
        if resultat.returncode == 0:
            commit = resultat.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return {"version": version, "commit": commit}


# --- Reading --------------------------------------------------------------------------------------


def _nom_sur(nom):
    """True for a relative member name under one of the archive's three parts, without ``..``."""
    chemin = PurePosixPath(nom)
    return (
        not chemin.is_absolute()
        and ".." not in chemin.parts
        and bool(chemin.parts)
        and (nom == MANIFESTE or chemin.parts[0] in (BASE, DOCUMENTS))
    )


def extraire(archive, dossier):
    """Unpack a backup archive into ``dossier``: plain files and folders of its three parts only."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for membre in tar:
                if not (membre.isfile() or membre.isdir()) or not _nom_sur(membre.name):
                    raise ErreurSauvegarde(
                        f"l'archive {archive} contient « {membre.name} », qui n'appartient pas "
                        "à une sauvegarde du portail."
                    )
                tar.extract(membre, dossier, filter="data")
    except (tarfile.TarError, EOFError, zlib.error) as erreur:
        raise ErreurSauvegarde(
            f"l'archive {archive} est illisible ou tronquée ({erreur})."
        ) from None
    except OSError as erreur:
        raise ErreurSauvegarde(
            f"lecture de l'archive {archive} impossible ({erreur}) : archive endommagée, ou "
            "place insuffisante pour la décompresser."
        ) from None


def lire_manifeste(dossier):
    chemin = Path(dossier, MANIFESTE)
    if not chemin.is_file():
        raise ErreurSauvegarde(
            f"l'archive n'a pas de {MANIFESTE} : ce n'est pas une sauvegarde du portail, ou elle "
            "est incomplète."
        )
    try:
        manifeste = json.loads(chemin.read_text())
    except (ValueError, UnicodeDecodeError) as erreur:
        raise ErreurSauvegarde(f"le {MANIFESTE} de l'archive est illisible ({erreur}).") from None
    format_ = manifeste.get("format") if isinstance(manifeste, dict) else None
    if format_ != FORMAT:
        raise ErreurSauvegarde(
            f"format de sauvegarde inconnu ({format_!r} au lieu de {FORMAT}) : restaurez-la "
            "avec la version du portail qui l'a écrite."
        )
    for entree in manifeste.get("fichiers", []):
        if not _nom_sur(entree.get("chemin", "")) or entree["chemin"] == MANIFESTE:
            raise ErreurSauvegarde(f"le {MANIFESTE} cite un chemin invalide : {entree!r}.")
    return manifeste


def verifier(dossier, manifeste, partie=None):
    """Every file the manifest lists is there with its size and SHA-256, and nothing else is.

    ``partie`` limits the check to ``base`` or ``documents`` (``dossier`` then stands for that
    part, e.g. MEDIA_ROOT after a restore).
    """
    dossier = Path(dossier)
    attendus = {}
    for entree in manifeste["fichiers"]:
        parties = PurePosixPath(entree["chemin"]).parts
        if partie is None:
            attendus[PurePosixPath(*parties)] = entree
        elif parties[0] == partie:
            attendus[PurePosixPath(*parties[1:])] = entree
    for relatif, entree in sorted(attendus.items()):
        chemin = dossier / relatif
        if not chemin.is_file():
            raise ErreurSauvegarde(f"l'archive est incomplète : {entree['chemin']} manque.")
        if chemin.stat().st_size != entree["taille"] or empreinte(chemin) != entree["sha256"]:
            raise ErreurSauvegarde(
                f"l'archive est corrompue : {entree['chemin']} ne correspond pas à son empreinte "
                f"SHA-256 dans le {MANIFESTE}. Utilisez une autre sauvegarde."
            )
    presents = {
        PurePosixPath(chemin.relative_to(dossier).as_posix())
        for chemin in dossier.rglob("*") if not chemin.is_dir()
    }
    if partie is None:
        presents.discard(PurePosixPath(MANIFESTE))
    if surplus := sorted(presents - set(attendus)):
        raise ErreurSauvegarde(
            f"{surplus[0]} n'est pas cité par le {MANIFESTE} : archive modifiée, ou dossier "
            "déjà occupé."
        )


# --- The documents folder -------------------------------------------------------------------------


def dossier_vide(dossier):
    dossier = Path(dossier)
    return not dossier.exists() or (dossier.is_dir() and not any(dossier.iterdir()))


def vider(dossier):
    """Remove what a folder holds, keeping the folder itself (a mount point, its permissions)."""
    for entree in Path(dossier).iterdir():
        if entree.is_dir() and not entree.is_symlink():
            shutil.rmtree(entree)
        else:
            entree.unlink()


def deplacer_contenu(source, destination):
    """Move what ``source`` holds into ``destination`` (a rename when on the same disk)."""
    for entree in sorted(Path(source).iterdir()):
        shutil.move(entree, Path(destination) / entree.name)
