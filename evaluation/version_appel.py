"""The database raises a call's version whenever what its programmation totals depend on changes.

``evaluation_versionappel`` holds the counters of each call; the call's version is their sum.
Triggers raise it for every write that may change the totals, whoever writes (services, admin,
bulk updates, raw SQL, the ``suit_dossier`` triggers that carry a dossier's rows to its new
call):

- a dossier inserted or deleted, or updated in its call, status, main action or submission
  date (its other columns are the structure's text: a draft saved does not count);
- an instruction or a decision inserted, updated or deleted (the proposed and granted amounts,
  the nature, the conclusion date).

A moved row raises both calls. On PostgreSQL the triggers run once per statement, over its
transition tables (a ``bulk_create`` of thousands of rows raises the counter once, rather than
updating one row thousands of times in a transaction); on SQLite, once per row.

A raised counter stays locked until its transaction ends. On PostgreSQL, several transactions
write at once: one counter per call would make every write of the call wait for the
transaction that raised it first (a bulk assignment of a thousand dossiers would hold up every
instructor of the call), and two such transactions could each wait for the other (a deadlock).
So a transaction raises a counter of the call that no other transaction holds
(``FOR UPDATE SKIP LOCKED``), or adds one: no write ever waits for another on account of the
version. Each committed transaction raises the sum by at least one, so the sum never comes
back to a value already read. SQLite has one writer at a time: one counter per call.

The migration that creates the table installs the triggers; ``post_migrate`` installs them
again (a SQLite table rebuild drops them).
"""

from candidatures.commun.declencheurs import executer, reinstalleur

TABLE_VERSION = "evaluation_versionappel"
MIGRATION = ("evaluation", "0013_version_appel")

# Table → the columns whose change matters (None: any update).
TABLES = {
    "candidatures_dossier": ["appel_id", "statut", "action_principale_id", "depose_le"],
    "evaluation_instruction": None,
    "evaluation_decision": None,
}

FONCTION_MONTER = "evaluation_monter_version_appel"

# PostgreSQL: raise a counter of the call that no other transaction holds, or add one.
_FONCTION_PG = (
    f"CREATE OR REPLACE FUNCTION {FONCTION_MONTER}(appel bigint) RETURNS void "
    f"LANGUAGE plpgsql AS $$ DECLARE cible bigint; BEGIN "
    f"SELECT id INTO cible FROM {TABLE_VERSION} WHERE appel_id = appel "
    f"FOR UPDATE SKIP LOCKED LIMIT 1; "
    f"IF FOUND THEN UPDATE {TABLE_VERSION} SET version = version + 1 WHERE id = cible; "
    f"ELSE INSERT INTO {TABLE_VERSION} (appel_id, version) VALUES (appel, 1); "
    f"END IF; END $$"
)


def _change(colonnes, ancien, nouveau, different):
    if colonnes is None:
        return "TRUE"
    return " OR ".join(f"{ancien}.{c} {different} {nouveau}.{c}" for c in colonnes)


def _sqlite(table, colonnes):
    def monter(ligne, aussi=""):
        quand = f"{ligne}.appel_id IS NOT NULL{aussi}"
        return (
            f"INSERT INTO {TABLE_VERSION} (appel_id, version) SELECT {ligne}.appel_id, 0 "
            f"WHERE {quand} AND NOT EXISTS "
            f"(SELECT 1 FROM {TABLE_VERSION} WHERE appel_id = {ligne}.appel_id); "
            f"UPDATE {TABLE_VERSION} SET version = version + 1 "
            f"WHERE appel_id = {ligne}.appel_id AND {quand};"
        )

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
        f"PERFORM {FONCTION_MONTER}(appel_id) FROM (SELECT DISTINCT appel_id FROM ({select}) t "
        f"WHERE appel_id IS NOT NULL) appels;"
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
    if connexion.vendor == "postgresql":
        creer.append(_FONCTION_PG)
    for table, colonnes in TABLES.items() if ecrire else []:
        c, s = ecrire(table, colonnes)
        creer += c
        supprimer += s
    if connexion.vendor == "postgresql":
        supprimer.append(f"DROP FUNCTION IF EXISTS {FONCTION_MONTER}(bigint)")
    return creer, supprimer


def installer(connexion):
    """Create the triggers that are missing (idempotent)."""
    executer(connexion, _instructions(connexion)[0])


def retirer(connexion):
    executer(connexion, _instructions(connexion)[1])


reinstaller_apres_migration = reinstalleur((MIGRATION, installer))
