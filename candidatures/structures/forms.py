"""Forms of the structure pages: identity, joining, inviting, member roles, documents."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..commun.validators import (
    EXTENSIONS_ACCEPTEES,
    FORMATS_LISIBLES,
    normaliser_iban,
    normaliser_rna,
    normaliser_siret,
    taille_lisible,
    taille_max_document,
    valider_bic,
    valider_code_postal,
    valider_document,
    valider_iban,
    valider_rna,
    valider_siret,
    valider_telephone,
)
from ..models import DocumentStructure, Membre, Structure
from .services import MESSAGE_SIRET_PRIS

GROUPES_STRUCTURE = [
    (_("Identification"), ["raison_sociale", "sigle", "type", "siret", "rna", "rna_absent_motif",
                           "objet"]),
    (_("Adresse et coordonnées"), ["adresse", "code_postal", "commune", "telephone", "email",
                                   "site_web"]),
    (_("Représentant légal"), ["representant_prenom", "representant_nom",
                               "representant_fonction"]),
    (_("Personne chargée des dossiers"), ["contact_nom", "contact_email", "contact_telephone"]),
    (_("Coordonnées bancaires (facultatif)"), ["iban", "bic"]),
]


class StructureForm(forms.ModelForm):
    """Identity of a structure, checked field by field with French messages."""

    class Meta:
        model = Structure
        fields = [champ for _titre, champs in GROUPES_STRUCTURE for champ in champs]
        labels = {
            "raison_sociale": _("Raison sociale"),
            "sigle": _("Sigle"),
            "type": _("Type de structure"),
            "siret": _("SIRET"),
            "rna": _("Numéro RNA"),
            "rna_absent_motif": _("Si l'association n'a pas de numéro RNA, pourquoi ?"),
            "objet": _("Objet de la structure"),
            "adresse": _("Adresse"),
            "code_postal": _("Code postal"),
            "commune": _("Commune"),
            "telephone": _("Téléphone"),
            "email": _("Adresse électronique de la structure"),
            "site_web": _("Site internet"),
            "representant_prenom": _("Prénom du représentant légal"),
            "representant_nom": _("Nom du représentant légal"),
            "representant_fonction": _("Fonction du représentant légal"),
            "contact_nom": _("Prénom et nom de la personne chargée des dossiers"),
            "contact_email": _("Adresse électronique de la personne chargée des dossiers"),
            "contact_telephone": _("Téléphone de la personne chargée des dossiers"),
            "iban": _("IBAN"),
            "bic": _("BIC"),
        }
        help_texts = {
            "raison_sociale": _("Le nom officiel, tel qu'il figure dans les statuts."),
            "siret": _("14 chiffres, sur l'avis de situation au répertoire Sirene "
                       "(annuaire-entreprises.data.gouv.fr)."),
            "rna": _("La lettre W suivie de 9 chiffres, sur le récépissé de déclaration en "
                     "préfecture. Obligatoire pour une association."),
            "rna_absent_motif": _("Par exemple : association de droit local (Alsace-Moselle), "
                                  "déclarée avant 2010 et jamais mise à jour."),
            "objet": _("Tel que défini dans les statuts."),
            "site_web": _("Adresse complète, commençant par https://"),
            "contact_nom": _("La personne que les instructeurs contactent au sujet des dossiers."),
            "iban": _("Celui du RIB de la structure : 27 caractères pour un compte en France."),
        }
        error_messages = {"siret": {"unique": MESSAGE_SIRET_PRIS}}
        widgets = {
            "raison_sociale": forms.TextInput(attrs={"autocomplete": "organization"}),
            "siret": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "rna": forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
            "objet": forms.Textarea(attrs={"rows": 3}),
            "adresse": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "code_postal": forms.TextInput(
                attrs={"autocomplete": "postal-code", "inputmode": "numeric"}
            ),
            "commune": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "telephone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "site_web": forms.URLInput(attrs={"autocomplete": "url"}),
            "contact_telephone": forms.TextInput(attrs={"type": "tel"}),
            "iban": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "bic": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A SIRET typed with spaces (as printed on the Sirene notice) is longer than 14.
        self.fields["siret"].max_length = None
        self.fields["siret"].widget.attrs.pop("maxlength", None)
        self.fields["siret"].validators = []
        self.fields["iban"].widget.attrs["maxlength"] = 42
        self.fields["iban"].max_length = None
        self.fields["iban"].validators = []
        self.fields["type"].choices = [("", _("— Choisissez —")), *Structure.Type.choices]
        self.groupes = [
            (titre, [self[champ] for champ in champs]) for titre, champs in GROUPES_STRUCTURE
        ]

    def clean_siret(self):
        siret = normaliser_siret(self.cleaned_data["siret"])
        valider_siret(siret)
        return siret

    def clean_rna(self):
        rna = normaliser_rna(self.cleaned_data["rna"])
        if rna:
            valider_rna(rna)
        return rna

    def clean_code_postal(self):
        code_postal = self.cleaned_data["code_postal"].strip()
        valider_code_postal(code_postal)
        return code_postal

    def clean_telephone(self):
        telephone = self.cleaned_data["telephone"].strip()
        if telephone:
            valider_telephone(telephone)
        return telephone

    def clean_contact_telephone(self):
        telephone = self.cleaned_data["contact_telephone"].strip()
        if telephone:
            valider_telephone(telephone)
        return telephone

    def clean_iban(self):
        iban = normaliser_iban(self.cleaned_data["iban"])
        if iban:
            valider_iban(iban)
        return iban

    def clean_bic(self):
        bic = normaliser_iban(self.cleaned_data["bic"])
        if bic:
            valider_bic(bic)
        return bic

    def clean(self):
        donnees = super().clean()
        if donnees.get("rna"):
            donnees["rna_absent_motif"] = ""
        elif (
            donnees.get("type") == Structure.Type.ASSOCIATION
            and "rna" not in self.errors
            and not donnees.get("rna_absent_motif", "").strip()
        ):
            self.add_error(
                "rna",
                ValidationError(
                    _("Le numéro RNA est obligatoire pour une association. Si elle n'en a pas, "
                      "expliquez pourquoi dans le champ prévu."),
                    code="rna_obligatoire",
                ),
            )
        if donnees.get("bic") and not donnees.get("iban") and "iban" not in self.errors:
            self.add_error("iban", _("Indiquez l'IBAN qui va avec ce BIC."))
        return donnees


class RejoindreForm(forms.Form):
    siret = forms.CharField(
        label=_("SIRET de la structure"),
        help_text=_("14 chiffres. Ses responsables recevront votre demande et y répondront."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    message = forms.CharField(
        label=_("Message aux responsables (facultatif)"),
        required=False,
        help_text=_("Présentez-vous en quelques mots : votre fonction dans la structure."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_siret(self):
        siret = normaliser_siret(self.cleaned_data["siret"])
        valider_siret(siret)
        return siret


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique de la personne à inviter"),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    role = forms.ChoiceField(
        label=_("Rôle dans la structure"),
        choices=Membre.Role.choices,
        initial=Membre.Role.CONTRIBUTEUR,
        widget=forms.RadioSelect,
        help_text=_("Un responsable gère les membres et signe la déclaration sur l'honneur ; "
                    "un contributeur prépare les dossiers."),
    )


class RoleMembreForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=Membre.Role.choices)


class DocumentForm(forms.Form):
    """A new version of one of the structure's documents."""

    type = forms.ChoiceField(
        label=_("Document"),
        choices=[(v, capfirst(libelle)) for v, libelle in DocumentStructure.Type.choices],
    )
    date_document = forms.DateField(
        label=_("Date du document"),
        help_text=_("La date qui figure sur le document : adoption des statuts, assemblée "
                    "générale, approbation des comptes…"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    fichier = forms.FileField(
        label=_("Fichier"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(sorted(EXTENSIONS_ACCEPTEES))}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fichier"].help_text = _(
            "Formats acceptés : %(formats)s. Taille maximale : %(max)s."
        ) % {"formats": FORMATS_LISIBLES, "max": taille_lisible(taille_max_document())}

    def clean_date_document(self):
        date = self.cleaned_data["date_document"]
        if date > timezone.localdate():
            raise ValidationError(_("La date du document ne peut pas être dans le futur."))
        return date

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        valider_document(fichier)
        return fichier
