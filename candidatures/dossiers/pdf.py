"""Render a dossier (or its récépissé de dépôt) to PDF."""

from django.conf import settings
from django.utils import timezone

from ..commun.pdf import rendre_pdf
from .selectors import resume_dossier


def rendre_dossier_pdf(dossier, *, recepisse=False):
    """Return the PDF bytes of the dossier summary."""
    return rendre_pdf(
        "dossiers/pdf.html",
        {
            **resume_dossier(dossier),
            "recepisse": recepisse,
            "genere_le": timezone.now(),
            "PORTAIL_NOM": settings.PORTAIL_NOM,
        },
        "css/dossier-pdf.css",
        journal=f"PDF du dossier {dossier.pk}",
    )
