"""Concurrent saves never silently overwrite each other: through the revision service with two real
database connections racing, through the admin form with two editors, and through the importer."""

import datetime
import re
import threading
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from cms.models import Article, Hotline, RefusedEdit, Revision
from cms.services.factchecks import factcheck_record
from cms.services.imports import dump_import
from cms.services.revisions import EditConflict, content_save, current_revision
from cms.workflow import EDITOR, FACT_CHECKER
from tests.conftest import DUMPS
from tests.factories import UserFactory, region

ATTEMPTS = 200
TIMEOUT = 60  # seconds a thread waits for the other at a barrier before the test fails


def _new_article(user, **fields) -> Article:
    article = Article(
        title="湛江吴川医保电话",
        slug="zhanjiang-wuchuan-yibao",
        body="吴川市医疗保障局联系电话为 0759-5586822。",
        **fields,
    )
    content_save(item=article, user=user, expected_version=None, message="新建")
    return article


# --- two database connections racing through content_save ----------------------------------------


@dataclass
class Outcome:
    version_read: int
    body: str
    conflict: EditConflict | None = None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_connections_saving_the_same_version_one_wins_and_the_other_is_refused_and_kept():
    editors = {
        "甲": UserFactory(username="race_editor_a", role=EDITOR),
        "乙": UserFactory(username="race_editor_b", role=EDITOR),
    }
    article = _new_article(editors["甲"])
    # The main thread takes part in every barrier too, so that it checks the database between attempts.
    barrier = threading.Barrier(len(editors) + 1, timeout=TIMEOUT)
    outcomes: dict[tuple[int, str], Outcome] = {}
    errors: list[BaseException] = []

    def editor(name: str, user) -> None:
        try:
            for attempt in range(ATTEMPTS):
                barrier.wait()  # start together
                item = Article.objects.get(pk=article.pk)  # this thread's own connection
                outcome = Outcome(item.lock_version, f"第 {attempt} 次：编辑{name}改写的正文。")
                barrier.wait()  # both have read the same version
                item.body = outcome.body
                try:
                    content_save(item=item, user=user, expected_version=outcome.version_read)
                except EditConflict as conflict:
                    outcome.conflict = conflict
                outcomes[attempt, name] = outcome
                barrier.wait()  # both are done
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=editor, args=item) for item in editors.items()]
    for thread in threads:
        thread.start()
    conflicts = 0
    try:
        for attempt in range(ATTEMPTS):
            barrier.wait()
            barrier.wait()
            barrier.wait()
            version = 1 + attempt
            winners = [n for n in editors if outcomes[attempt, n].conflict is None]
            losers = [n for n in editors if outcomes[attempt, n].conflict is not None]
            assert len(winners) == 1, f"attempt {attempt}: {len(winners)} saves succeeded"
            assert len(losers) == 1
            winner, loser = outcomes[attempt, winners[0]], outcomes[attempt, losers[0]]
            assert winner.version_read == loser.version_read == version
            # The winner's body is stored, as exactly one new revision.
            stored = Article.objects.get(pk=article.pk)
            assert stored.body == winner.body
            assert stored.lock_version == version + 1
            assert Revision.objects.filter(article=article).count() == version + 1
            revision = current_revision(stored)
            assert (revision.number, revision.content["body"], revision.author) == (
                version + 1,
                winner.body,
                editors[winners[0]],
            )
            # The loser was told, and its text was kept by content_save itself.
            conflict = loser.conflict
            assert (conflict.base_version, conflict.saved_version) == (version, version + 1)
            assert conflict.kept is not None
            kept = RefusedEdit.objects.get(pk=conflict.kept.pk)
            assert (kept.article_id, kept.content["body"], kept.author) == (
                article.pk,
                loser.body,
                editors[losers[0]],
            )
            assert (kept.base_version, kept.saved_version) == (version, version + 1)
            conflicts += 1
    except threading.BrokenBarrierError:
        pass  # a thread failed: its error is reported below
    finally:
        barrier.abort()  # let the threads go if an assertion above failed
        for thread in threads:
            thread.join(TIMEOUT)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)

    assert conflicts == ATTEMPTS
    assert RefusedEdit.objects.filter(article=article).count() == ATTEMPTS
    assert Revision.objects.filter(article=article).count() == 1 + ATTEMPTS
    article.refresh_from_db()
    assert article.lock_version == 1 + ATTEMPTS
    assert {e.content["body"] for e in RefusedEdit.objects.all()}.isdisjoint(
        r.content["body"] for r in Revision.objects.all()
    )


