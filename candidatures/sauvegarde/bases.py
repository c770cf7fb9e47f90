"""The database half of a backup, for each engine the portal runs on.

PostgreSQL: ``pg_dump --format=custom`` inside an exported snapshot, so that the row counts and the
migration state written in the manifest are those of the dump itself, then ``pg_restore`` in a
single transaction. SQLite: the online backup API of the sqlite3 module (a consistent copy of a
live database, never a plain copy of the file) in both directions.

``etat()`` gives what a restore is checked against: the rows of every table and the applied
migrations.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.backends.sqlite3._functions import register as fonctions_django

from . import ErreurSauvegarde


def base_de(connexion):
    """The engine-specific half of a backup for this Django connection."""
    if connexion.vendor == "postgresql":
        return PostgreSQL(connexion)
    if connexion.vendor == "sqlite":
        return SQLite(connexion)
    raise ErreurSauvegarde(
        f"base « {connexion.vendor} » non prise en charge : seules PostgreSQL et SQLite le sont."
    )


def _etat(curseur, tables, citer):
    """Rows of each table and applied migrations, read through a DB-API cursor."""
    lignes = {}
    for table in sorted(tables):
        curseur.execute(f"SELECT COUNT(*) FROM {citer(table)}")
        lignes[table] = curseur.fetchone()[0]
    migrations = []
    if "django_migrations" in lignes:
        curseur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [[app, nom] for app, nom in curseur.fetchall()]
    return {"tables": lignes, "migrations": migrations}


class PostgreSQL:
    nom = "postgresql"
    fichier = "portail.dump"

    def __init__(self, connexion):
        self.connexion = connexion
        self.reglages = connexion.settings_dict

    def decrire(self):
        hote = self.reglages.get("HOST") or "socket local"
        return f"base PostgreSQL « {self.reglages.get('NAME')} » ({hote})"

    # --- pg_dump / pg_restore -----------------------------------------------------------------

    def _programme(self, nom):
        dossier = os.environ.get("PG_BIN")
        chemin = shutil.which(nom, path=dossier) if dossier else shutil.which(nom)
        if not chemin:
            raise ErreurSauvegarde(
                f"{nom} est introuvable : installez le client PostgreSQL (paquet "
                "postgresql-client, de la version du serveur) ou indiquez son dossier dans PG_BIN."
            )
        return chemin

    def _lancer(self, nom, *arguments):
        """Run pg_dump or pg_restore on the DATABASE_URL database; the password goes by env."""
        _, env = self.connexion.client.settings_to_cmd_args_env(self.reglages, [])
        environnement = {**os.environ, **(env or {})}
        for cle, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
            if self.reglages.get(cle):
                environnement[variable] = str(self.reglages[cle])
        base = self.reglages.get("NAME") or f"service={self.reglages['OPTIONS'].get('service')}"
        commande = [self._programme(nom), *arguments, f"--dbname={base}"]
        resultat = subprocess.run(
            commande, env=environnement, capture_output=True, text=True, check=False
        )
        if resultat.returncode != 0:
            detail = resultat.stderr.strip() or resultat.stdout.strip()
            raise ErreurSauvegarde(f"{nom} a échoué (code {resultat.returncode}) : {detail}")

    @contextlib.contextmanager
    def _erreurs(self, quoi):
        """A database error becomes a French message saying what was being done."""
        try:
            yield
        except DatabaseError as erreur:
            raise ErreurSauvegarde(
                f"{quoi.format(base=self.decrire())} : {str(erreur).strip()}"
            ) from None

    def connecter(self):
        with self._erreurs("connexion impossible à la {base}"):
            self.connexion.ensure_connection()

    # --- backup -------------------------------------------------------------------------------

    def sauvegarder(self, destination):
        """Dump the database into ``destination``; return its state, read in the same snapshot."""
        self.connecter()
        with (
            self._erreurs("lecture impossible de la {base}"),
            transaction.atomic(using=self.connexion.alias),
            self.connexion.cursor() as curseur,
        ):
            curseur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            curseur.execute("SELECT pg_export_snapshot()")
            instantane = curseur.fetchone()[0]
            self._lancer(
                "pg_dump", "--format=custom", f"--snapshot={instantane}", f"--file={destination}"
            )
            return self._etat(curseur)

    def _etat(self, curseur):
        tables = self.connexion.introspection.table_names(curseur)
        return _etat(curseur, tables, self.connexion.ops.quote_name)

    # --- restore ------------------------------------------------------------------------------

    def _objets(self, curseur):
        """Tables, views and sequences of the schemas the portal sees (its search_path)."""
        curseur.execute(
            "SELECT c.relkind, n.nspname, c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = ANY (current_schemas(false)) "
            "AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') "
            # Sequences last: those of identity columns go with their table.
            "ORDER BY c.relkind = 'S', c.relname"
        )
        return curseur.fetchall()

    def est_vide(self):
        self.connecter()
        with self._erreurs("lecture impossible de la {base}"), self.connexion.cursor() as curseur:
            return not self._objets(curseur)

    def vider(self):
        """Drop every table, view and sequence of the portal's schemas (``--ecraser`` only)."""
        genres = {
            "r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW",
            "m": "MATERIALIZED VIEW", "S": "SEQUENCE",
        }
        citer = self.connexion.ops.quote_name
        with (
            self._erreurs("vidage impossible de la {base}"),
            transaction.atomic(using=self.connexion.alias),
            self.connexion.cursor() as curseur,
        ):
            for genre, schema, nom in self._objets(curseur):
                curseur.execute(
                    f"DROP {genres[genre]} IF EXISTS {citer(schema)}.{citer(nom)} CASCADE"
                )
            # The portal's own functions (those of its triggers), not an extension's.
            curseur.execute(
                "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) "
                "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = ANY (current_schemas(false)) AND p.prokind = 'f' "
                "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid "
                "AND d.deptype = 'e')"
            )
            for schema, nom, arguments in curseur.fetchall():
                curseur.execute(
                    f"DROP FUNCTION IF EXISTS {citer(schema)}.{citer(nom)}({arguments}) CASCADE"
                )

    def restaurer(self, sauvegarde):
        """Load the dump; all or nothing (one transaction), objects owned by the portal's user."""
        self._lancer(
            "pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
            "--exit-on-error", str(sauvegarde),
        )
        with self._erreurs("ANALYZE impossible sur la {base}"), self.connexion.cursor() as curseur:
            # pg_restore brings the rows back, not the planner's statistics.
            curseur.execute("ANALYZE")

    def etat(self):
        with self._erreurs("lecture impossible de la {base}"), self.connexion.cursor() as curseur:
            return self._etat(curseur)


