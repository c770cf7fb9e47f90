"""Territories, generations of contracts, the contracts themselves and their QPV."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from .cles import CodeManager

SIREN = RegexValidator(r"^\d{9}$", "Le SIREN comporte 9 chiffres.", code="siren_format")


class Territoire(models.Model):
    """The local authority a contract is signed for (an EPCI, a commune…)."""

    class Type(models.TextChoices):
        EPCI = "EPCI", "intercommunalité (EPCI)"
        COMMUNE = "commune", "commune"
        AUTRE = "autre", "autre"

    code = models.SlugField("code", max_length=60, unique=True)
    nom = models.CharField("nom", max_length=255)
    type = models.CharField("type", max_length=10, choices=Type, default=Type.EPCI)
    siren = models.CharField(
        "SIREN", max_length=9, blank=True, validators=[SIREN],
        help_text="Laissé vide tant qu'il n'est pas vérifié.",
    )

    objects = CodeManager()

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        ordering = ["nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=["EPCI", "commune", "autre"]), name="territoire_type_valide"
            ),
        ]

    def __str__(self):
        return self.nom

    def natural_key(self):
        return (self.code,)


class Generation(models.Model):
    """A generation of contracts: « Contrat de ville 2015–2023 », « Engagements Quartiers 2030 »."""

    code = models.SlugField("code", max_length=60, unique=True)
    nom = models.CharField("nom", max_length=255)
    annee_debut = models.PositiveSmallIntegerField("année de début")
    annee_fin = models.PositiveSmallIntegerField("année de fin")

    objects = CodeManager()

    class Meta:
        verbose_name = "génération de contrats"
        verbose_name_plural = "générations de contrats"
        ordering = ["annee_debut", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annee_fin__gte=models.F("annee_debut")),
                name="generation_periode_ordonnee",
            )
        ]

    def __str__(self):
        return self.nom

    def natural_key(self):
        return (self.code,)


class ContratQuerySet(models.QuerySet):
    def par_defaut(self):
        """The default contract: the one flagged as such, else the oldest (None when empty)."""
        return self.order_by("-par_defaut", "annee_debut", "pk").first()


class ContratManager(CodeManager.from_queryset(ContratQuerySet)):
    pass


class Contrat(models.Model):
    """The root of a tree: one contract of one territory, for one generation."""

    code = models.SlugField("code", max_length=50, unique=True)
    nom = models.CharField("nom", max_length=255)
    territoire = models.ForeignKey(
        Territoire, on_delete=models.PROTECT, related_name="contrats", verbose_name="territoire"
    )
    generation = models.ForeignKey(
        Generation, on_delete=models.PROTECT, related_name="contrats", verbose_name="génération"
    )
    annee_debut = models.PositiveSmallIntegerField("année de début")
    annee_fin = models.PositiveSmallIntegerField("année de fin")
    source = models.CharField("document source", max_length=255, blank=True)
    par_defaut = models.BooleanField(
        "contrat par défaut",
        default=False,
        help_text="Celui que servent /api/referentiel.json et le catalogue sans code de contrat.",
    )
    quartiers = models.ManyToManyField(
        "QuartierPrioritaire", blank=True, related_name="contrats",
        verbose_name="quartiers prioritaires",
    )

    objects = ContratManager()

    class Meta:
        verbose_name = "contrat de ville"
        verbose_name_plural = "contrats de ville"
        ordering = ["territoire__nom", "-annee_debut", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annee_fin__gte=models.F("annee_debut")),
                name="contrat_periode_ordonnee",
            ),
            models.UniqueConstraint(
                fields=["par_defaut"],
                condition=Q(par_defaut=True),
                name="contrat_un_seul_par_defaut",
            ),
        ]

    def __str__(self):
        return self.nom

    def get_absolute_url(self):
        return reverse("referentiel:contrat", args=[self.code])

    def natural_key(self):
        return (self.code,)

    @property
    def periode(self):
        return f"{self.annee_debut}–{self.annee_fin}"


class QuartierManager(models.Manager):
    def get_by_natural_key(self, generation_code, code):
        return self.get(generation__code=generation_code, code=code)


class QuartierPrioritaire(models.Model):
    """Quartier prioritaire (QPV) of one generation: each generation replaces the previous list."""

    generation = models.ForeignKey(
        Generation, on_delete=models.PROTECT, related_name="quartiers", verbose_name="génération"
    )
    code = models.SlugField("identifiant", max_length=60)
    nom = models.CharField("nom", max_length=255)
    commune = models.CharField(
        "commune(s)", max_length=255,
        help_text="Pour un quartier intercommunal, les communes séparées par des virgules.",
    )
    code_officiel = models.CharField(
        "code officiel",
        max_length=10,
        blank=True,
        help_text="Code national du QPV (QP030xxx, QN03xxxx), quand il est vérifié.",
    )
    secteurs = models.TextField("secteurs", blank=True)
    valide_du = models.DateField("valide du")
    valide_au = models.DateField("valide au", null=True, blank=True)

    objects = QuartierManager()

    class Meta:
        verbose_name = "quartier prioritaire"
        verbose_name_plural = "quartiers prioritaires"
        ordering = ["commune", "nom"]
        constraints = [
            models.UniqueConstraint(fields=["generation", "code"], name="qpv_code_par_generation"),
            models.UniqueConstraint(
                fields=["generation", "code_officiel"],
                condition=~Q(code_officiel=""),
                name="qpv_code_officiel_unique",
            ),
            models.CheckConstraint(
                condition=Q(valide_au__isnull=True) | Q(valide_au__gte=models.F("valide_du")),
                name="qpv_periode_ordonnee",
            ),
        ]

    def __str__(self):
        return self.libelle(self.nom, self.commune)

    @staticmethod
    def libelle(nom, commune):
        """How a quartier is named (``str``), from the columns alone."""
        return nom if nom == commune else f"{nom} ({commune})"

    def natural_key(self):
        return (*self.generation.natural_key(), self.code)

    natural_key.dependencies = ["referentiel.generation"]
