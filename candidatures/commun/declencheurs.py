"""Database triggers written by the project: run their SQL, put them back after migrations.

Each module of triggers (``contrainte_contrat``, ``contrainte_appel``, ``version_appel``)
writes its own SQL per engine; running it, and installing it again after ``migrate`` (a SQLite
table rebuild drops a table's triggers), is the same for all of them.
"""


def executer(connexion, instructions):
    """Run each SQL statement of ``instructions`` on ``connexion``."""
    with connexion.cursor() as curseur:
        for instruction in instructions:
            curseur.execute(instruction)


def reinstalleur(*groupes):
    """A ``post_migrate`` receiver that calls ``installer(connexion)`` for each
    ``(migration, installer)`` of ``groupes`` whose migration is applied (before it, the
    tables may lack the columns the triggers read)."""

    def recepteur(using="default", **kwargs):
        from django.db import connections
        from django.db.migrations.recorder import MigrationRecorder

        connexion = connections[using]
        appliquees = MigrationRecorder(connexion).applied_migrations()
        for migration, installer in groupes:
            if migration in appliquees:
                installer(connexion)

    return recepteur
