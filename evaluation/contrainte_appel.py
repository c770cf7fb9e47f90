"""Evaluation's rows of one dossier carry its call; the database keeps it equal to the dossier's.

The triggers are those of ``candidatures.dossiers.contrainte_appel``, on evaluation's tables.
"""

from candidatures.dossiers import contrainte_appel

TABLES = [
    "evaluation_instruction", "evaluation_decision", "evaluation_bilan",
    "evaluation_modification",
]
# The migration that adds the column to these tables.
MIGRATION = ("evaluation", "0008_lignes_appel_du_dossier")

reinstaller_apres_migration = contrainte_appel.reinstaller((TABLES, MIGRATION))
