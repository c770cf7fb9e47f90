"""Render the decision letter (notification d'attribution or de refus) to PDF with WeasyPrint."""

import logging
import time

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def rendre_lettre(decision):
    """Return the PDF bytes of the letter; it depends only on the decision's recorded data."""
    from weasyprint import CSS, HTML

    debut = time.perf_counter()
    dossier = decision.dossier
    html = render_to_string(
        "evaluation/lettre_decision.html",
        {
            "decision": decision,
            "dossier": dossier,
            "structure": dossier.structure,
            "action": dossier.action_principale,
            "ATTRIBUANT_NOM": settings.ATTRIBUANT_NOM,
            "PORTAIL_NOM": settings.PORTAIL_NOM,
        },
    )
    feuille = finders.find("css/evaluation-lettre.css")
    contenu = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=feuille)]
    )
    logger.info(
        "Lettre de décision du dossier %s rendue en %.2f s (%d octets)",
        dossier.pk, time.perf_counter() - debut, len(contenu),
    )
    return contenu
