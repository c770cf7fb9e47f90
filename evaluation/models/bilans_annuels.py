"""The annual bilan of a contract's year as a document (cover, partners, logo, the comité's
comment) and the last aggregation of each scope, kept with the fingerprint of its data."""

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

PARTENAIRES_MAX = 2000
COMMENTAIRE_MAX = 3000


def chemin_logo_bilan(instance, nom):
    return f"bilans-logos/appel-{instance.appel_id}{PurePath(nom).suffix.lower()}"


class DocumentBilanAnnuel(models.Model):
    """What the annual bilan PDF of one call (a contract's year) adds to its figures.

    The administrators of the contract name the partners and upload the logo; the comité and
    the administrators write the comment printed before the figures.
    """

    appel = models.OneToOneField(
        "candidatures.AppelAProjets", on_delete=models.CASCADE, related_name="document_bilan",
        verbose_name="appel à projets",
    )
    partenaires = models.TextField(
        "partenaires du contrat", blank=True, max_length=PARTENAIRES_MAX,
        help_text="Un partenaire par ligne (État, communes, bailleurs, CAF…).",
    )
    commentaire = models.TextField(
        "commentaire du comité", blank=True, max_length=COMMENTAIRE_MAX,
        help_text="Quelques lignes imprimées en tête du bilan, avant les chiffres.",
    )
    logo = models.FileField("logo", upload_to=chemin_logo_bilan, blank=True, max_length=200)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "document du bilan annuel"
        verbose_name_plural = "documents des bilans annuels"
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("partenaires"), PARTENAIRES_MAX),
                name="document_bilan_partenaires_longueur",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("commentaire"), COMMENTAIRE_MAX),
                name="document_bilan_commentaire_longueur",
            ),
        ]

    def __str__(self):
        return f"Bilan annuel de {self.appel}"

    @property
    def liste_partenaires(self):
        return [ligne.strip() for ligne in self.partenaires.splitlines() if ligne.strip()]


class AgregatBilanAnnuel(models.Model):
    """The last aggregation of a scope (``Perimetre.cle``), valid while its fingerprint holds."""

    cle = models.CharField("périmètre", max_length=120, unique=True)
    contrat = models.ForeignKey(
        "referentiel.Contrat", on_delete=models.CASCADE, related_name="+"
    )
    empreinte = models.CharField(max_length=64)
    donnees = models.BinaryField()
    calcule_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "agrégat d'un bilan annuel"
        verbose_name_plural = "agrégats des bilans annuels"

    def __str__(self):
        return f"Agrégat {self.cle}"


class VersionAppel(models.Model):
    """A counter of a call that the database raises whenever what the call's pages show
    changes (triggers of ``evaluation.version_appel``); ``appel_id`` 0 counts the portal's
    changes (names, roles, calls). The call's version, the fingerprint of its programmation's
    totals and of its kept queue pages, is the sum of its counters: on PostgreSQL a
    transaction raises one no other transaction holds, so none waits for another.

    No foreign key: a row may outlive its call, and a trigger may write it while the call is
    being deleted. A row is never deleted (the sum must never come back to an old value).
    """

    appel_id = models.BigIntegerField("appel à projets", db_index=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "version des données d'un appel"
        verbose_name_plural = "versions des données des appels"

    def __str__(self):
        return f"Appel {self.appel_id} : compteur {self.pk} à {self.version}"
