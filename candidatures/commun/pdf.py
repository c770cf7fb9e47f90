"""HTML to PDF with WeasyPrint: the dossiers, the decision letters and the bilans."""

import logging
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class RessourceRefusee(ValueError):
    """A PDF asked for something other than the portal's own static files."""


def dossiers_statiques():
    """The folders static files are served from: the only ones a PDF may read."""
    racines = [Path(settings.STATIC_ROOT)]
    for entree in settings.STATICFILES_DIRS:
        racines.append(Path(entree[1] if isinstance(entree, (list, tuple)) else entree))
    racines += [Path(s.location) for s in finders.AppDirectoriesFinder().storages.values()]
    return [r.resolve() for r in dict.fromkeys(racines)]


def verifier_ressource(url, racines):
    """Allow ``data:`` URIs and files under ``racines``; refuse everything else."""
    schema = urlsplit(url).scheme.lower()
    if schema == "data":
        return
    if schema == "file":
        chemin = Path(unquote(urlsplit(url).path)).resolve()
        if any(chemin.is_relative_to(racine) for racine in racines):
            return
    raise RessourceRefusee(f"Ressource refusée dans un PDF : {url[:200]}")


def fournisseur_restreint():
    """WeasyPrint's fetcher limited to the static files: no network, no other file."""
    from weasyprint.urls import URLFetcher

    racines = dossiers_statiques()

    class FournisseurStatique(URLFetcher):
        def fetch(self, url, headers=None):
            verifier_ressource(url, racines)
            return super().fetch(url, headers)

    return FournisseurStatique(allowed_protocols={"file", "data"}, allow_redirects=False)


def pdf_depuis_html(html, feuille_de_style):
    """WeasyPrint alone: ``html`` already built, ``feuille_de_style`` a static file's path."""
    # Imported on use: WeasyPrint takes about a second to import, and few requests print.
    from weasyprint import CSS, HTML

    fournisseur = fournisseur_restreint()
    return HTML(
        string=html, base_url=str(settings.BASE_DIR / "static"), url_fetcher=fournisseur
    ).write_pdf(
        stylesheets=[CSS(filename=finders.find(feuille_de_style), url_fetcher=fournisseur)]
    )


def rendre_pdf(gabarit, contexte, feuille_de_style, *, journal):
    """Render ``gabarit`` to PDF bytes; log ``journal`` (what was rendered), time and size."""
    debut = time.perf_counter()
    contenu = pdf_depuis_html(render_to_string(gabarit, contexte), feuille_de_style)
    logger.info(
        "%s rendu en %.2f s (%d octets)", journal, time.perf_counter() - debut, len(contenu)
    )
    return contenu
