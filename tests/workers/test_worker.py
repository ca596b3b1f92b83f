"""The jobs' wiring and their safety under a real worker: a Celery worker (and beat) started with the
``celery`` command, a Redis broker, and the pytest database, which these tests commit to.

What is checked is what the job design promises (cms/services/jobs.py): a scheduled run happens once
per key whatever the broker does (a message sent twice, re-delivered after a worker was killed, or lost
in a flushed Redis and sent again by the next tick), and what a run does, it does once."""

import ast
import datetime
import os
import re
import signal
import time

import pytest
from django.db.models import Count
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from cms.models import (
    Article,
    CheckKind,
    Flag,
    FlagKind,
    Hotline,
    Job,
    JobRun,
    NumberCheck,
    RunStatus,
    Source,
    TransitionLog,
    Trigger,
)
from cms.models.history import ItemLink
from cms.services.jobs import schedule_key
from cms.workflow import Action
from tests.factories import region
from tests.workers.conftest import wait_until
from workers import tasks

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("_restore_migration_data"),
]

KINDS = [CheckKind.VALIDITY, CheckKind.REGION, CheckKind.CONFLICT, CheckKind.STALENESS, CheckKind.SOURCE]
VISIBILITY_TIMEOUT = 5  # seconds before Redis gives an unacknowledged message to another worker


def finished(worker, task_id: str) -> dict | None:
    """The result a worker logged for the task, once it has succeeded."""
    found = re.search(rf"\[{task_id}\] succeeded in [0-9.e-]+s: (\{{.*\}})", worker.output())
    return ast.literal_eval(found.group(1)) if found else None


def wait_finished(worker, *task_ids: str, timeout: float = 30) -> list[dict]:
    return [
        wait_until(lambda t=t: finished(worker, t), timeout=timeout, what=f"task {t}", processes=[worker])
        for t in task_ids
    ]


def published_once(item) -> bool:
    item = type(item).objects.get(pk=item.pk)
    logs = TransitionLog.objects.filter(**ItemLink.link_for(item), action=Action.PUBLISH)
    return item.state == "published" and hasattr(item, "live") and logs.count() == 1


# --- wiring ---------------------------------------------------------------------------------------


def test_publish_scheduled_sent_to_the_worker_publishes_the_due_item(celery, make_hotline, schedule):
    hotline = schedule(make_hotline(organisation="吴川市医疗保障局", state="approved"))
    worker = celery.worker()

    sent = tasks.publish_scheduled.delay()

    wait_until(
        lambda: Hotline.objects.get(pk=hotline.pk).state == "published",
        timeout=30,
        what="the hotline to be published",
        processes=[worker],
    )
    (result,) = wait_finished(worker, sent.id)
    run = JobRun.objects.get(job=Job.PUBLISH_SCHEDULED)
    assert result == {"run": run.pk, "status": "succeeded", "examined": 1, "changed": 1}
    assert (run.status, run.trigger, run.task_id) == (RunStatus.SUCCEEDED, Trigger.SCHEDULE, sent.id)
    assert run.key in {
        schedule_key(Job.PUBLISH_SCHEDULED, run.started_at + datetime.timedelta(s)) for s in (-1, 0)
    }
    assert published_once(hotline)


# --- idempotency ----------------------------------------------------------------------------------


def test_flag_outdated_sent_twice_runs_once_and_flags_each_article_once(celery, make_article):
    articles = [make_article(slug=f"review-due-{n}") for n in range(2)]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(review_by=yesterday)
    worker = celery.worker()

    first, second = tasks.flag_outdated.delay(), tasks.flag_outdated.delay()  # two beats, one day

    results = wait_finished(worker, first.id, second.id)
    run = JobRun.objects.get(job=Job.FLAG_OUTDATED)
    assert [r["run"] for r in results] == [run.pk, run.pk]
    assert (run.status, run.key, run.changed) == (RunStatus.SUCCEEDED, schedule_key(Job.FLAG_OUTDATED), 2)
    assert run.task_id == first.id
    flags = Flag.objects.filter(kind=FlagKind.REVIEW_DUE)
    assert sorted(flags.values_list("article_id", flat=True)) == sorted(a.pk for a in articles)


