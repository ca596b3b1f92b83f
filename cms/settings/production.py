"""Production: every secret comes from the environment and nothing insecure has a default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY 未设置：生产环境必须通过环境变量提供密钥"
        " (DJANGO_SECRET_KEY is not set; production needs it from the environment)."
    )
if "DATABASE_URL" not in env.ENVIRON:
    raise ImproperlyConfigured(
        "DATABASE_URL 未设置：生产环境必须指定 PostgreSQL 数据库 (DATABASE_URL is not set)."
    )

DEBUG = env.bool("DJANGO_DEBUG", default=False)
DEMO_MODE = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
