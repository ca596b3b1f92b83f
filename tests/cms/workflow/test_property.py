"""Property-based test of the editorial workflow of one article: random sequences of edits (by two
editors and a publisher, who may also change articles) and workflow transitions (by every role, with
and without a comment) never put unapproved content live, never let an author approve or publish their
own revision, and the live form is always exactly the revision that was last published.

A model of the workflow, written from the table in cms/workflow.py, predicts for every step whether it
succeeds or which refusal it meets; the database is compared with the model after every step. Each
example runs in a savepoint that is rolled back, so that examples do not see each other's rows."""

import datetime
from collections import Counter
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from cms.models import Article, LiveArticle, Revision, TransitionLog
from cms.rendering import render_markdown
from cms.services.revisions import EditConflict, content_save, current_revision
from cms.services.workflow import (
    FourEyesViolation,
    GateFailed,
    InvalidTransition,
    item_approve,
    item_archive,
    item_pass_check,
    item_publish,
    item_reopen,
    item_request_changes,
    item_schedule_withdrawal,
    item_submit,
    item_withdraw,
    publish_due,
)
from cms.workflow import EDITOR, FACT_CHECKER, PUBLISHER, TRANSITIONS, Action, State
from tests.factories import SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLE = {
    "editor_a": EDITOR,
    "editor_b": EDITOR,
    "checker": FACT_CHECKER,
    "publisher_a": PUBLISHER,
    "publisher_b": PUBLISHER,
}
# Who writes revisions: both editors, and a publisher (publishers may change articles), so that four
# eyes has something to refuse.
AUTHORS = ["editor_a", "editor_b", "publisher_a"]

SERVICES = {
    Action.SUBMIT: item_submit,
    Action.PASS_CHECK: item_pass_check,
    Action.REQUEST_CHANGES: item_request_changes,
    Action.APPROVE: item_approve,
    Action.PUBLISH: item_publish,
    Action.WITHDRAW: item_withdraw,
    Action.ARCHIVE: item_archive,
    Action.REOPEN: item_reopen,
}
REFUSALS = (PermissionDenied, InvalidTransition, ValidationError)

# Chinese text with some Markdown in it, so that rendering has work to do.
TEXT = "医保报销电话吴川市湛江异地就医结算参保缴费门诊住院政策通知办理材料，。：；、（）"
TEXT += "0123456789 \n#*-_>`[]()<&"
bodies = st.text(alphabet=TEXT, max_size=120)
comments = st.sampled_from(["", "   ", "请核对电话号码。", "来源已核实：湛江市医疗保障局官网。"])


@pytest.fixture
def users(db):
    return {key: UserFactory(username=f"prop_{key}", role=role) for key, role in ROLE.items()}


@dataclass(frozen=True)
class Rev:
    pk: int
    author: str
    body: str


class Model:
    """What the workflow table says the article's state is, without looking at the database."""

    def __init__(self, first: Rev) -> None:
        self.state = State.DRAFT
        self.current = first
        self.revisions = 1
        self.passed: set[int] = set()  # revisions a fact-checker passed
        self.approved: Rev | None = None
        self.live: Rev | None = None
        self.live_publisher: str | None = None

    def refusal(self, action: str, actor: str, comment: str) -> type[Exception] | None:
        """The exception the services must raise, or None when the step must succeed."""
        transition = TRANSITIONS[action]
        if action == Action.WITHDRAW and self.live is None:
            return InvalidTransition
        if action == Action.ARCHIVE and self.live is not None:
            return InvalidTransition  # live content is withdrawn before it is archived
        if ROLE[actor] not in transition.roles:
            return PermissionDenied
        if self.state not in transition.sources:
            return InvalidTransition
        if transition.four_eyes:
            revision = self.approved if action == Action.PUBLISH else self.current
            if revision is not None and revision.author == actor:
                return FourEyesViolation
        if transition.comment_required and not comment.strip():
            return ValidationError
        if transition.gate and self.current.pk not in self.passed:
            return GateFailed
        return None

    def take(self, action: str, actor: str) -> None:
        target = TRANSITIONS[action].target
        if action == Action.PASS_CHECK:
            self.passed.add(self.current.pk)
        elif action == Action.REQUEST_CHANGES:
            self.approved = None
        elif action == Action.APPROVE:
            self.approved = self.current
        elif action == Action.PUBLISH:
            self.live, self.live_publisher = self.approved, actor
        elif action == Action.WITHDRAW:
            self.live = self.live_publisher = None
        if target is not None:
            self.state = target

    def edit(self, revision: Rev) -> None:
        if self.state != State.DRAFT:
            self.approved = None
        self.state = State.DRAFT
        self.current = revision
        self.revisions += 1


