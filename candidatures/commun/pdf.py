"""HTML to PDF with WeasyPrint: the dossiers, the decision letters and the bilans."""

import logging
import time

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def pdf_depuis_html(html, feuille_de_style):
    """WeasyPrint alone: ``html`` already built, ``feuille_de_style`` a static file's path."""
    # Imported on use: WeasyPrint takes about a second to import, and few requests print.
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=finders.find(feuille_de_style))]
    )


def rendre_pdf(gabarit, contexte, feuille_de_style, *, journal):
    """Render ``gabarit`` to PDF bytes; log ``journal`` (what was rendered), time and size."""
    debut = time.perf_counter()
    contenu = pdf_depuis_html(render_to_string(gabarit, contexte), feuille_de_style)
    logger.info(
        "%s rendu en %.2f s (%d octets)", journal, time.perf_counter() - debut, len(contenu)
    )
    return contenu
