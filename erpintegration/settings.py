"""Settings come from the environment; without any, the embedded default runs:
SQLite in ``var/`` and Celery tasks executed in-process (no broker needed)."""
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ERPINTEGRATION_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (0600), or narrow an existing one to that."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


def _local_secret_key() -> str:
    """A development key kept in var/ (mode 0600) so sessions survive restarts; production sets SECRET_KEY."""
    path = VAR_DIR / "secret_key"
    _private_file(path)
    key = path.read_text().strip()
    if not key:
        key = secrets.token_urlsafe(50)
        path.write_text(key)
    return key


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Fernet keys (comma-separated, newest first) for secrets at rest; derived from SECRET_KEY when unset.
SECRETS_ENCRYPTION_KEYS = env_list("SECRETS_ENCRYPTION_KEYS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "erpintegration",
    "integrations",
    "entities",
    "monitoring",
    "fileproxy",
    "axes",
]

MIDDLEWARE = [
    "monitoring.middleware.AccessLogMiddleware",  # outermost: X-Request-Id on every response, full latency
    "monitoring.telemetry.RequestTelemetryMiddleware",  # latency histogram, log context (request id, org, ...)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "erpintegration.middleware.ApiBodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: login throttling (django-axes)
]

# Login throttling (django-axes) for /login/ and /admin/login/: after AXES_FAILURE_LIMIT wrong passwords a
# username is locked out (from every address), and so is an address (for every username), for the cool-off.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "erpintegration.ui.views.login_client_ip"
AXES_LOCKOUT_CALLABLE = "erpintegration.ui.views.login_locked_out"
AXES_VERBOSE = False

ROOT_URLCONF = "erpintegration.urls"
CSRF_FAILURE_VIEW = "erpintegration.views.csrf_failure"
WSGI_APPLICATION = "erpintegration.wsgi.application"

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

_default_db = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _default_db, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_SERVER_SIDE_BINDING"):
    # opt-in: psycopg binds parameters on the server instead of quoting them into the SQL text
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if DATABASES["default"]["NAME"] not in ("", ":memory:") and "mode=memory" not in str(DATABASES["default"]["NAME"]):
        _private_file(Path(DATABASES["default"]["NAME"]))  # SQLite gives its -wal/-shm files the same mode
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE transactions and a busy timeout keep concurrent writers from failing on SQLite.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # serve straight from the source folders; collectstatic is optional

# Request limits (docs/hardening.md, request limits): bodies above API_MAX_BODY_BYTES answer 413.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
INBOUND_MAX_EVENTS_PER_REQUEST = env_int("INBOUND_MAX_EVENTS_PER_REQUEST", 100)
INBOUND_MAX_EVENT_BYTES = env_int("INBOUND_MAX_EVENT_BYTES", 1024 * 1024)
# Inbound processing: events still unfinished after this long are re-enqueued by the sweeper; an event
# whose processing crashed this many times is failed (so it cannot block its integration forever).
INBOUND_SWEEP_AFTER_SECONDS = env_int("INBOUND_SWEEP_AFTER_SECONDS", 180)
INBOUND_SWEEP_INTERVAL_SECONDS = env_int("INBOUND_SWEEP_INTERVAL_SECONDS", 60)
INBOUND_MAX_ATTEMPTS = env_int("INBOUND_MAX_ATTEMPTS", 5)
# Fresh events of one integration are applied this many per transaction (a retried event goes alone).
INBOUND_PROCESSING_BATCH_SIZE = env_int("INBOUND_PROCESSING_BATCH_SIZE", 500)
# Consecutive plain-upsert events of a lane are written set-based (integrations/services/lane_batches.py).
INBOUND_SET_BASED_WRITES = env_bool("INBOUND_SET_BASED_WRITES", True)
# Retention (days) of stored inbound events (finished ones) and of inbound monitoring rows.
INBOUND_EVENT_RETENTION_DAYS = env_int("INBOUND_EVENT_RETENTION_DAYS", 30)
MONITORING_RETENTION_DAYS = env_int("MONITORING_RETENTION_DAYS", 90)
# API access log (queryAccessLogs): every request made with an access token; kept this many days.
ACCESS_LOG_ENABLED = env_bool("ACCESS_LOG_ENABLED", True)
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 30)
# The `environment` of access log entries (e.g. dev, staging, prod).
DEPLOYMENT_ENVIRONMENT = os.environ.get("DEPLOYMENT_ENVIRONMENT", "self-hosted")
# Reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed for the client address; empty = none.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")

