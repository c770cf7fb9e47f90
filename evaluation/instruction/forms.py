"""Forms of the instruction: queue filters, checklist and avis, corrections, messages, decisions."""

from django import forms

from candidatures.commun.formulaires import (
    EntreeCachee,
    EntreeDate,
    EntreeNombre,
    ListeDeroulante,
    ZoneDeTexte,
)
from candidatures.models import Section, Statut
from referentiel.models import Objectif, Orientation, Pilier, QuartierPrioritaire

from ..models import Avis, Decision, VerdictExigence
from .selectors import commun as selectors_commun
from .selectors.programmation import ETATS as ETATS_PROGRAMMATION


def _habiller(form, petit=False):
    """Give widgets their Bootstrap classes (forms rendered field by field, not by crispy)."""
    suffixe = " form-control-sm" if petit else ""
    for champ in form.fields.values():
        widget = champ.widget
        if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            classe = "form-check-input"
        elif isinstance(widget, forms.Select):
            classe = "form-select" + (" form-select-sm" if petit else "")
        elif isinstance(widget, forms.HiddenInput):
            continue
        else:
            classe = "form-control" + suffixe
        widget.attrs["class"] = classe


# --- Queue ----------------------------------------------------------------------------------------

TRIS = [
    ("reference", "référence (croissante)"),
    ("-reference", "référence (décroissante)"),
    ("structure", "structure (A → Z)"),
    ("-structure", "structure (Z → A)"),
    ("intitule", "intitulé (A → Z)"),
    ("action", "code d'action"),
    ("-montant", "montant demandé (décroissant)"),
    ("montant", "montant demandé (croissant)"),
    ("statut", "statut"),
    ("-depose", "dépôt le plus récent"),
    ("depose", "dépôt le plus ancien"),
    ("instructeur", "instructeur"),
]


