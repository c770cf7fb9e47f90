"""A dossier only uses the actions and QPV of its call's contract: enforced by the database.

The forms and services already refuse another contract's action or QPV with a French message;
these triggers make the rule hold for every write, the admin, shells and imports included. A
foreign key cannot say it (the contract is two joins away), hence triggers, one set per engine.

A migration installs them; ``post_migrate`` installs them again if missing, because on SQLite a
later migration that rebuilds one of these tables (Django copies it into a new table) drops its
triggers. PostgreSQL keeps them through ALTER TABLE.
"""

from ..commun.declencheurs import executer, reinstalleur

MESSAGES = {
    "action": "L'action principale du dossier n'appartient pas au contrat de son appel.",
    "secondaire": "Une action secondaire du dossier n'appartient pas au contrat de son appel.",
    "quartier": "Un quartier du dossier ne fait pas partie du contrat de son appel.",
    "appel": "Un appel qui a des dossiers ne change pas de contrat.",
}

# Each rule: the table it guards, the columns whose change re-checks it, and the condition
# (on NEW/OLD) that makes the write wrong.
REGLES = [
    (
        "action", "candidatures_dossier", ["action_principale_id", "appel_id"],
        "NEW.action_principale_id IS NOT NULL AND "
        "(SELECT contrat_id FROM referentiel_action WHERE id = NEW.action_principale_id) "
        "IS DISTINCT FROM "
        "(SELECT contrat_id FROM candidatures_appelaprojets WHERE id = NEW.appel_id)",
    ),
    (
        "secondaire", "candidatures_dossier_actions_secondaires", ["action_id", "dossier_id"],
        "(SELECT contrat_id FROM referentiel_action WHERE id = NEW.action_id) "
        "IS DISTINCT FROM "
        "(SELECT a.contrat_id FROM candidatures_appelaprojets a "
        " JOIN candidatures_dossier d ON d.appel_id = a.id WHERE d.id = NEW.dossier_id)",
    ),
    (
        "quartier", "candidatures_dossier_quartiers", ["quartierprioritaire_id", "dossier_id"],
        "NOT EXISTS (SELECT 1 FROM referentiel_contrat_quartiers cq "
        " JOIN candidatures_appelaprojets a ON a.contrat_id = cq.contrat_id "
        " JOIN candidatures_dossier d ON d.appel_id = a.id "
        " WHERE d.id = NEW.dossier_id "
        " AND cq.quartierprioritaire_id = NEW.quartierprioritaire_id)",
    ),
    (
        "appel", "candidatures_appelaprojets", ["contrat_id"],
        "OLD.contrat_id IS DISTINCT FROM NEW.contrat_id AND "
        "EXISTS (SELECT 1 FROM candidatures_dossier WHERE appel_id = NEW.id)",
    ),
]


def _sqlite(nom, table, colonnes, condition):
    condition = condition.replace("IS DISTINCT FROM", "IS NOT")
    quand = ["INSERT", f"UPDATE OF {', '.join(colonnes)}"]
    if nom == "appel":
        quand = quand[1:]
    message = MESSAGES[nom].replace("'", "''")
    return [
        f"CREATE TRIGGER IF NOT EXISTS meme_contrat_{nom}_{i} BEFORE {moment} ON {table} "
        f"FOR EACH ROW WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"
        for i, moment in enumerate(quand)
    ], [f"DROP TRIGGER IF EXISTS meme_contrat_{nom}_{i}" for i in range(len(quand))]


def _postgresql(nom, table, colonnes, condition):
    moment = "UPDATE OF " + ", ".join(colonnes)
    if nom != "appel":
        moment = "INSERT OR " + moment
    message = MESSAGES[nom].replace("'", "''")
    return [
        f"CREATE OR REPLACE FUNCTION meme_contrat_{nom}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF {condition} THEN "
        f"RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation'; "
        f"END IF; RETURN NEW; END $$",
        f"CREATE OR REPLACE TRIGGER meme_contrat_{nom} BEFORE {moment} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION meme_contrat_{nom}()",
    ], [
        f"DROP TRIGGER IF EXISTS meme_contrat_{nom} ON {table}",
        f"DROP FUNCTION IF EXISTS meme_contrat_{nom}()",
    ]


def _instructions(connexion):
    ecrire = {"sqlite": _sqlite, "postgresql": _postgresql}.get(connexion.vendor)
    if ecrire is None:
        return [], []
    creer, supprimer = [], []
    for regle in REGLES:
        c, s = ecrire(*regle)
        creer += c
        supprimer += s
    return creer, supprimer


def installer(connexion):
    """Create the triggers that are missing (idempotent)."""
    executer(connexion, _instructions(connexion)[0])


def retirer(connexion):
    executer(connexion, _instructions(connexion)[1])


# The migration that first installs them: before it, the tables may lack the columns.
MIGRATION = ("candidatures", "0013_dossier_meme_contrat")

# ``post_migrate``: put back what a table rebuild on SQLite took away.
reinstaller_apres_migration = reinstalleur((MIGRATION, installer))
