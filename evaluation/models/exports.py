"""Files built in the background and kept until their data change: what bilans and exports share.

``FichierGenere`` holds the state of one build (waiting, running, done, failed), its progress,
the fingerprint of the data it was built from and the file; ``GenerationExport`` is the one for
the exports of a call (queue XLSX/CSV, decision letters in bulk, SCDL), ``GenerationCompteRendu``
the compte rendu financier of one bilan.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class FichierGenere(models.Model):
    """A file built (in the background when large) and kept until its data change."""

    class Etat(models.TextChoices):
        EN_ATTENTE = "en_attente", "en attente"
        EN_COURS = "en_cours", "en cours"
        TERMINEE = "terminee", "terminée"
        ECHEC = "echec", "échec"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    empreinte = models.CharField("empreinte des données", max_length=64)
    etat = models.CharField("état", max_length=10, choices=Etat, default=Etat.EN_ATTENTE)
    progression = models.PositiveSmallIntegerField("progression (%)", default=0)
    message = models.TextField("message", blank=True)
    taille = models.PositiveBigIntegerField("taille (octets)", default=0)
    demandee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    demandee_le = models.DateTimeField("demandée le", default=timezone.now)
    terminee_le = models.DateTimeField("terminée le", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def est_terminee(self):
        return self.etat == self.Etat.TERMINEE and bool(self.fichier)

    @property
    def est_en_cours(self):
        return self.etat in (self.Etat.EN_ATTENTE, self.Etat.EN_COURS)


def chemin_export(instance, nom):
    return f"exports/{instance.pk}{PurePath(nom).suffix.lower()}"


class GenerationExport(FichierGenere):
    """An export of one call (with the queue's filters, if any) built in the background."""

    class Nature(models.TextChoices):
        FILE_XLSX = "file_xlsx", "liste des dossiers (Excel)"
        FILE_CSV = "file_csv", "liste des dossiers (CSV)"
        LETTRES = "lettres", "lettres de décision (archive ZIP)"
        SCDL = "scdl", "subventions accordées (SCDL)"

    nature = models.CharField("nature", max_length=10, choices=Nature)
    appel = models.ForeignKey(
        "candidatures.AppelAProjets", on_delete=models.CASCADE, related_name="+"
    )
    parametres = models.CharField("filtres", max_length=1000, blank=True)
    fichier = models.FileField("fichier", upload_to=chemin_export, blank=True)

    class Meta:
        verbose_name = "export"
        verbose_name_plural = "exports"
        ordering = ["-demandee_le"]
        indexes = [
            models.Index(fields=["appel", "nature", "parametres"], name="export_cible"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progression__lte=100), name="export_progression_pourcentage"
            ),
            models.CheckConstraint(
                condition=Q(etat__in=["en_attente", "en_cours", "terminee", "echec"]),
                name="export_etat_valide",
            ),
            models.CheckConstraint(
                condition=Q(nature__in=["file_xlsx", "file_csv", "lettres", "scdl"]),
                name="export_nature_valide",
            ),
        ]

    def __str__(self):
        return f"Export {self.get_nature_display()} — {self.appel_id}"


def chemin_compte_rendu(instance, nom):
    return f"comptes-rendus/{instance.pk}.pdf"


class GenerationCompteRendu(FichierGenere):
    """The compte rendu financier (Cerfa n°15059*02) of one bilan, built in the background."""

    bilan = models.ForeignKey(
        "evaluation.Bilan", on_delete=models.CASCADE, related_name="generations_compte_rendu"
    )
    fichier = models.FileField("fichier", upload_to=chemin_compte_rendu, blank=True)

    class Meta:
        verbose_name = "compte rendu financier (fichier)"
        verbose_name_plural = "comptes rendus financiers (fichiers)"
        ordering = ["-demandee_le"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progression__lte=100), name="compte_rendu_progression_pourcentage"
            ),
            models.CheckConstraint(
                condition=Q(etat__in=["en_attente", "en_cours", "terminee", "echec"]),
                name="compte_rendu_etat_valide",
            ),
        ]

    def __str__(self):
        return f"Compte rendu financier du bilan {self.bilan_id}"
