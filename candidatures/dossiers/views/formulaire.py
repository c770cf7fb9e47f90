"""The sectioned form with autosave, and what it leads to: submission, withdrawal, renewal."""

from functools import partial

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from referentiel.models import Action, Exigence, Indicateur

from ...commun.erreurs import ErreurMetier, Incomplet
from ...commun.formats import heure
from ...commun.sections import PageSections
from ...models import PieceJointe, Section, TrancheAge
from .. import budget as grille
from .. import selectors as selecteurs
from ..champs import CHAMPS_PAR_SECTION, CHAMPS_PREVISION, SECTION_DU_CHAMP
from ..declaration import DeclarationForm
from ..forms import (
    BudgetForm,
    CahierForm,
    IdentiteForm,
    IndicateursForm,
    PiecesForm,
    ProjetForm,
    RetraitForm,
)
from ..permissions import (
    peut_deposer_dossier,
    peut_modifier_dossier,
    peut_renouveler_dossier,
    peut_retirer_dossier,
    peut_signer_declaration,
)
from ..services.brouillons import (
    ajouter_piece,
    annuler_signature,
    enregistrer_brouillon,
    signer_declaration,
    supprimer_piece,
)
from ..services.depot import (
    appel_de_renouvellement,
    deposer_dossier,
    renouveler_dossier,
    retirer_dossier,
)
from .detail import _dossier_visible


def _initial(dossier):
    initial = {
        "action_principale": dossier.action_principale.code if dossier.action_principale else "",
        "actions_secondaires": ", ".join(
            dossier.actions_secondaires.values_list("code", flat=True)
        ),
        "quartiers": list(dossier.quartiers.values_list("pk", flat=True)),
        "publics": [t.value for t in dossier.publics],
        "engagement": dossier.est_signe,
        "qualite": dossier.declaration_qualite,
    }
    for nom in SECTION_DU_CHAMP:
        if nom not in initial and nom not in ("actions_secondaires", "quartiers"):
            initial[nom] = getattr(dossier, nom)
    initial["signataire_est_representant"] = {True: "oui", False: "non"}.get(
        dossier.signataire_est_representant, ""
    )
    for reponse in dossier.reponses.all():
        initial[f"exigence_{reponse.exigence_id}"] = reponse.texte
    for prevision in dossier.previsions.all():
        for champ in CHAMPS_PREVISION:
            initial[f"indicateur_{prevision.indicateur_id}_{champ}"] = getattr(prevision, champ)
    # The intercommunality funding the call, until the structure names another one.
    initial["precision_74_epci"] = dossier.appel.contrat.territoire.nom
    for ligne in dossier.lignes_budget.all():
        initial[f"ligne_{ligne.code}"] = ligne.montant
        if ligne.precision or ligne.code != "74_epci":
            initial[f"precision_{ligne.code}"] = ligne.precision
    return initial


