"""Administration of accounts."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html

from .comptes import axes as comptes_axes
from .models import DemandeAdhesion, DocumentStructure, Invitation, Membre, Structure, Utilisateur


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    ordering = ("email",)
    list_display = ("email", "prenom", "nom", "is_active", "is_staff", "email_confirme_le")
    search_fields = ("email", "prenom", "nom")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("prenom", "nom")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("date_joined", "last_login", "email_confirme_le")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ("date_joined", "last_login")
    actions = ["debloquer_connexion"]

    @admin.action(description="Débloquer la connexion (tentatives échouées)")
    def debloquer_connexion(self, request, queryset):
        total = sum(comptes_axes.debloquer(u.email) for u in queryset)
        self.message_user(request, f"{total} tentative(s) échouée(s) effacée(s).")


# --- Comptes et structures (issue 3) ---


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

from . import admin_appels  # noqa: E402, F401  (calls and dossiers, issue 4)