def live_form(pk: int):
    """Everything readers see of the article, or None when nothing is live."""
    live = LiveArticle.objects.filter(pk=pk).first()
    if live is None:
        return None
    return (
        live.revision_id,
        live.title,
        live.slug,
        live.summary,
        live.body_html,
        live.category,
        live.data,
        live.published_at,
        live.updated_at,
        sorted(live.regions.values_list("pk", flat=True)),
    )


def assert_live_is_the_published_revision(article: Article, model: Model, users: dict) -> None:
    live = LiveArticle.objects.filter(pk=article.pk).select_related("revision").first()
    if model.live is None:
        assert live is None, f"live form of revision {live.revision_id} left after it was taken away"
        return
    assert live is not None, "the published revision is not live"
    revision = live.revision
    # (a) the live form is the revision the last successful publish published, rendered.
    assert revision.pk == model.live.pk
    assert revision.content["body"] == model.live.body
    assert live.body_html == render_markdown(model.live.body)
    assert (live.title, live.slug) == (revision.content["title"], revision.content["slug"])
    # (b) it was fact-checked and approved, and neither approver nor publisher wrote it.
    logs = TransitionLog.objects.filter(article=article, revision=revision)
    assert logs.filter(action=Action.PASS_CHECK).exists()
    approvals = logs.filter(action=Action.APPROVE)
    assert approvals.exists(), "a revision that was never approved is live"
    assert not approvals.filter(actor=revision.author).exists()
    publication = logs.filter(action=Action.PUBLISH).order_by("-at", "-id").first()
    assert publication is not None
    assert publication.actor == users[model.live_publisher]
    assert publication.actor_id != revision.author_id


