"""Forms of the conventions pages: what the staff type, checked again by the services."""

from django import forms

from evaluation.models import Paiement

from . import modele


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ConventionForm(forms.Form):
    reference = forms.CharField(label="Référence de la convention", max_length=60)
    date_signature = forms.DateField(label="Date de la convention", widget=DateInput())
    signataires = forms.CharField(
        label="Signataires", widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Noms et qualités, pour l'attribuant et pour la structure.",
    )
    deliberation = forms.CharField(
        label="Délibération", max_length=255,
        help_text="La délibération ou le relevé de décisions du comité que la convention exécute.",
    )
    part_avance = forms.IntegerField(
        label="Avance versée à la signature (%)", min_value=1, max_value=100,
        help_text="100 % : versement unique. Sinon, le solde suit la validation du bilan.",
    )
    publier = forms.BooleanField(
        label="Publier en données ouvertes même si le montant ne dépasse pas 23 000 €",
        required=False,
    )


class PaiementForm(forms.Form):
    nature = forms.ChoiceField(label="Nature du paiement", choices=Paiement.Nature.choices)
    date = forms.DateField(label="Date du paiement", widget=DateInput())
    montant = forms.IntegerField(
        label="Montant (€)", min_value=1, error_messages={
            "min_value": "Indiquez un montant en euros, supérieur à zéro.",
            "invalid": "Indiquez un montant en euros entiers, sans centimes.",
        },
    )


class SansSoldeForm(forms.Form):
    motif = forms.CharField(
        label="Pourquoi le solde n'est-il pas versé ?", widget=forms.Textarea(attrs={"rows": 2})
    )
    action_non_realisee = forms.BooleanField(
        label="L'action n'a pas été réalisée (tout ce qui a été versé est à recouvrer)",
        required=False,
    )


class ParametresConventionsForm(forms.Form):
    part_avance = forms.IntegerField(
        label="Avance versée à la signature (%)", min_value=1, max_value=100,
        help_text="Valeur proposée pour chaque convention de l'appel ; modifiable par dossier.",
    )
    modele = forms.CharField(
        label="Texte de la convention", widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Champs remplacés à la génération : "
        + ", ".join(f"{{{nom}}} ({libelle})" for nom, libelle in modele.CHAMPS.items()) + ".",
    )
    dispositif_aide = forms.UUIDField(
        label="Identifiant du dispositif d'aide (données ouvertes)", required=False,
        error_messages={"invalid": "Saisissez un identifiant au format UUID, par exemple "
                        "65d5b6c7-102c-4440-ac3b-768f708edc0a."},
        help_text="L'identifiant publié dans le jeu de données « dispositifs d'aide » ; "
        "laissez vide s'il n'existe pas.",
    )

    def clean_modele(self):
        texte = self.cleaned_data["modele"]
        erreurs = modele.erreurs_du_modele(texte)
        if erreurs:
            raise forms.ValidationError(erreurs)
        return texte
