"""Celery: the app (workers.celery), its default schedules (workers.schedules) and thin tasks
(workers.tasks) that call the jobs in cms.services.jobs."""

from .celery import app as celery_app

__all__ = ["celery_app"]
