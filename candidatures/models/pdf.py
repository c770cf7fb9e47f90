"""PDFs of a dossier built by the background worker and kept: the récépissé of each submission,
and the dossier's PDF for one version of its content."""

import secrets

from django.db import models
from django.utils import timezone

from .cycle import Statut
from .dossiers import Dossier


def chemin_pdf(instance, nom):
    """Under a random name, outside the web root: served only by permission-checked views."""
    return f"dossiers/{instance.dossier_id}/pdf/{secrets.token_hex(16)}.pdf"


class PdfDossier(models.Model):
    """One PDF of a dossier, asked for at a given version (and status) of the dossier.

    The row is created when the PDF is asked for (submission, or the « Préparer le PDF »
    button); the worker renders the file and fills ``fichier`` and ``produit_le``. A récépissé
    is e-mailed once, after it is stored (``envoye_le``).
    """

    class Nature(models.TextChoices):
        RECEPISSE = "recepisse", "récépissé de dépôt"
        DOSSIER = "dossier", "dossier"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pdfs")
    nature = models.CharField("nature", max_length=10, choices=Nature)
    version = models.PositiveIntegerField("version du dossier")
    statut = models.CharField("statut du dossier", max_length=20, choices=Statut)
    fichier = models.FileField("fichier", upload_to=chemin_pdf, blank=True)
    taille = models.PositiveIntegerField("taille (octets)", null=True, blank=True)
    demande_le = models.DateTimeField("demandé le", default=timezone.now)
    produit_le = models.DateTimeField("produit le", null=True, blank=True)
    envoye_le = models.DateTimeField("envoyé par courriel le", null=True, blank=True)

    class Meta:
        verbose_name = "PDF d'un dossier"
        verbose_name_plural = "PDF des dossiers"
        ordering = ["-demande_le", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "nature", "version", "statut"], name="pdf_dossier_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(nature__in=["recepisse", "dossier"]),
                name="pdf_dossier_nature_valide",
            ),
            # Produced means a file, and a file means produced.
            models.CheckConstraint(
                condition=(models.Q(produit_le__isnull=True) & models.Q(fichier=""))
                | (models.Q(produit_le__isnull=False) & ~models.Q(fichier="")),
                name="pdf_dossier_produit_avec_fichier",
            ),
            # Only a récépissé is e-mailed, and only once it exists.
            models.CheckConstraint(
                condition=models.Q(envoye_le__isnull=True)
                | models.Q(nature="recepisse", produit_le__isnull=False),
                name="pdf_dossier_envoi_recepisse_produit",
            ),
        ]

    def __str__(self):
        nature = self.get_nature_display().capitalize()
        return f"{nature} du dossier {self.dossier} (version {self.version})"

    @property
    def est_pret(self):
        return bool(self.fichier)
