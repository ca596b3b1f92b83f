"""The sync feeds: a cursor over (updated_at, id) that returns every published version exactly once, in
order, and never skips a row whose transaction commits late (api.views.SYNC_SETTLE)."""

import base64
import datetime
import threading
import time
from urllib.parse import urlencode

import pytest
from django.db import connections, transaction
from django.utils import timezone

from api import views
from cms.models import Hotline, LiveArticle, LiveHotline
from cms.services import workflow
from cms.services.revisions import content_save

API = "/api/v1"


def sync(client, path, cursor, page_size=None, **params):
    query = {"cursor": cursor, **({"page_size": page_size} if page_size else {}), **params}
    response = client.get(f"{API}/sync/{path}/?{urlencode(query)}")
    assert response.status_code == 200, response.content
    return response.json()


def drain(client, path, cursor="0", page_size=2):
    """Follow next_cursor until an empty page; returns (results, last cursor, pages read)."""
    results, pages = [], 0
    while True:
        page = sync(client, path, cursor, page_size)
        pages += 1
        assert pages < 500, "sync never ended"
        if not page["results"]:
            assert page["next_cursor"] == cursor  # an empty page keeps the cursor to poll with
            return results, cursor, pages
        assert len(page["results"]) <= page_size
        results += page["results"]
        cursor = page["next_cursor"]


def key(row):
    return (datetime.datetime.fromisoformat(row["updated_at"]), row["id"])


def cursor_for(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


# ------------------------------------------------------------------------------------------------ paging


def test_paging_returns_every_item_once_in_updated_at_id_order(client, settled, make_hotline):
    made = [make_hotline(organisation=f"吴川市医疗保障局 {n}") for n in range(7)]
    results, _, pages = drain(client, "hotlines", page_size=2)
    assert pages == 5  # 2 + 2 + 2 + 1, then the empty page
    assert sorted(r["id"] for r in results) == sorted(h.pk for h in made)
    assert results == sorted(results, key=key)
    expected = list(LiveHotline.objects.order_by("updated_at", "pk").values_list("payload", flat=True))
    assert results == expected


def test_rows_with_the_same_updated_at_are_ordered_by_id(
    client, settled, make_hotline, make_article, edit, publish
):
    """Re-publishing a hotline re-embeds it in every linking article with one timestamp."""
    hotline = make_hotline()
    articles = [make_article(title=f"吴川医保 {n}", hotlines=[hotline.pk]) for n in range(3)]
    publish(edit(hotline, organisation="吴川市医疗保障局（新）"))
    times = set(LiveArticle.objects.values_list("updated_at", flat=True))
    assert len(times) == 1
    results, _, _ = drain(client, "articles", page_size=1)
    assert [r["slug"] for r in results] == [a.slug for a in sorted(articles, key=lambda a: a.pk)]
    assert {r["hotlines"][0]["organisation"] for r in results} == {"吴川市医疗保障局（新）"}


def test_a_republished_item_comes_again_after_the_cursor(client, settled, make_hotline, edit, publish):
    first, second = make_hotline(organisation="甲机构"), make_hotline(organisation="乙机构")
    results, cursor, _ = drain(client, "hotlines")
    assert [r["organisation"] for r in results] == ["甲机构", "乙机构"]
    assert sync(client, "hotlines", cursor)["results"] == []
    publish(edit(first, organisation="甲机构（第二版）"))
    page = sync(client, "hotlines", cursor)
    assert [(r["id"], r["organisation"]) for r in page["results"]] == [(first.pk, "甲机构（第二版）")]
    assert page["next_cursor"] != cursor
    assert sync(client, "hotlines", page["next_cursor"])["results"] == []
    assert second.pk not in [r["id"] for r in page["results"]]


def test_sync_pages_are_as_cheap_at_the_end(client, settled, make_hospital, django_assert_num_queries):
    for n in range(5):
        make_hospital(name=f"医院 {n}")
    _, cursor, _ = drain(client, "hospitals", page_size=1)
    with django_assert_num_queries(1):
        assert sync(client, "hospitals", cursor)["results"] == []


def test_cursor_zero_and_empty_start_from_the_beginning(client, settled, make_hotline):
    make_hotline()
    assert sync(client, "hotlines", "0")["results"] == sync(client, "hotlines", "")["results"]
    assert len(sync(client, "hotlines", "0")["results"]) == 1


def test_a_cursor_from_a_newer_row_excludes_older_ones(client, settled, make_hotline):
    older, newer = make_hotline(organisation="旧"), make_hotline(organisation="新")
    live = LiveHotline.objects.get(pk=older.pk)
    cursor = cursor_for(f"{live.updated_at.isoformat()}|{live.pk}")
    assert [r["id"] for r in sync(client, "hotlines", cursor)["results"]] == [newer.pk]


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "====",
        "%%%",
        "é",
        cursor_for("2025-01-01T00:00:00+00:00"),  # no id
        cursor_for("2025-01-01T00:00:00+00:00|x"),  # id not a number
        cursor_for("2025-01-01T00:00:00|1"),  # no time zone
        cursor_for("yesterday|1"),
        cursor_for("2025-01-01T00:00:00+00:00|1|2"),
        base64.urlsafe_b64encode(b"\xff\xfe|1").decode(),  # not UTF-8
    ],
)
@pytest.mark.parametrize("path", ["articles", "hotlines", "hospitals"])
def test_a_bad_cursor_is_a_400(db, client, path, cursor):
    response = client.get(f"{API}/sync/{path}/?{urlencode({'cursor': cursor})}")
    assert response.status_code == 400
    assert response.json() == {"cursor": ["同步游标无效；从头同步请用 cursor=0。"]}