class PageDossier(PageSections):
    """The seven section forms of one dossier, and the saving of all of them at once."""

    def __init__(self, request, dossier, data=None, files=None):
        super().__init__(request, dossier, data)
        self.dossier = dossier
        self.envoyees = set()
        self.modifiables = set(dossier.sections_modifiables())
        initial = _initial(dossier)
        contrat = dossier.appel.contrat
        self.identite = IdentiteForm(data, initial=initial, contrat=contrat)
        self.projet = ProjetForm(data, initial=initial, contrat=contrat)
        objectifs_avant = {o.pk for o in dossier.objectifs_concernes()}
        if data is not None and Section.IDENTITE in self.modifiables:
            # Build the answers for the objectives chosen in this very request, and keep those
            # of the objectives chosen before, so that nothing typed is dropped.
            objectifs_avant |= self._objectifs_demandes()
        self.cahier = CahierForm(
            data, initial=initial, exigences=self._exigences(objectifs_avant)
        )
        self.indicateurs = IndicateursForm(
            data, initial=initial, indicateurs=self._indicateurs(objectifs_avant)
        )
        self.budget = BudgetForm(data, initial=initial)
        self.pieces = PiecesForm(data, files, initial=initial)
        self.declaration = DeclarationForm(data, initial=initial)
        self.peut_signer = peut_signer_declaration(request.user, dossier)

    def _objectifs_demandes(self):
        valeurs = self.identite.valeurs_valides()
        actions = [valeurs.get("action_principale"), *valeurs.get("actions_secondaires", [])]
        return {a.objectif_id for a in actions if a}

    def _objectif_principal(self):
        action = self.dossier.action_principale
        return action.objectif_id if action else None

    def _exigences(self, objectifs):
        principal = self._objectif_principal()
        return sorted(
            Exigence.objects.filter(objectif__in=objectifs).select_related("objectif"),
            key=lambda e: (e.objectif_id != principal, e.objectif.code, e.ordre),
        )

    def _indicateurs(self, objectifs):
        principal = self._objectif_principal()
        return sorted(
            Indicateur.objects.filter(objectif__in=objectifs, nature="nombre").select_related(
                "objectif"
            ),
            key=lambda i: (i.objectif_id != principal, i.objectif.code, i.ordre),
        )

    @property
    def formulaires(self):
        return [
            self.identite, self.projet, self.cahier, self.indicateurs, self.budget, self.pieces,
            self.declaration,
        ]

    def sauver(self):
        user = self.request.user
        # A section is saved only if the page sent it (its hidden marker) and it is open.
        envoyees = set(self.data.getlist("sections")) & self.modifiables
        ouvert = envoyees.__contains__
        self.envoyees = envoyees
        champs = {}
        if ouvert(Section.IDENTITE):
            champs.update(self.identite.valeurs_valides())
        if ouvert(Section.PROJET):
            champs.update(self.projet.valeurs_valides())
        if ouvert(Section.DECLARATION) and self.peut_signer:
            valeurs = self.declaration.valeurs_valides()
            champs.update(
                {n: v for n, v in valeurs.items() if n in CHAMPS_PAR_SECTION[Section.DECLARATION]}
            )
        return enregistrer_brouillon(
            dossier=self.dossier,
            par=user,
            version=self.data.get("version") or 0,
            champs=champs,
            reponses=self.cahier.reponses() if ouvert(Section.CAHIER) else None,
            previsions=self.indicateurs.previsions() if ouvert(Section.INDICATEURS) else None,
            lignes=self.budget.lignes_budget() if ouvert(Section.BUDGET) else None,
        )

    def apres_enregistrement(self):
        self.dossier = self.resultat.dossier
        if Section.PIECES in self.envoyees:
            self._pieces(
                self.dossier.pieces, supprimer=supprimer_piece,
                ajouter=partial(ajouter_piece, dossier=self.dossier),
                type_autre=PieceJointe.Type.AUTRE, supprimee="La pièce « {piece} » est supprimée.",
            )
        self._declaration()
        self.version = self.dossier.version

    def _declaration(self):
        if not self.peut_signer or Section.DECLARATION not in self.envoyees:
            return
        valeurs = self.declaration.valeurs_valides()
        try:
            if valeurs.get("engagement") and not self.dossier.est_signe:
                self.dossier = signer_declaration(
                    dossier=self.dossier, par=self.request.user, qualite=valeurs.get("qualite", "")
                )
            elif not valeurs.get("engagement") and self.dossier.est_signe:
                self.dossier = annuler_signature(
                    dossier=self.dossier, par=self.request.user
                )
        except ErreurMetier as erreur:
            self.declaration.add_error("engagement", str(erreur))

    def completude(self):
        manques = selecteurs.manques(self.dossier)
        return [
            {
                "section": section,
                "ancre": f"section-{section.value}",
                "manques": manques.get(section, []),
                "modifiable": section in self.modifiables,
            }
            for section in Section
        ]

    def contexte(self):
        dossier = self.dossier
        documents, manquants = selecteurs.documents_structure(dossier.structure)
        totaux = selecteurs.totaux_budget(dossier)
        sections = self.completude()
        return {
            **super().contexte(),
            "dossier": dossier,
            "completude": {s["section"].value: s for s in sections},
            "budget_charges": self.budget.cote(grille.CHARGE),
            "budget_86": self.budget.cote(grille.CONTRIBUTION_EMPLOI),
            "budget_produits": self.budget.cote(grille.PRODUIT),
            "budget_87": self.budget.cote(grille.CONTRIBUTION_RESSOURCE),
            "sections": sections,
            "modifiables": self.modifiables,
            "peut_signer": self.peut_signer,
            "documents_structure": documents,
            "documents_manquants": manquants,
            "pieces_jointes": dossier.pieces.all(),
            "totaux": totaux,
            "codes_actions": Action.objects.filter(
                contrat_id=dossier.appel.contrat_id,
                objectif__hors_appel_a_projets=False,
                renvois__isnull=True,
            ).order_by("code").values_list("code", "libelle"),
            "tranches_mineurs": [t.value for t in selecteurs.TRANCHES_MINEURS],
            "demande": dossier.demande_ouverte(),
            **selecteurs.contexte_informations(dossier),
            "TrancheAge": TrancheAge,
        }


