"""The embedded default for `make run`: SQLite, debug on, no external service needed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-never-used-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
DEMO_MODE = env.bool("DEMO_MODE", default=True)

# No Redis needed: Celery's worker and beat talk through files under var/ (make run starts both).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
BROKER_FOLDER = env.path("CELERY_BROKER_FOLDER", default=BASE_DIR / "var" / "broker")  # noqa: F405
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(BROKER_FOLDER),
    "data_folder_out": str(BROKER_FOLDER),
    "store_processed": False,
}
FETCH_ALLOW_PRIVATE_ADDRESSES = env.bool("FETCH_ALLOW_PRIVATE_ADDRESSES", default=True)