@pytest.mark.parametrize("path", ["articles", "hotlines", "hospitals"])
def test_the_cursor_is_required(db, client, path):
    response = client.get(f"{API}/sync/{path}/")
    assert response.status_code == 400
    assert response.json() == {"cursor": ["请提供同步游标；从头同步请用 cursor=0。"]}


def test_sync_takes_the_list_filters(client, settled, make_hotline):
    wuchuan = make_hotline(code="440883")
    make_hotline(organisation="连云港市医疗保障局", number="0518-85801234", code="320700")
    assert [r["id"] for r in sync(client, "hotlines", "0", region="440800")["results"]] == [wuchuan.pk]


def test_recent_rows_wait_for_the_settle_window(client, monkeypatch, make_hotline):
    assert datetime.timedelta(seconds=1) <= views.SYNC_SETTLE <= datetime.timedelta(seconds=10)
    hotline = make_hotline()
    age = timezone.now() - LiveHotline.objects.get().updated_at
    # Younger than the window: held back, and the cursor stays where it was.
    monkeypatch.setattr(views, "SYNC_SETTLE", age + datetime.timedelta(seconds=60))
    assert sync(client, "hotlines", "0") == {"next_cursor": "0", "results": []}
    # Older than the window: sent.
    monkeypatch.setattr(views, "SYNC_SETTLE", datetime.timedelta(0))
    assert [r["id"] for r in sync(client, "hotlines", "0")["results"]] == [hotline.pk]


# ----------------------------------------------------------------------------------- concurrent writers


