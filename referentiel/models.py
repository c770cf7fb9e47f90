"""The contract's tree (pilier → orientation → objectif → action), its requirements and the QPV."""

from django.db import models
from django.db.models import Q
from django.urls import reverse


class CodeManager(models.Manager):
    """Reference rows are found by their code: the natural key used by fixtures and imports."""

    def get_by_natural_key(self, code):
        return self.get(code=code)


class Contrat(models.Model):
    code = models.SlugField("code", max_length=50, unique=True)
    nom = models.CharField("nom", max_length=255)
    territoire = models.CharField("territoire", max_length=255)
    annee_debut = models.PositiveSmallIntegerField("année de début")
    annee_fin = models.PositiveSmallIntegerField("année de fin")
    source = models.CharField("document source", max_length=255, blank=True)

    objects = CodeManager()

    class Meta:
        verbose_name = "contrat de ville"
        verbose_name_plural = "contrats de ville"
        constraints = [
            models.CheckConstraint(
                condition=Q(annee_fin__gte=models.F("annee_debut")),
                name="contrat_periode_ordonnee",
            )
        ]

    def __str__(self):
        return self.nom

    def natural_key(self):
        return (self.code,)


class Pilier(models.Model):
    contrat = models.ForeignKey(Contrat, on_delete=models.PROTECT, related_name="piliers")
    code = models.CharField("code", max_length=10, unique=True)
    titre = models.CharField("titre", max_length=255)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = CodeManager()

    class Meta:
        verbose_name = "pilier"
        verbose_name_plural = "piliers"
        ordering = ["ordre", "code"]

    def __str__(self):
        return f"{self.code}. {self.titre}"

    def natural_key(self):
        return (self.code,)


class Orientation(models.Model):
    """Orientation stratégique."""

    pilier = models.ForeignKey(Pilier, on_delete=models.PROTECT, related_name="orientations")
    code = models.CharField("code", max_length=10, unique=True)
    titre = models.CharField("titre", max_length=255)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = CodeManager()

    class Meta:
        verbose_name = "orientation stratégique"
        verbose_name_plural = "orientations stratégiques"
        ordering = ["ordre", "code"]

    def __str__(self):
        return f"{self.code} {self.titre}"

    def get_absolute_url(self):
        return reverse("referentiel:index") + f"#orientation-{self.code}"

    def natural_key(self):
        return (self.code,)


class Objectif(models.Model):
    """Objectif opérationnel: carries the cahier des charges and the evaluation indicators."""

    orientation = models.ForeignKey(Orientation, on_delete=models.PROTECT, related_name="objectifs")
    code = models.CharField("code", max_length=12, unique=True)
    titre = models.CharField("titre", max_length=500)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    hors_appel_a_projets = models.BooleanField(
        "hors appel à projets",
        default=False,
        help_text="Aucune demande ne peut être déposée sur cet objectif.",
    )

    objects = CodeManager()

    class Meta:
        verbose_name = "objectif opérationnel"
        verbose_name_plural = "objectifs opérationnels"
        ordering = ["ordre", "code"]

    def __str__(self):
        return f"{self.code} {self.titre}"

    def get_absolute_url(self):
        return reverse("referentiel:objectif", args=[self.code])

    def natural_key(self):
        return (self.code,)


class Action(models.Model):
    """Fiche-action: the code (e.g. ``1.1.1.a``) a dossier is filed against."""

    objectif = models.ForeignKey(Objectif, on_delete=models.PROTECT, related_name="actions")
    code = models.CharField("code", max_length=14, unique=True)
    libelle = models.TextField("libellé")
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = CodeManager()

    class Meta:
        verbose_name = "action"
        verbose_name_plural = "actions"
        ordering = ["ordre", "code"]

    def __str__(self):
        return f"{self.code} {self.libelle}"

    def get_absolute_url(self):
        return reverse("referentiel:objectif", args=[self.objectif.code]) + f"#action-{self.code}"

    def natural_key(self):
        return (self.code,)


class LigneObjectifManager(models.Manager):
    def get_by_natural_key(self, objectif_code, ordre):
        return self.get(objectif__code=objectif_code, ordre=ordre)


class LigneObjectif(models.Model):
    """An ordered row attached to an objective; (objective code, rank) is its natural key."""

    objectif = models.ForeignKey(Objectif, on_delete=models.PROTECT)
    ordre = models.PositiveSmallIntegerField("ordre")

    objects = LigneObjectifManager()

    class Meta:
        abstract = True
        ordering = ["objectif_id", "ordre"]

    def natural_key(self):
        return (self.objectif.code, self.ordre)

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

    @property
    def cible(self):
        return self.cible_objectif or self.cible_orientation

    @property
    def cible_code(self):
        return self.cible.code


class QuartierPrioritaire(models.Model):
    """Quartier prioritaire (QPV), dated: each generation of QPV replaces the previous one."""

    code = models.SlugField("identifiant", max_length=60, unique=True)
    nom = models.CharField("nom", max_length=255)
    commune = models.CharField("commune", max_length=120)
    code_officiel = models.CharField(
        "code officiel",
        max_length=10,
        blank=True,
        help_text="Code national du QPV (QP030xxx), quand il est connu.",
    )
    secteurs = models.TextField("secteurs", blank=True)
    valide_du = models.DateField("valide du")
    valide_au = models.DateField("valide au", null=True, blank=True)

    objects = CodeManager()

    class Meta:
        verbose_name = "quartier prioritaire"
        verbose_name_plural = "quartiers prioritaires"
        ordering = ["commune", "nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["code_officiel"],
                condition=~Q(code_officiel=""),
                name="qpv_code_officiel_unique",
            ),
            models.CheckConstraint(
                condition=Q(valide_au__isnull=True) | Q(valide_au__gte=models.F("valide_du")),
                name="qpv_periode_ordonnee",
            ),
        ]

    def __str__(self):
        return self.nom if self.nom == self.commune else f"{self.nom} ({self.commune})"

    def natural_key(self):
        return (self.code,)
