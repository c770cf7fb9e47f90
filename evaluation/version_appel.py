"""The database raises a call's version whenever what is shown of the call may change.

``evaluation_versionappel`` holds counters; a version is the sum of its counters. Triggers raise
them for every write, whoever writes (services, admin, bulk updates, raw SQL, the
``suit_dossier`` triggers that carry a dossier's rows to its new call):

- **the call's version** (counters of the call), for its programmation totals and its queue:
  a dossier inserted or deleted, or updated in its call, status, main action or submission
  date; once submitted, also in its reference, title, structure or requested amount (a draft
  saved does not count); an instruction, a decision, a message, a reading of the messages or
  a quartier of a dossier inserted, updated or deleted;
- **the portal's version** (counters of ``PORTAIL``, no call has that id), for what the pages
  of every call show about people and rights: a structure's name or identifiers, a user's
  name, e-mail or flags, a membership, a role (``Habilitation``), a group, a call.

A moved row raises both calls. On PostgreSQL the triggers run once per statement, over its
transition tables (a ``bulk_create`` of thousands of rows raises the counter once, rather than
updating one row thousands of times in a transaction); on SQLite, once per row.

A raised counter stays locked until its transaction ends. On PostgreSQL, several transactions
write at once: one counter per call would make every write of the call wait for the
transaction that raised it first (a bulk assignment of a thousand dossiers would hold up every
instructor of the call), and two such transactions could each wait for the other (a deadlock).
So a transaction raises a counter that no other transaction holds (``FOR UPDATE SKIP
LOCKED``), or adds one: no write ever waits for another on account of the version. Each
committed transaction raises the sum by at least one, so the sum never comes back to a value
already read. SQLite has one writer at a time: one counter per call.

The migration that creates the table installs the triggers; ``post_migrate`` installs them
again (a SQLite table rebuild drops them).
"""

from candidatures.commun.declencheurs import executer, reinstalleur

TABLE_VERSION = "evaluation_versionappel"
MIGRATION = ("evaluation", "0013_version_appel")

# The counters of the portal's version: no call has this id.
PORTAIL = 0

# Which counter a changed row raises, written for a row ``r`` (a transition table's alias on
# PostgreSQL, NEW or OLD on SQLite).
APPEL = "{r}.appel_id"
APPEL_DU_DOSSIER = "(SELECT d.appel_id FROM candidatures_dossier d WHERE d.id = {r}.dossier_id)"
DU_PORTAIL = str(PORTAIL)

# Columns of a dossier that change its call's totals, and those shown once it is submitted.
DOSSIER_TOTAUX = ("appel_id", "statut", "action_principale_id", "depose_le")
DOSSIER_MONTRE = ("reference", "intitule", "structure_id", "montant_demande")


def _colonnes(*colonnes):
    def change(ancien, nouveau, different):
        return " OR ".join(f"{ancien}.{c} {different} {nouveau}.{c}" for c in colonnes)

    return change


def _change_dossier(ancien, nouveau, different):
    return (
        f"({_colonnes(*DOSSIER_TOTAUX)(ancien, nouveau, different)}) OR "
        f"({nouveau}.depose_le IS NOT NULL AND "
        f"({_colonnes(*DOSSIER_MONTRE)(ancien, nouveau, different)}))"
    )


# Table → (the counter its rows raise, the change of an update that matters; None: any).
TABLES = {
    "candidatures_dossier": (APPEL, _change_dossier),
    "evaluation_instruction": (APPEL, None),
    "evaluation_decision": (APPEL, None),
    "candidatures_dossier_quartiers": (APPEL_DU_DOSSIER, None),
    "evaluation_message": (APPEL_DU_DOSSIER, None),
    "evaluation_lecture": (APPEL_DU_DOSSIER, None),
    "candidatures_structure": (DU_PORTAIL, _colonnes("raison_sociale", "sigle", "siret", "rna")),
    "candidatures_utilisateur": (
        DU_PORTAIL,
        _colonnes("prenom", "nom", "email", "is_active", "is_staff", "is_superuser"),
    ),
    "candidatures_membre": (DU_PORTAIL, None),
    "candidatures_habilitation": (DU_PORTAIL, None),
    "candidatures_utilisateur_groups": (DU_PORTAIL, None),
    "candidatures_appelaprojets": (DU_PORTAIL, None),
}