class SQLite:
    nom = "sqlite"
    fichier = "portail.sqlite3"

    def __init__(self, connexion):
        self.chemin = Path(connexion.settings_dict["NAME"])

    def decrire(self):
        return f"base SQLite {self.chemin}"

    @staticmethod
    def _ouvrir(chemin, mode):
        """Open without ever creating the file (``mode=rw`` or ``ro``)."""
        return sqlite3.connect(f"{Path(chemin).resolve().as_uri()}?mode={mode}", uri=True,
                               timeout=30)

    @staticmethod
    def _etat_de(connexion):
        curseur = connexion.cursor()
        curseur.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = [nom for (nom,) in curseur.fetchall()]
        return _etat(curseur, tables, lambda nom: '"' + nom.replace('"', '""') + '"')

    @staticmethod
    def _verifier_integrite(connexion, quoi):
        # The CHECK constraints Django writes call its SQL functions (REGEXP…): the check needs
        # them, as every connection Django opens has them.
        fonctions_django(connexion)
        resultat = connexion.execute("PRAGMA integrity_check").fetchall()
        if resultat != [("ok",)]:
            raise ErreurSauvegarde(f"{quoi} est endommagée : {resultat[:5]}")

    @contextlib.contextmanager
    def _erreurs(self, quoi):
        try:
            yield
        except sqlite3.Error as erreur:
            raise ErreurSauvegarde(f"{quoi.format(base=self.decrire())} : {erreur}") from None

    def sauvegarder(self, destination):
        """Copy the live database page by page (online backup API); return the copy's state."""
        if not self.chemin.is_file():
            raise ErreurSauvegarde(f"la base SQLite {self.chemin} est introuvable.")
        with (
            self._erreurs("copie impossible de la {base}"),
            contextlib.closing(self._ouvrir(self.chemin, "rw")) as source,
            contextlib.closing(sqlite3.connect(destination)) as copie,
        ):
            source.backup(copie)
            # One self-contained file in the archive, whatever the live database's journal mode.
            copie.execute("PRAGMA journal_mode=DELETE")
            self._verifier_integrite(copie, "la copie de la base")
            return self._etat_de(copie)

    def connecter(self):
        """Nothing to check before a restore: the file is created if need be."""

    def est_vide(self):
        if not self.chemin.exists() or self.chemin.stat().st_size == 0:
            return True
        with (
            self._erreurs("lecture impossible de la {base}"),
            contextlib.closing(self._ouvrir(self.chemin, "ro")) as connexion,
        ):
            return connexion.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0

    def vider(self):
        """Nothing to do: the backup API replaces the whole content of the target."""

    def restaurer(self, sauvegarde):
        """Copy the archived database into the target file, through the same backup API."""
        self.chemin.parent.mkdir(parents=True, exist_ok=True)
        with (
            self._erreurs("restauration impossible dans la {base}"),
            contextlib.closing(self._ouvrir(sauvegarde, "ro")) as source,
        ):
            self._verifier_integrite(source, "la base de l'archive")
            with contextlib.closing(sqlite3.connect(self.chemin, timeout=30)) as cible:
                source.backup(cible)

    def etat(self):
        with (
            self._erreurs("lecture impossible de la {base}"),
            contextlib.closing(self._ouvrir(self.chemin, "ro")) as connexion,
        ):
            return self._etat_de(connexion)
