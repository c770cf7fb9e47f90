"""The déclaration sur l'honneur of the Cerfa n°12156*06: its form section."""

from django import forms

from ..commun.formulaires import SectionForm
from ..models import Section, SeuilMinimis

OUI_NON = [("", "non renseigné"), ("oui", "oui"), ("non", "non")]


def oui_non(valeur):
    return {"oui": True, "non": False}.get(valeur)


class DeclarationForm(SectionForm):
    section = Section.DECLARATION

    signataire_est_representant = forms.TypedChoiceField(
        label="Le signataire est-il le représentant légal de la structure ?",
        choices=[("oui", "oui"), ("non", "non : je joins le pouvoir qu'il lui a donné")],
        coerce=oui_non, empty_value=None, required=False, widget=forms.RadioSelect,
    )
    declaration_minimis = forms.ChoiceField(
        label=(
            "Le montant total des aides publiques perçues (y compris celle-ci) sur les trois "
            "derniers exercices est"
        ),
        choices=SeuilMinimis.choices, required=False, widget=forms.RadioSelect,
        help_text="Règlement de minimis et services d'intérêt économique général (SIEG).",
    )
    declaration_comptes_approuves = forms.BooleanField(
        label=(
            "Je certifie que les budgets et comptes de la structure ont été approuvés par ses "
            "instances statutaires."
        ),
        required=False,
    )
    declaration_compte_propre = forms.BooleanField(
        label=(
            "Je demande que la subvention soit versée sur le compte bancaire de la structure "
            "(celui du RIB déposé)."
        ),
        required=False,
    )
    declaration_fait_a = forms.CharField(label="Fait à", required=False, max_length=120)

    engagement = forms.BooleanField(
        label=(
            "Je certifie exactes les informations du présent dossier, que la structure est à jour "
            "de ses obligations sociales et fiscales, et je m'engage au nom de la structure à "
            "respecter le contrat d'engagement républicain."
        ),
        required=False,
    )
    qualite = forms.CharField(
        label="Qualité du signataire",
        required=False,
        max_length=150,
        help_text="Par exemple : président, trésorière, directeur par délégation.",
    )
