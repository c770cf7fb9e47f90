"""What a structure declares once a year (Cerfa n°12156*06, fiches 2 and 3): its relations with
the administration and other associations, its human resources and its annual budget. A draft
shows it as it is, read-only; a submitted dossier shows it as it was when it was submitted.

**Frozen at submission.** The declaration stays editable all year (a structure corrects its
headcount or budget), so a submitted dossier cannot read it live. The submission copies it
(``figer``) into ``Dossier.informations_deposees``, a JSON document — fields, agréments and
budget lines — that nothing edits afterwards; a resubmission after corrections copies it again.
``InformationsFigees`` reads that copy back with the attributes the templates use, so the
dossier page, its PDF and the instruction pages show what was declared on submission.
"""

import datetime
from decimal import Decimal

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

    figees = False

    @property
    def liste_agrements(self):
        return list(self.agrements.all())

    def budget_ordonne(self):
        """(line definition, amount) of the lines with an amount, in the order of the grid."""
        return _ordonner({lg.code: lg.montant for lg in self.lignes_budget.all()})


def _ordonner(montants):
    return [
        (ligne, montants[ligne.code])
        for ligne in grille_budget.TOUTES_ORDONNEES
        if montants.get(ligne.code)
    ]


CHAMPS_FIGES = (
    "reconnue_utilite_publique_le", "commissaire_aux_comptes", "assujettie_impots_commerciaux",
    "affiliations", "personnes_morales_membres", "adherents", "benevoles", "volontaires",
    "salaries", "salaries_emplois_aides", "etpt", "personnels_mis_a_disposition",
    "cinq_plus_hauts_salaires",
)


def _en_json(valeur):
    if isinstance(valeur, (datetime.date, Decimal)):
        return str(valeur) if isinstance(valeur, Decimal) else valeur.isoformat()
    return valeur


def figer(informations, agrements, lignes):
    """The JSON copy of a yearly declaration kept with a submitted dossier.

    Works on the model and on a migration's historical model alike (``agrements`` and
    ``lignes`` are given, not read through the relations).
    """
    return {
        "annee": informations.annee,
        "modifie_le": _en_json(informations.modifie_le),
        **{champ: _en_json(getattr(informations, champ)) for champ in CHAMPS_FIGES},
        "agrements": [
            {"type": a.type, "attribue_par": a.attribue_par, "date": a.date.isoformat()}
            for a in agrements
        ],
        "lignes": {lg.code: lg.montant for lg in lignes if lg.montant},
    }


class InformationsFigees:
    """A yearly declaration read back from its copy (``figer``): the attributes of
    ``InformationsAnnuelles`` the pages and PDFs use, nothing to save."""

    figees = True

    def __init__(self, contenu):
        self.annee = contenu["annee"]
        self.modifie_le = datetime.datetime.fromisoformat(contenu["modifie_le"])
        for champ in CHAMPS_FIGES:
            setattr(self, champ, contenu.get(champ))
        if self.reconnue_utilite_publique_le:
            self.reconnue_utilite_publique_le = datetime.date.fromisoformat(
                self.reconnue_utilite_publique_le
            )
        if self.etpt is not None:
            self.etpt = Decimal(self.etpt)
        self.liste_agrements = [
            Agrement(type=a["type"], attribue_par=a["attribue_par"],
                     date=datetime.date.fromisoformat(a["date"]))
            for a in contenu.get("agrements", [])
        ]
        self._montants = contenu.get("lignes", {})

    def budget_ordonne(self):
        return _ordonner(self._montants)

    def montants(self):
        return dict(self._montants)


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
