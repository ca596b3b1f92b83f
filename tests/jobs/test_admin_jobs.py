"""What operators see and do in the admin: the default schedules, changing and pausing them, "run
now" (a message on the real broker), every run with its counts and errors, and the alert when a job
has not succeeded within its interval."""

import base64
import datetime
import json

import pytest
import redis
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from cms.models import Job, JobRun, RunStatus, Trigger
from cms.services import jobs


@pytest.fixture
def broker():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.flushdb()
    yield client
    client.flushdb()


def test_the_default_schedules_exist_after_migrate(db):
    tasks = dict(PeriodicTask.objects.values_list("task", "enabled"))
    assert tasks == {
        "workers.tasks.recheck_hotlines": True,
        "workers.tasks.flag_outdated": True,
        "workers.tasks.publish_scheduled": True,
    }
    nightly = PeriodicTask.objects.get(task="workers.tasks.recheck_hotlines").crontab
    assert (nightly.hour, nightly.minute, str(nightly.timezone)) == ("2", "30", "Asia/Shanghai")
    every_minute = PeriodicTask.objects.get(task="workers.tasks.publish_scheduled").interval
    assert (every_minute.every, every_minute.period) == (1, "minutes")


def test_an_operator_pauses_a_schedule(client, operator):
    client.force_login(operator)
    task = PeriodicTask.objects.get(task="workers.tasks.flag_outdated")
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    response = client.post(url, {"action": "disable_tasks", "_selected_action": [task.pk]})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.enabled is False


def test_run_now_sends_a_manual_run_to_the_broker(client, operator, broker):
    client.force_login(operator)
    task = PeriodicTask.objects.get(task="workers.tasks.recheck_hotlines")
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    response = client.post(url, {"action": "run_now", "_selected_action": [task.pk]}, follow=True)
    assert "已将 1 个任务发送给任务进程。" in response.content.decode()
    messages = broker.lrange("celery", 0, -1)
    assert len(messages) == 1
    message = json.loads(messages[0])
    assert message["headers"]["task"] == "workers.tasks.recheck_hotlines"
    args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
    assert (args, kwargs) == ([], {"trigger": "manual"})


def test_editors_cannot_run_jobs(client, editor):
    client.force_login(editor)
    url = reverse("admin:django_celery_beat_periodictask_changelist")
    assert client.get(url).status_code == 403


def test_operators_see_every_run(client, operator):
    run = jobs.run_job(Job.PUBLISH_SCHEDULED, trigger=Trigger.COMMAND)
    failed = JobRun.objects.create(
        job=Job.RECHECK_HOTLINES, trigger=Trigger.SCHEDULE, key="x", status=RunStatus.FAILED,
        errors=["TimeoutError: 来源网站无响应"], finished_at=timezone.now(),
    )  # fmt: skip
    client.force_login(operator)
    page = client.get(reverse("admin:cms_jobrun_changelist")).content.decode()
    assert "定时发布与撤下" in page or "Scheduled publishing" in page
    detail = client.get(reverse("admin:cms_jobrun_change", args=[failed.pk])).content.decode()
    assert "来源网站无响应" in detail
    assert run.status == RunStatus.SUCCEEDED


def test_the_admin_warns_when_a_job_has_not_succeeded_in_time(client, operator):
    client.force_login(operator)
    page = client.get(reverse("admin:index")).content.decode()
    assert page.count('class="error"') >= 3  # nothing has ever run
    for job in Job:
        JobRun.objects.create(
            job=job, trigger=Trigger.SCHEDULE, key=f"k-{job}", status=RunStatus.SUCCEEDED,
            finished_at=timezone.now(),
        )  # fmt: skip
    assert 'id="job-alerts"' not in client.get(reverse("admin:index")).content.decode()
    JobRun.objects.filter(job=Job.PUBLISH_SCHEDULED).update(
        finished_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="job-alerts"' in page
    assert page.count('<li class="error">') == 1
    assert [j["job"] for j in jobs.overdue_jobs()] == [Job.PUBLISH_SCHEDULED]


def test_a_job_busy_elsewhere_waits_for_its_retry(operator):
    """While another connection holds the job's lock, a new run is refused (and leaves no record);
    once the lock is free the same call runs."""
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [jobs._lock(Job.PUBLISH_SCHEDULED).key])
        with pytest.raises(jobs.JobBusy):
            jobs.run_job(Job.PUBLISH_SCHEDULED, trigger=Trigger.MANUAL)
        assert not JobRun.objects.exists()
    finally:
        other.close()  # a dead worker's lock goes with its connection
    run = jobs.run_job(Job.PUBLISH_SCHEDULED, trigger=Trigger.MANUAL)
    assert run.status == RunStatus.SUCCEEDED
