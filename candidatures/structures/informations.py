"""The yearly declaration page of a structure (Cerfa n°12156*06, fiches 2 and 3): its form and
view. Declared once for a year, it is shown read-only in each dossier of that year."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ..commun.erreurs import ErreurMetier, ajouter_au_formulaire
from ..commun.formulaires import ChampsEnTableau, NombreEntierField, SectionForm, champ_texte
from ..dossiers import budget
from ..models import InformationsAnnuelles, Structure
from . import selectors, services
from .permissions import peut_modifier_structure

OUI_NON = [("oui", "oui"), ("non", "non")]
NOMBRE_AGREMENTS = 3


def _oui_non(valeur):
    return {"oui": True, "non": False}.get(valeur)


def _choix_oui_non(label):
    return forms.TypedChoiceField(
        label=label, choices=OUI_NON, coerce=_oui_non, empty_value=None, required=False,
        widget=forms.RadioSelect,
    )


class InformationsForm(SectionForm):
    """Relations with the administration and other associations, human resources."""

    reconnue_utilite_publique_le = forms.DateField(
        label="Reconnue d'utilité publique : date de publication du décret (facultatif)",
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    commissaire_aux_comptes = _choix_oui_non("La structure dispose-t-elle d'un commissaire aux "
                                             "comptes ?")
    assujettie_impots_commerciaux = _choix_oui_non(
        "La structure est-elle assujettie aux impôts commerciaux ?"
    )
    affiliations = champ_texte(
        "Affiliation à un réseau, une union ou une fédération (noms)", 2
    )
    personnes_morales_membres = champ_texte("Personnes morales membres de la structure", 2)
    adherents = NombreEntierField(label="Nombre d'adhérents")
    benevoles = NombreEntierField(label="Nombre de bénévoles")
    volontaires = NombreEntierField(label="Nombre de volontaires (service civique)")
    salaries = NombreEntierField(label="Nombre total de salariés")
    salaries_emplois_aides = NombreEntierField(label="Dont salariés en emplois aidés")
    etpt = forms.DecimalField(
        label="Équivalents temps plein travaillé (ETPT)", required=False, min_value=0,
        max_digits=8, decimal_places=2, localize=True,
        help_text="Nombre décimal positif ou nul, par exemple 2,5.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": "Saisissez un nombre, par exemple 2,5.",
            "min_value": "Les ETPT sont un nombre positif ou nul.",
            "max_decimal_places": "Deux décimales au plus.",
        },
    )
    personnels_mis_a_disposition = NombreEntierField(
        label="Personnels mis à disposition ou détachés par une autorité publique"
    )
    cinq_plus_hauts_salaires = NombreEntierField(
        label="Montant total des cinq plus hauts salaires annuels bruts (€)"
    )

    def clean(self):
        donnees = super().clean()
        salaries, aides = donnees.get("salaries"), donnees.get("salaries_emplois_aides")
        if salaries is not None and aides is not None and aides > salaries:
            self.add_error(
                "salaries_emplois_aides",
                "Les salariés en emplois aidés sont compris dans les salariés : pas plus qu'eux.",
            )
        return donnees


class AgrementForm(forms.Form):
    type = forms.CharField(label="Type d'agrément", required=False, max_length=255)
    attribue_par = forms.CharField(label="Attribué par", required=False, max_length=255)
    date = forms.DateField(
        label="En date du", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        donnees = super().clean()
        remplis = [n for n in ("type", "attribue_par", "date") if donnees.get(n)]
        if remplis and len(remplis) < 3 and not self.errors:
            raise forms.ValidationError(
                "Indiquez le type de l'agrément, qui l'a attribué et sa date."
            )
        return donnees


AgrementsFormSet = forms.formset_factory(AgrementForm, extra=0)


class BudgetAnnuelForm(ChampsEnTableau):
    """The structure's annual budget: the project grid, with the same details."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for ligne in budget.TOUTES:
            attrs = {"class": "form-control montant", "data-cote": ligne.cote}
            if ligne.parent:
                attrs = {"class": "form-control montant-detail", "data-parent": ligne.parent}
            self.fields[f"ligne_{ligne.code}"] = NombreEntierField(
                label=ligne.libelle, widget=forms.TextInput(attrs=attrs)
            )

    def lignes(self):
        valeurs = self.valeurs_valides()
        return {
            ligne.code: {"montant": valeurs[f"ligne_{ligne.code}"] or 0}
            for ligne in budget.TOUTES
            if f"ligne_{ligne.code}" in valeurs
        }

    def cote(self, cote):
        resultat = []
        for ligne in budget.lignes_du_cote(cote):
            resultat.append((ligne, self[f"ligne_{ligne.code}"], None))
            resultat += [
                (s, self[f"ligne_{s.code}"], None) for s in budget.SOUS_LIGNES_DE[ligne.code]
            ]
        return resultat


