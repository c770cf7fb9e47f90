"""Bilan pages: the operator's bilan, its validation, the annual bilans and their files."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from candidatures.dossiers import budget
from candidatures.dossiers.services.erreurs import ErreurDossier, PieceRefusee
from candidatures.models import AppelAProjets, Dossier, Structure

from . import graphiques, selectors_bilans, services_bilans, taches
from .agregats import Perimetre, agreger
from .forms_bilans import (
    CompteRenduForm,
    CorrectionsBilanForm,
    DepotBilanForm,
    FiltreBilansForm,
    ParametresBilanForm,
    PieceBilanForm,
    QualitatifForm,
    RealisationsForm,
)
from .models import Bilan, GenerationBilan, PieceBilan
from .permissions_bilans import (
    peut_parametrer_bilans,
    peut_saisir_bilan,
    peut_telecharger_generation,
    peut_valider_bilan,
    peut_voir_bilan,
    peut_voir_bilan_structure,
    peut_voir_bilans_annuels,
)

PAR_PAGE = 50
STRUCTURES_AFFICHEES = 100
TYPES_CONTENU = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _dossier(request, pk, predicat):
    """The dossier if the user may see it and ``predicat`` allows the page; a 404 otherwise."""
    dossier = get_object_or_404(
        Dossier.objects.visibles_par(request.user).select_related(
            "structure", "appel", "action_principale__objectif", "decision"
        ),
        pk=pk,
    )
    if not predicat(request.user, dossier):
        raise Http404
    return dossier


def _heure(instant):
    return date_format(timezone.localtime(instant), "H:i")


# --- List -----------------------------------------------------------------------------------------


@require_GET
def liste(request):
    """The structure's bilans to give and given; for staff, the bilans waiting for validation."""
    membre_de = request.user.adhesions.exists()
    contexte = {"peut_voir_annuels": peut_voir_bilans_annuels(request.user)}
    if membre_de:
        dossiers = list(
            selectors_bilans.dossiers_a_bilan(request.user).filter(
                structure__membres__utilisateur=request.user
            )
        )
        contexte["a_remettre"] = [
            d for d in dossiers if d.statut in selectors_bilans.STATUTS_SAISIE
        ]
        contexte["remis"] = [
            d for d in dossiers if d.statut not in selectors_bilans.STATUTS_SAISIE
        ]
    if peut_voir_bilans_annuels(request.user):
        contexte["a_valider"] = Paginator(
            selectors_bilans.bilans_a_valider(), PAR_PAGE
        ).get_page(request.GET.get("page"))
    return render(request, "bilans/liste.html", contexte)


# --- The operator's bilan ---------------------------------------------------------------------


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
            self.resultat = services_bilans.enregistrer_bilan(
                bilan=self.bilan,
                par=self.request.user,
                version=self.data.get("version") or 0,
                champs=self.qualitatif.valeurs_valides(),
                realisations=self.realisations.realisations(),
                lignes=self.compte_rendu.lignes_saisies(),
            )
        except services_bilans.ConflitBilan as conflit:
            self.conflit = conflit
            self.version = conflit.bilan.version
            return
        except services_bilans.SaisieBilanInvalide as erreur:
            self._rattacher(erreur.erreurs)
            return
        except ErreurDossier as erreur:
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
                services_bilans.supprimer_piece_bilan(piece=piece, par=self.request.user)
                messages.info(self.request, f"Le document « {piece} » est supprimé.")
        valeurs = self.pieces.valeurs_valides()
        if valeurs.get("fichier"):
            try:
                services_bilans.ajouter_piece_bilan(
                    bilan=self.bilan, par=self.request.user, fichier=valeurs["fichier"],
                    type=valeurs.get("type_piece") or PieceBilan.Type.AUTRE,
                    titre=valeurs.get("titre_piece", ""),
                )
            except PieceRefusee as erreur:
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
        services_bilans.ouvrir_bilan(dossier=dossier, par=request.user)
    except ErreurDossier as erreur:
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
        services_bilans.deposer_bilan(
            bilan=page.bilan, par=request.user, qualite=depot.cleaned_data["qualite"]
        )
    except services_bilans.BilanIncomplet as erreur:
        messages.error(request, str(erreur))
        return redirect(reverse("bilans:saisie", args=[dossier.pk]) + "#completude")
    except ErreurDossier as erreur:
        messages.error(request, str(erreur))
        return redirect("bilans:saisie", dossier.pk)
    messages.success(request, "Le bilan est déposé : l'instructeur va le relire.")
    return redirect("bilans:detail", dossier.pk)


# --- Reading and validation -------------------------------------------------------------------


@require_GET
def detail(request, pk):
    dossier = _dossier(request, pk, peut_voir_bilan)
    bilan = Bilan.objects.filter(dossier=dossier).first()
    return render(request, "bilans/detail.html", _contexte_detail(request, dossier, bilan))


