"""Tests: fast hashing, in-memory mail, plain static names (hashed names 404 under live_server)."""

import atexit
import os
import shutil
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
# One process (the live server's threads included): its memory is shared; cleared between tests.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
ALLOWED_HOSTS = ["*"]
PORTAIL_DEMO = False
# Tests sign staff in with force_login; those of the second factor set « obligatoire » themselves.
PORTAIL_DOUBLE_AUTHENTIFICATION = "facultative"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory connection: the live server of the browser tests
    # answers concurrent requests (autosave while a form is posted), each needs its own
    # connection, or their savepoints interleave.
    # In memory-backed /dev/shm when the machine has it, and without waiting for the disk at
    # each commit: a test database is thrown away, a crash cannot cost anything.
    _memoire = "/dev/shm" if os.path.isdir("/dev/shm") else None
    _dossier = tempfile.mkdtemp(prefix="portail-base-", dir=_memoire)
    atexit.register(shutil.rmtree, _dossier, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(_dossier, "tests.sqlite3")}  # noqa: F405
    DATABASES["default"]["OPTIONS"]["init_command"] += " PRAGMA synchronous=OFF;"  # noqa: F405
if os.environ.get("DATABASE_URL", "").startswith("postgres"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
    # Commits of the test database do not wait for the write-ahead log to reach the disk.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
