"""Thin tasks: each runs one job of cms.services.jobs. Beat sends them with no arguments (a scheduled
run, keyed by its day or minute); the admin's "run now" with ``trigger="manual"``.

Network work is retried with exponential backoff and jitter when another run of the job holds its
lock; nothing here runs inside a database transaction.
"""

from celery import shared_task
from celery.utils.log import get_task_logger

from cms.models import Job, Trigger
from cms.services import jobs

logger = get_task_logger(__name__)
RETRY = {"autoretry_for": (jobs.JobBusy,), "retry_backoff": 30, "retry_jitter": True, "max_retries": 5}


def _run(task, job: str, trigger: str, **options) -> dict:
    run = jobs.run_job(job, trigger=trigger, task_id=task.request.id or "", **options)
    logger.info("%s %s: %s examined, %s changed", job, run.status, run.examined, run.changed)
    return {"run": run.pk, "status": run.status, "examined": run.examined, "changed": run.changed}


@shared_task(bind=True, **RETRY)
def recheck_hotlines(self, trigger: str = Trigger.SCHEDULE, all: bool = False) -> dict:
    return _run(self, Job.RECHECK_HOTLINES, trigger, all=all)


@shared_task(bind=True, **RETRY)
def flag_outdated(self, trigger: str = Trigger.SCHEDULE) -> dict:
    return _run(self, Job.FLAG_OUTDATED, trigger)


@shared_task(bind=True, **RETRY)
def publish_scheduled(self, trigger: str = Trigger.SCHEDULE) -> dict:
    return _run(self, Job.PUBLISH_SCHEDULED, trigger)


TASKS = {
    Job.RECHECK_HOTLINES: recheck_hotlines,
    Job.FLAG_OUTDATED: flag_outdated,
    Job.PUBLISH_SCHEDULED: publish_scheduled,
}
