"""Administration of the référentiel, with CSV/XLSX import-export (dry-run preview first)."""

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX

from . import resources
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


class ReferentielAdmin(ImportExportModelAdmin):
    formats = [CSV, XLSX]


@admin.register(Contrat)
class ContratAdmin(ReferentielAdmin):
    resource_classes = [resources.ContratResource]
    list_display = ("code", "nom", "territoire", "annee_debut", "annee_fin")


@admin.register(Pilier)
class PilierAdmin(ReferentielAdmin):
    resource_classes = [resources.PilierResource]
    list_display = ("code", "titre", "contrat")


@admin.register(Orientation)
class OrientationAdmin(ReferentielAdmin):
    resource_classes = [resources.OrientationResource]
    list_display = ("code", "titre", "pilier")
    list_filter = ("pilier",)
    search_fields = ("code", "titre")


class ExigenceInline(admin.TabularInline):
    model = Exigence
    extra = 0


class NoteFinancementInline(admin.TabularInline):
    model = NoteFinancement
    extra = 0


class IndicateurInline(admin.TabularInline):
    model = Indicateur
    extra = 0


class RenvoiInline(admin.TabularInline):
    model = Renvoi
    fk_name = "objectif"
    extra = 0
    autocomplete_fields = ("action", "cible_objectif", "cible_orientation")


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0


@admin.register(Objectif)
class ObjectifAdmin(ReferentielAdmin):
    resource_classes = [resources.ObjectifResource]
    list_display = ("code", "titre", "orientation", "hors_appel_a_projets")
    list_filter = ("hors_appel_a_projets", "orientation__pilier", "orientation")
    search_fields = ("code", "titre")
    list_select_related = ("orientation",)
    inlines = [ActionInline, ExigenceInline, NoteFinancementInline, IndicateurInline, RenvoiInline]


@admin.register(Action)
class ActionAdmin(ReferentielAdmin):
    resource_classes = [resources.ActionResource]
    list_display = ("code", "libelle", "objectif")
    list_filter = ("objectif__orientation__pilier",)
    search_fields = ("code", "libelle")
    list_select_related = ("objectif",)


class LigneAdmin(ReferentielAdmin):
    list_select_related = ("objectif",)
    search_fields = ("objectif__code",)
    list_filter = ("objectif__orientation__pilier",)


@admin.register(Exigence)
class ExigenceAdmin(LigneAdmin):
    resource_classes = [resources.ExigenceResource]
    list_display = ("objectif", "ordre", "texte")


@admin.register(NoteFinancement)
class NoteFinancementAdmin(LigneAdmin):
    resource_classes = [resources.NoteFinancementResource]
    list_display = ("objectif", "ordre", "texte")


@admin.register(Indicateur)
class IndicateurAdmin(LigneAdmin):
    resource_classes = [resources.IndicateurResource]
    list_display = ("objectif", "ordre", "libelle", "ventilation", "nature")
    list_filter = ("ventilation", "nature", "objectif__orientation__pilier")


@admin.register(Renvoi)
class RenvoiAdmin(LigneAdmin):
    resource_classes = [resources.RenvoiResource]
    list_display = ("objectif", "ordre", "texte", "cible_objectif", "cible_orientation")


@admin.register(QuartierPrioritaire)
class QuartierPrioritaireAdmin(ReferentielAdmin):
    resource_classes = [resources.QuartierPrioritaireResource]
    list_display = ("nom", "commune", "code_officiel", "valide_du", "valide_au")
    search_fields = ("nom", "commune", "code_officiel")
