"""Calls for projects: the yearly call, its envelope per pilier, its documents, its numbering."""

from django.db import models
from django.utils import timezone

from ..commun.formats import euros


class AppelAProjetsQuerySet(models.QuerySet):
    def ouverts(self, maintenant=None):
        maintenant = maintenant or timezone.now()
        return self.filter(ouverture__lte=maintenant, cloture__gt=maintenant)

    def courant(self, maintenant=None):
        """Return the open call, else the next one to open, else the last one closed (or None)."""
        maintenant = maintenant or timezone.now()
        return (
            self.ouverts(maintenant).order_by("cloture").first()
            or self.filter(ouverture__gt=maintenant).order_by("ouverture").first()
            or self.order_by("-cloture").first()
        )

    def pour_le_personnel(self, user, *roles):
        """Calls of the contracts where the user holds one of ``roles`` (any staff role if none);
        every call for a portal-wide administrator, none for anybody else."""
        if not user.is_authenticated:
            return self.none()
        ids = user.contrats_ids(*roles)
        return self.all() if ids is None else self.filter(contrat_id__in=ids)


class AppelAProjets(models.Model):
    """A yearly call for projects; its state (à venir, ouvert, clos) follows from its dates."""

    class Etat(models.TextChoices):
        A_VENIR = "a_venir", "à venir"
        OUVERT = "ouvert", "ouvert"
        CLOS = "clos", "clos"

    contrat = models.ForeignKey(
        "referentiel.Contrat", on_delete=models.PROTECT, related_name="appels",
        verbose_name="contrat de ville",
    )
    annee = models.PositiveSmallIntegerField("année")
    titre = models.CharField("titre", max_length=255)
    presentation = models.TextField("présentation", blank=True)
    ouverture = models.DateTimeField("ouverture des dépôts")
    cloture = models.DateTimeField(
        "clôture des dépôts",
        help_text="Heure de Paris. Plus aucun dépôt à partir de cet instant.",
    )
    enveloppe_totale = models.PositiveIntegerField(
        "enveloppe indicative (€)", null=True, blank=True
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    objects = AppelAProjetsQuerySet.as_manager()

    class Meta:
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        ordering = ["-annee"]
        constraints = [
            models.UniqueConstraint(fields=["contrat", "annee"], name="appel_un_par_an"),
            models.CheckConstraint(
                condition=models.Q(cloture__gt=models.F("ouverture")),
                name="appel_cloture_apres_ouverture",
            ),
        ]

    def __str__(self):
        return f"{self.titre} ({self.annee})"

    def etat(self, maintenant=None):
        maintenant = maintenant or timezone.now()
        if maintenant < self.ouverture:
            return self.Etat.A_VENIR
        if maintenant < self.cloture:
            return self.Etat.OUVERT
        return self.Etat.CLOS

    def est_ouvert(self, maintenant=None):
        return self.etat(maintenant) == self.Etat.OUVERT

    @property
    def etat_libelle(self):
        return self.Etat(self.etat()).label


class EnveloppePilier(models.Model):
    appel = models.ForeignKey(AppelAProjets, on_delete=models.CASCADE, related_name="enveloppes")
    pilier = models.ForeignKey("referentiel.Pilier", on_delete=models.PROTECT)
    montant = models.PositiveIntegerField("enveloppe indicative (€)")

    class Meta:
        verbose_name = "enveloppe par pilier"
        verbose_name_plural = "enveloppes par pilier"
        constraints = [
            models.UniqueConstraint(fields=["appel", "pilier"], name="enveloppe_unique_par_pilier")
        ]

    def __str__(self):
        return f"{self.pilier} : {euros(self.montant)}"


class DocumentAppel(models.Model):
    """A document of the call (règlement, notice…), public like the call."""

    appel = models.ForeignKey(AppelAProjets, on_delete=models.CASCADE, related_name="documents")
    titre = models.CharField("titre", max_length=255)
    fichier = models.FileField("fichier", upload_to="appels/%Y/")
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "document de l'appel"
        verbose_name_plural = "documents de l'appel"
        ordering = ["ordre", "pk"]

    def __str__(self):
        return self.titre


class CompteurReferences(models.Model):
    """One row per call, locked while a reference is drawn so that numbers never repeat."""

    appel = models.OneToOneField(
        AppelAProjets, on_delete=models.CASCADE, primary_key=True, related_name="compteur"
    )
    dernier_numero = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "compteur de références"
        verbose_name_plural = "compteurs de références"

    def __str__(self):
        return f"{self.appel} : {self.dernier_numero}"
