"""Administration of dossiers: read-only, with their status history."""

from django.contrib import admin

from ..models import Dossier, HistoriqueStatut


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
