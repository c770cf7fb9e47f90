"""Administration of accounts, with the unlocking of a blocked sign-in and the reset of a lost
second factor."""

from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.admin import UserAdmin

from ..models import Utilisateur
from . import axes as comptes_axes
from .second_facteur import services as second_facteur


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
    actions = ["debloquer_connexion", "reinitialiser_double_authentification"]

    @admin.action(description="Débloquer la connexion (tentatives échouées)")
    def debloquer_connexion(self, request, queryset):
        total = sum(comptes_axes.debloquer(u.email) for u in queryset)
        self.message_user(request, f"{total} tentative(s) échouée(s) effacée(s).")

    @admin.action(
        description="Réinitialiser la double authentification (téléphone perdu)",
        permissions=["change"],
    )
    def reinitialiser_double_authentification(self, request, queryset):
        utilisateurs = list(queryset)
        for utilisateur in utilisateurs:
            second_facteur.reinitialiser(utilisateur, par=request.user.email)
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=utilisateurs,
            action_flag=CHANGE,
            change_message=(
                "Double authentification réinitialisée : l'application sera de nouveau "
                "activée à la prochaine connexion."
            ),
        )
        self.message_user(
            request,
            f"Double authentification réinitialisée pour {len(utilisateurs)} compte(s) : "
            "chacun l'activera de nouveau à sa prochaine connexion.",
        )
