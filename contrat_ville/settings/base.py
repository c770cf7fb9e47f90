"""Settings shared by every environment, grouped by concern; secrets and host-specific values
come from the environment (see the README's table)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "oui", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------------

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "referentiel",
    "candidatures",
    "evaluation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Renews a signed-in session now and then, instead of saving it on every request.
    "candidatures.comptes.sessions.RenouvellementSession",
    "django.middleware.common.CommonMiddleware",
    "candidatures.commun.bornes.IdentifiantsBornes",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Tells whether the session passed the second factor (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Sends a signed-in account that owes its second factor to the code (or enrolment) page.
    "candidatures.comptes.second_facteur.middleware.SecondFacteurMiddleware",
    # A French « réservée au personnel » page for anyone else on a staff page.
    "evaluation.acces.PagesDuPersonnel",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns locked-out logins into a French page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "contrat_ville.urls"
WSGI_APPLICATION = "contrat_ville.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "contrat_ville.context_processors.portail",
            ],
        },
    },
]
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Database -----------------------------------------------------------------------------------

# DATABASE_URL selects PostgreSQL (postgres://user@host:5432/name); without it, SQLite in var/.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'portail.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA foreign_keys=ON; PRAGMA journal_mode=WAL;", "timeout": 20}
    )

# --- Cache ---------------------------------------------------------------------------------------

# "pages": rendered fragments that change rarely (the référentiel's catalogue, the queue's filter
# lists), kept under a version bumped by every change of their data. Files under VAR_DIR, so the
# workers of one machine share them (an edit shows at once in every worker) without any server.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("CACHE_PAGES_DIR", str(VAR_DIR / "cache" / "pages")),
        "TIMEOUT": 600,
    },
}

# --- Accounts and sign-in -------------------------------------------------------------------------

AUTH_USER_MODEL = "candidatures.Utilisateur"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "accueil"

# Login throttling: 5 failures for one (username, IP) pair lock that pair for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HEURES", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "comptes/verrouille.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Axes counts failures per e-mail address whatever its case, so an administrator can unlock it.
AXES_USERNAME_CALLABLE = "candidatures.comptes.axes.identifiant_connexion"
# The codes typed at the second step are never stored with the failed attempts.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# --- Security -------------------------------------------------------------------------------------

# Strict Content-Security-Policy: everything from our own origin, no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
# A session is saved only when something in it changes: a page that is only read writes nothing.
# It stays alive while it is used: it is renewed (one write) once this many seconds have passed
# since the last renewal, so an idle session ends between AGE - RENOUVELLEMENT and AGE.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENOUVELLEMENT = int(os.environ.get("SESSION_RENOUVELLEMENT", "1800"))

# --- Language and time ----------------------------------------------------------------------------

# The portal speaks French only, whatever language the browser asks for.
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
# Uploaded documents live outside the web root and are served only by permission-checked views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "documents"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
# Documents of a structure (statuts, RIB…): at most this many bytes each.
PORTAIL_DOCUMENT_TAILLE_MAX = int(os.environ.get("PORTAIL_DOCUMENT_TAILLE_MAX", "10485760"))

# --- Mail -----------------------------------------------------------------------------------------

# Django 6.1 mailers; production sends by SMTP configured from the environment.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": 20,
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Contrat de ville <ne-pas-repondre@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks -----------------------------------------------------------------------------

# django-tasks-db keeps the queue in the database; `manage.py db_worker` runs it (one worker
# process next to the web server): PDFs, e-mails, bilan and export files.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- The portal and its grantor -------------------------------------------------------------------

PORTAIL_NOM = os.environ.get("PORTAIL_NOM", "Contrat de ville d'Alès Agglomération")
# Absolute address of the portal, used in the links the e-mails carry (confirmation, invitation…).
PORTAIL_URL = os.environ.get("PORTAIL_URL", "http://127.0.0.1:8000").rstrip("/")
# The grantor named in decision letters and in the open-data export of granted subsidies (SCDL
# « subventions »: nomAttribuant, idAttribuant). ATTRIBUANT_SIRET must be Alès Agglomération's real
# 14-digit SIRET, set in the environment before anything is published; the default is a
# placeholder the programmation page flags.
ATTRIBUANT_NOM = os.environ.get("ATTRIBUANT_NOM", "Alès Agglomération")
ATTRIBUANT_SIRET_PROVISOIRE = "00000000000000"
ATTRIBUANT_SIRET = os.environ.get("ATTRIBUANT_SIRET", ATTRIBUANT_SIRET_PROVISOIRE)

# --- Second factor (TOTP application and recovery codes, django-otp) ----------------------------

# « obligatoire »: staff (instructeurs, comité, administrateurs, Django staff) enrol at their first
# sign-in and give a code at each one. « facultative »: nobody is forced (development only).
# In both modes an account that enrolled a device (a porteur who chose to) gives its code.
PORTAIL_DOUBLE_AUTHENTIFICATION = os.environ.get(
    "PORTAIL_DOUBLE_AUTHENTIFICATION", "obligatoire"
).strip().lower()
if PORTAIL_DOUBLE_AUTHENTIFICATION not in {"obligatoire", "facultative"}:
    raise ImproperlyConfigured(
        "PORTAIL_DOUBLE_AUTHENTIFICATION vaut « obligatoire » ou « facultative », "
        f"pas « {PORTAIL_DOUBLE_AUTHENTIFICATION} »."
    )
# The name authenticator applications show next to the codes.
OTP_TOTP_ISSUER = PORTAIL_NOM
# The Django admin of devices never shows their secret keys.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Logging --------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO; keep its warnings only.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}