# --- a worker killed in the middle of a run -------------------------------------------------------


def _hotlines_to_recheck(make_hotline, make_article, page_server) -> list[Hotline]:
    """1020 numbers, so two batches: 20 of them cited on official pages of their own that no longer
    list them (each fails and is flagged), two published and shown in an article (the first batch),
    18 drafts (the second batch, slow: one page at a time); the rest cite no page."""
    pages = [
        Source.objects.create(url=page_server.url(f"/notice/{n}.html"), title=f"通知 {n}", is_official=True)
        for n in range(20)
    ]
    published = [
        make_hotline(organisation=f"吴川市第{n}联络站", number=f"0759-33{n:05d}", sources=[pages[n].pk])
        for n in range(2)
    ]
    make_article(slug="shows-two-numbers", hotlines=[h.pk for h in published])
    drafts = [
        Hotline(organisation=f"吴川市第{n}办事处", number=f"0759-55{n:05d}", region=region("440883"))
        for n in range(1000)
    ]
    drafts += [
        Hotline(organisation=f"吴川市第{n}联络站", number=f"0759-33{n:05d}", region=region("440883"))
        for n in range(2, 20)
    ]
    for hotline in drafts:
        hotline.full_clean(validate_unique=False, validate_constraints=False)
    drafts = Hotline.objects.bulk_create(drafts)
    Hotline.sources.through.objects.bulk_create(
        Hotline.sources.through(hotline_id=hotline.pk, source_id=page.pk)
        for hotline, page in zip(drafts[-18:], pages[2:], strict=True)
    )
    return [*published, *drafts[-18:]]


@pytest.mark.parametrize("killed", ["pool process", "whole worker"])
def test_recheck_killed_mid_run_is_delivered_again_and_completes_once(
    celery, make_hotline, make_article, page_server, killed
):
    cited = _hotlines_to_recheck(make_hotline, make_article, page_server)
    total = Hotline.objects.count()
    env = {
        "FETCH_ALLOW_PRIVATE_ADDRESSES": "true",
        "FETCH_HOST_DELAY": "0",
        "CELERY_BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "RECHECK_BATCH_SIZE": "1000",  # two batches: the first cites 2 pages, the second (slow) 18
    }
    worker = celery.worker("w1", **env)

    sent = tasks.recheck_hotlines.delay()
    # Killed once the first batch is stored (two pages) and the second is being fetched.
    wait_until(
        lambda: NumberCheck.objects.count() >= 1000 * len(KINDS) and len(page_server.page_requests()) >= 5,
        timeout=60,
        what="the run to be half done",
        processes=[worker],
    )
    before = len(page_server.page_requests())
    if killed == "pool process":
        children = worker.children()
        assert children, worker.output()
        for pid in children:
            os.kill(pid, signal.SIGKILL)  # the main process re-queues the message (reject_on_worker_lost)
        workers = [worker]
    else:
        worker.kill()  # the message stays unacknowledged in Redis until its visibility timeout
        time.sleep(VISIBILITY_TIMEOUT + 1)
        workers = [worker, celery.worker("w2", **env)]
    run = JobRun.objects.get(job=Job.RECHECK_HOTLINES)
    assert run.status == RunStatus.RUNNING

    wait_until(
        lambda: JobRun.objects.get(pk=run.pk).status != RunStatus.RUNNING,
        timeout=60,  # a re-delivered message may first find the killed run's lock held and retry
        what="the run to finish",
        processes=workers,
    )
    run.refresh_from_db()
    assert JobRun.objects.filter(job=Job.RECHECK_HOTLINES).count() == 1
    assert (run.status, run.task_id, run.key) == (RunStatus.SUCCEEDED, sent.id, schedule_key(run.job))
    checks = NumberCheck.objects.filter(run=run)
    per_number = checks.values("hotline", "kind").annotate(n=Count("id"))
    assert checks.count() == total * len(KINDS)
    assert {(c["n"]) for c in per_number} == {1}
    assert len(page_server.page_requests()) > before  # the second batch was fetched again
    cited_ids = {h.pk for h in cited}
    failing = set(Hotline.objects.filter(verification_status="failing").values_list("pk", flat=True))
    assert failing == cited_ids
    flags = Flag.objects.filter(kind=FlagKind.HOTLINE_FAILED)
    assert flags.count() == len(cited) + 2
    assert set(flags.exclude(hotline=None).values_list("hotline_id", flat=True)) == cited_ids
    assert flags.filter(article__isnull=False).values("key").distinct().count() == 2