# --- two editors in the admin ----------------------------------------------------------------------

EXPECTED_VERSION = re.compile(r'<input type="hidden" name="expected_version" value="(\d+)"')


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _open(client: Client, url: str) -> int:
    """GET the change page as the editor's browser does; returns the version the form carries."""
    response = client.get(url)
    assert response.status_code == 200
    return int(EXPECTED_VERSION.search(response.content.decode()).group(1))


def _refused_and_reapplied(*, model: str, item, clients, post, field: str, first: str, second: str) -> None:
    """Both editors open the item, both save; the second is refused, sees why, and re-applies."""
    change_url = f"/admin/cms/{model}/{item.pk}/change/"
    client_a, client_b = clients
    version_a, version_b = _open(client_a, change_url), _open(client_b, change_url)
    assert version_a == version_b == item.lock_version

    saved = client_a.post(change_url, post(first, version_a, "编辑甲的修改"))
    refused = client_b.post(change_url, post(second, version_b, "编辑乙的修改"))

    assert saved.status_code == 302
    assert saved["Location"] == f"/admin/cms/{model}/"
    assert refused.status_code == 302
    match = re.fullmatch(rf"/admin/cms/{model}/{item.pk}/refused/(\d+)/", refused["Location"])
    assert match, refused["Location"]
    kept = RefusedEdit.objects.get(pk=int(match.group(1)))
    assert kept.content[field] == second
    assert kept.author.username == "admin_editor_b"
    assert (kept.base_version, kept.saved_version) == (version_b, version_b + 1)
    item.refresh_from_db()
    assert getattr(item, field) == first  # the first save stands
    assert item.lock_version == version_a + 1

    page = client_b.get(refused["Location"])

    html = page.content.decode()
    assert page.status_code == 200
    assert "未保存" in html
    assert f"已有其他人保存了这条内容（现为第 {version_a + 1} 版）" in html
    assert f'<tr class="changed" data-field="{field}">' in html  # the comparison shows the difference
    assert "在已保存版本之上应用我被拒绝的修改" in html

    reapplied = client_b.post(refused["Location"])

    assert reapplied.status_code == 302
    assert reapplied["Location"] == change_url
    item.refresh_from_db()
    assert getattr(item, field) == second
    revision = current_revision(item)
    assert (revision.number, revision.author.username) == (version_a + 2, "admin_editor_b")
    assert revision.message == "重新应用因冲突被拒绝的修改"
    assert revision.content[field] == second
    kept.refresh_from_db()
    assert kept.reapplied_at is not None
    assert "在已保存版本之上应用我被拒绝的修改" not in client_b.get(refused["Location"]).content.decode()


@pytest.fixture
def admin_editors(db):
    return [UserFactory(username=f"admin_editor_{x}", role=EDITOR) for x in "ab"]


def test_second_editor_saving_an_article_in_the_admin_is_refused_shown_the_difference_and_can_reapply(
    admin_editors,
):
    article = _new_article(admin_editors[0], category="hotlines")

    def post(body: str, version: int, message: str) -> dict:
        return {
            "title": article.title,
            "slug": article.slug,
            "category": article.category,
            "summary": "",
            "body": body,
            "review_by": "",
            "revision_message": message,
            "expected_version": version,
        }

    _refused_and_reapplied(
        model="article",
        item=article,
        clients=[_logged_in(u) for u in admin_editors],
        post=post,
        field="body",
        first="吴川市医疗保障局：0759-5586822（工作日 8:00-12:00）。",
        second="吴川市医疗保障局：0759-5586822，异地就医备案请拨 12393。",
    )


