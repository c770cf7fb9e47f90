"""Administration of the instruction: read-only trail; status moves only through the services."""

from django.contrib import admin, messages

from candidatures.commun.erreurs import ErreurMetier

from .instruction.services import instruction as services_instruction
from .models import AffectationPilier, Decision, Instruction, Message, Modification


class LectureSeuleMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AffectationPilier)
class AffectationPilierAdmin(admin.ModelAdmin):
    list_display = ("pilier", "instructeur")
    autocomplete_fields = ["instructeur"]


@admin.register(Instruction)
class InstructionAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Read-only; the actions call the same services as the portal, refusals included."""

    list_display = ("dossier", "statut", "instructeur", "avis", "montant_propose", "conclue_le")
    list_filter = ("avis", "dossier__statut", "dossier__appel")
    search_fields = (
        "dossier__reference", "dossier__intitule", "dossier__structure__raison_sociale"
    )
    list_select_related = ("dossier", "instructeur")
    actions = ["prendre_en_instruction", "conclure"]

    @admin.display(description="statut du dossier")
    def statut(self, obj):
        return obj.dossier.get_statut_display()

    def _appliquer(self, request, queryset, service, succes):
        reussis = 0
        for instruction in queryset.select_related("dossier"):
            try:
                service(dossier=instruction.dossier, par=request.user)
            except ErreurMetier as erreur:
                self.message_user(request, f"{instruction.dossier} : {erreur}", messages.ERROR)
            else:
                reussis += 1
        if reussis:
            self.message_user(request, f"{reussis} dossier(s) {succes}.", messages.SUCCESS)

    @admin.action(description="Prendre en instruction")
    def prendre_en_instruction(self, request, queryset):
        self._appliquer(
            request, queryset, services_instruction.prendre_en_instruction, "pris en instruction"
        )

    @admin.action(description="Conclure l'instruction")
    def conclure(self, request, queryset):
        self._appliquer(request, queryset, services_instruction.conclure_instruction, "instruits")


@admin.register(Decision)
class DecisionAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Decisions are recorded on the programmation page, which checks every rule."""

    list_display = ("dossier", "nature", "montant_accorde", "decidee_le", "decidee_par")
    list_filter = ("nature", "dossier__appel")
    search_fields = ("dossier__reference", "dossier__structure__raison_sociale")


@admin.register(Message)
class MessageAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("dossier", "auteur", "de_la_structure", "envoye_le")
    search_fields = ("dossier__reference",)


@admin.register(Modification)
class ModificationAdmin(LectureSeuleMixin, admin.ModelAdmin):
    list_display = ("dossier", "objet", "champ", "avant", "apres", "par", "le")
    list_filter = ("objet",)
    search_fields = ("dossier__reference", "champ")
