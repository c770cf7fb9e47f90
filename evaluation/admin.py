"""Administration of the instruction, the conventions and the open data: read-only trail and
money; status moves, payments and publications only through the services (and their rules)."""

from django import forms
from django.contrib import admin, messages

from candidatures.commun.erreurs import ErreurMetier

from .conventions import modele as modele_convention
from .conventions import services as services_conventions
from .instruction.services import instruction as services_instruction
from .models import (
    AffectationPilier,
    Convention,
    Decision,
    DocumentBilanAnnuel,
    GenerationConvention,
    GenerationPublication,
    Instruction,
    Message,
    Modification,
    Paiement,
    ParametresConventions,
    PublicationDonnees,
)


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


class PaiementInline(LectureSeuleMixin, admin.TabularInline):
    model = Paiement
    fields = ("nature", "date", "montant", "saisi_par", "saisi_le")
    readonly_fields = fields
    extra = 0


class GenerationConventionInline(LectureSeuleMixin, admin.TabularInline):
    model = GenerationConvention
    fields = ("etat", "progression", "demandee_le", "terminee_le", "taille")
    readonly_fields = fields
    extra = 0


@admin.register(Convention)
class ConventionAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Read-only: a convention and its payments are recorded on the convention page, which
    never pays beyond the granted amount nor the balance before the validated bilan."""

    list_display = (
        "reference", "dossier", "date_signature", "montant_accorde", "montant_verse",
        "solde_verse", "sans_solde", "publier",
    )
    list_filter = ("dossier__appel", "solde_verse", "sans_solde", "action_non_realisee",
                   "publier")
    search_fields = ("reference", "dossier__reference", "dossier__structure__raison_sociale",
                     "deliberation")
    list_select_related = ("dossier",)
    date_hierarchy = "date_signature"
    inlines = [PaiementInline, GenerationConventionInline]


@admin.register(Paiement)
class PaiementAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Read-only: a payment goes through the service, never above what is left to pay."""

    list_display = ("convention", "nature", "date", "montant", "saisi_par", "saisi_le")
    list_filter = ("nature", "convention__dossier__appel")
    search_fields = ("convention__reference", "convention__dossier__reference",
                     "convention__dossier__structure__raison_sociale")
    list_select_related = ("convention", "saisi_par")
    date_hierarchy = "date"


class ParametresConventionsForm(forms.ModelForm):
    class Meta:
        model = ParametresConventions
        fields = ("part_avance", "modele", "dispositif_aide")

    def clean_modele(self):
        texte = self.cleaned_data.get("modele") or ""
        problemes = modele_convention.erreurs_du_modele(texte)
        if not texte.strip():
            problemes.append("Écrivez le texte de la convention.")
        if problemes:
            raise forms.ValidationError(" ".join(problemes))
        return texte


@admin.register(ParametresConventions)
class ParametresConventionsAdmin(admin.ModelAdmin):
    """A call's convention settings, saved through the same service as the portal's page."""

    form = ParametresConventionsForm
    list_display = ("appel", "part_avance", "dispositif_aide", "modifie_par", "modifie_le")
    list_filter = ("appel__contrat",)
    search_fields = ("appel__titre",)
    list_select_related = ("appel", "modifie_par")
    readonly_fields = ("modifie_par", "modifie_le")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services_conventions.parametrer_conventions(
                appel=obj.appel, par=request.user, part_avance=obj.part_avance,
                modele_texte=obj.modele, dispositif_aide=obj.dispositif_aide,
            )
        except ErreurMetier as erreur:
            self.message_user(request, str(erreur), messages.ERROR)


class GenerationPublicationInline(LectureSeuleMixin, admin.TabularInline):
    model = GenerationPublication
    fields = ("etat", "progression", "lignes", "demandee_le", "terminee_le", "taille")
    readonly_fields = fields
    extra = 0


@admin.register(PublicationDonnees)
class PublicationDonneesAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Read-only: a year is published from the payments dashboard, never with the
    placeholder SIRET; its file follows its data by itself."""

    list_display = ("contrat", "annee", "publiee_par", "publiee_le")
    list_filter = ("annee", "contrat")
    search_fields = ("contrat__nom", "contrat__code")
    list_select_related = ("contrat", "publiee_par")
    inlines = [GenerationPublicationInline]


@admin.register(DocumentBilanAnnuel)
class DocumentBilanAnnuelAdmin(LectureSeuleMixin, admin.ModelAdmin):
    """Read-only: partners, comment and logo are set on the annual bilan's page, which checks
    the logo file."""

    list_display = ("appel", "modifie_par", "modifie_le")
    list_filter = ("appel__contrat",)
    search_fields = ("appel__titre", "partenaires", "commentaire")
    list_select_related = ("appel", "modifie_par")