# JSONata engine: "jsonatapy" (default, Rust core) or "jsonata-python" (pure Python).
JSONATA_ENGINE = os.environ.get("JSONATA_ENGINE", "jsonatapy")
JSONATA_TIMEOUT_MS = env_int("JSONATA_TIMEOUT_MS", 2000)
# v1.33 requires a slug on POST .../use-cases; off by default so v0.46 clients keep working (C1).
ERPI_STRICT_SLUG = env_bool("ERPI_STRICT_SLUG", False)
JSONATA_MAX_DEPTH = env_int("JSONATA_MAX_DEPTH", 200)
JSONATA_MAX_SEQUENCE = env_int("JSONATA_MAX_SEQUENCE", 1_000_000)
MAPPING_EVENT_TIMEOUT_MS = env_int("MAPPING_EVENT_TIMEOUT_MS", 10_000)
# JSONata evaluates in supervised child processes under this address-space budget (0: in-process, unbounded)
JSONATA_MEMORY_LIMIT_MB = env_int("JSONATA_MEMORY_LIMIT_MB", 256)
JSONATA_MAX_OUTPUT_BYTES = env_int("JSONATA_MAX_OUTPUT_BYTES", 10 * 2**20)
JSONATA_PROCESSES = env_int("JSONATA_PROCESSES", 2)
MAPPING_MAX_VALUE_BYTES = env_int("MAPPING_MAX_VALUE_BYTES", 2**20)
MAPPING_MAX_EVENT_BYTES = env_int("MAPPING_MAX_EVENT_BYTES", 10 * 2**20)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["erpintegration.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["erpintegration.auth.HasOrganization", "erpintegration.scopes.MethodScopes"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["erpintegration.api.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "erpintegration.api.exception_handler.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["erpintegration.ratelimit.RequestRateThrottle"],
}

# Requests per minute (erpintegration/ratelimit.py); 0 turns a limit off.
RATE_LIMIT_ORG_PER_MINUTE = env_int("RATE_LIMIT_ORG_PER_MINUTE", 1000)
RATE_LIMIT_TOKEN_PER_MINUTE = env_int("RATE_LIMIT_TOKEN_PER_MINUTE", 1000)


def cache_settings(environ) -> dict:
    """Redis when ``REDIS_URL``/``CACHE_URL`` is set (rate-limit counters shared by every process),
    else local memory (the embedded default runs one server process)."""
    url = environ.get("CACHE_URL") or environ.get("REDIS_URL")
    if url:
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "erpintegration"}}


CACHES = cache_settings(os.environ)

SPECTACULAR_SETTINGS = {
    "TITLE": "erpintegration API",
    "DESCRIPTION": "Self-hosted ERP integration hub, compatible with the epilot ERP Integration API v0.46.0.",
    "VERSION": "0.46.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "UseCaseTypeEnum": ["inbound", "outbound", "file_proxy", "managed_call", "secure_proxy"],
        "EnvironmentFieldTypeEnum": ["String", "SecretString"],
        "ErpEventTypeEnum": ["CREATE", "UPDATE", "DELETE"],
        "MonitoringEventTypeEnum": ["CREATE", "UPDATE", "DELETE", "TRIGGER"],
        "OutboundDeliveryStatusEnum": ["succeeded", "failed", "pending"],
        "TriggerStatusEnum": ["succeeded", "failed"],
        "OutboundUseCaseStatusEnum": ["ok", "conflict", "disabled"],
    },
}

# Celery: without a broker, tasks run in-process after the transaction commits.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Redis redelivers an unacknowledged message (worker killed) after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BEAT_SCHEDULE = {
    "inbound-sweep-stale-events": {
        "task": "integrations.tasks.sweep_events",
        "schedule": float(INBOUND_SWEEP_INTERVAL_SECONDS),
    },
    "inbound-purge-events": {"task": "integrations.tasks.purge_inbound_events", "schedule": 24 * 3600.0},
    "monitoring-purge-inbound": {"task": "monitoring.tasks.purge_inbound_monitoring", "schedule": 24 * 3600.0},
    "monitoring-purge-access-logs": {"task": "monitoring.tasks.purge_access_logs", "schedule": 24 * 3600.0},
    "outbound-sweep-deliveries": {"task": "integrations.tasks.sweep_deliveries", "schedule": 60.0},
    "outbound-purge-history": {"task": "integrations.tasks.purge_outbound_history", "schedule": 24 * 3600.0},
    "monitoring-evaluate-notifications": {"task": "monitoring.tasks.evaluate_notifications",
                                          "schedule": float(env_int("NOTIFICATION_EVALUATION_SECONDS", 300))},
    "outbound-reap-stream": {"task": "integrations.tasks.reap_outbound_stream", "schedule": 300.0},
    "imports-watchdog": {"task": "integrations.imports.watchdog", "schedule": 60.0},
}

