"""Forms of the bilan page (one <form>, several sections) and of the annual bilans' filters."""

from django import forms

from candidatures.commun.formulaires import (
    ESPACES,
    LIBELLES_VALEURS,
    ChampsEnTableau,
    NombreEntierField,
    SectionForm,
    champ_texte,
)
from candidatures.commun.sections import valeurs_par_indicateur
from candidatures.commun.validators import extension_de, taille_lisible
from candidatures.models import AppelAProjets
from referentiel.models import Pilier, QuartierPrioritaire

from ..models import COMMENTAIRE_MAX, PARTENAIRES_MAX, Bilan, PieceBilan
from .selectors import champs_realisation


def _date(label):
    return forms.DateField(
        label=label, required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class QualitatifForm(SectionForm):
    """What was done, when and where, for whom, with what result."""

    realisation = champ_texte("Ce qui a été réalisé", 5)
    date_debut = _date("Date de début effective")
    date_fin = _date("Date de fin effective")
    lieux = champ_texte("Lieux de réalisation", 2)
    beneficiaires_femmes = NombreEntierField(label="Femmes (18 ans et plus)")
    beneficiaires_hommes = NombreEntierField(label="Hommes (18 ans et plus)")
    beneficiaires_filles = NombreEntierField(label="Filles (moins de 18 ans)")
    beneficiaires_garcons = NombreEntierField(label="Garçons (moins de 18 ans)")
    profil_beneficiaires = champ_texte("Profil des bénéficiaires", 3)
    objectifs_atteints = forms.ChoiceField(
        label="Les objectifs de l'action ont-ils été atteints ?",
        choices=Bilan.Atteinte.choices, required=False, widget=forms.RadioSelect,
    )
    objectifs_commentaire = champ_texte("Précisions sur l'atteinte des objectifs", 3)
    difficultes = champ_texte("Difficultés rencontrées", 3)
    perspectives = champ_texte("Perspectives", 3)

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("date_debut"), donnees.get("date_fin")
        if debut and fin and fin < debut:
            self.add_error("date_fin", "La date de fin doit suivre la date de début.")
        return donnees

    def valeurs_valides(self):
        valeurs = super().valeurs_valides()
        if "objectifs_atteints" in valeurs and valeurs["objectifs_atteints"] is None:
            valeurs["objectifs_atteints"] = ""
        return valeurs


def _total(champs):
    total = 0
    for champ in champs:
        try:
            total += int(ESPACES.sub("", str(champ.value() or 0)))
        except ValueError:
            return None
    return total


class RealisationsForm(ChampsEnTableau):
    """Achieved values of the indicators, in the breakdown each one asks for; text answers."""

    def __init__(self, *args, indicateurs=(), previsions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicateurs = list(indicateurs)
        self.previsions = previsions or {}
        for indicateur in self.indicateurs:
            for champ in champs_realisation(indicateur):
                nom = f"indicateur_{indicateur.pk}_{champ}"
                if champ == "texte":
                    self.fields[nom] = forms.CharField(
                        label="Réponse", required=False,
                        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                    )
                else:
                    self.fields[nom] = NombreEntierField(
                        label=LIBELLES_VALEURS[champ],
                        widget=forms.TextInput(attrs={
                            "class": "form-control", "data-total": f"total-{indicateur.pk}",
                        }),
                    )

    def realisations(self):
        return valeurs_par_indicateur(self.valeurs_valides(), self.indicateurs, champs_realisation)

    def lignes(self):
        """(indicator, bound fields, total shown, forecast) for the template."""
        resultat = []
        for indicateur in self.indicateurs:
            noms = champs_realisation(indicateur)
            champs = [self[f"indicateur_{indicateur.pk}_{c}"] for c in noms]
            prevision = self.previsions.get(indicateur.pk)
            numerique = bool(noms) and noms != ["texte"]
            resultat.append({
                "indicateur": indicateur,
                "champs": [
                    (champ, getattr(prevision, nom, None) if numerique else None)
                    for champ, nom in zip(champs, noms, strict=True)
                ],
                "numerique": numerique,
                "total": _total(champs) if numerique else None,
                "total_prevu": prevision.total if prevision and numerique else None,
            })
        return resultat


class CompteRenduForm(ChampsEnTableau):
    """The actual amount of every line of the grid, and the explanation of its gap."""

    def __init__(self, *args, lignes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lignes_cr = list(lignes)
        for ligne in self.lignes_cr:
            code, parent = ligne.definition.code, ligne.definition.parent
            attrs = {"class": "form-control montant", "data-cote": ligne.definition.cote}
            if parent:
                # A detail (613, 641…): its line is their sum, it is not counted in the totals.
                attrs = {"class": "form-control montant montant-detail", "data-parent": parent}
            self.fields[f"realise_{code}"] = NombreEntierField(
                label=ligne.definition.libelle,
                widget=forms.TextInput(attrs={**attrs, "data-prevu": ligne.prevu}),
            )
            if parent:
                continue
            self.fields[f"explication_{code}"] = forms.CharField(
                label="Explication de l'écart", required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )

    def lignes_saisies(self):
        valeurs = self.valeurs_valides()
        resultat = {}
        for ligne in self.lignes_cr:
            code = ligne.definition.code
            champs = {}
            if f"realise_{code}" in valeurs:
                champs["realise"] = valeurs[f"realise_{code}"]
            if f"explication_{code}" in valeurs:
                champs["explication"] = valeurs[f"explication_{code}"].strip()
            if champs:
                resultat[code] = champs
        return resultat

    def cote(self, *cotes):
        """Rows of one side of the grid: (line, amount field, explanation field)."""
        return [
            {
                "ligne": ligne,
                "realise": self[f"realise_{ligne.definition.code}"],
                "explication": (
                    None if ligne.definition.parent
                    else self[f"explication_{ligne.definition.code}"]
                ),
            }
            for ligne in self.lignes_cr
            if ligne.definition.cote in cotes
        ]


class PieceBilanForm(SectionForm):
    fichier = forms.FileField(
        label="Ajouter un document", required=False,
        help_text="PDF, image ou document bureautique, 10 Mo au plus.",
    )
    type_piece = forms.ChoiceField(
        label="Type de document", choices=PieceBilan.Type.choices, required=False
    )
    titre_piece = forms.CharField(label="Titre (facultatif)", required=False, max_length=255)


class CompteRenduCerfaForm(SectionForm):
    """What the Cerfa n°15059*02 asks beside the grid: indirect charges, contributions in kind,
    the place of signature."""

    regle_charges_indirectes = champ_texte(
        "Règle de répartition des charges indirectes affectées à l'action", 2,
        help_text="Par exemple : au prorata des heures de personnel consacrées à l'action.",
    )
    note_contributions_nature = champ_texte(
        "Observations sur les contributions volontaires en nature", 2,
        help_text="Leur nature, leur valorisation et leur usage dans l'action.",
    )
    fait_a = forms.CharField(label="Fait à", required=False, max_length=120)


class DepotBilanForm(forms.Form):
    attestation = forms.BooleanField(
        label=(
            "Je certifie exactes les informations du présent bilan et du compte rendu financier, "
            "au nom de la structure."
        ),
        error_messages={"required": "Cochez l'attestation pour déposer le bilan."},
    )
    qualite = forms.CharField(
        label="Qualité du signataire", required=False, max_length=150,
        help_text="Par exemple : présidente, trésorier, directrice par délégation.",
    )


class CorrectionsBilanForm(forms.Form):
    message = forms.CharField(
        label="Ce que la structure doit corriger",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Expliquez ce qui doit être corrigé."},
    )


class FiltreBilansForm(forms.Form):
    """Scope of the annual bilans: one contract, years of its calls, one of its piliers and
    QPV, and whether submitted bilans count. ``contrat`` is the contract the view resolved from
    the typed code or name (None when unknown): every choice is limited to it."""

    contrat = forms.CharField(
        label="Contrat de ville", max_length=255,
        help_text="Code ou nom du contrat : vos contrats sont proposés au fil de la saisie.",
        widget=forms.TextInput(attrs={
            "list": "contrats-proposes", "autocomplete": "off", "spellcheck": "false",
            "data-recherche": "contrat",
        }),
    )
    annee_debut = forms.TypedChoiceField(label="De l'année", coerce=int, choices=())
    annee_fin = forms.TypedChoiceField(label="À l'année", coerce=int, choices=())
    pilier = forms.ModelChoiceField(
        label="Pilier", queryset=Pilier.objects.none(), required=False,
        empty_label="Tous les piliers",
    )
    quartier = forms.ModelChoiceField(
        label="Quartier prioritaire", queryset=QuartierPrioritaire.objects.none(),
        required=False, empty_label="Tous les quartiers",
    )
    inclure_deposes = forms.BooleanField(
        label="Inclure les bilans déposés mais pas encore validés", required=False,
    )

    def __init__(self, *args, contrat=None, annees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contrat_choisi = contrat
        if contrat is None:
            annees = []
        elif annees is None:
            annees = AppelAProjets.objects.filter(contrat=contrat).values_list("annee", flat=True)
        annees = sorted(set(annees), reverse=True)
        if contrat is not None:
            self.fields["pilier"].queryset = Pilier.objects.filter(contrat=contrat).order_by(
                "ordre", "code"
            )
            self.fields["quartier"].queryset = contrat.quartiers.order_by("commune", "nom")
        choix = [(a, str(a)) for a in annees]
        self.fields["annee_debut"].choices = choix
        self.fields["annee_fin"].choices = choix
        self.annees = annees

    def clean_contrat(self):
        if self.contrat_choisi is None:
            raise forms.ValidationError(
                f"Aucun contrat de ville ne porte le code ou le nom « "
                f"{self.cleaned_data['contrat']} » : choisissez-en un parmi ceux proposés.",
                code="contrat_inconnu",
            )
        return self.contrat_choisi

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("annee_debut"), donnees.get("annee_fin")
        if debut and fin and fin < debut:
            self.add_error("annee_fin", "L'année de fin doit suivre l'année de début.")
        return donnees


class ParametresBilanForm(forms.Form):
    seuil_ecart = forms.IntegerField(
        label="Écart à expliquer au-delà de (%)", min_value=1, max_value=100,
        help_text=(
            "Dans le compte rendu financier, une ligne dont la réalisation s'écarte de la "
            "prévision de plus de ce pourcentage doit être expliquée (15 % par défaut)."
        ),
    )


# --- What a year's bilan PDF adds to its figures ----------------------------------------------

LOGO_TAILLE_MAX = 1024 * 1024
LOGO_PIXELS_MAX = 4000 * 4000
FORMATS_LOGO = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}


def valider_logo(fichier):
    """A PNG or JPEG image of at most 1 Mo that really decodes as one."""
    from PIL import Image

    extension = extension_de(fichier.name)
    if extension not in FORMATS_LOGO:
        raise forms.ValidationError(
            "Le logo doit être une image PNG ou JPEG (.png, .jpg, .jpeg).", code="logo_format"
        )
    if fichier.size > LOGO_TAILLE_MAX:
        raise forms.ValidationError(
            "Le logo pèse %(taille)s : la limite est de %(max)s. Enregistrez-le en plus petit "
            "(500 pixels de large suffisent).", code="logo_taille",
            params={"taille": taille_lisible(fichier.size), "max": taille_lisible(LOGO_TAILLE_MAX)},
        )
    fichier.seek(0)
    try:
        with Image.open(fichier) as image:
            lisible = (
                image.format == FORMATS_LOGO[extension]
                and image.width * image.height <= LOGO_PIXELS_MAX
            )
            image.verify()
    except Exception:  # noqa: BLE001 — any decoder error means the file is not an image
        lisible = False
    finally:
        fichier.seek(0)
    if not lisible:
        raise forms.ValidationError(
            "Ce fichier ne se lit pas comme une image %(format)s : il est peut-être endommagé "
            "ou d'un autre format. Enregistrez-le à nouveau en PNG.", code="logo_contenu",
            params={"format": FORMATS_LOGO[extension]},
        )


class DocumentBilanForm(forms.Form):
    """The comment (comité, administrators); partners and logo for administrators only."""

    commentaire = forms.CharField(
        label="Commentaire du comité", required=False, max_length=COMMENTAIRE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Imprimé en tête du bilan, avant les chiffres. Quelques lignes suffisent.",
    )
    partenaires = forms.CharField(
        label="Partenaires du contrat", required=False, max_length=PARTENAIRES_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Un partenaire par ligne, tels qu'ils figureront sur la couverture.",
    )
    logo = forms.FileField(
        label="Logo", required=False, validators=[valider_logo],
        widget=forms.FileInput(attrs={"accept": ".png,.jpg,.jpeg"}),
        help_text="Image PNG ou JPEG d'au plus 1 Mo, imprimée sur la couverture.",
    )
    supprimer_logo = forms.BooleanField(label="Retirer le logo actuel", required=False)

    def __init__(self, *args, presenter, **kwargs):
        super().__init__(*args, **kwargs)
        if not presenter:
            for nom in ("partenaires", "logo", "supprimer_logo"):
                del self.fields[nom]