class Writer(threading.Thread):
    """Runs ``work`` on its own thread, so on its own database connection; keeps any error."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work = work
        self.error: BaseException | None = None

    def run(self):
        try:
            self.work()
        except BaseException as exc:
            self.error = exc
        finally:
            connections.close_all()


def approve_new_version(pk: int, team, **fields) -> Hotline:
    """Edit a published hotline and take the edit up to approved, each step in its own transaction."""
    hotline = Hotline.objects.get(pk=pk)
    for name, value in fields.items():
        setattr(hotline, name, value)
    content_save(item=hotline, user=team["editor"], expected_version=hotline.lock_version)
    workflow.item_submit(item=Hotline.objects.get(pk=pk), user=team["editor"])
    workflow.item_pass_check(item=Hotline.objects.get(pk=pk), user=team["checker"])
    workflow.item_approve(item=Hotline.objects.get(pk=pk), user=team["publisher"])
    return Hotline.objects.get(pk=pk)


def late_commit_race(client, team, make_hotline):
    """Writer A takes its timestamp (item_publish's ``now``), then B publishes and commits, then a
    reader syncs, and only then does A commit. Returns the organisations the reader saw."""
    a = make_hotline(organisation="甲 第一版", number="0759-5550001")
    b = make_hotline(organisation="乙 第一版", number="0759-5550002")
    approve_new_version(a.pk, team, organisation="甲 第二版")
    approve_new_version(b.pk, team, organisation="乙 第二版")
    a_has_its_timestamp, reader_has_read = threading.Event(), threading.Event()

    def slow_publish():
        with transaction.atomic():
            workflow.item_publish(item=Hotline.objects.get(pk=a.pk), user=team["publisher"])
            a_has_its_timestamp.set()
            assert reader_has_read.wait(10)
        # commits here, after the reader's first call

    writer = Writer(slow_publish)
    writer.start()
    assert a_has_its_timestamp.wait(10)
    workflow.item_publish(item=Hotline.objects.get(pk=b.pk), user=team["publisher"])  # commits at once
    page = sync(client, "hotlines", "0")
    seen = [r["organisation"] for r in page["results"]]
    reader_has_read.set()
    writer.join(10)
    assert writer.error is None, writer.error
    assert LiveHotline.objects.get(pk=a.pk).payload["organisation"] == "甲 第二版"
    time.sleep(views.SYNC_SETTLE.total_seconds() + 0.3)
    results, _, _ = drain(client, "hotlines", page["next_cursor"])
    return seen + [r["organisation"] for r in results]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_late_commit_is_not_skipped(client, team, make_hotline, unthrottled):
    """With the real settle window: the reader's first call sees neither version yet; later calls
    see both, in timestamp order."""
    seen = late_commit_race(client, team, make_hotline)
    assert seen[-2:] == ["甲 第二版", "乙 第二版"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_the_settle_window_the_late_commit_would_be_skipped(client, team, make_hotline, monkeypatch):
    """The same interleaving with SYNC_SETTLE = 0: the cursor passes A's timestamp before A commits, so
    A's published version never reaches the reader. This is what the settle window is for (and shows
    that the scenario above really exercises the race)."""
    monkeypatch.setattr(views, "SYNC_SETTLE", datetime.timedelta(0))
    seen = late_commit_race(client, team, make_hotline)
    assert "乙 第二版" in seen
    assert "甲 第二版" not in seen


SLOW_COMMIT = 0.3  # seconds between a slow writer's timestamp and its commit
SETTLE = 1.5  # the settle window for the stress test (must exceed SLOW_COMMIT with a margin)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_item_is_skipped_under_concurrent_publication(
    client, team, make_hotline, monkeypatch, unthrottled
):
    """Two writers, each on its own connection, keep re-publishing hotlines: one commits slowly (its
    transaction takes its timestamp, then sleeps before committing), the other quickly, all the while.
    The reader pages through sync/hotlines the whole time. In the end it must have seen the latest
    published version of every hotline. Without the settle window this fails: the reader follows a
    fast commit past a slow writer's earlier timestamp."""
    monkeypatch.setattr(views, "SYNC_SETTLE", datetime.timedelta(seconds=SETTLE))
    slow_ids = [make_hotline(organisation=f"慢 {n}", number=f"0759-555100{n}").pk for n in range(4)]
    fast_ids = [make_hotline(organisation=f"快 {n}", number=f"0759-555200{n}").pk for n in range(4)]
    slow_done = threading.Event()

    def slow_writer():
        try:
            for version in (2, 3):
                for n, pk in enumerate(slow_ids):
                    approve_new_version(pk, team, organisation=f"慢 {n} 第{version}版")
                    with transaction.atomic():
                        workflow.item_publish(item=Hotline.objects.get(pk=pk), user=team["publisher"])
                        time.sleep(SLOW_COMMIT)
        finally:
            slow_done.set()

    def fast_writer():
        version = 1
        while not slow_done.is_set():
            version += 1
            for n, pk in enumerate(fast_ids):
                approve_new_version(pk, team, organisation=f"快 {n} 第{version}版")
                workflow.item_publish(item=Hotline.objects.get(pk=pk), user=team["publisher"])

    writers = [Writer(slow_writer), Writer(fast_writer)]
    for writer in writers:
        writer.start()
    last_seen: dict[int, dict] = {}
    cursor, polls, previous = "0", 0, None
    deadline = None
    while True:
        page = sync(client, "hotlines", cursor, page_size=3)
        polls += 1
        for row in page["results"]:
            assert previous is None or key(row) > previous, "sync went backwards"
            previous = key(row)
            last_seen[row["id"]] = row
        cursor = page["next_cursor"]
        if deadline is None and not any(w.is_alive() for w in writers):
            deadline = time.monotonic() + SETTLE + 0.5  # everything committed will be old enough then
        if deadline is not None and time.monotonic() > deadline and not page["results"]:
            break
        time.sleep(0.01)
    for writer in writers:
        writer.join(10)
        assert writer.error is None, writer.error
    final = {pk: payload for pk, payload in LiveHotline.objects.values_list("pk", "payload")}
    assert set(final) == set(slow_ids) | set(fast_ids)
    assert polls > 50
    missed = {pk: (last_seen.get(pk, {}).get("organisation"), final[pk]["organisation"]) for pk in final}
    missed = {pk: pair for pk, pair in missed.items() if pair[0] != pair[1]}
    assert not missed, f"the reader never saw these latest versions (seen, published): {missed}"
    assert {last_seen[pk]["organisation"] for pk in slow_ids} == {f"慢 {n} 第3版" for n in range(4)}
    assert all(last_seen[pk] == final[pk] for pk in final)


