from django.apps import AppConfig


class ReferentielConfig(AppConfig):
    name = "referentiel"
    verbose_name = "Référentiel du contrat de ville"

    def ready(self):
        from . import fragments

        # Every change of a référentiel row gives the kept fragments a new version.
        fragments.brancher(self.get_models())
