"""The Celery app: configured from Django's CELERY_* settings, tasks found in workers/tasks.py.

celery -A workers worker --concurrency 2     celery -A workers beat   (exactly one beat)
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

app = Celery("yibao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workers"])
