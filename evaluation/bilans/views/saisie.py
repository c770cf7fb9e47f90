"""The operator's bilan: one form for every section, saved as a whole, then submitted."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidatures.commun.erreurs import ErreurMetier, Incomplet
from candidatures.commun.formats import heure
from candidatures.commun.sections import PageSections
from candidatures.dossiers import budget
from evaluation import generations
from evaluation.models import Bilan, PieceBilan

from .. import compte_rendu, selectors, taches
from ..forms import (
    CompteRenduCerfaForm,
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


def _initial(bilan):
    initial = {
        nom: getattr(bilan, nom)
        for nom in (*QualitatifForm.base_fields, *CompteRenduCerfaForm.base_fields)
    }
    for realisation in bilan.realisations.all():
        for champ in ("valeur", "valeur_femmes", "valeur_hommes", "valeur_filles",
                      "valeur_garcons", "texte"):
            initial[f"indicateur_{realisation.indicateur_id}_{champ}"] = getattr(
                realisation, champ
            )
    for ligne in bilan.lignes.all():
        initial[f"realise_{ligne.code}"] = ligne.realise
        initial[f"explication_{ligne.code}"] = ligne.explication
    for detail in bilan.details.all():
        initial[f"realise_{detail.code}"] = detail.realise
    return initial


class PageBilan(PageSections):
    """The sections of one bilan in one form, and the saving of all of them at once."""

    def __init__(self, request, bilan, data=None, files=None):
        super().__init__(request, bilan, data)
        self.bilan = bilan
        dossier = bilan.dossier
        self.seuil = selectors.seuil_ecart(dossier.appel_id)
        self.indicateurs = selectors.indicateurs_du_bilan(dossier)
        initial = _initial(bilan)
        self.qualitatif = QualitatifForm(data, initial=initial)
        self.realisations = RealisationsForm(
            data, initial=initial, indicateurs=self.indicateurs,
            previsions={p.indicateur_id: p for p in dossier.previsions.all()},
        )
        self.lignes = selectors.compte_rendu(bilan, self.seuil)
        self.compte_rendu = CompteRenduForm(data, initial=initial, lignes=self.lignes)
        self.cerfa = CompteRenduCerfaForm(data, initial=initial)
        self.pieces = PieceBilanForm(data, files)

    @property
    def formulaires(self):
        return [self.qualitatif, self.realisations, self.compte_rendu, self.cerfa, self.pieces]

    def sauver(self):
        return services_bilans_saisie.enregistrer_bilan(
            bilan=self.bilan,
            par=self.request.user,
            version=self.data.get("version") or 0,
            champs={**self.qualitatif.valeurs_valides(), **self.cerfa.valeurs_valides()},
            realisations=self.realisations.realisations(),
            lignes=self.compte_rendu.lignes_saisies(),
        )

    def apres_enregistrement(self):
        self.bilan = self.resultat.bilan
        self._pieces(
            self.bilan.pieces, supprimer=services_bilans_saisie.supprimer_piece_bilan,
            ajouter=partial(services_bilans_saisie.ajouter_piece_bilan, bilan=self.bilan),
            type_autre=PieceBilan.Type.AUTRE, supprimee="Le document « {piece} » est supprimé.",
        )
        self.bilan.refresh_from_db()
        self.version = self.bilan.version
        self.lignes = selectors.compte_rendu(self.bilan, self.seuil)

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
        manques = selectors.manques(bilan, indicateurs=self.indicateurs, lignes=self.lignes)
        prevus, realises = selectors.totaux_compte_rendu(self.lignes)
        return {
            **super().contexte(),
            "dossier": bilan.dossier,
            "bilan": bilan,
            "seuil": self.seuil,
            "manques": manques,
            "sections": [
                {"cle": cle, "titre": titre, "manques": manques.get(cle, [])}
                for cle, titre in selectors.SECTIONS.items()
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
            "champs_beneficiaires": selectors.champs_beneficiaires(bilan.dossier),
            "attribuant": settings.ATTRIBUANT_NOM,
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
    messages.success(request, f"Bilan enregistré à {heure(page.bilan.modifie_le)}.")
    return redirect(reverse("bilans:saisie", args=[dossier.pk]) + _ancre(request))


def _ancre(request):
    section = request.POST.get("enregistrer", "")
    return f"#section-{section}" if section in selectors.SECTIONS else ""


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


def _bilan_du_compte_rendu(request, pk):
    dossier = _dossier(request, pk, peut_voir_bilan)
    bilan = get_object_or_404(Bilan, dossier=dossier)
    bilan.dossier = dossier
    return dossier, bilan


@require_http_methods(["GET", "POST"])
def compte_rendu_pdf(request, pk):
    """The compte rendu financier (Cerfa n°15059*02) of a bilan, built by the worker and kept.

    GET writes nothing: the kept file if it was built from the bilan's current data, else a
    page that follows its preparation, or offers to prepare it. POST (« Préparer le PDF ») asks
    the worker for it, then comes back here."""
    dossier, bilan = _bilan_du_compte_rendu(request, pk)
    if request.method == "POST":
        taches.demander_compte_rendu(bilan=bilan, par=request.user)
        return redirect("bilans:compte_rendu_pdf", dossier.pk)
    generation = taches.compte_rendu_garde(bilan)
    if generation is not None and generation.est_terminee:
        return FileResponse(
            generation.fichier.open("rb"), as_attachment=True,
            filename=compte_rendu.nom_du_fichier(dossier), content_type="application/pdf",
        )
    return render(
        request, "bilans/compte_rendu_en_preparation.html",
        {"dossier": dossier, "generation": generation},
    )


@require_GET
def compte_rendu_etat(request, pk):
    """The state of the compte rendu being built, as its page polls it."""
    _, bilan = _bilan_du_compte_rendu(request, pk)
    generation = taches.compte_rendu_garde(bilan)
    if generation is None:
        # Never asked for, failed, or replaced by newer data: the page, reloaded, offers it.
        return generations.reponse(etat="absent", libelle="aucune préparation en cours")
    return generations.reponse_etat(
        generation, reverse("bilans:compte_rendu_pdf", args=[bilan.dossier_id])
    )
