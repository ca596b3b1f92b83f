"""Flagging outdated articles: the rules, their boundary days, idempotency, set-based queries,
readers' view, the editors' digest and resolution by a fixing revision."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import Flag, FlagKind, Job, JobRun, LiveArticle, RunStatus, Trigger
from cms.services import jobs
from cms.services.outdated import flag_outdated
from tests.factories import UserFactory

END = datetime.date(2025, 12, 31)


@pytest.fixture
def expiring(make_article, make_policy):
    policy = make_policy(
        effective_from=datetime.date(2024, 1, 1), effective_to=END, title="职工医保门诊共济办法"
    )
    return make_article(title="门诊共济报销", policies=[policy.pk]), policy


@pytest.mark.parametrize(
    ("as_of", "flagged"),
    [(END - datetime.timedelta(days=1), False), (END, False), (END + datetime.timedelta(days=1), True)],
    ids=["day before", "on the last day", "day after"],
)
def test_a_policy_is_out_of_force_the_day_after_effective_to(expiring, as_of, flagged):
    article, policy = expiring
    assert flag_outdated(as_of=as_of) == (1, int(flagged))
    flags = Flag.objects.filter(article=article, kind=FlagKind.POLICY_EXPIRED, resolved_at=None)
    assert flags.exists() is flagged
    if flagged:
        flag = flags.get()
        assert flag.key == f"policy:{policy.pk}"
        assert flag.public_reason == f"本文依据的政策“职工医保门诊共济办法”已于 {END} 失效，内容正在复核。"


def test_readers_see_the_flag_in_the_api(client, expiring):
    article, _ = expiring
    before = LiveArticle.objects.values("payload", "seq", "updated_at").get(pk=article.pk)
    cursor = client.get("/api/v1/sync/articles/?cursor=0").json()["next_cursor"]
    flag_outdated(as_of=END + datetime.timedelta(days=1))
    body = client.get(f"/api/v1/articles/{article.slug}/").json()
    assert body["outdated"]["flagged"] is True
    assert "失效" in body["outdated"]["reasons"][0]
    assert [a["slug"] for a in client.get("/api/v1/articles/?outdated=true").json()["results"]] == [
        article.slug
    ]
    assert client.get("/api/v1/articles/").json()["results"] == [body]
    # Flagging writes flags only: the live row is untouched, and readers get the publish path's
    # payload with the open flags' reasons.
    assert LiveArticle.objects.values("payload", "seq", "updated_at").get(pk=article.pk) == before
    live = LiveArticle.objects.select_related("revision").get(pk=article.pk)
    from cms.services.live import article_payload

    reasons = list(Flag.objects.filter(article=article).values_list("public_reason", flat=True))
    assert body == article_payload(live, outdated_reasons=reasons)
    # Syncing clients get the flagged article again.
    assert client.get(f"/api/v1/sync/articles/?cursor={cursor}").json()["results"] == [body]


def test_running_twice_adds_nothing(expiring):
    after = END + datetime.timedelta(days=1)
    assert flag_outdated(as_of=after) == (1, 1)
    seq = LiveArticle.objects.get().seq
    assert flag_outdated(as_of=after) == (1, 0)
    assert Flag.objects.count() == 1
    assert LiveArticle.objects.get().seq == seq  # nothing rewritten either


def test_superseded_and_review_due_are_flagged_not_yet_in_force_is_not(
    make_article, make_policy, edit, publish
):
    old = make_policy(effective_from=datetime.date(2020, 1, 1), effective_to=None)
    new = make_policy(effective_from=datetime.date(2024, 1, 1), effective_to=None)
    old.superseded_by = new
    old.save()
    future = make_policy(effective_from=datetime.date(2027, 1, 1), effective_to=None)
    superseded = make_article(title="旧政策解读", policies=[old.pk])
    pending = make_article(title="明年起施行", policies=[future.pk])
    review = make_article(title="到期复核")
    publish(edit(review, review_by=datetime.date(2026, 6, 1)))
    flag_outdated(as_of=datetime.date(2026, 11, 23))
    kinds = {(f.article_id, f.kind) for f in Flag.objects.all()}
    assert kinds == {(superseded.pk, FlagKind.POLICY_SUPERSEDED), (review.pk, FlagKind.REVIEW_DUE)}
    assert not Flag.objects.filter(article=pending).exists()


def test_the_query_count_does_not_grow_with_the_articles(make_article, make_policy):
    policy = make_policy(effective_from=datetime.date(2020, 1, 1), effective_to=datetime.date(2021, 1, 1))

    def queries_for(n: int) -> int:
        for i in range(n):
            make_article(title=f"文章 {n}-{i}", policies=[policy.pk])
        Flag.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            flag_outdated(as_of=datetime.date(2026, 1, 1))
        return len(captured)

    few, many = queries_for(2), queries_for(20)
    assert Flag.objects.count() == 22
    assert few == many


def test_editors_get_one_digest(make_article, make_policy, django_capture_on_commit_callbacks):
    UserFactory(username="desk-editor", email="desk@example.cn", role="编辑")
    policy = make_policy(effective_from=datetime.date(2020, 1, 1), effective_to=datetime.date(2021, 1, 1))
    for i in range(3):
        make_article(title=f"过时文章 {i}", policies=[policy.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        flag_outdated(as_of=datetime.date(2026, 1, 1))
    digests = [m for m in mail.outbox if "可能已过时" in m.subject]
    assert len(digests) == 1
    assert digests[0].subject.endswith("3 篇文章可能已过时")
    assert set(digests[0].to) == {"desk@example.cn", "api-editor@desk.example.cn"}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        flag_outdated(as_of=datetime.date(2026, 1, 1))
    assert not mail.outbox


def test_publishing_a_fixing_revision_resolves_the_flag(expiring, make_policy, edit, publish, client):
    article, _ = expiring
    flag_outdated(as_of=datetime.date(2026, 1, 1))
    assert Flag.objects.filter(resolved_at=None).count() == 1
    # A revision that still cites the expired policy does not fix it.
    publish(edit(article, title="门诊共济报销（修订中）"))
    assert Flag.objects.filter(resolved_at=None).count() == 1
    current = make_policy(effective_from=datetime.date(2026, 1, 1), effective_to=None)
    publish(edit(article, m2m={"policies": [current.pk]}))
    assert Flag.objects.filter(resolved_at=None).count() == 0
    assert client.get(f"/api/v1/articles/{article.slug}/").json()["outdated"] == {
        "flagged": False,
        "reasons": [],
    }


def test_dry_run_counts_and_writes_nothing(expiring):
    run = jobs.run_job(
        Job.FLAG_OUTDATED, trigger=Trigger.COMMAND, dry_run=True, as_of=datetime.date(2026, 1, 1)
    )
    assert (run.status, run.examined, run.changed, run.dry_run) == (RunStatus.SUCCEEDED, 1, 1, True)
    assert not Flag.objects.exists()


def test_a_scheduled_run_happens_once_per_day(expiring):
    first = jobs.run_job(Job.FLAG_OUTDATED, trigger=Trigger.SCHEDULE, as_of=datetime.date(2026, 1, 1))
    again = jobs.run_job(Job.FLAG_OUTDATED, trigger=Trigger.SCHEDULE, as_of=datetime.date(2026, 1, 1))
    assert first.pk == again.pk
    assert JobRun.objects.filter(job=Job.FLAG_OUTDATED).count() == 1
    assert first.key == jobs.schedule_key(Job.FLAG_OUTDATED)
    assert Flag.objects.count() == 1
