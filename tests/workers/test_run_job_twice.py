"""What a task does, run in process: each job run twice ends where one run ends; and what a task's
retry or re-delivery should find when it calls ``run_job`` again."""

import datetime

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from cms.models import (
    Article,
    Flag,
    FlagKind,
    Hotline,
    Job,
    JobRun,
    LiveArticle,
    LiveHotline,
    RunStatus,
    Source,
    TransitionLog,
    Trigger,
)
from cms.services import jobs, recheck, workflow
from cms.verification.fetcher import FetchResult, Outcome
from cms.workflow import Action
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class PagesWithoutTheNumbers:
    """A fetcher whose every page is read and no longer lists any number: evidence against them."""

    page_requests = 0

    def fetch(self, url: str) -> FetchResult:
        self.page_requests += 1
        return FetchResult(url=url, final_url=url, outcome=Outcome.OK, status=200, text="本页电话已调整。")

    def close(self) -> None:
        pass


OPTIONS = {
    Job.RECHECK_HOTLINES: {"all": True, "fetcher": PagesWithoutTheNumbers()},
    Job.FLAG_OUTDATED: {},
    Job.PUBLISH_SCHEDULED: {},
}


@pytest.fixture
def work_due(make_hotline, make_article, schedule):
    """Something for each job: a number whose official page no longer lists it, an article past its
    review date, a hotline whose scheduled publication is due."""
    page = Source.objects.create(url="https://ybj.example.gov.cn/notice.html", title="通知", is_official=True)
    make_hotline(organisation="吴川市第一联络站", number="0759-3312345", sources=[page.pk])
    article = make_article(slug="review-due")
    Article.objects.filter(pk=article.pk).update(review_by=timezone.localdate() - datetime.timedelta(days=1))
    schedule(make_hotline(organisation="吴川市第二联络站", number="0759-3398765", state="approved"))


def end_state() -> dict:
    """What readers and editors see, whatever the runs recorded."""
    return {
        "flags": sorted(Flag.objects.values_list("kind", "key", "article_id", "hotline_id", "resolved_at")),
        "hotlines": sorted(Hotline.objects.values_list("pk", "state", "verification_status")),
        "articles": sorted(Article.objects.values_list("pk", "state")),
        "publications": TransitionLog.objects.filter(action=Action.PUBLISH).count(),
        "live": sorted(LiveHotline.objects.values_list("pk", "verification_status", "updated_at"))
        + sorted(LiveArticle.objects.values_list("pk", "payload")),
    }


@pytest.mark.parametrize("job", list(Job))
def test_each_job_run_twice_ends_where_one_run_ends(work_due, job):
    before = end_state()
    first = jobs.run_job(job, trigger=Trigger.SCHEDULE, **OPTIONS[job])
    after = end_state()
    assert (first.status, first.changed) == (RunStatus.SUCCEEDED, 1)
    assert after != before

    again = jobs.run_job(job, trigger=Trigger.SCHEDULE, **OPTIONS[job])  # a second message, same key
    assert again.pk == first.pk
    assert end_state() == after

    manual = jobs.run_job(job, trigger=Trigger.MANUAL, **OPTIONS[job])  # a new run: the work done again
    assert manual.pk != first.pk
    assert (manual.status, manual.changed) == (RunStatus.SUCCEEDED, 0)
    assert end_state() == after
    assert Flag.objects.filter(resolved_at=None).count() == Flag.objects.count()


# --- what a retried or re-delivered task finds ----------------------------------------------------


@pytest.fixture
def lock_held_elsewhere():
    """Another run of the job, in another session, holding the job's advisory lock."""
    db = connection.settings_dict
    other = psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432)
    other.autocommit = True
    held = []

    def hold(job: str):
        key = jobs._lock(job).key
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]
        held.append(key)
        return lambda: other.execute("SELECT pg_advisory_unlock(%s)", [held.pop()])

    yield hold
    other.close()


def test_scheduled_run_busy_at_first_is_done_by_the_tasks_retry(work_due, lock_held_elsewhere):
    release = lock_held_elsewhere(Job.FLAG_OUTDATED)
    with pytest.raises(jobs.JobBusy):
        jobs.run_job(Job.FLAG_OUTDATED, trigger=Trigger.SCHEDULE, task_id="beat-tick")
    release()

    run = jobs.run_job(Job.FLAG_OUTDATED, trigger=Trigger.SCHEDULE, task_id="beat-tick")  # the retry

    assert run.status == RunStatus.SUCCEEDED
    assert Flag.objects.filter(kind=FlagKind.REVIEW_DUE).count() == 1


def test_manual_run_delivered_again_after_its_worker_died_resumes_its_run(work_due, monkeypatch):
    real = recheck.recheck_hotlines

    def killed_then_real(*args, **kwargs):
        monkeypatch.setattr(recheck, "recheck_hotlines", real)
        raise SystemExit(-9)  # the worker dies: nothing is recorded, its lock goes with its session

    monkeypatch.setattr(recheck, "recheck_hotlines", killed_then_real)
    options = {"trigger": Trigger.MANUAL, "task_id": "run-now-1", **OPTIONS[Job.RECHECK_HOTLINES]}
    with pytest.raises(SystemExit):
        jobs.run_job(Job.RECHECK_HOTLINES, **options)

    run = jobs.run_job(Job.RECHECK_HOTLINES, **options)  # the same message, delivered again

    assert run.status == RunStatus.SUCCEEDED
    assert list(JobRun.objects.values_list("pk", "status")) == [(run.pk, RunStatus.SUCCEEDED)]


def test_an_item_that_cannot_be_published_does_not_hold_back_the_others(make_hotline, make_article, schedule):
    refused = schedule(make_hotline(organisation="吴川市第三联络站", number="0759-3355555", state="approved"))
    other = UserFactory(username="worker-publisher-2", role="审核发布")
    article = make_article(slug="scheduled-by-another", state="approved")
    workflow.item_schedule_publication(
        item=article, user=other, at=timezone.now() + datetime.timedelta(hours=1)
    )
    Article.objects.filter(pk=article.pk).update(publish_at=timezone.now() - datetime.timedelta(minutes=1))
    refused.scheduled_by.groups.clear()  # the publisher who scheduled the hotline has left the desk

    run = jobs.run_job(Job.PUBLISH_SCHEDULED, trigger=Trigger.SCHEDULE)

    assert Article.objects.get(pk=article.pk).state == "published"
    assert Hotline.objects.get(pk=refused.pk).state == "approved"
    assert run.errors
