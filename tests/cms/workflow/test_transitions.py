"""One test per transition rule: allowed, refused by role, by state, four eyes, the fact-check gate,
comment required; and what each transition does to the live form."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cms.models import Article, LiveArticle, LiveHotline, TransitionLog
from cms.services import workflow
from cms.services.revisions import content_save, current_revision
from cms.workflow import TRANSITIONS, Action, State, allowed_actions
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _reload(item):
    return type(item).objects.get(pk=item.pk)


def approve_and_publish(item, *, checker, publisher):
    workflow.item_submit(item=item, user=UserFactory(username=f"submitter{item.pk}", role="编辑"))
    workflow.item_pass_check(item=item, user=checker)
    workflow.item_approve(item=item, user=publisher)
    workflow.item_publish(item=item, user=publisher)
    return _reload(item)


# --- the table ------------------------------------------------------------------------------------


def test_every_transition_names_roles_and_sources():
    for action, transition in TRANSITIONS.items():
        assert transition.roles, action
        assert transition.sources, action


def test_allowed_actions_follow_the_table():
    assert allowed_actions(State.DRAFT, {"编辑"}) == [Action.SUBMIT]
    assert set(allowed_actions(State.IN_REVIEW, {"核查员"})) == {Action.PASS_CHECK, Action.REQUEST_CHANGES}
    assert Action.APPROVE in allowed_actions(State.IN_REVIEW, {"审核发布"})
    assert allowed_actions(State.PUBLISHED, {"运维"}) == []


# --- submit -----------------------------------------------------------------------------------------


def test_editor_submits_a_draft_and_the_step_is_logged(make_article, editor):
    article = make_article()

    log = workflow.item_submit(item=article, user=editor, comment="请审核")

    assert _reload(article).state == State.IN_REVIEW
    assert (log.action, log.from_state, log.to_state, log.actor, log.comment) == (
        Action.SUBMIT,
        State.DRAFT,
        State.IN_REVIEW,
        editor,
        "请审核",
    )
    assert log.revision == current_revision(article)
    assert log.at is not None


@pytest.mark.parametrize("role", ["fact_checker", "publisher", "operator"])
def test_submit_refused_by_role(make_article, role, request):
    article = make_article()

    with pytest.raises(PermissionDenied, match="只有编辑可以"):
        workflow.item_submit(item=article, user=request.getfixturevalue(role))

    assert _reload(article).state == State.DRAFT
    assert not TransitionLog.objects.filter(action=Action.SUBMIT).exists()


def test_submit_refused_by_state(make_article, editor):
    article = make_article()
    workflow.item_submit(item=article, user=editor)

    with pytest.raises(workflow.InvalidTransition, match="当前状态为“审核中”"):
        workflow.item_submit(item=article, user=editor)


# --- pass check and request changes -------------------------------------------------------------------


def test_fact_checker_passes_the_revision_under_review(make_article, editor, fact_checker):
    article = make_article()
    workflow.item_submit(item=article, user=editor)

    log = workflow.item_pass_check(item=article, user=fact_checker)

    assert _reload(article).state == State.IN_REVIEW
    assert log.revision == current_revision(article)


def test_pass_check_refused_to_an_editor(make_article, editor):
    article = make_article()
    workflow.item_submit(item=article, user=editor)

    with pytest.raises(PermissionDenied):
        workflow.item_pass_check(item=article, user=editor)


def test_pass_check_refused_to_the_author_even_with_the_role(make_article):
    both = UserFactory(username="both", role="编辑")
    both.groups.add(*UserFactory(username="tmp", role="核查员").groups.all())
    article = make_article(author=both)
    workflow.item_submit(item=article, user=both)

    with pytest.raises(workflow.FourEyesViolation, match="四眼原则"):
        workflow.item_pass_check(item=article, user=both)


def test_request_changes_requires_a_comment(make_article, editor, fact_checker):
    article = make_article()
    workflow.item_submit(item=article, user=editor)

    with pytest.raises(ValidationError) as excinfo:
        workflow.item_request_changes(item=article, user=fact_checker, comment="  ")

    assert "必须填写说明" in excinfo.value.message_dict["comment"][0]
    assert _reload(article).state == State.IN_REVIEW


def test_request_changes_returns_the_item(make_article, editor, fact_checker):
    article = make_article()
    workflow.item_submit(item=article, user=editor)

    workflow.item_request_changes(item=article, user=fact_checker, comment="电话号码与官网不一致")

    assert _reload(article).state == State.CHANGES_REQUESTED
    assert TransitionLog.objects.get(action=Action.REQUEST_CHANGES).comment == "电话号码与官网不一致"


def test_returned_item_goes_back_to_draft_when_edited(make_article, editor, fact_checker):
    article = make_article()
    workflow.item_submit(item=article, user=editor)
    workflow.item_request_changes(item=article, user=fact_checker, comment="请补充来源")
    article = _reload(article)

    article.body += "\n来源：湛江市医疗保障局官网。"
    content_save(item=article, user=editor, expected_version=article.lock_version)

    assert _reload(article).state == State.DRAFT
    edit = TransitionLog.objects.get(action=Action.EDIT)
    assert (edit.from_state, edit.to_state) == (State.CHANGES_REQUESTED, State.DRAFT)


# --- approve: roles, four eyes and the gate ------------------------------------------------------------


def test_approve_after_a_passed_check(make_article, editor, fact_checker, publisher):
    article = make_article()
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)

    workflow.item_approve(item=article, user=publisher)

    article = _reload(article)
    assert article.state == State.APPROVED
    assert article.approved_revision == current_revision(article)


def test_approve_refused_to_a_fact_checker(make_article, editor, fact_checker):
    article = make_article()
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)

    with pytest.raises(PermissionDenied, match="只有审核发布可以"):
        workflow.item_approve(item=article, user=fact_checker)


def test_approve_refused_when_author_is_the_approver(make_article, publisher, fact_checker):
    publisher.groups.add(*UserFactory(username="tmp-editor", role="编辑").groups.all())
    article = make_article(author=publisher)
    workflow.item_submit(item=article, user=publisher)
    workflow.item_pass_check(item=article, user=fact_checker)

    with pytest.raises(workflow.FourEyesViolation, match="第 1 版是你写的"):
        workflow.item_approve(item=article, user=publisher)


def test_four_eyes_holds_for_superusers_too(make_article, fact_checker):
    boss = UserFactory(username="boss", is_superuser=True)
    article = make_article(author=boss)
    workflow.item_submit(item=article, user=boss)
    workflow.item_pass_check(item=article, user=fact_checker)

    with pytest.raises(workflow.FourEyesViolation):
        workflow.item_approve(item=article, user=boss)


def test_gate_lists_exactly_what_is_missing(make_article, make_hotline, editor, publisher):
    hotline = make_hotline()
    article = make_article(sources=[], hotlines=[hotline.pk])
    workflow.item_submit(item=article, user=editor)

    with pytest.raises(workflow.GateFailed) as excinfo:
        workflow.item_approve(item=article, user=publisher)

    assert excinfo.value.missing == [
        "文章没有引用任何官方来源。",
        "咨询电话“吴川市医疗保障局 0759-5586822”在 90 天内未经核实。",
        "咨询电话“吴川市医疗保障局 0759-5586822”尚未发布。",
        "第 1 版尚未经核查员核查通过。",
    ]
    assert _reload(article).state == State.IN_REVIEW


def test_unofficial_source_does_not_count(make_article, editor, fact_checker, publisher):
    from tests.factories import SourceFactory

    article = make_article(sources=[SourceFactory(is_official=False).pk])
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)

    with pytest.raises(workflow.GateFailed, match="没有引用任何官方来源"):
        workflow.item_approve(item=article, user=publisher)


def test_a_check_passes_one_revision_only(make_article, editor, fact_checker, publisher):
    article = make_article()
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)
    article = _reload(article)
    article.body += "（补充）"
    content_save(item=article, user=editor, expected_version=article.lock_version)
    workflow.item_submit(item=article, user=editor)

    with pytest.raises(workflow.GateFailed, match="第 2 版尚未经核查员核查通过"):
        workflow.item_approve(item=article, user=publisher)


@pytest.mark.parametrize(
    ("age", "passes"),
    [
        (datetime.timedelta(days=89), True),
        (datetime.timedelta(days=90), True),
        (datetime.timedelta(days=90, minutes=1), False),
    ],
    ids=["day-before", "on-the-day", "after"],
)
def test_hotline_verification_window_boundary(make_hotline, verify_by_phone, age, passes):
    now = timezone.now()
    hotline = make_hotline()
    verify_by_phone(hotline, when=now - age)

    missing = workflow.fact_check_gate(_reload(hotline), as_of=now)

    assert ("在 90 天内未经核实" in "".join(missing)) is not passes


def test_window_is_configurable(settings, make_hotline, verify_by_phone):
    settings.VERIFICATION_WINDOW_DAYS = 30
    hotline = make_hotline()
    verify_by_phone(hotline, when=timezone.now() - datetime.timedelta(days=31))

    assert "在 30 天内未经核实" in "".join(workflow.fact_check_gate(_reload(hotline)))


# --- publish, withdraw, archive, reopen ----------------------------------------------------------------


def test_publish_copies_the_approved_revision_into_the_live_form(
    make_article, editor, fact_checker, publisher
):
    article = make_article(body="**吴川** 医保局电话 0759-5586822<script>alert(1)</script>")
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)
    workflow.item_approve(item=article, user=publisher)

    workflow.item_publish(item=article, user=publisher)

    live = LiveArticle.objects.get(pk=article.pk)
    assert live.revision == current_revision(article)
    assert "<strong>吴川</strong>" in live.body_html
    assert "<script>" not in live.body_html
    assert live.data["sources"][0]["is_official"] is True
    assert _reload(article).state == State.PUBLISHED


def test_publish_refused_to_the_author_of_the_approved_revision(make_article, fact_checker, publisher):
    both = UserFactory(username="author-publisher", role="审核发布")
    both.groups.add(*UserFactory(username="tmp2", role="编辑").groups.all())
    article = make_article(author=both)
    workflow.item_submit(item=article, user=both)
    workflow.item_pass_check(item=article, user=fact_checker)
    workflow.item_approve(item=article, user=publisher)

    with pytest.raises(workflow.FourEyesViolation):
        workflow.item_publish(item=article, user=both)

    assert not LiveArticle.objects.exists()


def test_publish_refused_before_approval(make_article, editor, publisher):
    article = make_article()
    workflow.item_submit(item=article, user=editor)

    with pytest.raises(workflow.InvalidTransition):
        workflow.item_publish(item=article, user=publisher)


def test_editing_a_published_item_leaves_the_live_form_alone(make_article, editor, fact_checker, publisher):
    article = approve_and_publish(make_article(body="旧文本"), checker=fact_checker, publisher=publisher)
    live_before = LiveArticle.objects.get(pk=article.pk)

    article.body = "新文本，尚未审核"
    content_save(item=article, user=editor, expected_version=article.lock_version)

    live = LiveArticle.objects.get(pk=article.pk)
    assert (live.revision_id, live.body_html) == (live_before.revision_id, live_before.body_html)
    assert "旧文本" in live.body_html
    article = _reload(article)
    assert article.state == State.DRAFT
    assert article.approved_revision is None


def test_withdraw_removes_the_live_form(make_article, fact_checker, publisher):
    article = approve_and_publish(make_article(), checker=fact_checker, publisher=publisher)

    workflow.item_withdraw(item=article, user=publisher, comment="政策已调整")

    assert not LiveArticle.objects.filter(pk=article.pk).exists()
    assert _reload(article).state == State.WITHDRAWN


def test_withdraw_refused_when_nothing_is_live(make_article, publisher):
    with pytest.raises(workflow.InvalidTransition, match="没有已发布的版本"):
        workflow.item_withdraw(item=make_article(), user=publisher)


def test_archive_and_reopen(make_article, editor, publisher):
    article = make_article()

    workflow.item_archive(item=article, user=publisher)
    assert _reload(article).state == State.ARCHIVED
    with pytest.raises(PermissionDenied):
        workflow.item_reopen(item=article, user=publisher)
    workflow.item_reopen(item=article, user=editor)

    assert _reload(article).state == State.DRAFT


def test_published_hotline_appears_in_live_articles_and_follows_its_changes(
    make_article, make_hotline, verify_by_phone, editor, fact_checker, publisher, second_publisher
):
    hotline = make_hotline()
    verify_by_phone(hotline)
    hotline = approve_and_publish(hotline, checker=fact_checker, publisher=publisher)
    # The body does not write the number out: a body still giving the old number would contradict
    # the changed hotline, and the checks would rightly hold its approval.
    article = approve_and_publish(
        make_article(body="吴川市医疗保障局的咨询电话见下方。", hotlines=[hotline.pk]),
        checker=fact_checker,
        publisher=publisher,
    )
    assert LiveArticle.objects.get(pk=article.pk).data["hotlines"][0]["display_number"] == "0759-5586822"

    hotline.number = "0759-5586698"
    content_save(item=hotline, user=editor, expected_version=hotline.lock_version)
    verify_by_phone(hotline)
    approve_and_publish(_reload(hotline), checker=fact_checker, publisher=second_publisher)

    assert LiveHotline.objects.get(pk=hotline.pk).display_number == "0759-5586698"
    assert LiveArticle.objects.get(pk=article.pk).data["hotlines"][0]["display_number"] == "0759-5586698"
    workflow.item_withdraw(item=hotline, user=publisher)
    assert LiveArticle.objects.get(pk=article.pk).data["hotlines"] == []


# --- schedules ---------------------------------------------------------------------------------------


def test_scheduled_publication_goes_live_at_its_time_once(make_article, editor, fact_checker, publisher):
    article = make_article()
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)
    workflow.item_approve(item=article, user=publisher)
    at = timezone.now() + datetime.timedelta(hours=2)
    workflow.item_schedule_publication(item=article, user=publisher, at=at)

    assert workflow.publish_due(as_of=at - datetime.timedelta(seconds=1)) == 0
    assert not LiveArticle.objects.exists()
    assert workflow.publish_due(as_of=at) == 1
    assert workflow.publish_due(as_of=at) == 0

    live = LiveArticle.objects.get(pk=article.pk)
    assert live.published_at == at
    assert TransitionLog.objects.get(action=Action.PUBLISH).actor == publisher
    assert _reload(article).publish_at is None


def test_schedule_in_the_past_is_refused(make_article, editor, fact_checker, publisher):
    article = make_article()
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)
    workflow.item_approve(item=article, user=publisher)

    with pytest.raises(ValidationError):
        workflow.item_schedule_publication(
            item=article, user=publisher, at=timezone.now() - datetime.timedelta(minutes=1)
        )


def test_scheduled_withdrawal(make_article, fact_checker, publisher):
    article = approve_and_publish(make_article(), checker=fact_checker, publisher=publisher)
    at = timezone.now() + datetime.timedelta(days=1)
    workflow.item_schedule_withdrawal(item=article, user=publisher, at=at)

    assert workflow.publish_due(as_of=at - datetime.timedelta(minutes=1)) == 0
    assert workflow.publish_due(as_of=at) == 1
    assert workflow.publish_due(as_of=at) == 0

    assert not LiveArticle.objects.exists()
    assert _reload(article).state == State.WITHDRAWN
    assert TransitionLog.objects.get(action=Action.WITHDRAW).actor == publisher


def test_edit_after_scheduling_cancels_the_publication(make_article, editor, fact_checker, publisher):
    article = make_article()
    workflow.item_submit(item=article, user=editor)
    workflow.item_pass_check(item=article, user=fact_checker)
    workflow.item_approve(item=article, user=publisher)
    at = timezone.now() + datetime.timedelta(hours=1)
    workflow.item_schedule_publication(item=article, user=publisher, at=at)
    article = _reload(article)

    article.body = "未经审核的改动"
    content_save(item=article, user=editor, expected_version=article.lock_version)

    assert workflow.publish_due(as_of=at) == 0
    assert not LiveArticle.objects.exists()


def test_importer_items_start_as_drafts(dumps, editor):
    from cms.services.imports import dump_import

    dump_import(data=dumps[0].read_bytes(), filename=dumps[0].name, user=editor)

    assert set(Article.objects.values_list("state", flat=True)) == {State.DRAFT}


def test_live_item_with_a_newer_draft_can_be_withdrawn(make_article, editor, fact_checker, publisher):
    article = approve_and_publish(make_article(), checker=fact_checker, publisher=publisher)
    article.body = "新的草稿"
    content_save(item=article, user=editor, expected_version=article.lock_version)

    workflow.item_withdraw(item=article, user=publisher, comment="原文已过时")

    assert not LiveArticle.objects.filter(pk=article.pk).exists()
    assert _reload(article).state == State.WITHDRAWN
    assert _reload(article).body == "新的草稿"  # the working copy is kept


def test_live_item_is_withdrawn_before_it_is_archived(make_article, editor, fact_checker, publisher):
    article = approve_and_publish(make_article(), checker=fact_checker, publisher=publisher)
    article.body = "新的草稿"
    content_save(item=article, user=editor, expected_version=article.lock_version)

    with pytest.raises(workflow.InvalidTransition, match="请先撤下再归档"):
        workflow.item_archive(item=article, user=publisher)

    assert LiveArticle.objects.filter(pk=article.pk).exists()
    assert _reload(article).state == State.DRAFT
