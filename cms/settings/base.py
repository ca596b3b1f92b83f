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

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")

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
