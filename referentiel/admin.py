"""Administration of the référentiel. A whole contract is loaded from one workbook (upload, dry-run
preview, confirmation), exported to one, or copied to start a new generation."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import slugify

from .classeur import attente
from .classeur.chargement import importer_classeur
from .classeur.copie import copier_contrat
from .classeur.ecriture import XLSX, modele_vierge
from .classeur.erreurs import ClasseurInvalide
from .classeur.extraction import exporter_contrat
from .classeur.formulaires import CopieContratForm, ImportClasseurForm
from .models import (
    Action,
    Contrat,
    Exigence,
    Generation,
    Indicateur,
    NoteFinancement,
    Objectif,
    Orientation,
    Pilier,
    QuartierPrioritaire,
    Renvoi,
    Territoire,
)

CHANGEMENTS_AFFICHES = 200


def est_administrateur_portail(user):
    return user.is_active and user.is_staff and user.est_administrateur_portail


def _telechargement(donnees, nom_fichier):
    reponse = HttpResponse(donnees, content_type=XLSX)
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    return reponse


@admin.register(Contrat)
class ContratAdmin(admin.ModelAdmin):
    list_display = (
        "code", "nom", "territoire", "generation", "annee_debut", "annee_fin", "par_defaut"
    )
    list_select_related = ("territoire", "generation")
    list_filter = ("generation", "territoire")
    search_fields = ("code", "nom")
    autocomplete_fields = ("quartiers",)
    actions = ["copier_vers_nouveau_contrat"]
    change_list_template = "admin/referentiel/contrat/change_list.html"
    change_form_template = "admin/referentiel/contrat/change_form.html"

    def has_administrer_portail_permission(self, request):
        return est_administrateur_portail(request.user)

    def get_urls(self):
        vue = self.admin_site.admin_view
        return [
            path("classeur/importer/", vue(self.importer_classeur),
                 name="referentiel_contrat_importer"),
            path("classeur/confirmer/", vue(self.confirmer_import),
                 name="referentiel_contrat_confirmer"),
            path("classeur/annuler/", vue(self.annuler_import),
                 name="referentiel_contrat_annuler"),
            path("classeur/modele/", vue(self.modele_vierge), name="referentiel_contrat_modele"),
            path("<path:object_id>/classeur/", vue(self.exporter_classeur),
                 name="referentiel_contrat_exporter"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "peut_importer": est_administrateur_portail(request.user)}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}),
                         "peut_importer": est_administrateur_portail(request.user)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _exiger_administrateur_portail(self, request):
        if not est_administrateur_portail(request.user):
            raise PermissionDenied("Seuls les administrateurs du portail chargent des contrats.")

    def _contexte(self, request, titre, **contexte):
        return {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": titre,
            **contexte,
        }

    # --- Import: upload, preview, confirmation ---------------------------------------------

    def importer_classeur(self, request):
        self._exiger_administrateur_portail(request)
        if request.method == "POST":
            form = ImportClasseurForm(request.POST, request.FILES)
            if form.is_valid():
                donnees = form.cleaned_data["fichier"].read()
                code, nom = form.cleaned_data["contrat"], form.cleaned_data["nom"]
                try:
                    rapport = importer_classeur(donnees, code or None, nom=nom, a_blanc=True)
                except ClasseurInvalide as erreur:
                    form.signaler(erreur)
                else:
                    jeton = attente.deposer(
                        donnees, utilisateur_id=request.user.pk, code=rapport.code, nom=nom,
                        nom_fichier=form.cleaned_data["fichier"].name,
                    )
                    return self._apercu(request, rapport, jeton)
        else:
            form = ImportClasseurForm(initial={"contrat": request.GET.get("contrat", "")[:50]})
        return TemplateResponse(
            request, "admin/referentiel/contrat/importer.html",
            self._contexte(request, "Importer un classeur de contrat", form=form),
        )

    def _apercu(self, request, rapport, jeton):
        return TemplateResponse(
            request, "admin/referentiel/contrat/apercu.html",
            self._contexte(
                request, f"Aperçu de l'import du contrat {rapport.code}",
                rapport=rapport, jeton=jeton,
                changements=rapport.changements[:CHANGEMENTS_AFFICHES],
                autres=max(0, len(rapport.changements) - CHANGEMENTS_AFFICHES),
            ),
        )

    def confirmer_import(self, request):
        self._exiger_administrateur_portail(request)
        if request.method != "POST":
            return redirect("admin:referentiel_contrat_importer")
        en_attente = attente.reprendre(request.POST.get("jeton"), utilisateur_id=request.user.pk)
        if en_attente is None:
            messages.error(
                request, "Le classeur déposé n'est plus disponible (import déjà fait, annulé ou "
                "trop ancien) : déposez-le à nouveau.",
            )
            return redirect("admin:referentiel_contrat_importer")
        try:
            rapport = importer_classeur(
                en_attente.donnees, en_attente.code, nom=en_attente.nom or None
            )
        except ClasseurInvalide as erreur:
            attente.retirer(en_attente.jeton)
            form = ImportClasseurForm(initial={"contrat": en_attente.code, "nom": en_attente.nom})
            form.signaler(erreur)
            return TemplateResponse(
                request, "admin/referentiel/contrat/importer.html",
                self._contexte(request, "Importer un classeur de contrat", form=form),
            )
        attente.retirer(en_attente.jeton)
        messages.success(
            request, f"Contrat {rapport.code} importé depuis « {en_attente.nom_fichier} » : "
            f"{rapport.resume()}.",
        )
        return redirect("admin:referentiel_contrat_change", rapport.contrat.pk)

    def annuler_import(self, request):
        self._exiger_administrateur_portail(request)
        if request.method == "POST":
            attente.retirer(request.POST.get("jeton"))
            messages.info(request, "Import annulé : rien n'a été enregistré.")
        return redirect("admin:referentiel_contrat_changelist")

    # --- Export and blank template ----------------------------------------------------------

    def exporter_classeur(self, request, object_id):
        contrat = get_object_or_404(
            Contrat.objects.select_related("territoire", "generation"), pk=object_id
        )
        if not self.has_view_permission(request, contrat):
            raise PermissionDenied
        return _telechargement(exporter_contrat(contrat), f"contrat-{contrat.code}.xlsx")

    def modele_vierge(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _telechargement(modele_vierge(), "modele-contrat-de-ville.xlsx")

    # --- Copy -------------------------------------------------------------------------------

    @admin.action(description="Copier vers un nouveau contrat", permissions=["administrer_portail"])
    def copier_vers_nouveau_contrat(self, request, queryset):
        self._exiger_administrateur_portail(request)
        sources = list(queryset.select_related("territoire", "generation")[:2])
        if len(sources) != 1:
            self.message_user(request, "Choisissez un seul contrat à copier.", messages.WARNING)
            return None
        source = sources[0]
        if "confirmer" in request.POST:
            form = CopieContratForm(request.POST)
            if form.is_valid():
                donnees = form.cleaned_data
                try:
                    contrat = copier_contrat(
                        source, donnees["code"], donnees["nom"],
                        generation=donnees["generation"], territoire=donnees["territoire"],
                        annee_debut=donnees["annee_debut"], annee_fin=donnees["annee_fin"],
                    )
                except ClasseurInvalide as erreur:
                    form.add_error(None, [str(e) for e in erreur.erreurs])
                else:
                    self.message_user(
                        request, f"Contrat {contrat.code} créé à partir de {source.code}.",
                        messages.SUCCESS,
                    )
                    return redirect(reverse("admin:referentiel_contrat_change", args=[contrat.pk]))
        else:
            form = CopieContratForm(initial={
                "code": slugify(f"{source.code}-copie")[:50], "nom": f"{source.nom} (copie)",
                "generation": source.generation, "territoire": source.territoire,
            })
        return TemplateResponse(
            request, "admin/referentiel/contrat/copier.html",
            self._contexte(request, f"Copier le contrat {source.code}", form=form, source=source),
        )


@admin.register(Territoire)
class TerritoireAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "type", "siren")
    search_fields = ("code", "nom")


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "annee_debut", "annee_fin")


@admin.register(Pilier)
class PilierAdmin(admin.ModelAdmin):
    list_display = ("code", "titre", "contrat")
    list_filter = ("contrat",)


@admin.register(Orientation)
class OrientationAdmin(admin.ModelAdmin):
    list_display = ("code", "titre", "contrat")
    list_filter = ("contrat",)
    search_fields = ("code", "titre")
    list_select_related = ("contrat",)


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
    exclude = ("contrat",)


@admin.register(Objectif)
class ObjectifAdmin(admin.ModelAdmin):
    list_display = ("code", "titre", "contrat", "hors_appel_a_projets")
    list_filter = ("contrat", "hors_appel_a_projets")
    search_fields = ("code", "titre")
    list_select_related = ("contrat",)
    inlines = [ActionInline, ExigenceInline, NoteFinancementInline, IndicateurInline, RenvoiInline]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("code", "libelle", "contrat")
    list_filter = ("contrat",)
    search_fields = ("code", "libelle")
    list_select_related = ("contrat",)


class LigneAdmin(admin.ModelAdmin):
    list_select_related = ("objectif__contrat",)
    search_fields = ("objectif__code",)
    list_filter = ("objectif__contrat",)


@admin.register(Exigence)
class ExigenceAdmin(LigneAdmin):
    list_display = ("objectif", "ordre", "texte")


@admin.register(NoteFinancement)
class NoteFinancementAdmin(LigneAdmin):
    list_display = ("objectif", "ordre", "texte")


@admin.register(Indicateur)
class IndicateurAdmin(LigneAdmin):
    list_display = ("objectif", "ordre", "libelle", "ventilation", "nature")
    list_filter = ("ventilation", "nature", "objectif__contrat")


@admin.register(Renvoi)
class RenvoiAdmin(LigneAdmin):
    list_display = ("objectif", "ordre", "texte", "cible_objectif", "cible_orientation")


@admin.register(QuartierPrioritaire)
class QuartierPrioritaireAdmin(admin.ModelAdmin):
    list_display = ("nom", "commune", "generation", "code_officiel", "valide_du", "valide_au")
    list_filter = ("generation",)
    search_fields = ("nom", "commune", "code_officiel")
