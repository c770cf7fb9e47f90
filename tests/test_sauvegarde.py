"""Backups that restore: scripts/sauvegarder.sh then scripts/restaurer.sh give back the same data.

The demo data (référentiel, demo accounts and calls, a generated call with decisions and bilans,
uploaded and generated documents) go into a scratch database and documents folder; the scripts run
as subprocesses with the environment cron would give them. Scratch databases are SQLite files and,
when the suite runs on PostgreSQL (DATABASE_URL), PostgreSQL databases created and dropped here.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import psycopg2
import pytest

RACINE = Path(__file__).resolve().parent.parent
URL_SUITE = os.environ.get("DATABASE_URL", "")
MOTEURS = ["sqlite"] + (["postgresql"] if URL_SUITE.startswith("postgres") else [])

# Run in the scratch source by `manage.py shell`: the demo data, then documents as the portal
# stores them (uploads under random or original names, a generated bilan file, an empty file).
PEUPLER = """
import datetime
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from candidatures.models import AppelAProjets, DocumentAppel, DocumentStructure, Structure

call_command("migrate", verbosity=0)
call_command("charger_referentiel")
call_command("demo")
call_command("generer_volume", dossiers=25, annee=2024)
structure = Structure.objects.get(siret="81234567600017")
document = DocumentStructure(
    structure=structure, type="statuts", nom_original="Statuts signés.pdf",
    taille=256 * 40, type_mime="application/pdf", date_document=datetime.date(2024, 5, 2),
)
document.fichier.save("statuts.pdf", ContentFile(bytes(range(256)) * 40))
appel = AppelAProjets.objects.order_by("annee").last()
reglement = DocumentAppel(appel=appel, titre="Règlement de l'appel", ordre=1)
reglement.fichier.save("règlement été 2026.pdf", ContentFile("%PDF-1.7 é à ç\\n".encode() * 99))
default_storage.save("bilans-generes/1.xlsx", ContentFile(b"PK\\x03\\x04" + b"\\x00\\xff" * 5000))
default_storage.save("vide.txt", ContentFile(b""))
"""


# --- Scratch databases and folders ----------------------------------------------------------------


class Cible:
    """A scratch portal: its database (SQLite file or PostgreSQL database) and its folders."""

    def __init__(self, moteur, dossier, base=True):
        self.moteur = moteur
        self.dossier = Path(dossier)
        self.dossier.mkdir(parents=True, exist_ok=True)
        self.documents = self.dossier / "documents"
        self.documents.mkdir()
        self.nom = f"sauvegarde_{uuid.uuid4().hex[:12]}"
        if moteur == "postgresql" and base:
            _administrer(f"CREATE DATABASE {self.nom}")

    @property
    def url(self):
        if self.moteur == "sqlite":
            return f"sqlite:///{self.dossier / 'portail.sqlite3'}"
        return urlsplit(URL_SUITE)._replace(path=f"/{self.nom}").geturl()

    def supprimer(self):
        if self.moteur == "postgresql":
            _administrer(f"DROP DATABASE IF EXISTS {self.nom} WITH (FORCE)")
        shutil.rmtree(self.dossier, ignore_errors=True)

    def environnement(self):
        ignorees = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE",
                    "DATABASE_URL", "VAR_DIR", "MEDIA_ROOT"}
        env = {cle: valeur for cle, valeur in os.environ.items() if cle not in ignorees}
        env.update(
            DJANGO_SETTINGS_MODULE="contrat_ville.settings.dev", DATABASE_URL=self.url,
            VAR_DIR=str(self.dossier), MEDIA_ROOT=str(self.documents),
            PORTAIL_PYTHON=sys.executable,
        )
        return env

    def lancer(self, *commande):
        """Run a script of scripts/ (or manage.py) against this portal, as cron would."""
        if commande[0].endswith(".sh"):
            commande = [str(RACINE / "scripts" / commande[0]), *commande[1:]]
        else:
            commande = [sys.executable, str(RACINE / "manage.py"), *commande]
        return subprocess.run(
            commande, env=self.environnement(), cwd=self.dossier, capture_output=True,
            text=True, timeout=300, check=False,
        )

    def _connexion(self):
        if self.moteur == "sqlite":
            return sqlite3.connect(self.dossier / "portail.sqlite3")
        return psycopg2.connect(**_parametres_pg(self.nom))

    def executer(self, sql):
        connexion = self._connexion()
        try:
            connexion.cursor().execute(sql)
            connexion.commit()
        finally:
            connexion.close()

    def donnees(self):
        """Rows and SHA-256 of every table (ordered by primary key), every file's bytes."""
        connexion = self._connexion()
        try:
            tables = _empreintes_tables(connexion, self.moteur)
        finally:
            connexion.close()
        fichiers = {
            chemin.relative_to(self.documents).as_posix(): chemin.read_bytes()
            for chemin in self.documents.rglob("*") if chemin.is_file()
        }
        return tables, fichiers


