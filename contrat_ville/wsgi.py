"""WSGI entry point; production sets DJANGO_SETTINGS_MODULE=contrat_ville.settings.production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contrat_ville.settings.production")

application = get_wsgi_application()


def _verifier_fichiers_statiques():
    """Refuse to serve without collected static files: every page, 404s included, would fail.

    Outside DEBUG, templates name static files through the manifest written by
    ``collectstatic``; without it each page is a server error. Better stop at start.
    """
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
    from django.core.exceptions import ImproperlyConfigured

    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    if not staticfiles_storage.exists(staticfiles_storage.manifest_name):
        raise ImproperlyConfigured(
            f"Les fichiers statiques ne sont pas collectés dans {settings.STATIC_ROOT} : lancez "
            "« python manage.py collectstatic --noinput » avant de démarrer le serveur "
            "(voir README, « Processus à faire tourner en production »)."
        )


_verifier_fichiers_statiques()
