"""Tests: fast hashing, in-memory mail, plain static names (hashed names 404 under live_server)."""

import os
import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "tests-uniquement"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="portail-tests-")
ALLOWED_HOSTS = ["*"]
PORTAIL_DEMO = False
# Tests sign staff in with force_login; those of the second factor set « obligatoire » themselves.
PORTAIL_DOUBLE_AUTHENTIFICATION = "facultative"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory connection: the live server of the browser tests
    # answers concurrent requests (autosave while a form is posted), each needs its own
    # connection, or their savepoints interleave.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.mkdtemp(prefix="portail-base-"), "tests.sqlite3")
    }
if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
