import pytest
from django.core import mail

from cms.services import workflow
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(editor, fact_checker, publisher, operator):
    for user, email in [
        (editor, "editor@example.org"),
        (fact_checker, "checker@example.org"),
        (publisher, "publisher@example.org"),
        (operator, "operator@example.org"),
    ]:
        user.email = email
        user.save()
    return editor, fact_checker, publisher


def test_reviewers_are_told_of_a_submission(people, make_article, django_capture_on_commit_callbacks):
    editor, _, _ = people
    article = make_article()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.item_submit(item=article, user=editor)

    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["checker@example.org", "publisher@example.org"]
    assert "待审核" in mail.outbox[0].subject
    assert f"/admin/cms/article/{article.pk}/change/" in mail.outbox[0].body


def test_author_is_told_when_changes_are_requested(people, make_article, django_capture_on_commit_callbacks):
    editor, checker, _ = people
    article = make_article()
    workflow.item_submit(item=article, user=editor)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.item_request_changes(item=article, user=checker, comment="号码与官网不符")

    assert [m.to for m in mail.outbox] == [["editor@example.org"]]
    assert "号码与官网不符" in mail.outbox[0].body


def test_author_is_told_when_published(people, make_article, django_capture_on_commit_callbacks):
    editor, checker, publisher = people
    article = make_article()
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=checker)
    workflow.item_approve(item=article, user=publisher)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.item_publish(item=article, user=publisher)

    assert [m.to for m in mail.outbox] == [["editor@example.org"]]
    assert "已发布" in mail.outbox[0].subject


def test_nobody_is_told_of_a_refused_transition(people, make_article, django_capture_on_commit_callbacks):
    _, checker, _ = people
    article = make_article()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(workflow.PermissionDenied):
        workflow.item_submit(item=article, user=checker)

    assert mail.outbox == []


def test_inactive_or_mailless_reviewers_are_skipped(people, make_article, django_capture_on_commit_callbacks):
    editor, checker, _ = people
    checker.is_active = False
    checker.save()
    UserFactory(username="nomail", role="审核发布", email="")
    article = make_article()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.item_submit(item=article, user=editor)

    assert [m.to for m in mail.outbox] == [["publisher@example.org"]]
