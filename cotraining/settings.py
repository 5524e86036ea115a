"""Settings for cotraining, read from the environment with safe defaults.

- No DATABASE_URL: SQLite in the project folder. With it: PostgreSQL through psycopg 3.
- No REDIS_URL (nor CELERY_BROKER_URL): tasks run eagerly in-process and the cache is local memory.
  With it: Redis is the Celery broker and the cache, and a real worker builds the reports.
- DEBUG is off unless DJANGO_DEBUG=1 (``make demo`` sets it); with DEBUG off a real
  DJANGO_SECRET_KEY is required.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
    elif os.environ.get("COTRAINING_OFFLINE_COMMAND"):
        # A management command that serves nothing (migrate, makemigrations --check, shell...):
        # a throw-away key, so that nothing it might sign is valid anywhere else.
        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DEBUG is off (set DJANGO_DEBUG=1 for development)."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "cotraining",
    "programmes",
    "participants",
    "sessions.apps.TrainingConfig",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cotraining.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cotraining.middleware.LocaleMiddleware",  # Django's, without looking in the address
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "cotraining.middleware.AuthenticationMiddleware",  # Django's, the user read at once
    "cotraining.middleware.SessionRenewalMiddleware",
    "cotraining.middleware.KeptFiguresMiddleware",  # GET and HEAD read kept figures
    "cotraining.middleware.PublicFormThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cotraining.middleware.HtmxLoginRedirectMiddleware",
    "cotraining.middleware.DomainErrorMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cotraining.urls"
WSGI_APPLICATION = "cotraining.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite by default, PostgreSQL (psycopg 3) when DATABASE_URL is set.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL parses and plans each statement it receives; for the small reads of a page that costs
# more than answering them. With the values sent apart from the SQL (server-side binding) the
# same statement has the same text on every request, so psycopg prepares it on the server
# once it has been seen DJANGO_DB_PREPARE_THRESHOLD times on a connection and then sends only
# its name and values. "off" keeps Django's default (values bound in the client, nothing
# prepared), e.g. behind a pooler in transaction mode that cannot keep prepared statements.
_prepare_threshold = os.environ.get("DJANGO_DB_PREPARE_THRESHOLD", "2").strip().lower()
_postgresql = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if _postgresql and _prepare_threshold not in {"", "off"}:
    # At least 1: psycopg learns from a statement's first run whether it holds several commands
    # (a migration's SQL), which cannot be prepared; 0 would prepare it before knowing.
    if not _prepare_threshold.isdigit() or int(_prepare_threshold) < 1:
        raise ImproperlyConfigured(
            "DJANGO_DB_PREPARE_THRESHOLD must be a whole number from 1, or off."
        )
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": int(_prepare_threshold),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is paused for the cool-off, then tries again freely; never a
# permanent lockout, and a pause does not grow while it is being hammered.
# Passwords are checked by Django's ModelBackend; LOGIN_BACKEND, its subclass, only reads the
# signed-in user of each request more cheaply. The pages that sign someone in themselves (an
# accepted invitation, a city's new account) name it.
LOGIN_BACKEND = "cotraining.auth.UserBackend"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", LOGIN_BACKEND]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "cotraining.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "programmes.network.client_ip"
AXES_VERBOSE = False
# The city sign-up (public, makes accounts): posts per client address and hour.
SIGNUP_ATTEMPTS_PER_HOUR = int(os.environ.get("DJANGO_SIGNUP_ATTEMPTS_PER_HOUR", "20"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: French first, English second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

# Static files: our own in static/; Bootstrap, htmx, signature_pad and idb-keyval from node_modules
# (installed by npm ci).
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/signature_pad", NODE_MODULES / "signature_pad" / "dist"),
    ("vendor/idb-keyval", NODE_MODULES / "idb-keyval" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_FILE_STORAGE", "django.core.files.storage.FileSystemStorage"
        )
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("DJANGO_PLAIN_STATIC")
            # WhiteNoise's hashed and compressed files, each address worked out once per process
            else "cotraining.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env_bool("DJANGO_PLAIN_STATIC")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Redis: Celery broker and cache when REDIS_URL is set; eager tasks and local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker, a task's retries run in place instead of surfacing as an exception in the web
# request that queued it; the report task records every outcome on its run.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True  # status lives in the database, not in a result backend
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "600"))
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_MEMORY_KB", "600000"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits for Redis as long as it is away (Celery gives up after 100 tries by default)...
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# ...and survives its going away: kombu's Redis transport, fixed (see cotraining/broker.py).
if CELERY_BROKER_URL.partition("://")[0] in {"redis", "rediss"}:
    CELERY_BROKER_TRANSPORT = "cotraining.broker:Transport"
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
# Publishing must fail fast when Redis is down or frozen (it accepts the connection and never
# answers), so a web request never hangs on the broker: a frozen Redis held the request for the
# whole socket_timeout (2 s). The run then waits in the database and beat sends it again.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 1,
    "max_retries": 0,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = TIME_ZONE
# A build that is running when Redis blinks finishes its work; if its message comes back later,
# the run is done and the second delivery does nothing (reports.services).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Periodic tasks (celery beat): send again the report runs the broker never got or lost (the
# interval is shorter in the tests that stop Redis), and delete expired report files.
REPORT_REQUEUE_EVERY = timedelta(
    seconds=float(os.environ.get("REPORT_REQUEUE_EVERY_SECONDS", "60"))
)
# The e-mail outbox (programmes.services.outbox): the periodic dispatch sends what the broker
# never received and what is due again; a failed attempt waits 1, 2, 4, 8... minutes (capped).
OUTBOX_DISPATCH_EVERY = timedelta(
    seconds=float(os.environ.get("OUTBOX_DISPATCH_EVERY_SECONDS", "60"))
)
OUTBOX_DISPATCH_GRACE_SECONDS = float(os.environ.get("OUTBOX_DISPATCH_GRACE_SECONDS", "30"))
OUTBOX_RETRY_BASE_SECONDS = float(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "60"))
OUTBOX_RETRY_MAX_SECONDS = float(os.environ.get("OUTBOX_RETRY_MAX_SECONDS", "3600"))
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "12"))
# A message "sending" for longer than this was left by a worker that died: it is sent again.
OUTBOX_SENDING_TIMEOUT = float(os.environ.get("OUTBOX_SENDING_TIMEOUT_SECONDS", "600"))
# Links in e-mails that no request causes (notifications, reminders, digests).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# How many reports one person may have waiting or being built at once; more are refused.
REPORT_MAX_ACTIVE_RUNS_PER_USER = int(os.environ.get("REPORT_MAX_ACTIVE_RUNS_PER_USER", "3"))
# A build shows a sign of life (``heartbeat_at``) every third of this; a run that has shown none
# for this long is handed to another worker, by the next re-queue or by asking for it again.
REPORT_HEARTBEAT_TIMEOUT = timedelta(
    seconds=float(os.environ.get("REPORT_HEARTBEAT_TIMEOUT_SECONDS", "60"))
)
# A document of independent parts (the certificates) is cut into parts of this many people,
# built in parallel by the worker processes and merged: a part's memory does not grow with the
# programme, and two processes take half the time.
REPORT_PART_SIZE = int(os.environ.get("REPORT_PART_SIZE", "50"))
# How many worker processes build the parts (the worker's --concurrency; Celery's default is
# the number of CPUs): the last parts are made smaller so that the processes finish together.
REPORT_PART_WORKERS = int(os.environ.get("REPORT_PART_WORKERS", str(os.cpu_count() or 2)))
CELERY_BEAT_SCHEDULE = {
    "reports-requeue-stuck-runs": {
        "task": "reports.tasks.report_runs_requeue_task",
        "schedule": REPORT_REQUEUE_EVERY,
        "options": {"expires": REPORT_REQUEUE_EVERY.total_seconds()},
    },
    "reports-expire-files": {
        "task": "reports.tasks.report_files_expire_task",
        "schedule": timedelta(hours=1),
    },
    "outbox-dispatch": {
        "task": "programmes.tasks.outbox_dispatch_task",
        "schedule": OUTBOX_DISPATCH_EVERY,
        "options": {"expires": OUTBOX_DISPATCH_EVERY.total_seconds()},
    },
    "notifications-call-closing-reminders": {
        "task": "programmes.tasks.call_closing_reminders_task",
        "schedule": timedelta(hours=1),
    },
    "notifications-daily-digests": {
        "task": "programmes.tasks.notification_digests_task",
        "schedule": crontab(hour=7, minute=0),
    },
    "notifications-training-day-reminders": {
        "task": "sessions.tasks.training_day_reminders_task",
        "schedule": timedelta(hours=1),
    },
    "notifications-open-sheets": {
        "task": "sessions.tasks.open_sheet_reminders_task",
        "schedule": timedelta(hours=1),
    },
}

# The cache only counts throttled attempts: a frozen Redis must not hold a page up for long.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions stay in the database so that logging in works even while Redis is down (Django's
# store, its read made cheaper: cotraining/session_store.py).
SESSION_ENGINE = "cotraining.session_store"

# E-mail (Django 6.1 mailers): printed on the console unless an SMTP host is configured.
EMAIL_SMTP_HOST = os.environ.get("EMAIL_HOST", "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_SMTP_HOST,
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
        if EMAIL_SMTP_HOST
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cotraining <noreply@localhost>")
# Who answers accessibility problems (the statement page names them); empty: the organisers.
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get("DJANGO_ACCESSIBILITY_CONTACT", "")

# Uploads: a commitment letter is a PDF of a few MB at most.
# An organisation's logo or signature-and-stamp image (PNG or SVG); a logo is a few kilobytes.
ORGANISATION_IMAGE_MAX_BYTES = int(os.environ.get("ORGANISATION_IMAGE_MAX_BYTES", str(512 * 1024)))
COMMITMENT_LETTER_MAX_BYTES = int(
    os.environ.get("COMMITMENT_LETTER_MAX_BYTES", str(5 * 1024 * 1024))
)
# A whole attendance sheet of 500 people posts 1,000+ fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000

# Generated reports are kept this long, then removed by a periodic task.
REPORT_FILE_LIFETIME = timedelta(days=int(os.environ.get("REPORT_FILE_LIFETIME_DAYS", "30")))

# Security: strict Content Security Policy (Django's own, with nonces), safe cookies in production.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The health check of docker-compose.yml asks gunicorn directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
# Opt-in: both bind every sibling host of the domain (and, for preload, browsers' built-in
# lists, which are slow to leave), and this app is often one subdomain of a city's or an
# association's domain whose other hosts it does not own.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
# Not choosing them is a decision (above), not an oversight for `check --deploy` to report.
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
# Only behind a proxy that sets these headers itself (the Caddy service of docker-compose.yml):
# elsewhere anyone could claim HTTPS or another address.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
# The proxies (addresses or networks, e.g. ``172.16.0.0/12``) whose X-Forwarded-For names the
# client (``programmes.network.client_ip``); a request from anywhere else is judged by its socket.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sessions: a tool that holds personal data logs people out after a working day without use;
# the session is renewed while it is used (cotraining.middleware.SessionRenewalMiddleware).
SESSION_COOKIE_AGE = int(float(os.environ.get("DJANGO_SESSION_HOURS", "12")) * 3600)
SESSION_RENEW_AFTER = max(SESSION_COOKIE_AGE // 24, 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        # Every failed login is an INFO line of django-axes; lockouts stay (WARNING).
        "axes": {"level": "WARNING"},
    },
}