def _contexte_detail(request, dossier, bilan, corrections=None):
    contexte = {
        "dossier": dossier,
        "bilan": bilan,
        "peut_saisir": peut_saisir_bilan(request.user, dossier),
        "peut_valider": peut_valider_bilan(request.user, dossier),
        "corrections": corrections or CorrectionsBilanForm(),
    }
    if bilan is not None:
        bilan.dossier = dossier
        seuil = selectors_bilans.seuil_ecart(dossier.appel_id)
        lignes = selectors_bilans.compte_rendu(bilan, seuil)
        prevus, realises = selectors_bilans.totaux_compte_rendu(lignes)
        realisations = {r.indicateur_id: r for r in bilan.realisations.all()}
        previsions = {p.indicateur_id: p for p in dossier.previsions.all()}
        contexte.update({
            "seuil": seuil,
            "indicateurs": [
                (i, realisations.get(i.pk), previsions.get(i.pk))
                for i in selectors_bilans.indicateurs_du_bilan(dossier)
            ],
            "lignes": [lg for lg in lignes if lg.prevu or lg.realise is not None],
            "totaux_prevus": prevus,
            "totaux_realises": realises,
            "pieces_bilan": bilan.pieces.all(),
            "demandes": bilan.demandes_correction.select_related("demandee_par"),
        })
    return contexte


@require_POST
def valider(request, pk):
    dossier = _dossier(request, pk, peut_valider_bilan)
    bilan = get_object_or_404(Bilan, dossier=dossier)
    try:
        services_bilans.valider_bilan(bilan=bilan, par=request.user)
    except ErreurDossier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, "Le bilan est validé : l'action est clôturée.")
    return redirect("bilans:detail", dossier.pk)


@require_POST
def corrections(request, pk):
    dossier = _dossier(request, pk, peut_valider_bilan)
    bilan = get_object_or_404(Bilan, dossier=dossier)
    form = CorrectionsBilanForm(request.POST)
    if form.is_valid():
        try:
            services_bilans.demander_corrections_bilan(
                bilan=bilan, par=request.user, message=form.cleaned_data["message"]
            )
        except ErreurDossier as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, "Le bilan est renvoyé à la structure pour corrections.")
            return redirect("bilans:detail", dossier.pk)
    return render(
        request, "bilans/detail.html", _contexte_detail(request, dossier, bilan, form), status=400
    )


@require_GET
def piece(request, pk, piece_pk):
    dossier = _dossier(request, pk, peut_voir_bilan)
    document = get_object_or_404(PieceBilan, pk=piece_pk, bilan__dossier=dossier)
    return FileResponse(
        document.fichier.open("rb"), as_attachment=True, filename=document.nom_original
    )


# --- Annual bilans ----------------------------------------------------------------------------


def _exiger_annuels(request):
    if not peut_voir_bilans_annuels(request.user):
        raise Http404


def _perimetre(request):
    """The scope the filters ask for (the latest call by default), and the filter form."""
    form = FiltreBilansForm(request.GET or None)
    derniere = AppelAProjets.objects.order_by("-annee").first()
    if derniere is None:
        return None, form
    contrat_id = derniere.contrat_id
    if request.GET and form.is_valid():
        donnees = form.cleaned_data
        return Perimetre(
            contrat_id=contrat_id,
            annee_debut=donnees["annee_debut"],
            annee_fin=donnees["annee_fin"],
            pilier_id=donnees["pilier"].pk if donnees["pilier"] else None,
            quartier_id=donnees["quartier"].pk if donnees["quartier"] else None,
            inclure_deposes=donnees["inclure_deposes"],
        ), form
    if request.GET:
        return None, form
    form = FiltreBilansForm(initial={"annee_debut": derniere.annee, "annee_fin": derniere.annee})
    return Perimetre.pour_appel(derniere), form


@require_GET
def tableau_de_bord(request):
    """The annual figures with their charts; every chart has its table beside it."""
    _exiger_annuels(request)
    perimetre, form = _perimetre(request)
    contexte = {"form": form, "bilan": None}
    if perimetre is not None:
        bilan = agreger(perimetre)
        contexte.update({
            "bilan": bilan,
            "peut_parametrer": peut_parametrer_bilans(request.user),
            "graphiques": graphiques.graphiques_du_bilan(bilan),
            "objectifs": [o for o in bilan.objectifs if o.chiffres.deposes],
            "actions": [a for a in bilan.actions if a.chiffres.deposes],
            "financeurs": [
                f for f in bilan.financeurs if f.demande or f.prevu_bilans or f.realise_bilans
            ],
            "structures": bilan.structures[:STRUCTURES_AFFICHEES],
            "structures_tronquees": len(bilan.structures) > STRUCTURES_AFFICHEES,
            "parametres": request.GET.urlencode() if request.GET else _parametres(perimetre),
        })
    return render(request, "bilans/tableau_de_bord.html", contexte)


def _parametres(perimetre):
    from urllib.parse import urlencode

    return urlencode({
        "annee_debut": perimetre.annee_debut, "annee_fin": perimetre.annee_fin,
        **({"pilier": perimetre.pilier_id} if perimetre.pilier_id else {}),
        **({"quartier": perimetre.quartier_id} if perimetre.quartier_id else {}),
        **({"inclure_deposes": "on"} if perimetre.inclure_deposes else {}),
    })


