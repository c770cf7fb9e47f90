from django.apps import AppConfig


class CandidaturesConfig(AppConfig):
    name = "candidatures"
    verbose_name = "Comptes, structures et candidatures"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from .comptes.second_facteur.politique import noter_a_la_connexion
        from .comptes.sessions import renouveler_a_la_connexion
        from .dossiers import contrainte_appel
        from .dossiers.contrainte_contrat import reinstaller_apres_migration

        # Notes at sign-in whether the account will be asked a code (see the middleware).
        user_logged_in.connect(noter_a_la_connexion, dispatch_uid="second_facteur_connexion")
        # The session saved at sign-in counts as renewed: the first page writes nothing more.
        user_logged_in.connect(renouveler_a_la_connexion, dispatch_uid="session_connexion")
        # A dossier stays within its call's contract: triggers a SQLite table rebuild may drop.
        post_migrate.connect(
            reinstaller_apres_migration, sender=self, dispatch_uid="dossier_meme_contrat"
        )
        # A row of a dossier (status history, forecasts, budget lines) carries the dossier's
        # call: likewise.
        post_migrate.connect(
            contrainte_appel.reinstaller_apres_migration, sender=self,
            dispatch_uid="candidatures_appel_du_dossier",
        )