class FiltreFileForm(forms.Form):
    """Filters of the queue, read from the query string; every field is optional."""

    q = forms.CharField(
        label="Rechercher (référence, intitulé ou structure)", required=False, max_length=100
    )
    pilier = forms.ModelChoiceField(
        label="Pilier", queryset=Pilier.objects.none(), required=False, empty_label="Tous",
        widget=ListeDeroulante,
    )
    orientation = forms.ModelChoiceField(
        label="Orientation stratégique", queryset=Orientation.objects.none(), required=False,
        empty_label="Toutes", widget=ListeDeroulante,
    )
    objectif = forms.ModelChoiceField(
        label="Objectif opérationnel", queryset=Objectif.objects.none(), required=False,
        empty_label="Tous", widget=ListeDeroulante,
    )
    action = forms.CharField(
        label="Code d'action", required=False, max_length=14,
        help_text="Par exemple 1.1.1.a, ou 1.1 pour toutes les actions de l'orientation.",
    )
    statut = forms.ChoiceField(label="Statut", required=False, widget=ListeDeroulante)
    qpv = forms.ModelChoiceField(
        label="Quartier prioritaire", queryset=QuartierPrioritaire.objects.none(),
        required=False, empty_label="Tous", widget=ListeDeroulante,
    )
    # A call may have thousands of structures: no list of them, a text searched on the server
    # (name, acronym, SIRET or RNA); a script may offer suggestions, the field works without.
    structure = forms.CharField(
        label="Structure (nom, SIRET ou RNA)", required=False, max_length=100,
        widget=forms.TextInput(
            attrs={
                "list": "structures-suggerees",
                "autocomplete": "off",
                "data-recherche": "structure",
            }
        ),
    )
    instructeur = forms.ChoiceField(label="Instructeur", required=False, widget=ListeDeroulante)
    tri = forms.ChoiceField(
        label="Trier par", choices=TRIS, required=False, widget=ListeDeroulante
    )

    def __init__(self, *args, appel, **kwargs):
        """Every choice belongs to the call's contract: its tree, its quartiers, its staff."""
        super().__init__(*args, **kwargs)
        contrat_id = appel.contrat_id
        for nom, queryset in selectors_commun.listes_du_referentiel(contrat_id).items():
            self.fields[nom].queryset = queryset  # what a chosen value is checked against
            self.fields[nom].widget.choices = selectors_commun.ChoixDuReferentiel(
                contrat_id, nom, self.fields[nom].empty_label
            )
        self.fields["statut"].choices = [
            ("", "Tous"), *[(s.value, s.label) for s in Statut if s != Statut.BROUILLON]
        ]
        self.fields["instructeur"].choices = [
            ("", "Tous"),
            ("moi", "Moi"),
            ("aucun", "Non affecté"),
            *[(str(u.pk), str(u)) for u in selectors_commun.instructeurs(contrat_id)],
        ]
        _habiller(self, petit=True)

    def filtres(self):
        """The valid filters (an invalid one is ignored rather than emptying the list)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


# --- Instruction ---------------------------------------------------------------------------------


class InstructionForm(forms.Form):
    """The checklist (one verdict and comment per requirement), the avis and the synthesis."""

    avis = forms.ChoiceField(
        label="Avis de l'instructeur", choices=Avis.choices, required=False,
        widget=forms.RadioSelect,
    )
    montant_propose = forms.IntegerField(
        label="Montant proposé au comité (€)", min_value=0, required=False,
        help_text="En euros, au plus le montant demandé ; vide ou 0 pour un avis défavorable.",
    )
    synthese = forms.CharField(
        label="Synthèse pour le comité", required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    annotations = forms.CharField(
        label="Annotations internes", required=False,
        help_text=("Visibles des seuls instructeurs, du comité et des administrateurs ; jamais "
                    "de la structure."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, lignes, **kwargs):
        super().__init__(*args, **kwargs)
        self.lignes = lignes
        for ligne in lignes:
            e = ligne.exigence
            self.fields[f"verdict_{e.pk}"] = forms.ChoiceField(
                label="Verdict", choices=VerdictExigence.Verdict.choices, required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"commentaire_{e.pk}"] = forms.CharField(
                label=f"Commentaire sur l'exigence {e.objectif.code} n°{e.ordre}",
                required=False, widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.initial.setdefault(f"verdict_{e.pk}", ligne.valeur)
            self.initial.setdefault(f"commentaire_{e.pk}", ligne.commentaire)
        _habiller(self)

    def lignes_avec_champs(self):
        return [
            (ligne, self[f"verdict_{ligne.exigence.pk}"], self[f"commentaire_{ligne.exigence.pk}"])
            for ligne in self.lignes
        ]

    def verdicts(self):
        return {
            ligne.exigence.pk: {
                "verdict": self.cleaned_data.get(f"verdict_{ligne.exigence.pk}") or "",
                "commentaire": self.cleaned_data.get(f"commentaire_{ligne.exigence.pk}", ""),
            }
            for ligne in self.lignes
        }

    def champs(self):
        donnees = self.cleaned_data
        return {
            "avis": donnees.get("avis") or "",
            "montant_propose": donnees.get("montant_propose"),
            "synthese": donnees.get("synthese", ""),
            "annotations": donnees.get("annotations", ""),
        }


class AffectationForm(forms.Form):
    """The instructor of a dossier, among the instructors of its contract."""

    instructeur = forms.ModelChoiceField(
        label="Instructeur", queryset=None, required=False, empty_label="Non affecté"
    )

    def __init__(self, *args, contrat_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instructeur"].queryset = selectors_commun.instructeurs(contrat_id)
        _habiller(self)


class AffectationsPiliersForm(forms.Form):
    """One default instructor per pilier of a contract, among the contract's instructors."""

    def __init__(self, *args, contrat, piliers, initiales, **kwargs):
        super().__init__(*args, **kwargs)
        self.piliers = piliers
        choix = selectors_commun.instructeurs(contrat.pk)
        for pilier in piliers:
            self.fields[f"pilier_{pilier.pk}"] = forms.ModelChoiceField(
                label=str(pilier), queryset=choix, required=False,
                empty_label="Aucun (l'instructeur qui prend le dossier)",
                initial=initiales.get(pilier.pk),
            )

    def valeurs(self):
        return [(p, self.cleaned_data.get(f"pilier_{p.pk}")) for p in self.piliers]


class EnveloppesForm(forms.Form):
    """One envelope (€) per pilier of the call's contract; empty: no envelope."""

    def __init__(self, *args, piliers, initiales, **kwargs):
        super().__init__(*args, **kwargs)
        self.piliers = piliers
        for pilier in piliers:
            self.fields[f"pilier_{pilier.pk}"] = forms.IntegerField(
                label=f"{pilier} (€)", min_value=0, required=False,
                initial=initiales.get(pilier.pk),
            )
        _habiller(self)

    def montants(self):
        return {p.pk: self.cleaned_data.get(f"pilier_{p.pk}") for p in self.piliers}


# --- Corrections and messages ---------------------------------------------------------------------