def _parametres_pg(nom):
    reglages = dj_database_url.parse(URL_SUITE)
    return {
        "dbname": nom, "user": reglages["USER"], "password": reglages["PASSWORD"] or None,
        "host": reglages["HOST"] or None, "port": reglages["PORT"] or None,
    }


def _administrer(sql):
    connexion = psycopg2.connect(**_parametres_pg("postgres"))
    connexion.autocommit = True
    try:
        connexion.cursor().execute(sql)
    finally:
        connexion.close()


def _cle_primaire(curseur, moteur, table):
    if moteur == "sqlite":
        curseur.execute(f'PRAGMA table_info("{table}")')
        return [nom for _, nom, _, _, _, rang in sorted(curseur.fetchall(), key=lambda c: c[5])
                if rang]
    curseur.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = ANY (i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary "
        "ORDER BY a.attnum",
        [f'"{table}"'],
    )
    return [nom for (nom,) in curseur.fetchall()]


def _empreintes_tables(connexion, moteur):
    curseur = connexion.cursor()
    if moteur == "sqlite":
        curseur.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    else:
        curseur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    resultat = {}
    for (table,) in curseur.fetchall():
        cle = _cle_primaire(curseur, moteur, table)
        ordre = f" ORDER BY {', '.join(f'{chr(34)}{c}{chr(34)}' for c in cle)}" if cle else ""
        curseur.execute(f'SELECT * FROM "{table}"{ordre}')
        lignes = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in ligne)
                  for ligne in curseur.fetchall()]
        if not cle:
            lignes.sort(key=repr)
        resultat[table] = (len(lignes), hashlib.sha256(repr(lignes).encode()).hexdigest())
    if moteur == "postgresql":
        # Sequences too: ids handed out after a restore must not collide with restored rows.
        curseur.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        )
        resultat["séquences"] = sorted(curseur.fetchall())
    return resultat


@pytest.fixture(scope="module", params=MOTEURS)
def moteur(request):
    return request.param


@pytest.fixture(scope="module")
def cibles(moteur, tmp_path_factory):
    """Make scratch portals on the module's engine; drop them all at the end."""
    creees = []

    def creer(nom, base=True):
        cible = Cible(moteur, tmp_path_factory.mktemp(f"{moteur}-{nom}"), base=base)
        creees.append(cible)
        return cible

    yield creer
    for cible in creees:
        cible.supprimer()


@pytest.fixture(scope="module")
def source(cibles):
    """A portal with the demo data and documents, and the archive of its backup."""
    cible = cibles("source")
    resultat = cible.lancer("shell", "--no-imports", "-c", PEUPLER)
    assert resultat.returncode == 0, resultat.stderr
    destination = cible.dossier / "sauvegardes"
    resultat = cible.lancer("sauvegarder.sh", str(destination))
    assert resultat.returncode == 0, resultat.stderr
    (archive,) = destination.glob("sauvegarde-portail-*.tar.gz")
    return cible, archive


def _manifeste(archive):
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifeste.json"))


def _reecrire(archive, copie, modifier):
    """Copy an archive member by member, ``modifier(name, bytes)`` giving each member's bytes."""
    with tarfile.open(archive) as lecture, tarfile.open(copie, "w:gz") as ecriture:
        for membre in lecture:
            contenu = modifier(membre.name, lecture.extractfile(membre).read())
            membre.size = len(contenu)
            ecriture.addfile(membre, io.BytesIO(contenu))


# --- Round trip -----------------------------------------------------------------------------------


def test_une_restauration_dans_une_base_vide_rend_les_memes_donnees(source, cibles):
    cible_source, archive = source
    cible = cibles("restauree")

    resultat = cible.lancer("restaurer.sh", str(archive))

    assert resultat.returncode == 0, resultat.stderr
    assert "Restauration terminée" in resultat.stdout
    assert "aucune migration en attente" in resultat.stdout
    tables, fichiers = cible_source.donnees()
    # The round trip carries something: demo rows, the generated call, every kind of document.
    assert tables["candidatures_dossier"][0] >= 25
    assert tables["candidatures_documentstructure"][0] == 1
    assert tables["referentiel_action"][0] > 100
    assert {"bilans-generes/1.xlsx", "vide.txt"} <= set(fichiers)
    assert any(nom.startswith("appels/") and "règlement" in nom for nom in fichiers)
    assert any(nom.startswith("structures/") for nom in fichiers)
    assert cible.donnees() == (tables, fichiers)


