"""The database raises a call's version whenever what its programmation totals depend on changes.

``evaluation_versionappel`` holds one counter per call. Triggers raise it for every write that
may change the totals, whoever writes (services, admin, bulk updates, raw SQL, the
``suit_dossier`` triggers that carry a dossier's rows to its new call):

- a dossier inserted or deleted, or updated in its call, status, main action or submission
  date (its other columns are the structure's text: a draft saved does not count);
- an instruction or a decision inserted, updated or deleted (the proposed and granted amounts,
  the nature, the conclusion date).

A moved row raises both calls. On PostgreSQL the triggers run once per statement, over its
transition tables (a ``bulk_create`` of thousands of rows raises the counter once, rather than
updating one row thousands of times in a transaction); on SQLite, once per row.

The migration that creates the table installs the triggers; ``post_migrate`` installs them
again (a SQLite table rebuild drops them).
"""

TABLE_VERSION = "evaluation_versionappel"
MIGRATION = ("evaluation", "0012_version_appel")

# Table → the columns whose change matters (None: any update).
TABLES = {
    "candidatures_dossier": ["appel_id", "statut", "action_principale_id", "depose_le"],
    "evaluation_instruction": None,
    "evaluation_decision": None,
}

_MONTER = (
    f"INSERT INTO {TABLE_VERSION} (appel_id, version) {{select}} "
    f"ON CONFLICT (appel_id) DO UPDATE SET version = {TABLE_VERSION}.version + 1"
)


def _change(colonnes, ancien, nouveau, different):
    if colonnes is None:
        return "TRUE"
    return " OR ".join(f"{ancien}.{c} {different} {nouveau}.{c}" for c in colonnes)


def _sqlite(table, colonnes):
    def monter(ligne, aussi=""):
        select = f"SELECT {ligne}.appel_id, 1 WHERE {ligne}.appel_id IS NOT NULL{aussi}"
        return _MONTER.format(select=select) + ";"

    quand = "" if colonnes is None else f" WHEN {_change(colonnes, 'OLD', 'NEW', 'IS NOT')}"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_version_i AFTER INSERT ON {table} "
        f"FOR EACH ROW BEGIN {monter('NEW')} END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_version_d AFTER DELETE ON {table} "
        f"FOR EACH ROW BEGIN {monter('OLD')} END",
        # A row moved to another call raises both.
        f"CREATE TRIGGER IF NOT EXISTS {table}_version_u AFTER UPDATE ON {table} "
        f"FOR EACH ROW{quand} BEGIN {monter('OLD')} "
        f"{monter('NEW', ' AND NEW.appel_id IS NOT OLD.appel_id')} END",
    ], [f"DROP TRIGGER IF EXISTS {table}_version_{e}" for e in "idu"]


def _postgresql(table, colonnes):
    change = _change(colonnes, "a", "n", "IS DISTINCT FROM")
    modifies = (
        f"SELECT a.appel_id FROM anciennes a JOIN nouvelles n ON n.id = a.id WHERE {change} "
        f"UNION SELECT n.appel_id FROM anciennes a JOIN nouvelles n ON n.id = a.id "
        f"WHERE {change}"
    )
    corps = {
        "INSERT": "SELECT appel_id FROM nouvelles",
        "DELETE": "SELECT appel_id FROM anciennes",
        "UPDATE": modifies,
    }
    fonction = f"{table}_version"
    branches = " ".join(
        f"{'IF' if i == 0 else 'ELSIF'} TG_OP = '{op}' THEN "
        + _MONTER.format(
            select=f"SELECT DISTINCT appel_id, 1 FROM ({select}) t WHERE appel_id IS NOT NULL"
        ) + ";"
        for i, (op, select) in enumerate(corps.items())
    )
    references = {
        "INSERT": "NEW TABLE AS nouvelles",
        "DELETE": "OLD TABLE AS anciennes",
        "UPDATE": "OLD TABLE AS anciennes NEW TABLE AS nouvelles",
    }
    return [
        f"CREATE OR REPLACE FUNCTION {fonction}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {branches} END IF; RETURN NULL; END $$",
        *(
            f"CREATE OR REPLACE TRIGGER {table}_version_{op[0].lower()} AFTER {op} ON {table} "
            f"REFERENCING {reference} FOR EACH STATEMENT EXECUTE FUNCTION {fonction}()"
            for op, reference in references.items()
        ),
    ], [
        *(f"DROP TRIGGER IF EXISTS {table}_version_{e} ON {table}" for e in "idu"),
        f"DROP FUNCTION IF EXISTS {fonction}()",
    ]


def _instructions(connexion):
    ecrire = {"sqlite": _sqlite, "postgresql": _postgresql}.get(connexion.vendor)
    creer, supprimer = [], []
    for table, colonnes in TABLES.items() if ecrire else []:
        c, s = ecrire(table, colonnes)
        creer += c
        supprimer += s
    return creer, supprimer


def installer(connexion):
    """Create the triggers that are missing (idempotent)."""
    with connexion.cursor() as curseur:
        for instruction in _instructions(connexion)[0]:
            curseur.execute(instruction)


def retirer(connexion):
    with connexion.cursor() as curseur:
        for instruction in _instructions(connexion)[1]:
            curseur.execute(instruction)


def reinstaller_apres_migration(using="default", **kwargs):
    """``post_migrate``: put the triggers back once the table's migration is applied."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connexion = connections[using]
    if MIGRATION in MigrationRecorder(connexion).applied_migrations():
        installer(connexion)
