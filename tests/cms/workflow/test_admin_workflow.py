"""The workflow as people use it in the admin: action links, confirmation pages, refusals explained,
the review queue on the landing page."""

import pytest

from cms.models import LiveArticle
from cms.services import workflow
from cms.workflow import State

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_change_page_offers_the_actions_of_the_user_role(client, make_article, editor, publisher):
    article = make_article()

    editor_page = login(client, editor).get(f"/admin/cms/article/{article.pk}/change/").content.decode()
    assert "workflow-submit" in editor_page
    assert "workflow-approve" not in editor_page
    assert "草稿" in editor_page
    assert "未发布" in editor_page

    workflow.item_submit(item=article, user=editor)
    publisher_page = login(client, publisher).get(f"/admin/cms/article/{article.pk}/change/").content.decode()
    assert "workflow-approve" in publisher_page
    assert "第 1 版尚未经核查员核查通过" in publisher_page  # what the gate still misses


def test_submit_through_the_admin(client, make_article, editor):
    article = make_article()

    response = login(client, editor).post(
        f"/admin/cms/article/{article.pk}/transition/submit/", {"comment": "请审核"}, follow=True
    )

    article.refresh_from_db()
    assert article.state == State.IN_REVIEW
    assert "已完成：提交审核" in response.content.decode()


def test_gate_refusal_is_explained_item_by_item(client, make_article, editor, publisher):
    article = make_article(sources=[])
    workflow.item_submit(item=article, user=editor)

    response = login(client, publisher).post(
        f"/admin/cms/article/{article.pk}/transition/approve/", {"comment": ""}, follow=True
    )

    html = response.content.decode()
    assert "未批准。仍缺少：" in html
    assert "文章没有引用任何官方来源。" in html
    assert "第 1 版尚未经核查员核查通过。" in html
    article.refresh_from_db()
    assert article.state == State.IN_REVIEW


def test_request_changes_without_a_comment_is_sent_back_to_the_form(
    client, make_article, editor, fact_checker
):
    article = make_article()
    workflow.item_submit(item=article, user=editor)

    response = login(client, fact_checker).post(
        f"/admin/cms/article/{article.pk}/transition/request_changes/", {"comment": ""}
    )

    assert response.status_code == 200
    assert "必须填写说明" in response.content.decode()
    article.refresh_from_db()
    assert article.state == State.IN_REVIEW


def test_role_refusal_is_explained(client, make_article, fact_checker):
    article = make_article()

    response = login(client, fact_checker).post(
        f"/admin/cms/article/{article.pk}/transition/submit/", follow=True
    )

    assert "只有编辑可以执行“提交审核”" in response.content.decode()


def test_unknown_action_is_not_found(client, make_article, editor):
    article = make_article()

    assert login(client, editor).get(f"/admin/cms/article/{article.pk}/transition/edit/").status_code == 404
    assert client.get(f"/admin/cms/article/{article.pk}/transition/explode/").status_code == 404


def test_schedule_publication_through_the_admin(client, make_article, editor, fact_checker, publisher):
    article = make_article()
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)
    workflow.item_approve(item=article, user=publisher)

    missing_time = login(client, publisher).post(
        f"/admin/cms/article/{article.pk}/transition/schedule_publication/", {"comment": ""}
    )
    assert "请选择时间" in missing_time.content.decode()
    client.post(
        f"/admin/cms/article/{article.pk}/transition/schedule_publication/", {"at": "2099-01-01T08:00"}
    )

    article.refresh_from_db()
    assert article.publish_at.year == 2099
    assert not LiveArticle.objects.exists()


def test_landing_page_shows_each_role_what_awaits_it(client, make_article, editor, fact_checker, publisher):
    returned, waiting, checked = make_article(), make_article(), make_article()
    for article in (returned, waiting, checked):
        workflow.item_submit(item=article, user=editor)
    workflow.item_request_changes(item=returned, user=fact_checker, comment="请补充来源")
    workflow.item_pass_check(item=checked, user=fact_checker)

    editor_home = login(client, editor).get("/admin/")
    checker_home = login(client, fact_checker).get("/admin/")
    publisher_home = login(client, publisher).get("/admin/")

    def counts(response):
        return {section.key: section.count for section in response.context["queue"]}

    assert counts(editor_home) == {"returned": 1, "my_drafts": 0}
    assert counts(checker_home) == {"to_check": 1, "failing": 0}
    assert counts(publisher_home) == {"to_approve": 1, "to_publish": 0, "scheduled": 0, "flagged": 0}
    assert "退回给我修改" in editor_home.content.decode()
    assert "待我处理" in publisher_home.content.decode()
