"""The test suite: the real PostgreSQL (and Redis) of this machine, never SQLite."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "insecure-test-key-only-for-the-test-suite"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/yibao")}
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_yibao")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_MODE = False
# As in production: server-side parameters and prepared statements.
DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
# A Redis database of its own: the worker tests flush it.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
