"""Every write path makes an immutable revision; any two can be compared; restoring makes a new one."""

import pytest
from django.core.exceptions import ValidationError

from cms.models import Article, Hospital, Hotline, Revision
from cms.services.diffs import content_diff, inline_diff
from cms.services.imports import dump_import
from cms.services.revisions import content_save, current_revision, revision_restore
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client, db):
    client.force_login(UserFactory(username="root", is_superuser=True))
    return client


def test_service_save_records_full_content(make_article, editor, official_source):
    article = make_article()

    revision = current_revision(article)

    assert (revision.number, revision.author, revision.message) == (1, editor, "")
    assert revision.content["title"] == "湛江吴川医保电话"
    assert revision.content["body"].startswith("湛江市吴川市")
    assert revision.content["sources"] == [official_source.pk]
    assert revision.content["regions"] == []


def test_each_save_adds_a_numbered_revision(make_article, editor):
    article = make_article()

    article.body = "第二版"
    content_save(item=article, user=editor, expected_version=article.lock_version, message="改正文")

    assert list(Revision.objects.filter(article=article).values_list("number", "message")) == [
        (2, "改正文"),
        (1, ""),
    ]
    assert article.lock_version == 2


def test_importer_records_a_revision_per_item(dumps, editor):
    dump_import(data=dumps[0].read_bytes(), filename=dumps[0].name, user=editor)

    assert Revision.objects.filter(article__isnull=False).count() == Article.objects.count() == 21
    assert set(Revision.objects.values_list("message", flat=True)) == {f"从 {dumps[0].name} 导入"}


def test_admin_add_and_change_record_revisions_with_author_and_message(root_client):
    root_client.post(
        "/admin/cms/hotline/add/",
        {
            "organisation": "通辽市医疗保障局",
            "purpose": "consultation",
            "number": "0475-8910921",
            "region": "150500",
        },
    )
    hotline = Hotline.objects.get()
    response = root_client.post(
        f"/admin/cms/hotline/{hotline.pk}/change/",
        {
            "organisation": "通辽市医疗保障局",
            "purpose": "consultation",
            "number": "0475-8836278",
            "region": "150500",
            "revision_message": "改为办公室电话",
            "expected_version": hotline.lock_version,
        },
    )

    assert response.status_code == 302
    revisions = list(Revision.objects.filter(hotline=hotline).order_by("number"))
    assert [r.content["display_number"] for r in revisions] == ["0475-8910921", "0475-8836278"]
    assert [r.message for r in revisions] == ["", "改为办公室电话"]
    assert {r.author.username for r in revisions} == {"root"}


def test_hospital_revision_includes_its_phones(editor):
    hospital = Hospital(name="连云港市口腔医院", region=region("320700"))
    content_save(
        item=hospital,
        user=editor,
        expected_version=None,
        phones=[{"label": "预约挂号", "number": "85767777", "extension": ""}],
    )

    content = current_revision(hospital).content
    assert [p["display_number"] for p in content["phones"]] == ["0518-85767777"]


def test_revisions_are_never_changed_or_deleted(make_article):
    revision = current_revision(make_article())

    revision.message = "改写历史"
    with pytest.raises(ValidationError, match="不可修改"):
        revision.save()
    with pytest.raises(ValidationError, match="不可删除"):
        revision.delete()
    assert Revision.objects.get(pk=revision.pk).message == ""


def test_restore_makes_a_new_revision_with_the_old_content(make_article, editor, publisher):
    article = make_article(body="原始正文")
    article.body = "错误的改动"
    content_save(item=article, user=editor, expected_version=article.lock_version)

    restored = revision_restore(revision=Revision.objects.get(article=article, number=1), user=publisher)

    article.refresh_from_db()
    assert restored.number == 3
    assert restored.content["body"] == article.body == "原始正文"
    assert restored.message == "恢复第 1 版"
    assert Revision.objects.get(article=article, number=2).content["body"] == "错误的改动"


def test_restore_through_the_admin(root_client, make_article, editor):
    article = make_article(body="原始正文")
    article.body = "错误的改动"
    content_save(item=article, user=editor, expected_version=article.lock_version)

    response = root_client.post(f"/admin/cms/article/{article.pk}/restore/1/")

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "原始正文"
    assert current_revision(article).number == 3


def test_restore_needs_post_and_change_permission(client, make_article, operator):
    article = make_article()
    client.force_login(operator)

    assert client.get(f"/admin/cms/article/{article.pk}/restore/1/").status_code == 403
    assert client.post(f"/admin/cms/article/{article.pk}/restore/1/").status_code == 403
    assert current_revision(article).number == 1


def test_compare_shows_text_changes_inline_and_relations_added_and_removed(
    make_article, editor, official_source
):
    from tests.factories import SourceFactory

    article = make_article(body="电话为 0759-5586822。")
    other = SourceFactory(title="吴川市人民政府网")
    article.body = "电话为 0759-5586698。"
    content_save(
        item=article, user=editor, expected_version=article.lock_version, m2m={"sources": [other.pk]}
    )
    old, new = (r.content for r in Revision.objects.filter(article=article).order_by("number"))

    changes = {c.name: c for c in content_diff(Article, old, new)}

    assert changes["body"].changed
    assert changes["body"].html == "电话为 0759-<del>5586822</del><ins>5586698</ins>。"
    assert not changes["title"].changed
    assert changes["sources"].added == ["吴川市人民政府网"]
    assert changes["sources"].removed == ["湛江市医疗保障局官网"]


def test_inline_diff_escapes_html():
    html = inline_diff("<b>旧</b>", "<script>新</script>")

    assert "<script>" not in html
    tag = "<del>b</del><ins>script</ins>"
    assert html == f"&lt;{tag}&gt;<del>旧</del><ins>新</ins>&lt;/{tag}&gt;"


def test_compare_page_in_the_admin(root_client, make_article, editor):
    article = make_article(body="第一版")
    article.body = "第二版"
    content_save(item=article, user=editor, expected_version=article.lock_version)

    html = root_client.get(f"/admin/cms/article/{article.pk}/compare/", {"a": 1, "b": 2}).content.decode()

    assert "<del>一</del><ins>二</ins>" in html
    assert "从第 1 版到第 2 版" in html
    assert root_client.get(f"/admin/cms/article/{article.pk}/compare/", {"a": 1, "b": 9}).status_code == 404


def test_history_page_lists_revisions_transitions_and_fact_checks(
    root_client, make_hotline, verify_by_phone, editor
):
    hotline = make_hotline()
    hotline.service_hours = "工作日 8:30-17:30"
    content_save(item=hotline, user=editor, expected_version=hotline.lock_version, message="补充服务时间")
    verify_by_phone(hotline)

    html = root_client.get(f"/admin/cms/hotline/{hotline.pk}/history/").content.decode()

    assert html.count('class="revision"') == 2
    assert "补充服务时间" in html
    assert "办公室李女士" in html
    assert "属实" in html
