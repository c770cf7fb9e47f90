"""Forms of the structure pages: identity, joining, inviting, member roles, documents."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst

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
    valider_debut_de_nom,
    valider_document,
    valider_iban,
    valider_rna,
    valider_siret,
    valider_telephone,
)
from ..models import DocumentStructure, Membre, Structure
from .services import MESSAGE_SIRET_PRIS

GROUPES_STRUCTURE = [
    ("Identification", ["raison_sociale", "sigle", "type", "siret", "rna", "rna_absent_motif",
                           "objet"]),
    ("Adresse et coordonnées", ["adresse", "code_postal", "commune", "telephone", "email",
                                   "site_web"]),
    ("Représentant légal", ["representant_prenom", "representant_nom",
                               "representant_fonction", "representant_telephone",
                               "representant_email"]),
    ("Personne chargée des dossiers", ["contact_prenom", "contact_nom", "contact_fonction",
                                          "contact_email", "contact_telephone"]),
    ("Coordonnées bancaires (facultatif)", ["iban", "bic"]),
]


class StructureForm(forms.ModelForm):
    """Identity of a structure, checked field by field with French messages."""

    class Meta:
        model = Structure
        fields = [champ for _titre, champs in GROUPES_STRUCTURE for champ in champs]
        labels = {
            "raison_sociale": "Raison sociale",
            "sigle": "Sigle",
            "type": "Type de structure",
            "siret": "SIRET",
            "rna": "Numéro RNA",
            "rna_absent_motif": "Si l'association n'a pas de numéro RNA, pourquoi ?",
            "objet": "Objet de la structure",
            "adresse": "Adresse",
            "code_postal": "Code postal",
            "commune": "Commune",
            "telephone": "Téléphone",
            "email": "Adresse électronique de la structure",
            "site_web": "Site internet",
            "representant_prenom": "Prénom du représentant légal",
            "representant_nom": "Nom du représentant légal",
            "representant_fonction": "Fonction du représentant légal",
            "representant_telephone": "Téléphone du représentant légal",
            "representant_email": "Adresse électronique du représentant légal",
            "contact_prenom": "Prénom de la personne chargée des dossiers",
            "contact_fonction": "Fonction de la personne chargée des dossiers",
            "contact_nom": "Nom de la personne chargée des dossiers",
            "contact_email": "Adresse électronique de la personne chargée des dossiers",
            "contact_telephone": "Téléphone de la personne chargée des dossiers",
            "iban": "IBAN",
            "bic": "BIC",
        }
        help_texts = {
            "raison_sociale": "Le nom officiel, tel qu'il figure dans les statuts.",
            "siret": ("14 chiffres, sur l'avis de situation au répertoire Sirene "
                       "(annuaire-entreprises.data.gouv.fr)."),
            "rna": ("La lettre W suivie de 9 chiffres, sur le récépissé de déclaration en "
                     "préfecture. Obligatoire pour une association."),
            "rna_absent_motif": ("Par exemple : association de droit local (Alsace-Moselle), "
                                  "déclarée avant 2010 et jamais mise à jour."),
            "objet": "Tel que défini dans les statuts.",
            "site_web": "Adresse complète, commençant par https://",
            "contact_nom": "La personne que les instructeurs contactent au sujet des dossiers.",
            "iban": "Celui du RIB de la structure : 27 caractères pour un compte en France.",
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
        self.fields["type"].choices = [("", "— Choisissez —"), *Structure.Type.choices]
        for nom in ("raison_sociale", "sigle"):
            self.fields[nom].validators.append(valider_debut_de_nom)
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

    def clean_representant_telephone(self):
        telephone = self.cleaned_data.get("representant_telephone", "").strip()
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
                    ("Le numéro RNA est obligatoire pour une association. Si elle n'en a pas, "
                      "expliquez pourquoi dans le champ prévu."),
                    code="rna_obligatoire",
                ),
            )
        if donnees.get("bic") and not donnees.get("iban") and "iban" not in self.errors:
            self.add_error("iban", "Indiquez l'IBAN qui va avec ce BIC.")
        return donnees


class RejoindreForm(forms.Form):
    siret = forms.CharField(
        label="SIRET de la structure",
        help_text="14 chiffres. Ses responsables recevront votre demande et y répondront.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    message = forms.CharField(
        label="Message aux responsables (facultatif)",
        required=False,
        help_text="Présentez-vous en quelques mots : votre fonction dans la structure.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_siret(self):
        siret = normaliser_siret(self.cleaned_data["siret"])
        valider_siret(siret)
        return siret


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique de la personne à inviter",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    role = forms.ChoiceField(
        label="Rôle dans la structure",
        choices=Membre.Role.choices,
        initial=Membre.Role.CONTRIBUTEUR,
        widget=forms.RadioSelect,
        help_text=("Un responsable gère les membres et signe la déclaration sur l'honneur ; "
                    "un contributeur prépare les dossiers."),
    )


class RoleMembreForm(forms.Form):
    role = forms.ChoiceField(label="Rôle", choices=Membre.Role.choices)


class DocumentForm(forms.Form):
    """A new version of one of the structure's documents."""

    type = forms.ChoiceField(
        label="Document",
        choices=[(v, capfirst(libelle)) for v, libelle in DocumentStructure.Type.choices],
    )
    date_document = forms.DateField(
        label="Date du document",
        help_text=("La date qui figure sur le document : adoption des statuts, assemblée "
                    "générale, approbation des comptes…"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    fichier = forms.FileField(
        label="Fichier",
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(sorted(EXTENSIONS_ACCEPTEES))}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fichier"].help_text = (
            f"Formats acceptés : {FORMATS_LISIBLES}. "
            f"Taille maximale : {taille_lisible(taille_max_document())}."
        )

    def clean_date_document(self):
        date = self.cleaned_data["date_document"]
        if date > timezone.localdate():
            raise ValidationError("La date du document ne peut pas être dans le futur.")
        return date

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        valider_document(fichier)
        return fichier