class CorrectionsForm(forms.Form):
    sections = forms.MultipleChoiceField(
        label="Sections à corriger",
        choices=[(s.value, s.label) for s in Section if s != Section.DECLARATION],
        widget=forms.CheckboxSelectMultiple,
        help_text=("La déclaration sur l'honneur est toujours rouverte : le dossier corrigé est "
                    "signé à nouveau."),
    )
    message = forms.CharField(
        label="Message à la structure", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Expliquez précisément ce qui doit être corrigé ou complété.",
    )
    echeance = forms.DateField(
        label="À corriger avant le (facultatif)", required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class PlusieursFichiersInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PlusieursFichiersField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", PlusieursFichiersInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        un = super().clean
        if isinstance(data, list | tuple):
            return [un(d, initial) for d in data if d]
        return [un(data, initial)] if data else []


class MessageForm(forms.Form):
    texte = forms.CharField(label="Votre message", widget=forms.Textarea(attrs={"rows": 4}))
    fichiers = PlusieursFichiersField(
        label="Pièces jointes (facultatif)", required=False,
        help_text=("PDF, images ou documents bureautiques, 10 Mo au plus chacun, 5 fichiers au "
                    "plus."),
    )


# --- Decisions ------------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    nature = forms.ChoiceField(label="Décision", choices=Decision.Nature.choices)
    montant_accorde = forms.IntegerField(
        label="Montant accordé (€)", min_value=1, required=False,
        help_text="Au plus le montant demandé.", widget=EntreeNombre,
    )
    conditions = forms.CharField(
        label="Conditions", required=False, widget=ZoneDeTexte(attrs={"rows": 2})
    )
    motif = forms.CharField(
        label="Motif (obligatoire si non retenu ou classé sans suite)", required=False,
        widget=ZoneDeTexte(attrs={"rows": 2}),
    )
    versement = forms.ChoiceField(
        label="Versement", choices=Decision.Versement.choices, initial="unique",
        widget=ListeDeroulante,
    )
    date_limite_bilan = forms.DateField(
        label="Bilan à remettre avant le", required=False,
        widget=EntreeDate(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def valeurs(self):
        d = self.cleaned_data
        return {
            "nature": d["nature"],
            "montant_accorde": d.get("montant_accorde"),
            "conditions": d.get("conditions", ""),
            "motif": d.get("motif", ""),
            "versement": d.get("versement") or Decision.Versement.UNIQUE,
            "date_limite_bilan": d.get("date_limite_bilan"),
        }


class SeanceForm(forms.Form):
    reference_deliberation = forms.CharField(
        label="Référence de la délibération (facultatif)", required=False, max_length=60,
        help_text="Reportée sur les lettres et dans l'export des subventions.",
    )


class LigneProgrammationForm(DecisionForm):
    """One row of the programmation: left without decision, the dossier waits. The granted
    amount is never prefilled: « retenu » needs it typed, or « Accorder le montant proposé »."""

    dossier = forms.IntegerField(widget=EntreeCachee)
    nature = forms.ChoiceField(
        label="Décision", choices=[("", "— pas encore —"), *Decision.Nature.choices],
        required=False, widget=ListeDeroulante,
    )
    field_order = [
        "dossier", "nature", "montant_accorde", "date_limite_bilan", "versement", "conditions",
        "motif",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motif"].label = "Motif si non retenu ou classé sans suite"
        self.fields["montant_accorde"].help_text = ""
        self.fields["nature"].widget.attrs["data-nature"] = ""
        self.fields["montant_accorde"].widget.attrs["data-montant"] = ""
        _habiller(self, petit=True)

    def clean(self):
        donnees = super().clean()
        if (donnees.get("nature") == Decision.Nature.RETENU
                and not donnees.get("montant_accorde") and "montant_accorde" not in self.errors):
            self.add_error(
                "montant_accorde",
                "Indiquez le montant accordé, ou utilisez « Accorder le montant proposé ».",
            )
        return donnees

    def a_decider(self):
        return bool(self.cleaned_data.get("nature"))


LignesProgrammationFormSet = forms.formset_factory(LigneProgrammationForm, extra=0)


class FiltreProgrammationForm(forms.Form):
    """Filters of the programmation, read from the query string; every field is optional."""

    etat = forms.ChoiceField(label="Dossiers", choices=ETATS_PROGRAMMATION, required=False)
    pilier = forms.ModelChoiceField(
        label="Pilier", queryset=Pilier.objects.none(), required=False, empty_label="Tous"
    )
    objectif = forms.ModelChoiceField(
        label="Objectif opérationnel", queryset=Objectif.objects.none(), required=False,
        empty_label="Tous",
    )

    def __init__(self, *args, appel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pilier"].queryset = Pilier.objects.filter(contrat_id=appel.contrat_id)
        self.fields["objectif"].queryset = Objectif.objects.filter(
            contrat_id=appel.contrat_id, hors_appel_a_projets=False
        ).order_by("code")
        _habiller(self, petit=True)

    def filtres(self):
        self.is_valid()  # an invalid filter is ignored rather than emptying the list
        donnees = getattr(self, "cleaned_data", {})
        return {
            "etat": donnees.get("etat") or ETATS_PROGRAMMATION[0][0],
            "pilier": donnees.get("pilier"),
            "objectif": donnees.get("objectif"),
        }
