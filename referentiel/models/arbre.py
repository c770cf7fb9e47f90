"""The tree of a contract: pilier → orientation stratégique → objectif opérationnel → action.

Every level carries its contract (copied from its parent on save), so that a code is unique
within its contract — the database says so — and any level is reached from the contract in
one indexed lookup.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from .cles import ParContratManager
from .contrats import Contrat


class NoeudArbre(models.Model):
    contrat = models.ForeignKey(
        Contrat, on_delete=models.PROTECT, related_name="+", verbose_name="contrat de ville"
    )
    code = models.CharField("code", max_length=14)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = ParContratManager()

    # The field naming the parent level; None at the root (pilier).
    parent_champ = None

    class Meta:
        abstract = True
        ordering = ["ordre", "code"]

    def save(self, *args, **kwargs):
        if self.parent_champ and getattr(self, f"{self.parent_champ}_id"):
            self.contrat_id = self.parent.contrat_id
        super().save(*args, **kwargs)

    @property
    def parent(self):
        return getattr(self, self.parent_champ) if self.parent_champ else None

    def clean(self):
        super().clean()
        parent = self.parent if self.parent_champ and getattr(
            self, f"{self.parent_champ}_id") else None
        if parent is not None:
            self.contrat_id = parent.contrat_id
        if self.contrat_id and self.code:
            doublon = type(self).objects.filter(contrat_id=self.contrat_id, code=self.code)
            if doublon.exclude(pk=self.pk).exists():
                raise ValidationError(
                    {"code": f"Le code « {self.code} » existe déjà dans ce contrat."}
                )

    def natural_key(self):
        return (self.contrat.code, self.code)

    natural_key.dependencies = ["referentiel.contrat"]


def _unique_par_contrat(nom):
    return models.UniqueConstraint(fields=["contrat", "code"], name=f"{nom}_code_par_contrat")


class Pilier(NoeudArbre):
    contrat = models.ForeignKey(
        Contrat, on_delete=models.PROTECT, related_name="piliers", verbose_name="contrat de ville"
    )
    code = models.CharField("code", max_length=10)
    titre = models.CharField("titre", max_length=255)

    class Meta(NoeudArbre.Meta):
        verbose_name = "pilier"
        verbose_name_plural = "piliers"
        constraints = [_unique_par_contrat("pilier")]

    def __str__(self):
        return f"{self.code}. {self.titre}"


class Orientation(NoeudArbre):
    """Orientation stratégique."""

    pilier = models.ForeignKey(Pilier, on_delete=models.PROTECT, related_name="orientations")
    code = models.CharField("code", max_length=10)
    titre = models.CharField("titre", max_length=255)

    parent_champ = "pilier"

    class Meta(NoeudArbre.Meta):
        verbose_name = "orientation stratégique"
        verbose_name_plural = "orientations stratégiques"
        constraints = [_unique_par_contrat("orientation")]

    def __str__(self):
        return f"{self.code} {self.titre}"

    def get_absolute_url(self):
        url = reverse("referentiel:contrat", args=[self.contrat.code])
        return f"{url}#orientation-{self.code}"


class Objectif(NoeudArbre):
    """Objectif opérationnel: carries the cahier des charges and the evaluation indicators."""

    orientation = models.ForeignKey(Orientation, on_delete=models.PROTECT, related_name="objectifs")
    code = models.CharField("code", max_length=12)
    titre = models.CharField("titre", max_length=500)
    hors_appel_a_projets = models.BooleanField(
        "hors appel à projets",
        default=False,
        help_text="Aucune demande ne peut être déposée sur cet objectif.",
    )

    parent_champ = "orientation"

    class Meta(NoeudArbre.Meta):
        verbose_name = "objectif opérationnel"
        verbose_name_plural = "objectifs opérationnels"
        constraints = [_unique_par_contrat("objectif")]

    def __str__(self):
        return f"{self.code} {self.titre}"

    def get_absolute_url(self):
        return reverse("referentiel:objectif", args=[self.contrat.code, self.code])


class Action(NoeudArbre):
    """Fiche-action: the code (e.g. ``1.1.1.a``) a dossier is filed against."""

    objectif = models.ForeignKey(Objectif, on_delete=models.PROTECT, related_name="actions")
    code = models.CharField("code", max_length=14)
    libelle = models.TextField("libellé")

    parent_champ = "objectif"

    class Meta(NoeudArbre.Meta):
        verbose_name = "action"
        verbose_name_plural = "actions"
        constraints = [_unique_par_contrat("action")]

    def __str__(self):
        return f"{self.code} {self.libelle}"

    def get_absolute_url(self):
        return reverse(
            "referentiel:objectif", args=[self.contrat.code, self.objectif.code]
        ) + f"#action-{self.code}"
