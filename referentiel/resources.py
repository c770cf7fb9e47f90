"""Import/export of each level of the tree (CSV, XLSX), keyed by code as in the fixtures."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from .models import (
    Action,
    Contrat,
    Exigence,
    Indicateur,
    NoteFinancement,
    Objectif,
    Orientation,
    Pilier,
    QuartierPrioritaire,
    Renvoi,
)


def _par_code(nom, modele, attribut=None):
    return fields.Field(
        attribute=attribut or nom, column_name=nom, widget=ForeignKeyWidget(modele, "code")
    )


class ParCodeResource(resources.ModelResource):
    """Rows are matched on their code: re-importing updates in place, never duplicates."""

    class Meta:
        import_id_fields = ("code",)
        exclude = ("id",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class ContratResource(ParCodeResource):
    class Meta(ParCodeResource.Meta):
        model = Contrat
        fields = ("code", "nom", "territoire", "annee_debut", "annee_fin", "source")


class PilierResource(ParCodeResource):
    contrat = _par_code("contrat", Contrat)

    class Meta(ParCodeResource.Meta):
        model = Pilier
        fields = ("code", "contrat", "titre", "ordre")


class OrientationResource(ParCodeResource):
    pilier = _par_code("pilier", Pilier)

    class Meta(ParCodeResource.Meta):
        model = Orientation
        fields = ("code", "pilier", "titre", "ordre")


class ObjectifResource(ParCodeResource):
    orientation = _par_code("orientation", Orientation)

    class Meta(ParCodeResource.Meta):
        model = Objectif
        fields = ("code", "orientation", "titre", "ordre", "hors_appel_a_projets")


class ActionResource(ParCodeResource):
    objectif = _par_code("objectif", Objectif)

    class Meta(ParCodeResource.Meta):
        model = Action
        fields = ("code", "objectif", "libelle", "ordre")


class QuartierPrioritaireResource(ParCodeResource):
    class Meta(ParCodeResource.Meta):
        model = QuartierPrioritaire
        fields = ("code", "nom", "commune", "code_officiel", "secteurs", "valide_du", "valide_au")


class LigneResource(resources.ModelResource):
    """Rows of an objective are matched on (objective code, rank)."""

    objectif = _par_code("objectif", Objectif)

    class Meta:
        import_id_fields = ("objectif", "ordre")
        exclude = ("id",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class ExigenceResource(LigneResource):
    class Meta(LigneResource.Meta):
        model = Exigence
        fields = ("objectif", "ordre", "texte")


class NoteFinancementResource(LigneResource):
    class Meta(LigneResource.Meta):
        model = NoteFinancement
        fields = ("objectif", "ordre", "texte")


class IndicateurResource(LigneResource):
    class Meta(LigneResource.Meta):
        model = Indicateur
        fields = ("objectif", "ordre", "libelle", "ventilation", "nature")


class RenvoiResource(LigneResource):
    action = _par_code("action", Action)
    cible_objectif = _par_code("cible_objectif", Objectif)
    cible_orientation = _par_code("cible_orientation", Orientation)

    class Meta(LigneResource.Meta):
        model = Renvoi
        fields = ("objectif", "ordre", "action", "cible_objectif", "cible_orientation", "texte")
