"""Workbooks waiting for confirmation: kept server-side between the preview and the import.

The administrator uploads a workbook, reads the preview, then confirms: the file is not sent
twice. It is kept under a random token in MEDIA_ROOT (never served), with who uploaded it and
the contract it is meant for, and removed once imported, cancelled, or after ``DUREE``.
"""

import datetime
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

DOSSIER = "classeurs-en-attente"
DUREE = datetime.timedelta(hours=2)
JETON = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class EnAttente:
    jeton: str
    donnees: bytes
    code: str
    nom: str
    nom_fichier: str


def _dossier():
    dossier = Path(settings.MEDIA_ROOT) / DOSSIER
    dossier.mkdir(parents=True, exist_ok=True)
    return dossier


def _chemins(jeton):
    dossier = _dossier()
    return dossier / f"{jeton}.xlsx", dossier / f"{jeton}.json"


def nettoyer(maintenant=None):
    """Remove the files left waiting longer than DUREE (abandoned previews)."""
    limite = (maintenant or time.time()) - DUREE.total_seconds()
    for chemin in _dossier().iterdir():
        if chemin.suffix in (".xlsx", ".json") and chemin.stat().st_mtime < limite:
            chemin.unlink(missing_ok=True)


def deposer(donnees, *, utilisateur_id, code, nom, nom_fichier):
    """Keep ``donnees`` for ``utilisateur_id``; return the token that names it."""
    nettoyer()
    jeton = secrets.token_urlsafe(24)
    classeur, meta = _chemins(jeton)
    classeur.write_bytes(donnees)
    meta.write_text(json.dumps({
        "utilisateur": utilisateur_id, "code": code or "", "nom": nom or "",
        "nom_fichier": nom_fichier[:200],
    }))
    return jeton


def reprendre(jeton, *, utilisateur_id):
    """The workbook kept under ``jeton`` for that user, or None (unknown, expired, another's)."""
    if not isinstance(jeton, str) or not JETON.match(jeton):
        return None
    classeur, meta = _chemins(jeton)
    try:
        if time.time() - meta.stat().st_mtime > DUREE.total_seconds():
            retirer(jeton)
            return None
        infos = json.loads(meta.read_text())
        if infos.get("utilisateur") != utilisateur_id:
            return None
        return EnAttente(
            jeton, classeur.read_bytes(), infos["code"], infos["nom"], infos["nom_fichier"]
        )
    except (OSError, ValueError, KeyError):
        return None


def retirer(jeton):
    if isinstance(jeton, str) and JETON.match(jeton):
        for chemin in _chemins(jeton):
            chemin.unlink(missing_ok=True)
