"""What a structure declares once a year (Cerfa n°12156*06, fiches 2 and 3): its relations with
the administration and other associations, its human resources and its annual budget. Every
dossier of that year shows it as it is, read-only.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from ..commun.formats import euros
from ..dossiers import budget as grille_budget
from .comptes import Utilisateur
from .structures import Structure

CHAMPS_EFFECTIFS = (
    "adherents", "benevoles", "volontaires", "salaries", "salaries_emplois_aides",
    "personnels_mis_a_disposition", "cinq_plus_hauts_salaires",
)


class InformationsAnnuelles(models.Model):
    """The structure's declaration for one year, reused by each of its dossiers of that year."""

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="informations_annuelles"
    )
    annee = models.PositiveSmallIntegerField("année")

    # Relations avec l'administration
    reconnue_utilite_publique_le = models.DateField(
        "date de publication du décret de reconnaissance d'utilité publique", null=True,
        blank=True,
    )
    commissaire_aux_comptes = models.BooleanField(
        "la structure dispose d'un commissaire aux comptes", null=True, blank=True
    )
    assujettie_impots_commerciaux = models.BooleanField(
        "la structure est assujettie aux impôts commerciaux", null=True, blank=True
    )
    # Relations avec d'autres associations
    affiliations = models.TextField(
        "affiliation à un réseau, une union ou une fédération", blank=True
    )
    personnes_morales_membres = models.TextField("personnes morales membres", blank=True)
    # Moyens humains au 31 décembre de l'année écoulée
    adherents = models.PositiveIntegerField("adhérents", null=True, blank=True)
    benevoles = models.PositiveIntegerField("bénévoles", null=True, blank=True)
    volontaires = models.PositiveIntegerField(
        "volontaires (service civique)", null=True, blank=True
    )
    salaries = models.PositiveIntegerField("salariés", null=True, blank=True)
    salaries_emplois_aides = models.PositiveIntegerField(
        "dont salariés en emplois aidés", null=True, blank=True
    )
    etpt = models.DecimalField(
        "équivalents temps plein travaillé (ETPT)", max_digits=8, decimal_places=2, null=True,
        blank=True,
    )
    personnels_mis_a_disposition = models.PositiveIntegerField(
        "personnels mis à disposition ou détachés par une autorité publique", null=True,
        blank=True,
    )
    cinq_plus_hauts_salaires = models.PositiveIntegerField(
        "montant total des cinq plus hauts salaires annuels bruts (€)", null=True, blank=True
    )
    modifie_le = models.DateTimeField("enregistrée le", default=timezone.now)
    modifie_par = models.ForeignKey(
        Utilisateur, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "informations annuelles de la structure"
        verbose_name_plural = "informations annuelles des structures"
        ordering = ["structure", "-annee"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "annee"], name="informations_annuelles_une_par_annee"
            ),
            models.CheckConstraint(
                condition=Q(annee__gte=1900, annee__lte=9999),
                name="informations_annuelles_annee_plausible",
            ),
            models.CheckConstraint(
                condition=Q(etpt__isnull=True) | Q(etpt__gte=0),
                name="informations_annuelles_etpt_positif",
            ),
            models.CheckConstraint(
                condition=Q(salaries_emplois_aides__isnull=True)
                | Q(salaries__isnull=True)
                | Q(salaries_emplois_aides__lte=F("salaries")),
                name="informations_annuelles_emplois_aides_parmi_salaries",
            ),
        ]

    def __str__(self):
        return f"{self.structure} — informations {self.annee}"

    def budget_ordonne(self):
        """(line definition, amount) of the lines with an amount, in the order of the grid."""
        montants = {lg.code: lg.montant for lg in self.lignes_budget.all()}
        return [
            (ligne, montants[ligne.code])
            for ligne in grille_budget.TOUTES_ORDONNEES
            if montants.get(ligne.code)
        ]


class Agrement(models.Model):
    """An agrément administratif held by the structure (type, granting authority, date)."""

    informations = models.ForeignKey(
        InformationsAnnuelles, on_delete=models.CASCADE, related_name="agrements"
    )
    type = models.CharField("type d'agrément", max_length=255)
    attribue_par = models.CharField("attribué par", max_length=255)
    date = models.DateField("en date du")

    class Meta:
        verbose_name = "agrément"
        verbose_name_plural = "agréments"
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.type} ({self.attribue_par}, {self.date:%d/%m/%Y})"


class LigneBudgetStructure(models.Model):
    """One line of the structure's annual budget (same grid as a project), in whole euros."""

    informations = models.ForeignKey(
        InformationsAnnuelles, on_delete=models.CASCADE, related_name="lignes_budget"
    )
    code = models.CharField("ligne", max_length=16, choices=[
        (ligne.code, ligne.libelle) for ligne in grille_budget.TOUTES
    ])
    montant = models.IntegerField("montant (€)", default=0)
    precision = models.CharField("précision", max_length=255, blank=True)

    class Meta:
        verbose_name = "ligne du budget annuel de la structure"
        verbose_name_plural = "lignes du budget annuel des structures"
        constraints = [
            models.UniqueConstraint(
                fields=["informations", "code"], name="ligne_budget_structure_unique"
            ),
            models.CheckConstraint(
                condition=Q(montant__gte=0), name="ligne_budget_structure_montant_positif"
            ),
            models.CheckConstraint(
                condition=Q(code__in=grille_budget.CODES),
                name="ligne_budget_structure_code_connu",
            ),
        ]

    def __str__(self):
        return f"{self.code} : {euros(self.montant)}"
