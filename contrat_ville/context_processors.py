"""Values every page needs: the portal's name, and the addresses of its frame."""

import functools
import re

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

# The pages and files every page links to (base.html and the navigation).
PAGES = (
    "accueil", "admin:index", "api_referentiel", "appels:courant", "appels:gestion",
    "bilans:liste", "bilans:tableau_de_bord", "comptes:connexion", "comptes:deconnexion",
    "comptes:inscription", "comptes:mon_compte", "comptes:roles", "donnees_ouvertes:index",
    "dossiers:liste", "evaluation:accueil", "evaluation:affectations", "referentiel:index",
    "structures:liste",
)
STATIQUES = (
    "css/portail.css", "favicon.ico", "img/icone.svg",
    "vendor/bootstrap-5.3.9/bootstrap.bundle.min.js", "vendor/bootstrap-5.3.9/bootstrap.min.css",
)


@functools.cache
def _liens(prefixe):
    """Reversed once per process (and script prefix), not on every page: ``{{
    PORTAIL_LIENS.referentiel_index }}``, ``{{ PORTAIL_LIENS.static_css_portail_css }}``."""
    liens = {nom.replace(":", "_"): reverse(nom) for nom in PAGES}
    liens.update({f"static_{re.sub(r'[^a-z0-9]', '_', chemin)}": static(chemin)
                  for chemin in STATIQUES})
    return liens


def portail(request):
    return {"PORTAIL_NOM": settings.PORTAIL_NOM, "PORTAIL_LIENS": _liens(get_script_prefix())}
