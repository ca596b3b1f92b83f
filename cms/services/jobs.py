"""Running the verification jobs: once per key, one at a time, every run recorded.

A job is a function ``work(run, **options) -> (examined, changed)`` that reads from the database what
is due (the database, not the broker, is the source of truth) and is safe to run twice: its side
effects are keyed, so a second run adds nothing. ``run_job`` gives it a ``JobRun``:

- the run's key makes a scheduled run happen once: a task re-delivered after its worker died, or
  sent twice by two beats started by mistake, finds the run with its key. A finished run is not done
  again; an unfinished one (its worker was killed) is resumed, and the job skips what that run has
  already done;
- on PostgreSQL a session advisory lock lets one run of a job work at a time (a killed worker's
  lock goes with its connection); the embedded default runs one worker anyway;
- the run records its trigger, start, end, counts and errors for operators.
"""

import datetime
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from cms.models import Job, JobRun, RunStatus, Trigger


@dataclass(frozen=True)
class JobSpec:
    job: str
    work: Callable
    every: datetime.timedelta  # how often it should succeed; later than that, operators are alerted
    key_format: str  # the scheduled run's key: one run per day, or per minute


def _registry() -> dict[str, JobSpec]:
    from cms.services import outdated, recheck, workflow

    def publish(run: JobRun, *, as_of: datetime.datetime | None = None, dry_run: bool = False):
        as_of = as_of or timezone.now()
        if dry_run:
            return workflow.count_due(as_of=as_of), 0
        errors: list[str] = []
        done = workflow.publish_due(as_of=as_of, errors=errors)
        run.errors = [*run.errors, *errors]
        return done + len(errors), done

    return {
        Job.RECHECK_HOTLINES: JobSpec(
            Job.RECHECK_HOTLINES, recheck.recheck_hotlines, datetime.timedelta(hours=26), "%Y-%m-%d"
        ),
        Job.FLAG_OUTDATED: JobSpec(
            Job.FLAG_OUTDATED, outdated.flag_outdated, datetime.timedelta(hours=26), "%Y-%m-%d"
        ),
        Job.PUBLISH_SCHEDULED: JobSpec(
            Job.PUBLISH_SCHEDULED, publish, datetime.timedelta(minutes=10), "%Y-%m-%dT%H:%M"
        ),
    }


def schedule_key(job: str, now: datetime.datetime | None = None) -> str:
    """The key of the scheduled run that covers ``now`` (Beijing time): a second beat's message in
    the same day (or minute) gets the same key."""
    local = timezone.localtime(now or timezone.now(), timezone=datetime.timezone(datetime.timedelta(hours=8)))
    return "schedule:" + local.strftime(_registry()[job].key_format)


class JobBusy(Exception):
    """Another run of the job holds its lock."""


def run_job(
    job: str, *, trigger: str, key: str | None = None, task_id: str = "", dry_run: bool = False, **options
) -> JobRun:
    spec = _registry()[job]
    if key is None:
        # A re-delivered task keeps its id: a manual run whose worker died is resumed, not started again.
        key = schedule_key(job) if trigger == Trigger.SCHEDULE else f"{trigger}:{task_id or uuid.uuid4().hex}"
    run, created = JobRun.objects.get_or_create(
        job=job, key=key, defaults={"trigger": trigger, "task_id": task_id, "dry_run": dry_run}
    )
    if not created and run.status in (RunStatus.SUCCEEDED, RunStatus.SKIPPED):
        return run  # done already: a duplicate message
    with _lock(job) as locked:
        if not locked:
            if created:
                run.delete()  # the retry (workers.tasks) makes it again
            raise JobBusy(job)
        if not created:
            run.status, run.task_id = RunStatus.RUNNING, task_id or run.task_id
            run.save(update_fields=["status", "task_id"])
        try:
            examined, changed = spec.work(run, dry_run=dry_run, **options)
        except Exception as exc:
            _finish(run, RunStatus.FAILED, errors=[*run.errors, f"{type(exc).__name__}: {exc}"])
            raise
        run.examined, run.changed = examined, changed
        _finish(run, RunStatus.SUCCEEDED)
    return run


def _finish(run: JobRun, status: str, *, errors: list[str] | None = None) -> None:
    run.status, run.finished_at = status, timezone.now()
    if errors is not None:
        run.errors = errors
    run.save(update_fields=["status", "finished_at", "examined", "changed", "errors", "summary"])


class _lock:
    """A PostgreSQL session advisory lock per job (elsewhere: always granted)."""

    def __init__(self, job: str):
        self.key = zlib.crc32(f"yibao-job:{job}".encode())
        self.held = False

    def __enter__(self) -> bool:
        if connection.vendor != "postgresql":
            return True
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
            self.held = cursor.fetchone()[0]
        return self.held

    def __exit__(self, *exc) -> None:
        if self.held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])


def overdue_jobs(now: datetime.datetime | None = None) -> list[dict]:
    """Jobs that have not succeeded within their expected interval (a silently dead scheduler is the
    most common failure of this kind of system): what the admin warns operators about."""
    now = now or timezone.now()
    overdue = []
    for job, spec in _registry().items():
        last = (
            JobRun.objects.filter(job=job, status=RunStatus.SUCCEEDED, dry_run=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        if last is None or now - last > spec.every:
            overdue.append({"job": job, "label": Job(job).label, "last_success": last, "every": spec.every})
    return overdue
