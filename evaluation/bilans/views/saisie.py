"""The operator's bilan: one form for every section, saved as a whole, then submitted."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from candidatures.commun.erreurs import ConflitVersion, ErreurMetier, Incomplet, SaisieInvalide
from candidatures.dossiers import budget
from evaluation.models import Bilan, PieceBilan

from .. import selectors as selectors_bilans
from ..forms import (
    CompteRenduForm,
    DepotBilanForm,
    PieceBilanForm,
    QualitatifForm,
    RealisationsForm,
)
from ..permissions import peut_saisir_bilan, peut_voir_bilan
from ..services import depot as services_bilans_depot
from ..services import saisie as services_bilans_saisie
from .commun import _dossier


def _heure(instant):
    return date_format(timezone.localtime(instant), "H:i")


def _initial(bilan):
    initial = {nom: getattr(bilan, nom) for nom in QualitatifForm.base_fields}
    for realisation in bilan.realisations.all():
        for champ in ("valeur", "valeur_femmes", "valeur_hommes", "valeur_filles",
                      "valeur_garcons", "texte"):
            initial[f"indicateur_{realisation.indicateur_id}_{champ}"] = getattr(
                realisation, champ
            )
    for ligne in bilan.lignes.all():
        initial[f"realise_{ligne.code}"] = ligne.realise
        initial[f"explication_{ligne.code}"] = ligne.explication
    return initial


class PageBilan:
    """The sections of one bilan in one form, and the saving of all of them at once."""

    def __init__(self, request, bilan, data=None, files=None):
        self.request = request
        self.bilan = bilan
        self.data = data
        self.conflit = None
        self.erreur = None
        self.resultat = None
        self.version = bilan.version
        dossier = bilan.dossier
        self.seuil = selectors_bilans.seuil_ecart(dossier.appel_id)
        self.indicateurs = selectors_bilans.indicateurs_du_bilan(dossier)
        initial = _initial(bilan)
        self.qualitatif = QualitatifForm(data, initial=initial)
        self.realisations = RealisationsForm(
            data, initial=initial, indicateurs=self.indicateurs,
            previsions={p.indicateur_id: p for p in dossier.previsions.all()},
        )
        self.lignes = selectors_bilans.compte_rendu(bilan, self.seuil)
        self.compte_rendu = CompteRenduForm(data, initial=initial, lignes=self.lignes)
        self.pieces = PieceBilanForm(data, files)

    @property
    def formulaires(self):
        return [self.qualitatif, self.realisations, self.compte_rendu, self.pieces]

    @property
    def a_des_erreurs(self):
        return bool(self.conflit or self.erreur) or any(f.errors for f in self.formulaires)

    def enregistrer(self):
        """Save every valid value; invalid ones stay in the forms with their error."""
        try:
            self.resultat = services_bilans_saisie.enregistrer_bilan(
                bilan=self.bilan,
                par=self.request.user,
                version=self.data.get("version") or 0,
                champs=self.qualitatif.valeurs_valides(),
                realisations=self.realisations.realisations(),
                lignes=self.compte_rendu.lignes_saisies(),
            )
        except ConflitVersion as conflit:
            self.conflit = conflit
            self.version = conflit.objet.version
            return
        except SaisieInvalide as erreur:
            self._rattacher(erreur.erreurs)
            return
        except ErreurMetier as erreur:
            self.erreur = str(erreur)
            return
        self.bilan = self.resultat.bilan
        self._pieces()
        self.bilan.refresh_from_db()
        self.version = self.bilan.version
        self.lignes = selectors_bilans.compte_rendu(self.bilan, self.seuil)

    def _rattacher(self, erreurs):
        for cle, message in erreurs.items():
            for form in self.formulaires:
                if cle in form.fields:
                    form.add_error(cle, message)
                    break
            else:
                self.erreur = message

    def _pieces(self):
        a_supprimer = self.data.get("supprimer_piece")
        if a_supprimer and a_supprimer.isdigit():
            piece = self.bilan.pieces.filter(pk=a_supprimer).first()
            if piece:
                services_bilans_saisie.supprimer_piece_bilan(piece=piece, par=self.request.user)
                messages.info(self.request, f"Le document « {piece} » est supprimé.")
        valeurs = self.pieces.valeurs_valides()
        if valeurs.get("fichier"):
            try:
                services_bilans_saisie.ajouter_piece_bilan(
                    bilan=self.bilan, par=self.request.user, fichier=valeurs["fichier"],
                    type=valeurs.get("type_piece") or PieceBilan.Type.AUTRE,
                    titre=valeurs.get("titre_piece", ""),
                )
            except ErreurMetier as erreur:
                self.pieces.add_error("fichier", str(erreur))

    def erreurs(self):
        """(label, message, field id) of every field error, in page order, for the summary."""
        resultat = []
        for form in self.formulaires:
            for err in form.non_field_errors():
                resultat.append(("", err, ""))
            for champ in form:
                for err in champ.errors:
                    resultat.append((self._libelle(champ), err, champ.id_for_label))
        return resultat

    def _libelle(self, champ):
        nom = champ.name
        if nom.startswith("indicateur_"):
            indicateur_id = int(nom.split("_")[1])
            indicateur = next(i for i in self.indicateurs if i.pk == indicateur_id)
            return f"{indicateur.libelle[:60]} — {champ.label}"
        if nom.startswith("explication_"):
            return f"{budget.PAR_CODE[nom.removeprefix('explication_')].libelle} — {champ.label}"
        return champ.label

    def contexte(self):
        bilan = self.bilan
        manques = selectors_bilans.manques(bilan, indicateurs=self.indicateurs, lignes=self.lignes)
        prevus, realises = selectors_bilans.totaux_compte_rendu(self.lignes)
        return {
            "dossier": bilan.dossier,
            "bilan": bilan,
            "page": self,
            "version": self.version,
            "seuil": self.seuil,
            "erreurs": self.erreurs(),
            "conflit": self.conflit,
            "erreur": self.erreur,
            "manques": manques,
            "sections": [
                {"cle": cle, "titre": titre, "manques": manques.get(cle, [])}
                for cle, titre in selectors_bilans.SECTIONS.items()
            ],
            "charges": self.compte_rendu.cote(budget.CHARGE),
            "emplois": self.compte_rendu.cote(budget.CONTRIBUTION_EMPLOI),
            "produits": self.compte_rendu.cote(budget.PRODUIT),
            "ressources": self.compte_rendu.cote(budget.CONTRIBUTION_RESSOURCE),
            "totaux_prevus": prevus,
            "totaux_realises": realises,
            "pieces_bilan": bilan.pieces.all(),
            "demande": bilan.demandes_correction.filter(traitee_le__isnull=True).first(),
            "depot": DepotBilanForm(),
            "champs_beneficiaires": selectors_bilans.champs_beneficiaires(bilan.dossier),
        }


@require_http_methods(["GET", "POST"])
def saisie(request, pk):
    """The bilan form: every button saves the whole draft, nothing typed is lost."""
    dossier = _dossier(request, pk, peut_voir_bilan)
    if not peut_saisir_bilan(request.user, dossier):
        return redirect("bilans:detail", dossier.pk)
    bilan = Bilan.objects.filter(dossier=dossier).first()
    if bilan is None:
        return render(request, "bilans/commencer.html", {"dossier": dossier})
    bilan.dossier = dossier
    if request.method == "GET":
        return render(request, "bilans/saisie.html", PageBilan(request, bilan).contexte())
    page = PageBilan(request, bilan, request.POST, request.FILES)
    page.enregistrer()
    if page.a_des_erreurs:
        return render(request, "bilans/saisie.html", page.contexte())
    messages.success(request, f"Bilan enregistré à {_heure(page.bilan.modifie_le)}.")
    return redirect(reverse("bilans:saisie", args=[dossier.pk]) + _ancre(request))


def _ancre(request):
    section = request.POST.get("enregistrer", "")
    return f"#section-{section}" if section in selectors_bilans.SECTIONS else ""


@require_POST
def commencer(request, pk):
    dossier = _dossier(request, pk, peut_saisir_bilan)
    try:
        services_bilans_saisie.ouvrir_bilan(dossier=dossier, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
        return redirect("bilans:liste")
    messages.success(
        request, "Le bilan est commencé : le compte rendu financier reprend votre budget "
        "prévisionnel. Enregistrez quand vous voulez, rien n'est perdu."
    )
    return redirect("bilans:saisie", dossier.pk)


@require_POST
def deposer(request, pk):
    """Save what the form holds, then submit; refusals come back on the form, nothing lost."""
    dossier = _dossier(request, pk, peut_saisir_bilan)
    bilan = get_object_or_404(Bilan, dossier=dossier)
    bilan.dossier = dossier
    page = PageBilan(request, bilan, request.POST, request.FILES)
    page.enregistrer()
    depot = DepotBilanForm(request.POST)
    if page.a_des_erreurs or not depot.is_valid():
        contexte = page.contexte()
        contexte["depot"] = depot
        return render(request, "bilans/saisie.html", contexte)
    try:
        services_bilans_depot.deposer_bilan(
            bilan=page.bilan, par=request.user, qualite=depot.cleaned_data["qualite"]
        )
    except Incomplet as erreur:
        messages.error(request, str(erreur))
        return redirect(reverse("bilans:saisie", args=[dossier.pk]) + "#completude")
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
        return redirect("bilans:saisie", dossier.pk)
    messages.success(request, "Le bilan est déposé : l'instructeur va le relire.")
    return redirect("bilans:detail", dossier.pk)

