"""Rows of an objective: cahier des charges, funding notes, indicators, cross-references."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .arbre import Action, Objectif, Orientation


class LigneObjectifManager(models.Manager):
    def get_by_natural_key(self, contrat_code, objectif_code, ordre):
        return self.get(
            objectif__contrat__code=contrat_code, objectif__code=objectif_code, ordre=ordre
        )


class LigneObjectif(models.Model):
    """An ordered row attached to an objective; (contract, objective code, rank) is its key."""

    objectif = models.ForeignKey(Objectif, on_delete=models.PROTECT)
    ordre = models.PositiveSmallIntegerField("ordre")

    objects = LigneObjectifManager()

    class Meta:
        abstract = True
        ordering = ["objectif_id", "ordre"]

    def natural_key(self):
        return (*self.objectif.natural_key(), self.ordre)

    natural_key.dependencies = ["referentiel.objectif"]


class Exigence(LigneObjectif):
    """One requirement of an objective's cahier des charges."""

    texte = models.TextField("texte")

    class Meta(LigneObjectif.Meta):
        verbose_name = "exigence du cahier des charges"
        verbose_name_plural = "exigences du cahier des charges"
        default_related_name = "exigences"
        constraints = [
            models.UniqueConstraint(fields=["objectif", "ordre"], name="exigence_unique_par_rang")
        ]

    def __str__(self):
        return self.texte


class NoteFinancement(LigneObjectif):
    """A funding note: « Prioriser les financements PRE / PEL », « Dispositif NPNRU »…"""

    texte = models.TextField("texte")

    class Meta(LigneObjectif.Meta):
        verbose_name = "note de financement"
        verbose_name_plural = "notes de financement"
        default_related_name = "notes_financement"
        constraints = [
            models.UniqueConstraint(fields=["objectif", "ordre"], name="note_unique_par_rang")
        ]

    def __str__(self):
        return self.texte


class Indicateur(LigneObjectif):
    """An evaluation indicator, with the breakdown by sex it must be reported in."""

    class Ventilation(models.TextChoices):
        AUCUNE = "aucune", "aucune"
        FH = "FH", "femmes / hommes (F/H)"
        FG = "FG", "filles / garçons (F/G)"
        FH_FG = "FH_FG", "F/H et F/G"

    class Nature(models.TextChoices):
        NOMBRE = "nombre", "nombre"
        TEXTE = "texte", "texte"
        DOCUMENTS = "documents", "documents"

    libelle = models.TextField("libellé")
    ventilation = models.CharField(
        "ventilation", max_length=6, choices=Ventilation, default=Ventilation.AUCUNE
    )
    nature = models.CharField("nature", max_length=10, choices=Nature, default=Nature.NOMBRE)

    class Meta(LigneObjectif.Meta):
        verbose_name = "indicateur d'évaluation"
        verbose_name_plural = "indicateurs d'évaluation"
        default_related_name = "indicateurs"
        constraints = [
            models.UniqueConstraint(
                fields=["objectif", "ordre"], name="indicateur_unique_par_rang"
            ),
            models.CheckConstraint(
                condition=Q(ventilation__in=["aucune", "FH", "FG", "FH_FG"]),
                name="indicateur_ventilation_valide",
            ),
            models.CheckConstraint(
                condition=Q(nature__in=["nombre", "texte", "documents"]),
                name="indicateur_nature_valide",
            ),
        ]

    def __str__(self):
        return self.libelle

    # The JSON export spells the breakdown as printed in the seed.
    VENTILATION_JSON = {"aucune": None, "FH": "F/H", "FG": "F/G", "FH_FG": "F/H+F/G"}

    @property
    def ventilation_json(self):
        return self.VENTILATION_JSON[self.ventilation]

    @property
    def demande_femmes_hommes(self):
        return self.ventilation in (self.Ventilation.FH, self.Ventilation.FH_FG)

    @property
    def demande_filles_garcons(self):
        return self.ventilation in (self.Ventilation.FG, self.Ventilation.FH_FG)


class Renvoi(LigneObjectif):
    """A cross-reference ("Cf. objectif opérationnel 1.1.3"): proposals go to the referenced item.

    ``action`` is set when the reference stands in place of an action label (e.g. 1.6.1.a).
    """

    action = models.ForeignKey(
        Action, on_delete=models.PROTECT, null=True, blank=True, related_name="renvois"
    )
    cible_objectif = models.ForeignKey(
        Objectif,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renvois_entrants",
        verbose_name="objectif cible",
    )
    cible_orientation = models.ForeignKey(
        Orientation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renvois_entrants",
        verbose_name="orientation cible",
    )
    texte = models.CharField(
        "texte", max_length=255, help_text="La mention telle qu'imprimée."
    )

    class Meta(LigneObjectif.Meta):
        verbose_name = "renvoi"
        verbose_name_plural = "renvois"
        default_related_name = "renvois"
        constraints = [
            models.UniqueConstraint(fields=["objectif", "ordre"], name="renvoi_unique_par_rang"),
            models.CheckConstraint(
                condition=(
                    Q(cible_objectif__isnull=False, cible_orientation__isnull=True)
                    | Q(cible_objectif__isnull=True, cible_orientation__isnull=False)
                ),
                name="renvoi_une_seule_cible",
            ),
        ]

    def __str__(self):
        return self.texte

    def clean(self):
        super().clean()
        cible = self.cible
        if cible is not None and self.objectif_id and cible.contrat_id != self.objectif.contrat_id:
            raise ValidationError("Un renvoi ne peut viser qu'un élément du même contrat.")
        if self.action_id and self.objectif_id and self.action.objectif_id != self.objectif_id:
            raise ValidationError("L'action du renvoi doit appartenir à l'objectif du renvoi.")

    @property
    def cible(self):
        return self.cible_objectif or self.cible_orientation

    @property
    def cible_code(self):
        return self.cible.code