def _nom_fichier(perimetre, format, structure=None):
    if structure is not None:
        return f"bilan-{structure.siret}-{perimetre.annee_debut}-{perimetre.annee_fin}.{format}"
    periode = (
        str(perimetre.annee_debut) if perimetre.annee_debut == perimetre.annee_fin
        else f"{perimetre.annee_debut}-{perimetre.annee_fin}"
    )
    return f"bilan-contrat-de-ville-{periode}.{format}"


def _servir(perimetre, format, demandeur, structure=None):
    """The file now when small; above the threshold, a kept or background-built file."""
    seuil = getattr(settings, "BILANS_SEUIL_ARRIERE_PLAN", 300)
    if perimetre.dossiers().count() <= seuil:
        contenu = taches.construire(perimetre, format)
        reponse = HttpResponse(contenu, content_type=TYPES_CONTENU[format])
        reponse["Content-Disposition"] = (
            f'attachment; filename="{_nom_fichier(perimetre, format, structure)}"'
        )
        return reponse
    generation = taches.demander_generation(perimetre=perimetre, format=format, par=demandeur)
    if generation.etat == GenerationBilan.Etat.TERMINEE:
        return redirect("bilans:generation_fichier", generation.pk)
    return redirect("bilans:generation", generation.pk)


@require_GET
def telecharger(request, format):
    """The annual bilan as PDF or XLSX, for the scope of the filters."""
    _exiger_annuels(request)
    perimetre, _form = _perimetre(request)
    if perimetre is None:
        raise Http404
    return _servir(perimetre, format, request.user)


@require_GET
def structure_pdf(request, structure_pk):
    """A structure's own bilan: its dossiers of the chosen years, validated bilans."""
    structure = get_object_or_404(Structure.objects.visibles_par(request.user), pk=structure_pk)
    if not peut_voir_bilan_structure(request.user, structure):
        raise Http404
    appels = list(
        Dossier.objects.filter(structure=structure, depose_le__isnull=False)
        .values_list("appel__contrat_id", "appel__annee")
        .distinct()
        .order_by("appel__annee")
    )
    if not appels:
        raise Http404
    annee = request.GET.get("annee", "")
    debut = fin = int(annee) if annee.isdigit() else None
    perimetre = Perimetre(
        contrat_id=appels[-1][0], annee_debut=debut or appels[0][1],
        annee_fin=fin or appels[-1][1], structure_id=structure.pk,
    )
    return _servir(perimetre, "pdf", request.user, structure=structure)


# --- Settings of a call -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def parametres(request, appel_pk):
    """Administrators set the gap threshold of a call's comptes rendus."""
    if not peut_parametrer_bilans(request.user):
        raise Http404
    appel = get_object_or_404(AppelAProjets, pk=appel_pk)
    seuil = selectors_bilans.seuil_ecart(appel)
    form = ParametresBilanForm(request.POST or None, initial={"seuil_ecart": seuil})
    if request.method == "POST" and form.is_valid():
        try:
            services_bilans.definir_seuil_ecart(
                appel=appel, seuil=form.cleaned_data["seuil_ecart"], par=request.user
            )
        except services_bilans.SaisieBilanInvalide as erreur:
            form.add_error("seuil_ecart", erreur.erreurs["seuil_ecart"])
        else:
            messages.success(
                request, f"Seuil enregistré : au-delà de {form.cleaned_data['seuil_ecart']} %, "
                "un écart du compte rendu financier doit être expliqué."
            )
            return redirect("bilans:tableau_de_bord")
    return render(request, "bilans/parametres.html", {"appel": appel, "form": form})


# --- Background files -------------------------------------------------------------------------


def _generation(request, pk):
    generation = get_object_or_404(
        GenerationBilan.objects.select_related("structure"), pk=pk
    )
    if not peut_telecharger_generation(request.user, generation):
        raise Http404
    return generation


@require_GET
def generation(request, pk):
    """Progress of a background file; the page polls (or is refreshed) until it is ready."""
    generation = _generation(request, pk)
    return render(request, "bilans/generation.html", {"generation": generation})


@require_GET
def generation_etat(request, pk):
    generation = _generation(request, pk)
    return JsonResponse({
        "etat": generation.etat,
        "etat_libelle": generation.get_etat_display(),
        "progression": generation.progression,
        "message": generation.message,
        "fichier": reverse("bilans:generation_fichier", args=[generation.pk])
        if generation.etat == GenerationBilan.Etat.TERMINEE else "",
    })


@require_GET
def generation_fichier(request, pk):
    generation = _generation(request, pk)
    if generation.etat != GenerationBilan.Etat.TERMINEE or not generation.fichier:
        return redirect("bilans:generation", generation.pk)
    perimetre = taches.perimetre_de(generation)
    structure = generation.structure if generation.structure_id else None
    return FileResponse(
        generation.fichier.open("rb"), as_attachment=True,
        filename=_nom_fichier(perimetre, generation.format, structure),
        content_type=TYPES_CONTENU[generation.format],
    )