class ArticleWorkflow(RuleBasedStateMachine):
    users: dict = {}
    seen: Counter = Counter()

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        source = SourceFactory(is_official=True, title="湛江市医疗保障局：医保经办服务电话")
        article = Article(title="湛江吴川医保电话", slug="zhanjiang-wuchuan-yibao", body="初稿。")
        first = content_save(
            item=article, user=self.users["editor_a"], expected_version=None, m2m={"sources": [source.pk]}
        )
        self.pk = article.pk
        self.model = Model(Rev(first.pk, "editor_a", first.content["body"]))

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _article(self) -> Article:
        return Article.objects.get(pk=self.pk)

    # --- edits -------------------------------------------------------------------------------------

    @rule(author=st.sampled_from(AUTHORS), body=bodies)
    def edit(self, author: str, body: str) -> None:
        article = self._article()
        live_before = live_form(self.pk)
        article.body = body
        revision = content_save(
            item=article, user=self.users[author], expected_version=article.lock_version, message="修改正文"
        )
        # (d) an edit never changes what readers see.
        assert live_form(self.pk) == live_before
        self.model.edit(Rev(revision.pk, author, body))
        self.seen["edit while live" if live_before else "edit"] += 1

    @rule(author=st.sampled_from(AUTHORS), body=bodies)
    def edit_from_a_stale_version(self, author: str, body: str) -> None:
        article = self._article()
        live_before = live_form(self.pk)
        stale = article.lock_version - 1
        article.body = body
        with pytest.raises(EditConflict):
            content_save(item=article, user=self.users[author], expected_version=stale)
        assert self._article().body == self.model.current.body
        assert live_form(self.pk) == live_before
        self.seen["conflict"] += 1

    # --- transitions -------------------------------------------------------------------------------

    def _transition(self, action: str, actor: str, comment: str) -> None:
        article = self._article()
        expected = self.model.refusal(action, actor, comment)
        live_before = live_form(self.pk)
        refused = None
        try:
            SERVICES[action](item=article, user=self.users[actor], comment=comment)
        except REFUSALS as exc:
            refused = exc
        if refused is not None:
            got = type(refused)
            assert got is expected, f"{action} by {actor}: {got.__name__} ({refused}), want {expected}"
            assert self._article().state == self.model.state
            assert live_form(self.pk) == live_before
            self.seen[f"refused: {got.__name__}"] += 1
            return
        assert expected is None, f"{action} by {actor} in {self.model.state} succeeded, want {expected}"
        if action == Action.PUBLISH and live_before is not None:
            self.seen["republish"] += 1
        self.model.take(action, actor)
        if action == Action.WITHDRAW:
            # (c) nothing is live after a withdrawal.
            assert not LiveArticle.objects.filter(pk=self.pk).exists()
        self.seen[action] += 1

    @rule(action=st.sampled_from(list(SERVICES)), actor=st.sampled_from(list(ROLE)), comment=comments)
    def any_transition(self, action: str, actor: str, comment: str) -> None:
        self._transition(action, actor, comment)

    @rule(data=st.data())
    def next_step_of_the_review(self, data) -> None:
        """The step that moves the article on (submit, check, approve, publish, withdraw or edit it,
        reopen), taken by a random holder of its role: it still meets four eyes, the gate and the
        comment rule. Without it, publication would be rare among random steps."""
        model = self.model
        if model.state in (State.DRAFT, State.CHANGES_REQUESTED):
            action = Action.SUBMIT
        elif model.state == State.IN_REVIEW:
            # Now and then a publisher tries to approve before the fact-check (the gate refuses).
            action = data.draw(st.sampled_from(["next", Action.APPROVE]), label="action")
            if action == "next":
                action = Action.APPROVE if model.current.pk in model.passed else Action.PASS_CHECK
        elif model.state == State.APPROVED:
            action = Action.PUBLISH
        elif model.state == State.PUBLISHED:
            action = data.draw(st.sampled_from(["edit", Action.WITHDRAW]), label="action")
            if action == "edit":
                author = data.draw(st.sampled_from(AUTHORS), label="author")
                self.edit(author, data.draw(bodies, label="body"))
                return
        else:
            action = Action.REOPEN
        holders = [u for u, role in ROLE.items() if role in TRANSITIONS[action].roles]
        actor = data.draw(st.sampled_from(holders), label="actor")
        self._transition(action, actor, data.draw(comments, label="comment"))

    # --- after every step --------------------------------------------------------------------------

    @invariant()
    def database_agrees_with_the_model_and_only_the_last_published_revision_is_live(self) -> None:
        article = self._article()
        model = self.model
        assert article.state == model.state
        assert article.lock_version == model.revisions
        assert Revision.objects.filter(article=article).count() == model.revisions
        current = current_revision(article)
        assert (current.pk, current.author, current.content["body"]) == (
            model.current.pk,
            self.users[model.current.author],
            model.current.body,
        )
        assert article.body == model.current.body
        if model.state == State.APPROVED:
            assert article.approved_revision_id == model.approved.pk
        assert_live_is_the_published_revision(article, model, self.users)


def test_random_edits_and_transitions_never_put_unapproved_content_live(users):
    ArticleWorkflow.users = users
    ArticleWorkflow.seen = Counter()

    run_state_machine_as_test(
        ArticleWorkflow,
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            # The same sequences every run: the coverage check below must not depend on luck (an
            # unseeded run once drew no withdrawal in 60 examples).
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )

    # The run exercised what the invariants are about (or they would hold vacuously). Four eyes and
    # the comment rule are refused now and then too, but not in every run: the tests below show them.
    seen = ArticleWorkflow.seen
    for what in [
        Action.PUBLISH,
        "republish",
        Action.WITHDRAW,
        "edit while live",
        "conflict",
        "refused: GateFailed",
        "refused: PermissionDenied",
        "refused: InvalidTransition",
    ]:
        assert seen[what] > 0, f"never happened: {what} ({dict(seen)})"


# --- the same invariants, step by step ------------------------------------------------------------


FIRST_BODY = "吴川市医疗保障局：0759-5586822。"


@pytest.fixture
def article(users):
    source = SourceFactory(is_official=True)
    article = Article(title="湛江吴川医保电话", slug="zhanjiang-wuchuan", body=FIRST_BODY)
    content_save(item=article, user=users["editor_a"], expected_version=None, m2m={"sources": [source.pk]})
    return article


def _edit(article: Article, user, body: str) -> Revision:
    article = Article.objects.get(pk=article.pk)
    article.body = body
    return content_save(item=article, user=user, expected_version=article.lock_version)


def _review_and_publish(article: Article, users: dict, *, submitter="editor_a", approver="publisher_a"):
    item_submit(item=article, user=users[submitter])
    item_pass_check(item=article, user=users["checker"])
    item_approve(item=article, user=users[approver])
    item_publish(item=article, user=users["publisher_b"])


