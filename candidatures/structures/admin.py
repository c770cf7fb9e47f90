"""Administration of structures, their members and documents, invitations and join requests."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from ..models import DemandeAdhesion, DocumentStructure, Invitation, Membre, Structure


class MembreInline(admin.TabularInline):
    model = Membre
    extra = 0
    autocomplete_fields = ["utilisateur"]


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ("raison_sociale", "sigle", "type", "siret", "commune")
    list_filter = ("type",)
    search_fields = ("raison_sociale", "sigle", "siret", "rna", "commune")
    inlines = [MembreInline]


@admin.register(DocumentStructure)
class DocumentStructureAdmin(admin.ModelAdmin):
    list_display = ("structure", "type", "nom_original", "date_document", "est_actuel", "depose_le")
    list_filter = ("type", "est_actuel")
    search_fields = ("structure__raison_sociale", "nom_original")
    fields = (
        "structure", "type", "lien", "taille", "type_mime", "date_document", "est_actuel",
        "depose_par", "depose_le",
    )
    readonly_fields = fields

    @admin.display(description="fichier")
    def lien(self, obj):
        # Files have no public URL: they go through the permission-checked download view.
        url = reverse("structures:telecharger", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.nom_original)

    def has_add_permission(self, request):
        return False  # uploads go through the portal, which checks their content

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "structure", "role", "envoyee_le", "acceptee_le", "annulee_le")
    search_fields = ("email", "structure__raison_sociale")
    autocomplete_fields = ["structure", "invite_par", "acceptee_par"]


@admin.register(DemandeAdhesion)
class DemandeAdhesionAdmin(admin.ModelAdmin):
    list_display = ("utilisateur", "structure", "statut", "cree_le", "traitee_le")
    list_filter = ("statut",)
    search_fields = ("utilisateur__email", "structure__raison_sociale")
    autocomplete_fields = ["structure", "utilisateur", "traitee_par"]
