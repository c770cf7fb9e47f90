"""Render a dossier (or its récépissé de dépôt) to PDF with WeasyPrint."""

import logging
import time

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)


def rendre_dossier_pdf(dossier, *, recepisse=False):
    """Return the PDF bytes of the dossier summary; log how long WeasyPrint took."""
    from weasyprint import CSS, HTML

    from .selectors import resume_dossier

    debut = time.perf_counter()
    html = render_to_string(
        "dossiers/pdf.html",
        {
            **resume_dossier(dossier),
            "recepisse": recepisse,
            "genere_le": timezone.now(),
            "PORTAIL_NOM": settings.PORTAIL_NOM,
        },
    )
    feuille = finders.find("css/dossier-pdf.css")
    contenu = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=feuille)]
    )
    logger.info(
        "PDF du dossier %s rendu en %.2f s (%d octets)",
        dossier.pk,
        time.perf_counter() - debut,
        len(contenu),
    )
    return contenu