# --- a broker that lost its messages --------------------------------------------------------------


def test_work_due_when_redis_is_flushed_is_done_once_when_the_next_tick_sends_it(
    celery, broker, make_hotline, make_article, schedule
):
    due = [make_hotline(organisation=f"吴川市第{n}咨询站", number=f"0759-44{n:05d}") for n in range(3)]
    not_due = make_hotline(organisation="吴川市第九咨询站", number="0759-4400999")
    Hotline.objects.filter(pk__in=[h.pk for h in due]).update(
        next_check_at=timezone.now() - datetime.timedelta(hours=1)
    )
    Hotline.objects.filter(pk=not_due.pk).update(next_check_at=timezone.now() + datetime.timedelta(days=3))
    scheduled = [
        schedule(make_hotline(organisation="吴川市第十咨询站", number="0759-3300777", state="approved")),
        schedule(make_article(slug="scheduled", state="approved")),
    ]
    tasks.recheck_hotlines.delay()
    tasks.publish_scheduled.delay()
    assert broker.llen("celery") == 2

    broker.flushdb()  # Redis lost the tick's messages before any worker took them
    worker = celery.worker()
    time.sleep(2)
    assert not JobRun.objects.exists()

    ticks = [(tasks.recheck_hotlines.delay(), tasks.publish_scheduled.delay()) for _ in range(2)]
    wait_finished(worker, *(sent.id for tick in ticks for sent in tick))

    for hotline in [*due, scheduled[0]]:
        checked = NumberCheck.objects.filter(hotline=hotline).values_list("kind", flat=True)
        assert sorted(checked) == sorted(KINDS), hotline
    assert not NumberCheck.objects.filter(hotline=not_due).exists()
    assert JobRun.objects.filter(job=Job.RECHECK_HOTLINES).count() == 1
    runs = JobRun.objects.filter(job=Job.PUBLISH_SCHEDULED)
    assert {r.status for r in runs} == {RunStatus.SUCCEEDED}
    assert sum(r.changed for r in runs) == len(scheduled)
    assert all(published_once(item) for item in scheduled)


# --- two beats started by mistake -----------------------------------------------------------------


def test_two_beats_each_scheduled_item_is_published_once(
    celery, broker, make_hotline, make_article, schedule
):
    items = [
        schedule(make_hotline(organisation=f"吴川市第{n}服务点", number=f"0759-66{n:05d}", state="approved"))
        for n in range(2)
    ]
    items.append(schedule(make_article(slug="by-two-beats", state="approved")))
    PeriodicTask.objects.update(enabled=False)
    every = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="发布（测试，每两秒）", task="workers.tasks.publish_scheduled", interval=every
    )
    worker = celery.worker()

    beats = [celery.beat("beat1"), celery.beat("beat2")]
    wait_until(
        lambda: all(b.output().count("Sending due task") >= 3 for b in beats),
        timeout=30,
        what="each beat to send the task three times",
        processes=[worker, *beats],
    )
    for beat in beats:
        beat.stop()
    wait_until(
        lambda: not broker.llen("celery") and not broker.hlen("unacked"),
        timeout=30,
        what="the worker to take every message",
        processes=[worker],
    )

    results = re.findall(
        r"publish_scheduled\[[0-9a-f-]+\] succeeded in [0-9.e-]+s: \{'run': (\d+)", worker.output()
    )
    runs = JobRun.objects.filter(job=Job.PUBLISH_SCHEDULED)
    assert len(results) >= 6
    assert {int(r) for r in results} == set(runs.values_list("pk", flat=True))
    assert runs.count() <= 2  # one run per minute: the second beat's messages found the run done
    assert len(set(runs.values_list("key", flat=True))) == runs.count()
    assert {r.status for r in runs} == {RunStatus.SUCCEEDED}
    assert sum(r.changed for r in runs) == len(items)
    assert all(published_once(item) for item in items)
