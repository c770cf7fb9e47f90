"""A row that carries its dossier's call (``AppelDuDossier``) agrees with it: the database says so.

The models copy the call from the dossier; these triggers make it hold for every write (raw SQL,
imports, shells): a row whose call differs from its dossier's is refused, and a dossier moved to
another call takes its rows along. A foreign key could say it on PostgreSQL only (composite key
to a unique (id, appel_id) of the dossier, one more index on the biggest table); triggers work
the same way on both engines, as ``contrainte_contrat`` does.

Each app lists its own tables: candidatures here, evaluation in ``evaluation.contrainte_appel``.
Their migrations install the triggers; ``post_migrate`` installs them again if missing (a SQLite
table rebuild drops them).
"""

import functools

from ..commun.declencheurs import executer, reinstalleur

MESSAGE = "L'appel de la ligne diffère de celui de son dossier."

TABLES = ["candidatures_historiquestatut"]
# The migration that adds the column to candidatures' tables.
MIGRATION = ("candidatures", "0015_lignes_appel_du_dossier")
# The forecasts and budget lines, given the column by a later migration.
TABLES_CONTENU = ["candidatures_previsionindicateur", "candidatures_lignebudget"]
MIGRATION_CONTENU = ("candidatures", "0017_previsions_budgets_appel_du_dossier")

_DIFFERENT = (
    "NEW.appel_id IS DISTINCT FROM "
    "(SELECT appel_id FROM candidatures_dossier WHERE id = NEW.dossier_id)"
)


def _sqlite(table):
    message = MESSAGE.replace("'", "''")
    condition = _DIFFERENT.replace("IS DISTINCT FROM", "IS NOT")
    return [
        *(
            f"CREATE TRIGGER IF NOT EXISTS {table}_appel_{i} BEFORE {moment} ON {table} "
            f"FOR EACH ROW WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"
            for i, moment in enumerate(["INSERT", "UPDATE OF appel_id, dossier_id"])
        ),
        f"CREATE TRIGGER IF NOT EXISTS {table}_suit_dossier AFTER UPDATE OF appel_id "
        f"ON candidatures_dossier FOR EACH ROW WHEN NEW.appel_id IS NOT OLD.appel_id "
        f"BEGIN UPDATE {table} SET appel_id = NEW.appel_id WHERE dossier_id = NEW.id; END",
    ], [
        f"DROP TRIGGER IF EXISTS {table}_appel_0",
        f"DROP TRIGGER IF EXISTS {table}_appel_1",
        f"DROP TRIGGER IF EXISTS {table}_suit_dossier",
    ]


def _postgresql(table):
    message = MESSAGE.replace("'", "''")
    return [
        f"CREATE OR REPLACE FUNCTION {table}_appel() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF {_DIFFERENT} THEN "
        f"RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation'; "
        f"END IF; RETURN NEW; END $$",
        f"CREATE OR REPLACE TRIGGER {table}_appel BEFORE INSERT OR UPDATE OF appel_id, "
        f"dossier_id ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_appel()",
        f"CREATE OR REPLACE FUNCTION {table}_suit_dossier() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN UPDATE {table} SET appel_id = NEW.appel_id WHERE dossier_id = NEW.id; "
        f"RETURN NULL; END $$",
        f"CREATE OR REPLACE TRIGGER {table}_suit_dossier AFTER UPDATE OF appel_id "
        f"ON candidatures_dossier FOR EACH ROW WHEN (NEW.appel_id IS DISTINCT FROM OLD.appel_id) "
        f"EXECUTE FUNCTION {table}_suit_dossier()",
    ], [
        f"DROP TRIGGER IF EXISTS {table}_appel ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_appel()",
        f"DROP TRIGGER IF EXISTS {table}_suit_dossier ON candidatures_dossier",
        f"DROP FUNCTION IF EXISTS {table}_suit_dossier()",
    ]


def _instructions(connexion, tables):
    ecrire = {"sqlite": _sqlite, "postgresql": _postgresql}.get(connexion.vendor)
    creer, supprimer = [], []
    for table in tables if ecrire else []:
        c, s = ecrire(table)
        creer += c
        supprimer += s
    return creer, supprimer


def installer(connexion, tables=TABLES):
    """Create the triggers that are missing (idempotent)."""
    executer(connexion, _instructions(connexion, tables)[0])


def retirer(connexion, tables=TABLES):
    executer(connexion, _instructions(connexion, tables)[1])


def remplir(connexion, tables=TABLES):
    """Give each existing row its dossier's call (the migrations that add the column)."""
    with connexion.cursor() as curseur:
        for table in tables:
            if connexion.vendor == "postgresql":
                curseur.execute(
                    f"UPDATE {table} t SET appel_id = d.appel_id FROM candidatures_dossier d "
                    f"WHERE d.id = t.dossier_id"
                )
            else:
                curseur.execute(
                    f"UPDATE {table} SET appel_id = (SELECT appel_id FROM candidatures_dossier d "
                    f"WHERE d.id = {table}.dossier_id)"
                )
        if connexion.vendor == "postgresql":
            # The foreign key checks now, so that the column can become NOT NULL (ALTER TABLE
            # refuses a table with pending trigger events).
            curseur.execute("SET CONSTRAINTS ALL IMMEDIATE")


def reinstaller(*groupes):
    """A ``post_migrate`` receiver putting back the triggers of each ``(tables, migration)``
    group whose migration is applied."""
    return reinstalleur(*(
        (migration, functools.partial(installer, tables=tables)) for tables, migration in groupes
    ))


reinstaller_apres_migration = reinstaller(
    (TABLES, MIGRATION), (TABLES_CONTENU, MIGRATION_CONTENU)
)
