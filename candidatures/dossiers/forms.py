"""Forms of the dossier page: one form per section, all inside one <form> so nothing is lost."""

import re

from django import forms
from django.core.exceptions import ValidationError

from referentiel.models import QuartierPrioritaire

from ..commun.erreurs import ErreurMetier
from ..commun.formats import date_heure
from ..commun.formulaires import (
    ESPACES,
    LIBELLES_VALEURS,
    ChampsEnTableau,
    NombreEntierField,
    SectionForm,
    champ_texte,
)
from ..commun.sections import valeurs_par_indicateur
from ..commun.validators import valider_debut_de_nom, valider_telephone
from ..models import (
    AppelAProjets,
    DureeDemande,
    ObjetDemande,
    PieceJointe,
    PremiereDemande,
    Section,
    Structure,
    TrancheAge,
)
from . import budget
from .selectors import champs_prevision
from .services.eligibilite import action_eligible


class IdentiteForm(SectionForm):
    section = Section.IDENTITE

    action_principale = forms.CharField(
        label="Code de l'action principale",
        required=False,
        max_length=20,
        help_text="Le code de la fiche-action, par exemple 1.1.1.a.",
        widget=forms.TextInput(attrs={"list": "codes-actions", "autocomplete": "off"}),
    )
    actions_secondaires = forms.CharField(
        label="Codes des actions secondaires (facultatif)",
        required=False,
        max_length=200,
        help_text="Séparés par des virgules, par exemple 1.1.3.b, 1.2.1.a.",
    )
    contact_nom = forms.CharField(
        label="Personne chargée du dossier", required=False, max_length=255
    )
    contact_prenom = forms.CharField(label="Son prénom", required=False, max_length=150)
    contact_fonction = forms.CharField(label="Sa fonction", required=False, max_length=150)
    contact_email = forms.EmailField(label="Son adresse électronique", required=False)
    contact_telephone = forms.CharField(label="Son téléphone", required=False, max_length=20)
    aide_numeraire = forms.BooleanField(label="Aide en numéraire (argent)", required=False)
    aide_nature = forms.BooleanField(
        label="Aide en nature (mise à disposition de locaux, de matériel…)", required=False
    )
    objet_demande = forms.ChoiceField(
        label="La demande porte sur", choices=ObjetDemande.choices, required=False,
        widget=forms.RadioSelect,
    )
    duree_demande = forms.ChoiceField(
        label="Durée de la demande", choices=DureeDemande.choices, required=False,
        widget=forms.RadioSelect,
    )
    annees_demande = forms.CharField(
        label="Années concernées (demande pluriannuelle)", required=False, max_length=60,
        help_text="Par exemple : 2026, 2027, 2028.",
    )
    premiere_demande = forms.ChoiceField(
        label="Première demande ou renouvellement", choices=PremiereDemande.choices,
        required=False, widget=forms.RadioSelect,
    )

    def __init__(self, *args, contrat, **kwargs):
        super().__init__(*args, **kwargs)
        # A dossier targets the actions of its call's contract only.
        self.contrat = contrat

    def clean_action_principale(self):
        code = self.cleaned_data["action_principale"].strip()
        if not code:
            return None
        try:
            return action_eligible(code, self.contrat)
        except ErreurMetier as erreur:
            raise ValidationError(str(erreur)) from None

    def clean_actions_secondaires(self):
        actions, erreurs = [], []
        for code in re.split(r"[,;\s]+", self.cleaned_data["actions_secondaires"]):
            if not code:
                continue
            try:
                action = action_eligible(code, self.contrat)
            except ErreurMetier as erreur:
                erreurs.append(str(erreur))
                continue
            if action not in actions:
                actions.append(action)
        if erreurs:
            raise ValidationError(erreurs)
        return actions

    def clean_contact_telephone(self):
        telephone = self.cleaned_data["contact_telephone"].strip()
        if telephone:
            valider_telephone(telephone)
        return telephone

    def clean_annees_demande(self):
        texte = self.cleaned_data["annees_demande"].strip()
        if not texte:
            return ""
        annees = re.split(r"[,;\s]+", texte)
        if not all(re.fullmatch(r"20[0-9]{2}", a) for a in annees):
            raise ValidationError(
                "Indiquez les années sur quatre chiffres, séparées par des virgules "
                "(par exemple : 2026, 2027, 2028)."
            )
        nombres = [int(a) for a in annees]
        if nombres != sorted(set(nombres)):
            raise ValidationError("Indiquez chaque année une seule fois, dans l'ordre.")
        return ", ".join(annees)

    def clean(self):
        donnees = super().clean()
        principale = donnees.get("action_principale")
        if principale and principale in donnees.get("actions_secondaires", []):
            donnees["actions_secondaires"].remove(principale)
        return donnees


