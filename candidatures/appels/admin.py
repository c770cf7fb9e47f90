"""Administration of calls for projects (created and edited here; listed in the portal)."""

from django.contrib import admin

from ..models import AppelAProjets, DocumentAppel, EnveloppePilier


class EnveloppeInline(admin.TabularInline):
    model = EnveloppePilier
    extra = 0


class DocumentInline(admin.TabularInline):
    model = DocumentAppel
    extra = 1


@admin.register(AppelAProjets)
class AppelAProjetsAdmin(admin.ModelAdmin):
    list_display = ("titre", "annee", "ouverture", "cloture", "etat_libelle", "enveloppe_totale")
    list_filter = ("annee",)
    inlines = [EnveloppeInline, DocumentInline]