def _reponse_json(page, statut=200):
    dossier = page.dossier
    erreurs = {}
    for form in page.formulaires:
        for nom, liste in form.errors.items():
            erreurs[form[nom].html_name if nom in form.fields else nom] = [str(e) for e in liste]
    contenu = {
        "ok": not page.a_des_erreurs,
        "version": page.version,
        "erreurs": erreurs,
        "completude": {s["section"].value: len(s["manques"]) for s in page.completude()},
    }
    if page.conflit:
        contenu["message"] = str(page.conflit)
        contenu["conflit"] = True
        statut = 409
    elif page.erreur:
        contenu["message"] = page.erreur
        statut = 403
    else:
        contenu["enregistre_a"] = heure(dossier.modifie_le)
        if page.resultat.signature_annulee:
            contenu["signature_annulee"] = (
                "Le dossier a changé depuis la signature : la déclaration sur l'honneur est à "
                "signer à nouveau par un responsable."
            )
        if Section.IDENTITE in page.resultat.sections:
            # The actions changed: send the cahier des charges and indicators to answer now.
            nouvelle = PageDossier(page.request, dossier)
            contexte = nouvelle.contexte()
            contenu["sections_html"] = {
                nom: render_to_string(f"dossiers/_section_{nom}.html", contexte, page.request)
                for nom in ("cahier", "indicateurs")
            }
    return JsonResponse(contenu, status=statut)


def _veut_json(request):
    return request.headers.get("X-Requested-With") == "fetch"


@require_http_methods(["GET", "POST"])
def modifier(request, pk):
    """The sectioned form: every button saves the whole draft; autosave posts the same form."""
    dossier = _dossier_visible(request, pk)
    if not peut_modifier_dossier(request.user, dossier):
        if _veut_json(request):
            return JsonResponse(
                {"ok": False, "message": "Ce dossier n'est plus modifiable."}, status=403
            )
        messages.info(request, "Ce dossier n'est pas modifiable : en voici le résumé.")
        return redirect("dossiers:detail", dossier.pk)
    if request.method == "GET":
        page = PageDossier(request, dossier)
        return render(request, "dossiers/modifier.html", page.contexte())
    page = PageDossier(request, dossier, request.POST, request.FILES)
    page.enregistrer()
    if _veut_json(request):
        return _reponse_json(page)
    return _apres_enregistrement(request, page)


def _apres_enregistrement(request, page):
    if page.a_des_erreurs:
        return render(request, "dossiers/modifier.html", page.contexte())
    if page.resultat.signature_annulee:
        messages.warning(
            request,
            "Le dossier a changé depuis la signature : la déclaration sur l'honneur est à signer "
            "à nouveau par un responsable.",
        )
    messages.success(request, f"Brouillon enregistré à {heure(page.dossier.modifie_le)}.")
    section = request.POST.get("enregistrer", "")
    ancre = f"#section-{section}" if section in Section.values else ""
    return redirect(reverse("dossiers:modifier", args=[page.dossier.pk]) + ancre)


@require_POST
def deposer(request, pk):
    """Save what the form holds, then submit; refusals come back on the form, nothing lost."""
    dossier = _dossier_visible(request, pk)
    if not peut_deposer_dossier(request.user, dossier):
        raise Http404
    if "version" in request.POST and peut_modifier_dossier(request.user, dossier):
        page = PageDossier(request, dossier, request.POST, request.FILES)
        page.enregistrer()
        if page.a_des_erreurs:
            return render(request, "dossiers/modifier.html", page.contexte())
        dossier = page.dossier
    try:
        dossier = deposer_dossier(dossier=dossier, par=request.user)
    except Incomplet as erreur:
        messages.error(request, str(erreur))
        return redirect(reverse("dossiers:modifier", args=[dossier.pk]) + "#completude")
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
        return redirect("dossiers:detail", dossier.pk)
    messages.success(
        request,
        f"Le dossier est déposé sous la référence {dossier.reference}. Le récépissé sera envoyé "
        "par courriel aux membres de la structure dans quelques minutes ; vous pouvez aussi le "
        "télécharger dès maintenant depuis cette page.",
    )
    return redirect("dossiers:detail", dossier.pk)


@require_http_methods(["GET", "POST"])
def retirer(request, pk):
    dossier = _dossier_visible(request, pk)
    if not peut_retirer_dossier(request.user, dossier):
        raise Http404
    form = RetraitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            retirer_dossier(
                dossier=dossier, par=request.user, motif=form.cleaned_data["motif"]
            )
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, "Le dossier est retiré.")
        return redirect("dossiers:detail", dossier.pk)
    return render(request, "dossiers/retirer.html", {"dossier": dossier, "form": form})


@require_POST
def renouveler(request, pk):
    source = _dossier_visible(request, pk)
    if not peut_renouveler_dossier(request.user, source):
        raise Http404
    appel = appel_de_renouvellement(source)
    if appel is None:
        messages.error(request, "Aucun appel à projets n'est ouvert pour renouveler ce dossier.")
        return redirect("dossiers:detail", source.pk)
    try:
        nouveau = renouveler_dossier(source=source, appel=appel, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
        return redirect("dossiers:detail", source.pk)
    messages.success(
        request,
        f"Un nouveau brouillon reprend le contenu de {source} : vérifiez les dates, les "
        "indicateurs et les pièces, puis signez la déclaration.",
    )
    return redirect("dossiers:modifier", nouveau.pk)