class ProjetForm(SectionForm):
    section = Section.PROJET

    intitule = forms.CharField(
        label="Intitulé du projet", required=False, max_length=255,
        validators=[valider_debut_de_nom],
    )
    resume = champ_texte("Résumé du projet", 3)
    contexte = champ_texte("Contexte et besoins identifiés")
    objectifs = champ_texte("Objectifs du projet")
    description = champ_texte("Description du contenu et des étapes", 6)
    date_debut = forms.DateField(
        label="Date de début",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_fin = forms.DateField(
        label="Date de fin",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    justification_dates = champ_texte(
        "Justification si le projet déborde de l'année de l'appel", 2
    )
    lieux = champ_texte("Lieux de réalisation", 2)
    quartiers = forms.ModelMultipleChoiceField(
        label="Quartiers prioritaires concernés",
        queryset=QuartierPrioritaire.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    part_beneficiaires_qpv = NombreEntierField(
        label="Part estimée des bénéficiaires habitant un quartier prioritaire (%)",
        max_value=100,
    )
    publics = forms.MultipleChoiceField(
        label="Public(s) cible(s)",
        choices=TrancheAge.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    beneficiaires_femmes = NombreEntierField(label="Femmes (18 ans et plus)")
    beneficiaires_hommes = NombreEntierField(label="Hommes (18 ans et plus)")
    beneficiaires_filles = NombreEntierField(label="Filles (moins de 18 ans)")
    beneficiaires_garcons = NombreEntierField(label="Garçons (moins de 18 ans)")
    salaries = NombreEntierField(label="Salariés mobilisés")
    etpt = forms.DecimalField(
        label="Équivalents temps plein travaillé (ETPT)",
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        localize=True,
        help_text="Par exemple 1,5 pour un temps plein et un mi-temps sur l'année.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    benevoles = NombreEntierField(label="Bénévoles mobilisés")
    volontaires = NombreEntierField(label="Volontaires (service civique) mobilisés")
    partenaires = champ_texte("Partenaires du projet", 3)
    duree = forms.CharField(
        label="Durée du projet", required=False, max_length=100,
        help_text="Par exemple : 10 mois, ou une journée par mois sur l'année scolaire.",
    )
    moyens_materiels = champ_texte("Moyens matériels et financiers mobilisés", 3)
    evaluation = champ_texte(
        "Méthode d'évaluation prévue", 3,
        help_text="Comment le projet sera évalué, au-delà des indicateurs prévisionnels.",
    )

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("date_debut"), donnees.get("date_fin")
        if debut and fin and fin < debut:
            self.add_error("date_fin", "La date de fin doit suivre la date de début.")
        return donnees

    def valeurs_valides(self):
        valeurs = super().valeurs_valides()
        if "publics" in valeurs:
            choisis = set(valeurs.pop("publics"))
            for tranche in TrancheAge:
                valeurs[f"public_{tranche.value}"] = tranche.value in choisis
        return valeurs

    def __init__(self, *args, contrat, **kwargs):
        super().__init__(*args, **kwargs)
        # The QPV of the call's contract: each generation of contracts has its own list.
        self.fields["quartiers"].queryset = contrat.quartiers.order_by("commune", "nom")


class CahierForm(SectionForm):
    """One answer per requirement of the objectives concerned."""

    section = Section.CAHIER

    def __init__(self, *args, exigences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.exigences = list(exigences)
        for exigence in self.exigences:
            self.fields[f"exigence_{exigence.pk}"] = forms.CharField(
                label=exigence.texte,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Comment le projet répond-il à cette exigence ?",
            )

    def reponses(self):
        valeurs = self.valeurs_valides()
        return {
            e.pk: valeurs[f"exigence_{e.pk}"]
            for e in self.exigences
            if f"exigence_{e.pk}" in valeurs
        }

    def groupes(self):
        """Requirements grouped by objective, for the template."""
        groupes = {}
        for exigence in self.exigences:
            groupes.setdefault(exigence.objectif, []).append(self[f"exigence_{exigence.pk}"])
        return groupes.items()


class IndicateursForm(ChampsEnTableau):
    """Forecast values of numeric indicators, in the breakdown each one asks for."""

    section = Section.INDICATEURS

    def __init__(self, *args, indicateurs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicateurs = list(indicateurs)
        for indicateur in self.indicateurs:
            for champ in champs_prevision(indicateur):
                self.fields[f"indicateur_{indicateur.pk}_{champ}"] = NombreEntierField(
                    label=LIBELLES_VALEURS[champ],
                    widget=forms.TextInput(
                        attrs={"class": "form-control", "data-total": f"total-{indicateur.pk}"}
                    ),
                )

    def previsions(self):
        return valeurs_par_indicateur(self.valeurs_valides(), self.indicateurs, champs_prevision)

    def lignes(self):
        """(indicator, its bound fields, total of what they show), for the template."""
        resultat = []
        for indicateur in self.indicateurs:
            champs = [
                self[f"indicateur_{indicateur.pk}_{c}"] for c in champs_prevision(indicateur)
            ]
            total = 0
            for champ in champs:
                try:
                    total += int(ESPACES.sub("", str(champ.value() or 0)))
                except ValueError:
                    total = None
                    break
            resultat.append((indicateur, champs, total))
        return resultat


class BudgetForm(ChampsEnTableau):
    section = Section.BUDGET

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for ligne in budget.TOUTES:
            attrs = {"class": "form-control montant", "data-cote": ligne.cote}
            if ligne.parent:
                # A detail is already in its line's amount: the running totals skip it.
                attrs = {"class": "form-control montant-detail", "data-parent": ligne.parent}
            if ligne.contrat_ville:
                attrs["data-contrat-ville"] = "1"
            self.fields[f"ligne_{ligne.code}"] = NombreEntierField(
                label=ligne.libelle, widget=forms.TextInput(attrs=attrs)
            )
            if ligne.a_preciser:
                self.fields[f"precision_{ligne.code}"] = forms.CharField(
                    label=f"Préciser : {ligne.a_preciser}",
                    required=False,
                    max_length=255,
                    widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
                )

    def lignes_budget(self):
        valeurs = self.valeurs_valides()
        resultat = {}
        for ligne in budget.TOUTES:
            champs = {}
            if f"ligne_{ligne.code}" in valeurs:
                champs["montant"] = valeurs[f"ligne_{ligne.code}"] or 0
            if f"precision_{ligne.code}" in valeurs:
                champs["precision"] = valeurs[f"precision_{ligne.code}"]
            if champs:
                resultat[ligne.code] = champs
        return resultat

    def _ligne(self, ligne):
        return (
            ligne,
            self[f"ligne_{ligne.code}"],
            self[f"precision_{ligne.code}"] if ligne.a_preciser else None,
        )

    def cote(self, cote):
        """(line definition, amount field, precision field or None) for one side of the grid,
        each line followed by its optional details."""
        resultat = []
        for ligne in budget.lignes_du_cote(cote):
            resultat.append(self._ligne(ligne))
            resultat += [self._ligne(s) for s in budget.SOUS_LIGNES_DE[ligne.code]]
        return resultat


class PiecesForm(SectionForm):
    section = Section.PIECES

    fichier = forms.FileField(
        label="Ajouter une pièce jointe",
        required=False,
        help_text="PDF, image ou document bureautique, 10 Mo au plus.",
    )
    type_piece = forms.ChoiceField(
        label="Type de pièce", choices=PieceJointe.Type.choices, required=False
    )
    titre_piece = forms.CharField(label="Titre (facultatif)", required=False, max_length=255)


def _libelle_appel(appel):
    return f"{appel.titre} — {appel.etat_libelle}, clôture le {date_heure(appel.cloture)}"


class NouveauDossierForm(forms.Form):
    structure = forms.ModelChoiceField(label="Structure", queryset=Structure.objects.none())
    appel = forms.ModelChoiceField(
        label="Appel à projets", queryset=AppelAProjets.objects.none()
    )

    def __init__(self, *args, structures, appels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures
        self.fields["appel"].queryset = appels
        if len(structures) == 1:
            self.fields["structure"].initial = structures[0].pk
        if len(appels) == 1:
            self.fields["appel"].initial = appels[0].pk
        self.fields["appel"].label_from_instance = _libelle_appel


class RetraitForm(forms.Form):
    motif = forms.CharField(
        label="Motif du retrait",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Indiquez le motif du retrait."},
    )
