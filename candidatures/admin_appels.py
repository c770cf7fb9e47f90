"""Administration of calls for projects (created and edited here; listed in the portal)."""

from django.contrib import admin

from .models import AppelAProjets, DocumentAppel, Dossier, EnveloppePilier, HistoriqueStatut


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


class HistoriqueInline(admin.TabularInline):
    model = HistoriqueStatut
    extra = 0
    can_delete = False
    readonly_fields = ("de", "vers", "par", "le", "motif")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read-only: dossiers change through the portal's services, never by hand."""

    list_display = ("__str__", "structure", "appel", "statut", "depose_le")
    list_filter = ("appel", "statut")
    search_fields = ("reference", "intitule", "structure__raison_sociale")
    inlines = [HistoriqueInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
