"""Settings shared by every environment. Everything that differs between machines comes from the
environment (see .env.example); the modules beside this one only choose defaults."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cms.admin_site.CmsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "corsheaders",
    "django_celery_beat",
    "cms.apps.CmsConfig",
    "policies.apps.PoliciesConfig",
    "api.apps.ApiConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # ETag from the content and 304 answers to If-None-Match / If-Modified-Since.
    "cms.middleware.ConditionalGetMiddleware",
]

# The public API (and the health checks) are served with these only (cms.handlers): anonymous,
# read-only JSON needs no sessions, CSRF, users or messages.
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "cms.middleware.ConditionalGetMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"
ASGI_APPLICATION = "cms.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {"default": env.db("DATABASE_URL", default="sqlite:///" + str(BASE_DIR / "db.sqlite3"))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side parameters: psycopg then prepares a statement run often (the API's few queries) once
    # per connection, and PostgreSQL stops parsing and planning it on every request.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)

# Celery (workers/celery.py reads every CELERY_* setting). The database, not the broker, says what is
# due: a lost message is re-sent by the next beat tick and every job is safe to run twice.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
# The API throttle's counters: per process by default; set DJANGO_CACHE_URL (e.g.
# rediscache://127.0.0.1:6379/1) so that all workers and servers share them.
CACHES = {"default": env.cache_url("DJANGO_CACHE_URL", default="locmemcache://")}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged when done: a killed worker's task is re-delivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
# Well below the visibility timeout, so that no task still running is delivered a second time.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=1500)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=1800)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The hotline re-check (cms/services/recheck.py) and its page fetcher (cms/verification/fetcher.py).
FETCH_ALLOW_PRIVATE_ADDRESSES = env.bool("FETCH_ALLOW_PRIVATE_ADDRESSES", default=False)
FETCH_CONNECT_TIMEOUT = env.float("FETCH_CONNECT_TIMEOUT", default=5.0)
FETCH_READ_TIMEOUT = env.float("FETCH_READ_TIMEOUT", default=15.0)
FETCH_TOTAL_TIMEOUT = env.float("FETCH_TOTAL_TIMEOUT", default=60.0)
FETCH_MAX_BYTES = env.int("FETCH_MAX_BYTES", default=5 * 1024 * 1024)
FETCH_HOST_DELAY = env.float("FETCH_HOST_DELAY", default=2.0)
FETCH_USER_AGENT = env(
    "FETCH_USER_AGENT", default="YibaoCMSVerifier/1.0 (hotline re-check of official pages)"
)
# Numbers checked and stored per transaction by the re-check (a killed run resumes after the last one).
RECHECK_BATCH_SIZE = env.int("RECHECK_BATCH_SIZE", default=2000)
RECHECK_INTERVAL_DAYS = env.int("RECHECK_INTERVAL_DAYS", default=7)  # how often a number is re-checked
# A number counts as failing a transient check (timeout, 5xx) only after this many failures in a row
# spread over at least this many hours; one network failure is not evidence of a wrong number.
RECHECK_FAILURES_TO_COUNT = env.int("RECHECK_FAILURES_TO_COUNT", default=3)
RECHECK_FAILURE_SPAN_HOURS = env.int("RECHECK_FAILURE_SPAN_HOURS", default=48)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The desk works in Chinese whatever a browser asks for: no LocaleMiddleware, one language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "cms" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@localhost")

# Where imported dumps, fixtures and the demo content live.
DEMO_DUMPS_DIR = BASE_DIR / "demo" / "dumps"

# A hotline must have been verified by a person within this many days to pass the fact-check gate.
VERIFICATION_WINDOW_DAYS = env.int("VERIFICATION_WINDOW_DAYS", default=90)
# The rest of the fact-check gate: an article cites an official source; a fact-checker passed the
# revision under review.
FACT_CHECK_REQUIRE_OFFICIAL_SOURCE = env.bool("FACT_CHECK_REQUIRE_OFFICIAL_SOURCE", default=True)
FACT_CHECK_REQUIRE_SIGNOFF = env.bool("FACT_CHECK_REQUIRE_SIGNOFF", default=True)
# Approval is refused while the current revision has an open error-severity finding (content checks).
FACT_CHECK_REQUIRE_NO_OPEN_ERRORS = env.bool("FACT_CHECK_REQUIRE_NO_OPEN_ERRORS", default=True)
# Links in e-mails point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# The public API: read-only, anonymous, throttled, cacheable.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ReaderRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("DJANGO_API_THROTTLE_ANON", default="120/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    # Throttle by the address the server sees, never by a client-supplied X-Forwarded-For; behind N
    # trusted proxies set DJANGO_API_NUM_PROXIES=N.
    "NUM_PROXIES": env.int("DJANGO_API_NUM_PROXIES", default=0),
}
API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100
API_CACHE_SECONDS = env.int("API_CACHE_SECONDS", default=60)
# A detail without a query string answered without Django's request machinery (api/fast.py).
API_FAST_DETAIL = env.bool("API_FAST_DETAIL", default=True)
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
SPECTACULAR_SETTINGS = {
    "TITLE": "医保信息公开 API",
    "DESCRIPTION": "只读接口，仅提供已发布的内容：文章、医院、咨询电话、政策与行政区划。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "HospitalLevelEnum": "cms.models.content.HospitalLevel",
        "RegionLevelEnum": "cms.models.regions.RegionLevel",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
