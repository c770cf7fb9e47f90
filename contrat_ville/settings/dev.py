"""Development: the zero-setup default (SQLite in var/, e-mails written to var/courriels)."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = os.environ.get("DEBUG", "1") != "0"
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-uniquement-ne-jamais-utiliser-en-production"
if "EMAIL_HOST" not in os.environ:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "courriels")},
        }
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The second factor is optional here, so the demo accounts sign in with their password alone
# (docs/double-authentification.md); PORTAIL_DOUBLE_AUTHENTIFICATION=obligatoire tries it out.
PORTAIL_DOUBLE_AUTHENTIFICATION = os.environ.get(
    "PORTAIL_DOUBLE_AUTHENTIFICATION", "facultative"
).strip().lower()
# Demo accounts and structure are created by `manage.py demo`, only where this is true.
PORTAIL_DEMO = True