def test_le_manifeste_decrit_la_base_et_chaque_fichier(source, moteur):
    cible_source, archive = source

    manifeste = _manifeste(archive)

    assert manifeste["base"]["moteur"] == moteur
    assert ["candidatures", "0001_initial"] in manifeste["base"]["migrations"]
    assert manifeste["portail"]["version"]
    assert manifeste["base"]["tables"]["candidatures_documentstructure"] == 1
    empreintes = {
        entree["chemin"].removeprefix("documents/"): entree["sha256"]
        for entree in manifeste["fichiers"] if entree["chemin"].startswith("documents/")
    }
    _, fichiers = cible_source.donnees()
    assert empreintes == {nom: hashlib.sha256(o).hexdigest() for nom, o in fichiers.items()}
    assert oct(archive.stat().st_mode & 0o777) == "0o600"


def test_ecraser_remplace_une_base_et_des_documents_deja_la(source, cibles):
    cible_source, archive = source
    cible = cibles("ecrasee")
    assert cible.lancer("restaurer.sh", str(archive)).returncode == 0
    cible.executer("DELETE FROM candidatures_documentappel")
    cible.executer("CREATE TABLE table_en_trop (id integer)")
    (cible.documents / "intrus.txt").write_text("à effacer")

    resultat = cible.lancer("restaurer.sh", str(archive), "--ecraser")

    assert resultat.returncode == 0, resultat.stderr
    assert cible.donnees() == cible_source.donnees()


# --- Refusals -------------------------------------------------------------------------------------


def test_restaurer_sur_une_base_non_vide_est_refuse(source):
    cible_source, archive = source
    avant = cible_source.donnees()

    resultat = cible_source.lancer("restaurer.sh", str(archive))

    assert resultat.returncode != 0
    assert "Restauration refusée" in resultat.stderr
    assert "n'est pas vide" in resultat.stderr and "--ecraser" in resultat.stderr
    assert cible_source.donnees() == avant


def test_restaurer_dans_un_dossier_de_documents_non_vide_est_refuse(source, cibles):
    _, archive = source
    cible = cibles("documents-occupes")
    (cible.documents / "deja-la.pdf").write_bytes(b"%PDF")

    resultat = cible.lancer("restaurer.sh", str(archive))

    assert resultat.returncode != 0
    assert "Restauration refusée : le dossier des documents" in resultat.stderr
    assert cible.donnees() == ({"séquences": []} if cible.moteur == "postgresql" else {},
                               {"deja-la.pdf": b"%PDF"})


def test_une_archive_corrompue_est_refusee_sans_rien_toucher(source, cibles):
    _, archive = source
    manifeste = _manifeste(archive)
    visee = next(e["chemin"] for e in manifeste["fichiers"] if e["chemin"].endswith(".xlsx"))
    corrompue = archive.parent.parent / "corrompue.tar.gz"
    # One byte changed, same size: only the checksum can tell.
    _reecrire(archive, corrompue, lambda nom, octets: (
        octets[:10] + bytes([octets[10] ^ 1]) + octets[11:] if nom == visee else octets
    ))
    cible = cibles("corrompue")

    resultat = cible.lancer("restaurer.sh", str(corrompue))

    assert resultat.returncode != 0
    assert "Échec de la restauration : l'archive est corrompue" in resultat.stderr
    assert visee in resultat.stderr and "SHA-256" in resultat.stderr
    assert not any(cible.documents.iterdir())
    assert cible.donnees()[0] in ({}, {"séquences": []})


def test_une_archive_tronquee_est_refusee(source, cibles):
    _, archive = source
    tronquee = archive.parent.parent / "tronquee.tar.gz"
    tronquee.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    cible = cibles("tronquee")

    resultat = cible.lancer("restaurer.sh", str(tronquee))

    assert resultat.returncode != 0
    assert "illisible ou tronquée" in resultat.stderr
    assert not any(cible.documents.iterdir())


# --- Backups that fail, retention -----------------------------------------------------------------


