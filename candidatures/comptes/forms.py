"""Forms of the account pages: sign-in, sign-up, profile, address change, roles."""

import logging

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, PasswordResetForm
from django.core.exceptions import ValidationError

from referentiel.models import Contrat, Territoire

from ..models import Habilitation, Role, Utilisateur
from . import notifications
from .selectors import trouver
from .services import normaliser_email

logger = logging.getLogger(__name__)

ATTRIBUTS_EMAIL = {"autocomplete": "email", "inputmode": "email", "autocapitalize": "none",
                   "spellcheck": "false"}


class ConnexionForm(AuthenticationForm):
    """Sign-in by e-mail; an account whose address is not confirmed yet cannot sign in."""

    error_messages = {
        "invalid_login": (
            "Adresse électronique ou mot de passe incorrect. Attention : après 5 échecs, la "
            "connexion est bloquée pendant 30 minutes."
        ),
        "inactive": "Ce compte est désactivé. Contactez un administrateur du portail.",
        "adresse_non_confirmee": (
            "Votre adresse électronique n'est pas encore confirmée : ouvrez le lien que nous vous "
            "avons envoyé par courriel, ou demandez un nouveau lien."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Adresse électronique"
        self.fields["username"].widget = forms.EmailInput(
            attrs=ATTRIBUTS_EMAIL | {"autofocus": True}
        )
        self.fields["password"].label = "Mot de passe"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.email_confirme_le is None:
            raise ValidationError(
                self.error_messages["adresse_non_confirmee"], code="adresse_non_confirmee"
            )


class InscriptionForm(BaseUserCreationForm):
    """Sign-up: e-mail, name and a password checked by Django's validators."""

    class Meta:
        model = Utilisateur
        fields = ("email", "prenom", "nom")
        labels = {"email": "Adresse électronique", "prenom": "Prénom", "nom": "Nom"}
        help_texts = {
            "email": "Elle vous servira d'identifiant ; un lien de confirmation y sera envoyé.",
        }
        widgets = {
            "email": forms.EmailInput(attrs=ATTRIBUTS_EMAIL),
            "prenom": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "nom": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prenom"].required = True
        self.fields["nom"].required = True
        self.fields["password1"].label = "Mot de passe"
        self.fields["password2"].label = "Confirmation du mot de passe"

    def clean_email(self):
        return normaliser_email(self.cleaned_data["email"])

    def validate_unique(self):
        """Whether the address has an account is not said here: services.inscrire tells its
        owner by e-mail, and the page answers as for a new account."""

    def validate_constraints(self):
        """The only constraint is the address's uniqueness: see validate_unique."""


class AdresseForm(forms.Form):
    """Ask for a new confirmation link."""

    email = forms.EmailField(
        label="Adresse électronique", widget=forms.EmailInput(attrs=ATTRIBUTS_EMAIL)
    )


class ProfilForm(forms.ModelForm):
    class Meta:
        model = Utilisateur
        fields = ("prenom", "nom")
        labels = {"prenom": "Prénom", "nom": "Nom"}
        widgets = {
            "prenom": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "nom": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prenom"].required = True
        self.fields["nom"].required = True


class ChangementAdresseForm(forms.Form):
    """New address, and the current password to prove it is the account's owner asking."""

    nouvelle_adresse = forms.EmailField(
        label="Nouvelle adresse électronique",
        help_text=("Un lien de confirmation y sera envoyé ; votre adresse actuelle reste valable "
                    "tant que vous ne l'avez pas ouvert."),
        widget=forms.EmailInput(attrs=ATTRIBUTS_EMAIL),
    )
    mot_de_passe = forms.CharField(
        label="Mot de passe actuel",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, utilisateur, *args, **kwargs):
        self.utilisateur = utilisateur
        super().__init__(*args, **kwargs)

    def clean_mot_de_passe(self):
        mot_de_passe = self.cleaned_data["mot_de_passe"]
        if not self.utilisateur.check_password(mot_de_passe):
            raise ValidationError("Le mot de passe est incorrect.", code="mot_de_passe")
        return mot_de_passe


class RechercheUtilisateursForm(forms.Form):
    q = forms.CharField(
        label="Rechercher un compte",
        required=False,
        max_length=254,
        help_text="Adresse électronique, nom ou prénom.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class RolesPortailForm(forms.Form):
    """The portal-wide roles of one account, as checkboxes (portal administrators only)."""

    roles = forms.MultipleChoiceField(
        label="Rôles du portail",
        choices=[
            (Role.PORTEUR, "porteur de projet"),
            (Role.ADMINISTRATEUR, "administrateur du portail"),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class PorteeWidget(forms.TextInput):
    """A text field backed by a <datalist> that a script fills from a search URL."""

    def __init__(self, liste, type_recherche):
        super().__init__(attrs={
            "list": liste, "autocomplete": "off", "spellcheck": "false",
            "data-recherche": type_recherche,
        })


class HabilitationForm(forms.Form):
    """A habilitation to grant: a role, and a territory or one contract (typed, not picked
    from a list of every contract: the portal may hold hundreds)."""

    role = forms.ChoiceField(label="Rôle", widget=forms.RadioSelect, choices=Habilitation.ROLES)
    territoire = forms.CharField(
        label="Territoire", required=False, max_length=255,
        help_text="Code ou nom du territoire : ses contrats sont proposés au fil de la saisie.",
        widget=PorteeWidget("territoires-proposes", "territoire"),
    )
    contrat = forms.CharField(
        label="Contrat de ville", required=False, max_length=255,
        help_text="Code ou nom d'un contrat du territoire ; laissez vide pour tous ses contrats.",
        widget=PorteeWidget("contrats-proposes", "contrat"),
    )

    def __init__(self, *args, roles=Habilitation.ROLES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles

    def clean_territoire(self):
        texte = self.cleaned_data["territoire"]
        territoire = trouver(Territoire.objects.all(), texte)
        if texte and territoire is None:
            raise ValidationError(
                f"Aucun territoire ne porte le code ou le nom « {texte} » : choisissez-en un "
                "parmi ceux proposés.", code="territoire_inconnu",
            )
        return territoire

    def clean_contrat(self):
        texte = self.cleaned_data["contrat"]
        contrat = trouver(Contrat.objects.select_related("territoire"), texte)
        if texte and contrat is None:
            raise ValidationError(
                f"Aucun contrat de ville ne porte le code ou le nom « {texte} » : choisissez-en "
                "un parmi ceux proposés.", code="contrat_inconnu",
            )
        return contrat

    def clean(self):
        donnees = super().clean()
        if (
            not self.has_error("territoire") and not self.has_error("contrat")
            and donnees.get("territoire") is None and donnees.get("contrat") is None
        ):
            self.add_error("territoire", "Indiquez un territoire, ou l'un de ses contrats.")
        return donnees


class MotDePasseOublieForm(PasswordResetForm):
    """Django's reset request, its e-mail sent by the portal's sender like every other one."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        try:
            notifications.envoyer_reinitialisation(to_email, context)
        except Exception:
            # As Django does: a failed send must not tell whether the address has an account.
            logger.exception("Échec de l'envoi du lien de réinitialisation au compte %s",
                             context["user"].pk)