@pytest.mark.xfail(
    strict=True,
    reason="BUG: publish_due publishes a batch one transaction per item, all with updated_at = as_of; "
    "once as_of is older than SYNC_SETTLE (a late or long-running job), a reader between two of the "
    "batch's commits moves its cursor to (as_of, larger id) and skips batch items with a smaller id",
)
def test_a_scheduled_batch_is_not_skipped(client, team, make_hotline, monkeypatch):
    # Same region: publish_due takes them in Hotline.Meta.ordering (region, organisation), so "A …",
    # whose id is the larger, commits first.
    small = make_hotline(organisation="B 医疗保障局", number="0759-5550011", published=False)
    large = make_hotline(organisation="A 医疗保障局", number="0759-5550012", published=False)
    assert small.pk < large.pk
    as_of = timezone.now() - datetime.timedelta(seconds=5)  # the job started five seconds ago
    for hotline in (small, large):
        workflow.item_submit(item=hotline, user=team["editor"])
        workflow.item_pass_check(item=hotline, user=team["checker"])
        workflow.item_approve(item=hotline, user=team["publisher"])
        # Scheduled earlier (item_schedule_publication refuses a time in the past).
        Hotline.objects.filter(pk=hotline.pk).update(publish_at=as_of, scheduled_by=team["publisher"])
    seen, cursor = [], ["0"]
    publish = workflow.item_publish

    def publish_then_a_reader_syncs(**kwargs):
        log = publish(**kwargs)
        page = sync(client, "hotlines", cursor[-1])
        seen.extend(r["organisation"] for r in page["results"])
        cursor.append(page["next_cursor"])
        return log

    monkeypatch.setattr(workflow, "item_publish", publish_then_a_reader_syncs)
    assert workflow.publish_due(as_of=as_of) == 2
    seen.extend(r["organisation"] for r in drain(client, "hotlines", cursor[-1])[0])
    assert seen[0] == "A 医疗保障局"  # the reader did read between the two commits
    assert sorted(seen) == ["A 医疗保障局", "B 医疗保障局"]