def test_second_editor_saving_a_hotline_in_the_admin_is_refused_shown_the_difference_and_can_reapply(
    admin_editors,
):
    hotline = Hotline(organisation="吴川市医疗保障局", number="0759-5586822", region=region("440883"))
    content_save(item=hotline, user=admin_editors[0], expected_version=None)

    def post(service_hours: str, version: int, message: str) -> dict:
        return {
            "organisation": hotline.organisation,
            "purpose": hotline.purpose,
            "number": hotline.display_number,
            "extension": "",
            "region": hotline.region_id,
            "service_hours": service_hours,
            "revision_message": message,
            "expected_version": version,
        }

    _refused_and_reapplied(
        model="hotline",
        item=hotline,
        clients=[_logged_in(u) for u in admin_editors],
        post=post,
        field="service_hours",
        first="工作日 8:30-12:00，14:30-17:30",
        second="周一至周五 8:00-17:30（节假日除外）",
    )


# --- what is not content ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_saving_a_hotline_opened_before_a_fact_check_keeps_the_verification():
    editor = UserFactory(username="stale_editor", role=EDITOR)
    checker = UserFactory(username="stale_checker", role=FACT_CHECKER)
    hotline = Hotline(organisation="吴川市医疗保障局", number="0759-5586822", region=region("440883"))
    content_save(item=hotline, user=editor, expected_version=None)
    opened = Hotline.objects.get(pk=hotline.pk)  # the editor's copy
    called_at = timezone.now() - datetime.timedelta(hours=1)
    factcheck_record(
        item=hotline,
        user=checker,
        subject="phone",
        claim="0759-5586822",
        verdict="confirmed",
        method="phone_call",
        called_at=called_at,
        person_reached="办公室李女士",
    )
    assert Hotline.objects.get(pk=hotline.pk).verification_status == "verified"

    opened.service_hours = "工作日 8:30-12:00，14:30-17:30"
    content_save(item=opened, user=editor, expected_version=opened.lock_version)

    saved = Hotline.objects.get(pk=hotline.pk)
    assert saved.service_hours == "工作日 8:30-12:00，14:30-17:30"
    assert (saved.verification_status, saved.last_verified_at) == ("verified", called_at)


# --- the importer ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reimporting_a_dump_leaves_an_article_edited_since_as_the_editor_left_it():
    editor = UserFactory(username="import_editor", role=EDITOR)
    dump_import(data=DUMPS[0].read_bytes(), filename=DUMPS[0].name)
    article = Article.objects.get(title="湛江吴川医保电话")
    imported_body = article.body
    article.body = imported_body + "\n\n已核实：0759-5586822（2025 年 3 月）。"
    edited = content_save(item=article, user=editor, expected_version=article.lock_version, message="核实")
    count = Article.objects.count()

    same_file = dump_import(data=DUMPS[0].read_bytes(), filename=DUMPS[0].name)
    # The same items in a file with other bytes: not short-cut by the file's hash, matched item by item.
    same_items = dump_import(data=DUMPS[0].read_bytes() + "\n大家都在搜\n".encode(), filename="again.txt")

    assert (same_file.already_imported, same_file.created) == (True, 0)
    assert (same_items.already_imported, same_items.created, same_items.existing) == (False, 0, 21)
    assert Article.objects.count() == count
    article.refresh_from_db()
    assert article.body == edited.content["body"] != imported_body
    assert article.lock_version == 2
    assert current_revision(article) == edited
    assert Revision.objects.filter(article=article).count() == 2
    assert not RefusedEdit.objects.exists()
