from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Instruction, décisions et bilans"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import version_appel
        from .contrainte_appel import reinstaller_apres_migration

        # A row's call equals its dossier's: triggers a SQLite table rebuild may drop.
        post_migrate.connect(
            reinstaller_apres_migration, sender=self, dispatch_uid="evaluation_appel_du_dossier"
        )
        # The call's version, raised by triggers a SQLite table rebuild may drop.
        post_migrate.connect(
            version_appel.reinstaller_apres_migration, sender=self,
            dispatch_uid="evaluation_version_appel",
        )
