"""Forms of the workbook pages of the admin: the upload of a workbook, the copy of a contract."""

from django import forms

from ..models import Contrat, Generation, Territoire
from .ecriture import XLSX
from .format import TAILLE_MAX

ERREURS_AFFICHEES = 200


class ImportClasseurForm(forms.Form):
    fichier = forms.FileField(
        label="Classeur (.xlsx)",
        help_text="Le classeur du contrat, au format du modèle vierge (5 Mo au plus).",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )
    contrat = forms.SlugField(
        label="Code du contrat", required=False, max_length=50,
        help_text="Vide : le code de la feuille Contrat. Le contrat est créé s'il n'existe pas.",
    )
    nom = forms.CharField(
        label="Nom du contrat", required=False, max_length=255,
        help_text="Vide : le nom de la feuille Contrat.",
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError(
                f"Le fichier est trop gros : {TAILLE_MAX // (1024 * 1024)} Mo au plus."
            )
        return fichier

    def signaler(self, erreur):
        """List the workbook's errors next to the upload field."""
        lignes = [str(e) for e in erreur.erreurs[:ERREURS_AFFICHEES]]
        if len(erreur.erreurs) > ERREURS_AFFICHEES:
            lignes.append(f"… et {len(erreur.erreurs) - ERREURS_AFFICHEES} autres erreurs.")
        self.add_error("fichier", lignes)


class CopieContratForm(forms.Form):
    code = forms.SlugField(label="Code du nouveau contrat", max_length=50)
    nom = forms.CharField(label="Nom du nouveau contrat", max_length=255)
    generation = forms.ModelChoiceField(
        Generation.objects.all(), label="Génération",
        help_text="Dans une autre génération, la liste des QPV est à remplir ensuite.",
    )
    territoire = forms.ModelChoiceField(Territoire.objects.all(), label="Territoire")
    annee_debut = forms.IntegerField(
        label="Année de début", required=False, min_value=1990, max_value=2100,
        help_text="Vide : celle de la génération (ou du contrat copié, dans la même génération).",
    )
    annee_fin = forms.IntegerField(
        label="Année de fin", required=False, min_value=1990, max_value=2100,
        help_text="Vide : celle de la génération (ou du contrat copié, dans la même génération).",
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Contrat.objects.filter(code=code).exists():
            raise forms.ValidationError(f"Le contrat « {code} » existe déjà.")
        return code