FONCTION_MONTER = "evaluation_monter_version_appel"

# PostgreSQL: raise a counter that no other transaction holds, or add one.
_FONCTION_PG = (
    f"CREATE OR REPLACE FUNCTION {FONCTION_MONTER}(appel bigint) RETURNS void "
    f"LANGUAGE plpgsql AS $$ DECLARE cible bigint; BEGIN "
    f"SELECT id INTO cible FROM {TABLE_VERSION} WHERE appel_id = appel "
    f"FOR UPDATE SKIP LOCKED LIMIT 1; "
    f"IF FOUND THEN UPDATE {TABLE_VERSION} SET version = version + 1 WHERE id = cible; "
    f"ELSE INSERT INTO {TABLE_VERSION} (appel_id, version) VALUES (appel, 1); "
    f"END IF; END $$"
)


def _sqlite(table, compteur, change):
    def monter(ligne, aussi=""):
        appel = compteur.format(r=ligne)
        quand = f"{appel} IS NOT NULL{aussi}"
        return (
            f"INSERT INTO {TABLE_VERSION} (appel_id, version) SELECT {appel}, 0 "
            f"WHERE {quand} AND NOT EXISTS "
            f"(SELECT 1 FROM {TABLE_VERSION} WHERE appel_id = {appel}); "
            f"UPDATE {TABLE_VERSION} SET version = version + 1 "
            f"WHERE appel_id = {appel} AND {quand};"
        )

    quand = "" if change is None else f" WHEN {change('OLD', 'NEW', 'IS NOT')}"
    deplace = f" AND {compteur.format(r='NEW')} IS NOT {compteur.format(r='OLD')}"
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_version_i AFTER INSERT ON {table} "
        f"FOR EACH ROW BEGIN {monter('NEW')} END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_version_d AFTER DELETE ON {table} "
        f"FOR EACH ROW BEGIN {monter('OLD')} END",
        # A row moved to another call raises both.
        f"CREATE TRIGGER IF NOT EXISTS {table}_version_u AFTER UPDATE ON {table} "
        f"FOR EACH ROW{quand} BEGIN {monter('OLD')} {monter('NEW', deplace)} END",
    ], [f"DROP TRIGGER IF EXISTS {table}_version_{e}" for e in "idu"]


def _postgresql(table, compteur, change):
    change = "TRUE" if change is None else change("a", "n", "IS DISTINCT FROM")
    paires = "FROM anciennes a JOIN nouvelles n ON n.id = a.id"
    corps = {
        "INSERT": f"SELECT {compteur.format(r='n')} AS appel_id FROM nouvelles n",
        "DELETE": f"SELECT {compteur.format(r='a')} AS appel_id FROM anciennes a",
        "UPDATE": (
            f"SELECT {compteur.format(r='a')} AS appel_id {paires} WHERE {change} "
            f"UNION SELECT {compteur.format(r='n')} AS appel_id {paires} WHERE {change}"
        ),
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
    for table, (compteur, change) in TABLES.items() if ecrire else []:
        c, s = ecrire(table, compteur, change)
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


def versions(connexion, appel_id):
    """The call's version and the portal's, in one query (0 before the first write)."""
    with connexion.cursor() as curseur:
        curseur.execute(
            f"SELECT appel_id, SUM(version) FROM {TABLE_VERSION} "
            f"WHERE appel_id IN (%s, %s) GROUP BY appel_id",
            [appel_id, PORTAIL],
        )
        lues = dict(curseur.fetchall())
    return int(lues.get(appel_id) or 0), int(lues.get(PORTAIL) or 0)


reinstaller_apres_migration = reinstalleur((MIGRATION, installer))