def test_edit_of_published_article_stays_unpublished_until_checked_approved_and_published(article, users):
    _review_and_publish(article, users)
    first = current_revision(article)
    live = LiveArticle.objects.get(pk=article.pk)
    assert live.revision == first
    assert live.body_html == render_markdown(FIRST_BODY)

    second = _edit(article, users["editor_b"], "吴川市医疗保障局：**0759-5586833**（已更正）。")

    live.refresh_from_db()
    article.refresh_from_db()
    assert article.state == State.DRAFT
    assert article.approved_revision is None
    assert live.revision == first
    assert "0759-5586833" not in live.body_html

    item_submit(item=article, user=users["editor_b"])
    with pytest.raises(GateFailed) as refused:
        item_approve(item=article, user=users["publisher_a"])  # the check was of revision 1
    assert refused.value.missing == ["第 2 版尚未经核查员核查通过。"]
    with pytest.raises(InvalidTransition):
        item_publish(item=article, user=users["publisher_b"])
    assert LiveArticle.objects.get(pk=article.pk).revision == first

    item_pass_check(item=article, user=users["checker"])
    item_approve(item=article, user=users["publisher_a"])
    item_publish(item=article, user=users["publisher_b"])

    live.refresh_from_db()
    assert live.revision == second
    assert live.body_html == render_markdown(second.content["body"])
    assert "<strong>0759-5586833</strong>" in live.body_html
    assert TransitionLog.objects.filter(article=article, action=Action.APPROVE, revision=second).exists()


def test_withdrawal_takes_the_article_offline_and_a_reopened_draft_stays_offline(article, users):
    _review_and_publish(article, users)
    assert LiveArticle.objects.filter(pk=article.pk).exists()

    item_withdraw(item=article, user=users["publisher_a"], comment="电话号码已停用")

    assert not LiveArticle.objects.filter(pk=article.pk).exists()
    with pytest.raises(InvalidTransition):
        item_withdraw(item=article, user=users["publisher_a"])
    item_reopen(item=article, user=users["editor_b"])
    _edit(article, users["editor_b"], "吴川市医疗保障局：0759-5586833。")
    article.refresh_from_db()
    assert article.state == State.DRAFT
    assert not LiveArticle.objects.filter(pk=article.pk).exists()


def test_publisher_who_wrote_a_revision_can_neither_approve_nor_publish_it(article, users):
    written = _edit(article, users["publisher_a"], "吴川市医疗保障局：0759-5586822（周一至周五）。")
    item_submit(item=article, user=users["editor_a"])
    item_pass_check(item=article, user=users["checker"])

    with pytest.raises(FourEyesViolation):
        item_approve(item=article, user=users["publisher_a"])
    item_approve(item=article, user=users["publisher_b"])
    with pytest.raises(FourEyesViolation):
        item_publish(item=article, user=users["publisher_a"])
    assert not LiveArticle.objects.filter(pk=article.pk).exists()

    item_publish(item=article, user=users["publisher_b"])

    live = LiveArticle.objects.get(pk=article.pk)
    assert live.revision == written
    assert written.author == users["publisher_a"]
    publication = TransitionLog.objects.get(article=article, action=Action.PUBLISH)
    assert publication.actor == users["publisher_b"]


def test_fact_checker_cannot_pass_an_unsubmitted_draft_and_nobody_requests_changes_without_saying_why(
    article, users
):
    with pytest.raises(InvalidTransition):
        item_pass_check(item=article, user=users["checker"])
    item_submit(item=article, user=users["editor_a"])

    with pytest.raises(ValidationError) as refused:
        item_request_changes(item=article, user=users["checker"], comment="  ")

    assert "comment" in refused.value.message_dict
    article.refresh_from_db()
    assert article.state == State.IN_REVIEW
    item_request_changes(item=article, user=users["checker"], comment="请补充官方来源链接")
    article.refresh_from_db()
    assert article.state == State.CHANGES_REQUESTED


def test_scheduled_withdrawal_of_a_live_article_edited_since_takes_it_offline(article, users):
    _review_and_publish(article, users)
    at = timezone.now() + datetime.timedelta(hours=1)
    item_schedule_withdrawal(item=article, user=users["publisher_a"], at=at, comment="政策到期")
    _edit(article, users["editor_b"], "吴川市医疗保障局：0759-5586833。")

    publish_due(as_of=at)

    assert not LiveArticle.objects.filter(pk=article.pk).exists()
