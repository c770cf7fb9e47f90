"""Administration of accounts, with the unlocking of a blocked sign-in."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ..models import Utilisateur
from . import axes as comptes_axes


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