# Notification email (monitoring/notifications): SMTP when EMAIL_HOST is set, else printed to the console.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "erpintegration@localhost")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or None  # for EMAIL_BACKEND=...filebased.EmailBackend

# LOG_FORMAT=json: one JSON object per line with request id, organisation, integration and correlation id.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")  # when set, /metrics needs "Authorization: Bearer <it>"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
                   "json": {"()": "erpintegration.logcontext.JsonFormatter"}},
    "filters": {"context": {"()": "erpintegration.logcontext.ContextFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"],
                             "formatter": "json" if LOG_FORMAT == "json" else "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG:
    SESSION_COOKIE_HTTPONLY = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)

# Outbound HTTP (erpintegration/lib/http.py): every call to an ERP, token endpoint or webhook goes through it.
# Non-public addresses (loopback, private, link-local, ...) are refused unless listed here as CIDRs or host
# names (``10.20.0.0/16,erp.lan,*.corp.example``), for ERPs on your own network.
OUTBOUND_HTTP_ALLOWLIST = env_list("OUTBOUND_HTTP_ALLOWLIST", "")
OUTBOUND_HTTP_CONNECT_TIMEOUT = float(os.environ.get("OUTBOUND_HTTP_CONNECT_TIMEOUT") or 5)
OUTBOUND_HTTP_READ_TIMEOUT = float(os.environ.get("OUTBOUND_HTTP_READ_TIMEOUT") or 30)
OUTBOUND_HTTP_MAX_REDIRECTS = env_int("OUTBOUND_HTTP_MAX_REDIRECTS", 5)
OUTBOUND_HTTP_MAX_RESPONSE_BYTES = env_int("OUTBOUND_HTTP_MAX_RESPONSE_BYTES", 50 * 1024 * 1024)
# Secure proxy static_ip mode: an HTTP CONNECT proxy on the host with the fixed egress address (empty: 503).
SECURE_PROXY_STATIC_IP_HTTP_PROXY = os.environ.get("SECURE_PROXY_STATIC_IP_HTTP_PROXY", "")

# Outbound webhook deliveries (docs/outbound.md): attempts per delivery, exponential backoff with jitter
# (base doubles per attempt, capped), the wait for a webhook's answer, the response size kept, and how late a
# pending delivery may be before the sweeper re-enqueues it.
OUTBOUND_DELIVERY_MAX_ATTEMPTS = env_int("OUTBOUND_DELIVERY_MAX_ATTEMPTS", 6)
OUTBOUND_DELIVERY_BACKOFF_SECONDS = float(os.environ.get("OUTBOUND_DELIVERY_BACKOFF_SECONDS") or 10)
OUTBOUND_DELIVERY_BACKOFF_MAX_SECONDS = float(os.environ.get("OUTBOUND_DELIVERY_BACKOFF_MAX_SECONDS") or 3600)
OUTBOUND_DELIVERY_TIMEOUT_SECONDS = float(os.environ.get("OUTBOUND_DELIVERY_TIMEOUT_SECONDS") or 15)
OUTBOUND_DELIVERY_MAX_RESPONSE_BYTES = env_int("OUTBOUND_DELIVERY_MAX_RESPONSE_BYTES", 1024 * 1024)
OUTBOUND_DELIVERY_SWEEP_GRACE_SECONDS = env_int("OUTBOUND_DELIVERY_SWEEP_GRACE_SECONDS", 120)
OUTBOUND_RETENTION_DAYS = env_int("OUTBOUND_RETENTION_DAYS", 30)  # catalog events and settled deliveries

# File proxy (docs/file-proxy.md): the public base of the /download URLs stored on file entities, and how
# long their signature stays valid (0 = never expires; the URL is then valid until SECRET_KEY changes).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
FILE_PROXY_URL_TTL_SECONDS = env_int("FILE_PROXY_URL_TTL_SECONDS", 7 * 24 * 3600)

# ERP imports (docs/imports.md): uploaded files live in the "imports" storage (local files under
# var/media on the embedded default; point STORAGES["imports"] at an S3-compatible backend, e.g.
# django-storages, in production). Size, row and batch limits, and the watchdog's patience.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "imports": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(MEDIA_ROOT / "imports"), "file_permissions_mode": 0o600}},
}
IMPORTS_BUCKET = os.environ.get("IMPORTS_BUCKET", "local")
IMPORTS_MAX_FILE_BYTES = env_int("IMPORTS_MAX_FILE_BYTES", 200 * 1024 * 1024)
IMPORTS_MAX_ROWS = env_int("IMPORTS_MAX_ROWS", 100_000)
IMPORTS_BATCH_SIZE = env_int("IMPORTS_BATCH_SIZE", 500)
IMPORTS_NO_PROGRESS_SECONDS = env_int("IMPORTS_NO_PROGRESS_SECONDS", 600)
