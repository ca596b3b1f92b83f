"""The sync feeds: a cursor over the live clock (cms.models.LiveClock), which numbers changes in commit
order, returns every published version exactly once, in order, never skips a row whose transaction
commits late, and lists withdrawals."""

import base64
import datetime
import threading
import time
from urllib.parse import urlencode

import pytest
from django.db import connections, transaction
from django.utils import timezone

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
        if page["next_cursor"] == cursor:  # up to date: an empty page keeps the cursor to poll with
            assert page["results"] == page["removed"] == []
            return results, cursor, pages
        assert len(page["results"]) <= page_size
        results += page["results"]
        cursor = page["next_cursor"]


def key(row):
    return (datetime.datetime.fromisoformat(row["updated_at"]), row["id"])


def clock_order(model):
    return list(model.objects.order_by("seq", "pk").values_list("payload", flat=True))


def cursor_for(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


# ------------------------------------------------------------------------------------------------ paging


def test_paging_returns_every_item_once_in_clock_order(client, make_hotline):
    made = [make_hotline(organisation=f"吴川市医疗保障局 {n}") for n in range(7)]
    results, _, pages = drain(client, "hotlines", page_size=2)
    assert pages == 5  # 2 + 2 + 2 + 1, then the empty page
    assert sorted(r["id"] for r in results) == sorted(h.pk for h in made)
    assert results == sorted(results, key=key)  # published one after the other
    assert results == clock_order(LiveHotline)


def test_rows_changed_in_one_transaction_are_ordered_by_id(client, make_hotline, make_article, edit, publish):
    """Re-publishing a hotline re-embeds it in every linking article with one timestamp, in one
    transaction."""
    hotline = make_hotline()
    articles = [make_article(title=f"吴川医保 {n}", hotlines=[hotline.pk]) for n in range(3)]
    publish(edit(hotline, organisation="吴川市医疗保障局（新）"))
    times = set(LiveArticle.objects.values_list("updated_at", flat=True))
    assert len(times) == 1
    results, _, _ = drain(client, "articles", page_size=1)
    assert [r["slug"] for r in results] == [a.slug for a in sorted(articles, key=lambda a: a.pk)]
    assert {r["hotlines"][0]["organisation"] for r in results} == {"吴川市医疗保障局（新）"}


def test_a_republished_item_comes_again_after_the_cursor(client, make_hotline, edit, publish):
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


def test_sync_pages_are_as_cheap_at_the_end(client, make_hospital, django_assert_num_queries):
    for n in range(5):
        make_hospital(name=f"医院 {n}")
    _, cursor, _ = drain(client, "hospitals", page_size=1)
    with django_assert_num_queries(3):  # changes, removals, the clock's time
        assert sync(client, "hospitals", cursor)["results"] == []


def test_cursor_zero_and_empty_start_from_the_beginning(client, make_hotline):
    make_hotline()
    assert sync(client, "hotlines", "0")["results"] == sync(client, "hotlines", "")["results"]
    assert len(sync(client, "hotlines", "0")["results"]) == 1


def test_a_cursor_from_a_newer_row_excludes_older_ones(client, make_hotline):
    older, newer = make_hotline(organisation="旧"), make_hotline(organisation="新")
    live = LiveHotline.objects.get(pk=older.pk)
    cursor = cursor_for(f"{live.seq}.{live.pk}")
    assert [r["id"] for r in sync(client, "hotlines", cursor)["results"]] == [newer.pk]


@pytest.mark.parametrize(
    "cursor",
    [
        "abc",
        "====",
        "%%%",
        "é",
        cursor_for("12"),  # no id
        cursor_for("12.x"),  # id not a number
        cursor_for("-1.2"),
        cursor_for("1.2.3"),
        cursor_for("12.3e4"),
        cursor_for("1" * 19 + ".1"),  # beyond a bigint
        cursor_for("２.1"),  # full-width digit
        cursor_for("2025-01-01T00:00:00+00:00|1"),  # a cursor of the old (updated_at|id) kind
        base64.urlsafe_b64encode(b"\xff\xfe.1").decode(),  # not UTF-8
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


def test_sync_takes_the_list_filters(client, make_hotline):
    wuchuan = make_hotline(code="440883")
    make_hotline(organisation="连云港市医疗保障局", number="0518-85801234", code="320700")
    assert [r["id"] for r in sync(client, "hotlines", "0", region="440800")["results"]] == [wuchuan.pk]


def test_a_change_is_in_the_feed_at_once(client, make_hotline, edit, publish):
    """No settle window: a committed change is numbered after every change before it."""
    hotline = make_hotline(organisation="甲机构")
    _, cursor, _ = drain(client, "hotlines")
    publish(edit(hotline, organisation="甲机构（新）"))
    assert [r["organisation"] for r in sync(client, "hotlines", cursor)["results"]] == ["甲机构（新）"]


# ------------------------------------------------------------------------------------------- withdrawals


def test_a_withdrawal_is_listed_under_removed(client, team, make_hotline, make_article):
    kept, gone = make_hotline(organisation="留下的"), make_hotline(organisation="撤下的")
    article = make_article(title="撤下的文章")
    _, hotline_cursor, _ = drain(client, "hotlines")
    _, article_cursor, _ = drain(client, "articles")
    workflow.item_withdraw(item=Hotline.objects.get(pk=gone.pk), user=team["publisher"])
    page = sync(client, "hotlines", hotline_cursor)
    assert page["removed"] == [gone.pk]
    assert kept.pk not in [r["id"] for r in page["results"]]
    assert sync(client, "hotlines", page["next_cursor"]) == {
        "next_cursor": page["next_cursor"],
        "results": [],
        "removed": [],
    }
    # Articles have their own feed: the hotline's withdrawal is not an article's.
    assert sync(client, "articles", article_cursor)["removed"] == []
    workflow.item_withdraw(item=type(article).objects.get(pk=article.pk), user=team["publisher"])
    assert sync(client, "articles", article_cursor)["removed"] == [article.pk]


def test_a_withdrawal_ignores_the_filters(client, team, make_hotline):
    """The item is gone, so its region is gone with it: a filtered feed lists every removal."""
    hotline = make_hotline(code="440883")
    _, cursor, _ = drain(client, "hotlines")
    workflow.item_withdraw(item=Hotline.objects.get(pk=hotline.pk), user=team["publisher"])
    assert sync(client, "hotlines", cursor, region="320700")["removed"] == [hotline.pk]


def test_a_republished_item_is_no_longer_listed_as_removed(client, team, make_hotline):
    hotline = make_hotline(organisation="撤下又发布")
    workflow.item_withdraw(item=Hotline.objects.get(pk=hotline.pk), user=team["publisher"])
    assert sync(client, "hotlines", "0")["removed"] == [hotline.pk]
    workflow.item_reopen(item=Hotline.objects.get(pk=hotline.pk), user=team["editor"])
    approve_new_version(hotline.pk, team, organisation="撤下又发布")
    workflow.item_publish(item=Hotline.objects.get(pk=hotline.pk), user=team["publisher"])
    page = sync(client, "hotlines", "0")
    assert page["removed"] == []
    assert [r["organisation"] for r in page["results"]] == ["撤下又发布"]


def test_removals_page_with_the_changes(client, team, make_hotline):
    """Removals and changes share the cursor: a page holds at most page_size of both, in clock order."""
    hotlines = [make_hotline(organisation=f"机构 {n}", number=f"0759-555300{n}") for n in range(4)]
    for hotline in hotlines[:3]:
        workflow.item_withdraw(item=Hotline.objects.get(pk=hotline.pk), user=team["publisher"])
    seen_results, seen_removed, cursor = [], [], "0"
    for _ in range(10):
        page = sync(client, "hotlines", cursor, page_size=2)
        if not page["results"] and not page["removed"]:
            break
        assert len(page["results"]) + len(page["removed"]) <= 2
        seen_results += [r["id"] for r in page["results"]]
        seen_removed += page["removed"]
        cursor = page["next_cursor"]
    assert seen_results == [hotlines[3].pk]
    assert seen_removed == [h.pk for h in hotlines[:3]]


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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_late_commit_is_not_skipped(client, team, make_hotline, unthrottled):
    """Writer A publishes and holds its transaction open; writer B publishes meanwhile. B cannot take
    a clock number until A commits, so B cannot commit first: the reader, reading in between, sees
    neither, and then both, A before B. (With timestamps or a plain sequence, B would commit first,
    the reader's cursor would pass it, and A's version would be skipped.)"""
    a = make_hotline(organisation="甲 第一版", number="0759-5550001")
    b = make_hotline(organisation="乙 第一版", number="0759-5550002")
    approve_new_version(a.pk, team, organisation="甲 第二版")
    approve_new_version(b.pk, team, organisation="乙 第二版")
    _, cursor, _ = drain(client, "hotlines")
    a_published, reader_has_read, b_done = threading.Event(), threading.Event(), threading.Event()

    def slow_publish():
        with transaction.atomic():
            workflow.item_publish(item=Hotline.objects.get(pk=a.pk), user=team["publisher"])
            a_published.set()
            assert reader_has_read.wait(10)
        # commits here, after the reader's call

    def quick_publish():
        assert a_published.wait(10)
        workflow.item_publish(item=Hotline.objects.get(pk=b.pk), user=team["publisher"])
        b_done.set()

    writers = [Writer(slow_publish), Writer(quick_publish)]
    for writer in writers:
        writer.start()
    assert a_published.wait(10)
    assert not b_done.wait(0.5), "B committed while A held the clock"
    page = sync(client, "hotlines", cursor)
    assert page["results"] == []
    reader_has_read.set()
    for writer in writers:
        writer.join(10)
        assert writer.error is None, writer.error
    results, _, _ = drain(client, "hotlines", page["next_cursor"])
    assert [r["organisation"] for r in results] == ["甲 第二版", "乙 第二版"]


SLOW_COMMIT = 0.3  # seconds between a slow writer's publication and its commit


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_item_is_skipped_under_concurrent_publication(client, team, make_hotline, unthrottled):
    """Two writers, each on its own connection, keep re-publishing hotlines: one commits slowly (its
    transaction takes its timestamp, then sleeps before committing), the other quickly, all the while.
    The reader pages through sync/hotlines the whole time. In the end it must have seen the latest
    published version of every hotline."""
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
            deadline = time.monotonic() + 0.5
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
