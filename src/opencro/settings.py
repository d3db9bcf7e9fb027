"""Django settings for OpenCRO, read from the environment.

`DATABASE_URL` picks PostgreSQL (production) over the embedded SQLite file; `OPENCRO_REDIS_URL`
moves the cache to Redis; `OPENCRO_BROKER_URL` sends background jobs to Celery workers.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("OPENCRO_VAR_DIR", Path.cwd() / "var")).resolve()


def _secret_key() -> str:
    """Use OPENCRO_SECRET_KEY, else a key kept in var/ so every worker on this host shares it."""
    if key := os.environ.get("OPENCRO_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("OPENCRO_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("OPENCRO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("OPENCRO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "opencro.core",
    "opencro.accounts",
    "opencro.audit",
    "opencro.studies",
    "opencro.subjects",
    "opencro.startup",
    "opencro.sites",
    "opencro.recruitment",
    "opencro.followup",
    "opencro.monitoring",
    "opencro.analysis",
    "opencro.edc",
    "opencro.coding",
    "opencro.design",
    "opencro.rtsm",
    "opencro.safety",
    "opencro.documents",
    "opencro.regulatory",
    "opencro.partnership",
    "opencro.payments",
    "opencro.closeout",
    "opencro.jobs",
    "opencro.notices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",  # before IdleTimeout, which leaves a message
    "opencro.accounts.middleware.IdleTimeoutMiddleware",
    "opencro.accounts.middleware.UserPreferencesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "opencro.urls"
WSGI_APPLICATION = "opencro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opencro.core.context_processors.navigation",
            ],
        },
    }
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'opencro.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers, which keeps the audit hash chain linear. WAL lets pages
    # read while a long import writes (synchronous stays FULL: a committed transaction survives a power
    # cut); a 64 MB page cache keeps the indexes of a million-row import in memory. OPENCRO_SQLITE_SYNCHRONOUS=OFF
    # is for throwaway databases only (a test's fresh file: migrating it waits on hundreds of disk flushes).
    _synchronous = os.environ.get("OPENCRO_SQLITE_SYNCHRONOUS", "FULL").upper()
    if _synchronous not in ("FULL", "NORMAL", "OFF"):
        raise ImproperlyConfigured("OPENCRO_SQLITE_SYNCHRONOUS is FULL (the default), NORMAL or OFF.")
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={_synchronous}; PRAGMA cache_size=-65536",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# E-mail (emergency unblinding and other notices): SMTP on OPENCRO_SMTP_HOST (default localhost:25), or
# OPENCRO_EMAIL=console to print messages instead (development). Links in e-mails use OPENCRO_BASE_URL.
_SMTP = {
    "host": os.environ.get("OPENCRO_SMTP_HOST", "localhost"),
    "port": int(os.environ.get("OPENCRO_SMTP_PORT", "25")),
    "username": os.environ.get("OPENCRO_SMTP_USER", ""),
    "password": os.environ.get("OPENCRO_SMTP_PASSWORD", ""),
    "use_tls": os.environ.get("OPENCRO_SMTP_TLS", "") == "1",
    "timeout": 10,
}
MAILERS = {
    "default": (
        {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
        if os.environ.get("OPENCRO_EMAIL") == "console"
        else {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": _SMTP}
    )
}
DEFAULT_FROM_EMAIL = os.environ.get("OPENCRO_EMAIL_FROM", "OpenCRO <opencro@localhost>")
OPENCRO_BASE_URL = os.environ.get("OPENCRO_BASE_URL", "")
# Visit reminders (opencro.followup): a backend class per channel, checked at start-up. Console by default
# (the message is logged, nothing leaves); OPENCRO_REMINDER_EMAIL=smtp mails through MAILERS above;
# OPENCRO_SMS_GATEWAY_URL (https) and OPENCRO_SMS_GATEWAY_TOKEN send SMS through an HTTP gateway.
_REMINDERS = "opencro.followup.backends."
OPENCRO_REMINDER_BACKENDS = {
    "email": _REMINDERS
    + ("SmtpEmailBackend" if os.environ.get("OPENCRO_REMINDER_EMAIL") == "smtp" else "ConsoleBackend"),
    "sms": _REMINDERS + ("HttpSmsBackend" if os.environ.get("OPENCRO_SMS_GATEWAY_URL") else "ConsoleBackend"),
}
OPENCRO_SMS_GATEWAY_URL = os.environ.get("OPENCRO_SMS_GATEWAY_URL", "")
OPENCRO_SMS_GATEWAY_TOKEN = os.environ.get("OPENCRO_SMS_GATEWAY_TOKEN", "")
# Safety (opencro.safety): the ICH E2B(R3) schema folder the user supplies (the one holding multicacheschemas/);
# when set, every ICSR OpenCRO writes or reads is also validated against it. The sender of ICSRs (C.3, N.1.3).
OPENCRO_E2B_SCHEMAS = os.environ.get("OPENCRO_E2B_SCHEMAS", "")
OPENCRO_E2B_SENDER = {
    "id": os.environ.get("OPENCRO_E2B_SENDER_ID", "OPENCRO"),
    "organisation": os.environ.get("OPENCRO_E2B_SENDER_ORGANISATION", "OpenCRO"),
    "country": os.environ.get("OPENCRO_E2B_SENDER_COUNTRY", "US"),
    "type": os.environ.get("OPENCRO_E2B_SENDER_TYPE", "1"),  # C.3.1: 1 pharmaceutical company, 2 regulator ...
    # the sender's contact (C.3.3, C.3.4), which FDA requires: OPENCRO_E2B_SENDER_DEPARTMENT, _GIVEN, _FAMILY ...
    **{
        key: os.environ.get(f"OPENCRO_E2B_SENDER_{key.upper()}", "")
        for key in (
            "department",
            "title",
            "given",
            "family",
            "street",
            "city",
            "state",
            "postcode",
            "telephone",
            "fax",
            "email",
        )
    },
}

# Documents (opencro.documents): where document bodies are kept, by SHA-256 and never overwritten. A local folder
# by default; any S3-compatible store (AWS S3, MinIO, Ceph) when OPENCRO_DOCUMENTS_S3_BUCKET is set (pip extra
# `s3`), with OPENCRO_DOCUMENTS_S3_ENDPOINT_URL, _REGION, _ACCESS_KEY, _SECRET_KEY and _PREFIX.
if os.environ.get("OPENCRO_DOCUMENTS_S3_BUCKET"):
    OPENCRO_DOCUMENT_STORE = {
        "BACKEND": "s3",
        "BUCKET": os.environ["OPENCRO_DOCUMENTS_S3_BUCKET"],
        **{
            key: os.environ[f"OPENCRO_DOCUMENTS_S3_{key}"]
            for key in ("ENDPOINT_URL", "REGION", "ACCESS_KEY", "SECRET_KEY", "PREFIX")
            if os.environ.get(f"OPENCRO_DOCUMENTS_S3_{key}")
        },
    }
else:
    OPENCRO_DOCUMENT_STORE = {
        "BACKEND": "local",
        "ROOT": os.environ.get("OPENCRO_DOCUMENTS_DIR", str(VAR_DIR / "documents")),
    }

# eCTD (opencro.regulatory.ectd): the applicant of US sequences (FDA Module 1 applicant-info and contact) when a
# study has built none yet: OPENCRO_ECTD_APPLICANT_ID (DUNS), _COMPANY, _CONTACT_NAME, _CONTACT_PHONE, _CONTACT_EMAIL.
OPENCRO_ECTD_APPLICANT = {
    key: os.environ.get(f"OPENCRO_ECTD_APPLICANT_{key.upper()}", "")
    for key in ("id", "company", "contact_name", "contact_phone", "contact_email")
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["opencro.accounts.backends.LockoutModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "studies:list"
LOGOUT_REDIRECT_URL = "accounts:login"

OPENCRO_LOCKOUT_ATTEMPTS = int(os.environ.get("OPENCRO_LOCKOUT_ATTEMPTS", "5"))
OPENCRO_SESSION_IDLE_MINUTES = int(os.environ.get("OPENCRO_SESSION_IDLE_MINUTES", "30"))
OPENCRO_SESSION_STAMP_SECONDS = 30  # the last activity is written to the session at most this often
OPENCRO_BROKER_URL = os.environ.get("OPENCRO_BROKER_URL", "")
OPENCRO_REDIS_URL = os.environ.get("OPENCRO_REDIS_URL", "")
# Background jobs: name -> "module:attribute" of a JobDefinition (checked by opencro.jobs.checks).
OPENCRO_JOBS = {
    "audit.verify": "opencro.jobs.builtin:AUDIT_VERIFY",
    "edc.run_checks": "opencro.edc.jobs:RUN_CHECKS",
    "edc.import_data": "opencro.edc.jobs:IMPORT_DATA",
    "edc.export_odm": "opencro.edc.jobs:EXPORT_ODM",
    "edc.export_tables": "opencro.edc.jobs:EXPORT_TABLES",
    "rtsm.resupply": "opencro.rtsm.jobs:RESUPPLY",
    "followup.remind": "opencro.followup.jobs:REMIND",
    "safety.signals": "opencro.safety.jobs:SIGNALS",
    "analysis.package": "opencro.analysis.jobs:PACKAGE",
    "regulatory.ectd_build": "opencro.regulatory.jobs:ECTD_BUILD",
    "regulatory.ethics_reminders": "opencro.regulatory.jobs:ETHICS_REMINDERS",
    "partnership.status_reports": "opencro.partnership.jobs:STATUS_REPORTS",
}
OPENCRO_JOBS_EAGER = os.environ.get("OPENCRO_JOBS_EAGER", "") == "1"  # run jobs synchronously, in the caller
OPENCRO_JOBS_QUEUE = os.environ.get("OPENCRO_JOBS_QUEUE", "opencro")  # Celery queue the workers consume

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
_secure = os.environ.get("OPENCRO_SECURE_COOKIES", "") == "1"
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
if _secure:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
}

if OPENCRO_REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": OPENCRO_REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "opencro_cache"}}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("ja", _("Japanese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
FORMAT_MODULE_PATH = ["opencro.core.locale_formats"]
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from here after collectstatic
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("OPENCRO_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 100