def _initial(informations):
    if informations is None:
        return {}, []
    initial = {
        nom: getattr(informations, nom) for nom in InformationsForm.base_fields
    }
    for nom in ("commissaire_aux_comptes", "assujettie_impots_commerciaux"):
        initial[nom] = {True: "oui", False: "non"}.get(initial[nom], "")
    for ligne in informations.lignes_budget.all():
        initial[f"ligne_{ligne.code}"] = ligne.montant
    agrements = [
        {"type": a.type, "attribue_par": a.attribue_par, "date": a.date}
        for a in informations.agrements.all()
    ]
    return initial, agrements


def _annee_valide(annee):
    if not 1900 <= annee <= 9999:
        raise Http404
    return annee


@require_http_methods(["GET", "POST"])
def informations(request, pk, annee):
    """The yearly declaration: responsables fill it, other members read it."""
    structure = get_object_or_404(Structure.objects.visibles_par(request.user), pk=pk)
    annee = _annee_valide(annee)
    existantes = selectors.informations_de_l_annee(structure, annee)
    initial, agrements = _initial(existantes)
    modifiable = peut_modifier_structure(request.user, structure)
    data = request.POST if request.method == "POST" and modifiable else None
    form = InformationsForm(data, initial=initial)
    formset = AgrementsFormSet(
        data, initial=agrements + [{}] * NOMBRE_AGREMENTS, prefix="agrements"
    )
    budget_form = BudgetAnnuelForm(data, initial=initial)
    if data is not None:
        erreurs = not (form.is_valid() & formset.is_valid() & budget_form.is_valid())
        try:
            services.enregistrer_informations_annuelles(
                structure=structure, annee=annee, par=request.user,
                champs=form.valeurs_valides(),
                agrements=None if not formset.is_valid() else [
                    f.cleaned_data for f in formset if f.cleaned_data.get("type")
                ],
                lignes=budget_form.lignes(),
            )
        except ErreurMetier as erreur:
            ajouter_au_formulaire(form, erreur)
            erreurs = True
        if not erreurs:
            messages.success(request, f"Les informations {annee} de la structure sont "
                                      "enregistrées.")
            return redirect("structures:informations", structure.pk, annee)
        existantes = selectors.informations_de_l_annee(structure, annee)
    return render(request, "structures/informations.html", {
        "structure": structure,
        "annee": annee,
        "annee_courante": timezone.localdate().year,
        "informations": existantes,
        "manques": selectors.manques_informations(existantes) if existantes else None,
        "totaux": selectors.totaux_budget_annuel(existantes) if existantes else None,
        "form": form,
        "formset": formset,
        "budget_charges": budget_form.cote(budget.CHARGE),
        "budget_86": budget_form.cote(budget.CONTRIBUTION_EMPLOI),
        "budget_produits": budget_form.cote(budget.PRODUIT),
        "budget_87": budget_form.cote(budget.CONTRIBUTION_RESSOURCE),
        "modifiable": modifiable,
        "modele": InformationsAnnuelles,
    })