def test_une_sauvegarde_qui_echoue_ne_laisse_aucune_archive(cibles, moteur):
    cible = cibles("sans-base", base=False)  # neither the SQLite file nor the PostgreSQL database
    destination = cible.dossier / "sauvegardes"

    resultat = cible.lancer("sauvegarder.sh", str(destination))

    assert resultat.returncode != 0
    assert resultat.stderr.startswith("Échec de la sauvegarde : ")
    attendu = "introuvable" if moteur == "sqlite" else "connexion impossible à la base PostgreSQL"
    assert attendu in resultat.stderr
    assert list(destination.iterdir()) == []


def test_garder_supprime_les_plus_anciennes_sauvegardes(source, cibles):
    cible_source, _ = source
    destination = cible_source.dossier / "rotation"
    destination.mkdir()
    anciennes = [f"sauvegarde-portail-2024-0{mois}-01T020000.tar.gz" for mois in (1, 2, 3)]
    for nom in anciennes:
        (destination / nom).write_bytes(b"ancienne")
    (destination / "notes.txt").write_text("à garder")

    resultat = cible_source.lancer("sauvegarder.sh", str(destination), "--garder", "2")

    assert resultat.returncode == 0, resultat.stderr
    notes, plus_ancienne, nouvelle = sorted(chemin.name for chemin in destination.iterdir())
    assert (notes, plus_ancienne) == ("notes.txt", anciennes[2])
    assert nouvelle.startswith("sauvegarde-portail-") and nouvelle not in anciennes


@pytest.mark.parametrize("moteur", ["sqlite"], scope="module")
def test_la_sauvegarde_sqlite_lit_la_base_en_service_pas_son_fichier(source, cibles):
    """Committed rows still in the write-ahead log are saved, a transaction under way is not.

    SQLite only: PostgreSQL is read by pg_dump through the server, there is no file to copy.
    """
    _, archive = source
    en_service = cibles("en-service")
    assert en_service.lancer("restaurer.sh", str(archive)).returncode == 0
    fichier = en_service.dossier / "portail.sqlite3"
    redacteur = sqlite3.connect(fichier, isolation_level=None)
    redacteur.execute("PRAGMA wal_autocheckpoint=0")
    redacteur.execute("INSERT INTO auth_group (name) VALUES ('validé, encore dans le journal')")
    copie_brute = en_service.dossier / "copie-brute.sqlite3"
    shutil.copyfile(fichier, copie_brute)
    assert _groupes(copie_brute) >= {"porteur"}
    assert "validé, encore dans le journal" not in _groupes(copie_brute)  # a file copy misses it
    redacteur.execute("BEGIN IMMEDIATE")
    redacteur.execute("INSERT INTO auth_group (name) VALUES ('en cours')")
    try:
        sauvegarde = en_service.lancer("sauvegarder.sh", str(en_service.dossier / "sauvegardes"))
    finally:
        redacteur.execute("ROLLBACK")
        redacteur.close()
    assert sauvegarde.returncode == 0, sauvegarde.stderr
    (nouvelle,) = (en_service.dossier / "sauvegardes").glob("sauvegarde-portail-*.tar.gz")
    cible = cibles("depuis-le-journal")

    assert cible.lancer("restaurer.sh", str(nouvelle)).returncode == 0

    groupes = _groupes(cible.dossier / "portail.sqlite3")
    assert "validé, encore dans le journal" in groupes and "en cours" not in groupes


def _groupes(fichier):
    connexion = sqlite3.connect(fichier)
    try:
        return {nom for (nom,) in connexion.execute("SELECT name FROM auth_group")}
    finally:
        connexion.close()


def test_une_sauvegarde_plus_ancienne_que_le_code_demande_migrate(source, cibles):
    """The data come back and the manifest matches, but the schema lags: exit code 3."""
    _, archive = source
    ancienne = cibles("ancienne-version")
    assert ancienne.lancer("restaurer.sh", str(archive)).returncode == 0
    # As if the portal had been backed up before the sessions app's migrations existed.
    ancienne.executer("DELETE FROM django_migrations WHERE app = 'sessions'")
    assert ancienne.lancer("sauvegarder.sh", str(ancienne.dossier / "s")).returncode == 0
    (archive_ancienne,) = (ancienne.dossier / "s").glob("sauvegarde-portail-*.tar.gz")
    cible = cibles("migrations-en-attente")

    resultat = cible.lancer("restaurer.sh", str(archive_ancienne))

    assert resultat.returncode == 3
    assert "Restauration terminée" in resultat.stdout
    assert "lancez « manage.py migrate »" in resultat.stderr
    assert cible.donnees() == ancienne.donnees()
