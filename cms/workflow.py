"""Workflow of editorial content: the states, the actions, and the table of allowed transitions, side by
side. Pure: no database. The services in cms/services/workflow.py check this table, the roles and the
fact-check gate, and log every transition."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

EDITOR = "编辑"
FACT_CHECKER = "核查员"
PUBLISHER = "审核发布"
OPERATOR = "运维"


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ARCHIVED = "archived", _("Archived")


class Action(models.TextChoices):
    EDIT = "edit", _("Edit")
    SUBMIT = "submit", _("Submit for review")
    PASS_CHECK = "pass_check", _("Pass fact-check")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    APPROVE = "approve", _("Approve")
    PUBLISH = "publish", _("Publish")
    SCHEDULE_PUBLICATION = "schedule_publication", _("Schedule publication")
    SCHEDULE_WITHDRAWAL = "schedule_withdrawal", _("Schedule withdrawal")
    CANCEL_SCHEDULE = "cancel_schedule", _("Cancel schedule")
    WITHDRAW = "withdraw", _("Withdraw")
    ARCHIVE = "archive", _("Archive")
    REOPEN = "reopen", _("Reopen as draft")


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the state does not change (a sign-off or a schedule)
    roles: frozenset[str]
    four_eyes: bool = False  # the author of the current revision may not take it
    gate: bool = False  # the fact-check gate must pass
    comment_required: bool = False


def _t(sources, target, roles, **rules) -> Transition:
    return Transition(frozenset(sources), target, frozenset(roles), **rules)


S = State
# A published item may have a newer draft in progress: its live form can be withdrawn (now or at a
# set time) whatever state the working copy is in; the services check that something is live.
LIVE_CAPABLE = {S.PUBLISHED, S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED}
TRANSITIONS: dict[str, Transition] = {
    Action.SUBMIT: _t({S.DRAFT, S.CHANGES_REQUESTED}, S.IN_REVIEW, {EDITOR}),
    Action.PASS_CHECK: _t({S.IN_REVIEW}, None, {FACT_CHECKER}, four_eyes=True),
    Action.REQUEST_CHANGES: _t(
        {S.IN_REVIEW, S.APPROVED}, S.CHANGES_REQUESTED, {FACT_CHECKER, PUBLISHER}, comment_required=True
    ),
    Action.APPROVE: _t({S.IN_REVIEW}, S.APPROVED, {PUBLISHER}, four_eyes=True, gate=True),
    Action.PUBLISH: _t({S.APPROVED}, S.PUBLISHED, {PUBLISHER}, four_eyes=True),
    Action.SCHEDULE_PUBLICATION: _t({S.APPROVED}, None, {PUBLISHER}, four_eyes=True),
    Action.SCHEDULE_WITHDRAWAL: _t(LIVE_CAPABLE, None, {PUBLISHER}),
    Action.CANCEL_SCHEDULE: _t(LIVE_CAPABLE, None, {PUBLISHER}),
    Action.WITHDRAW: _t(LIVE_CAPABLE, S.WITHDRAWN, {PUBLISHER}),
    Action.ARCHIVE: _t({S.DRAFT, S.CHANGES_REQUESTED, S.WITHDRAWN}, S.ARCHIVED, {PUBLISHER}),
    Action.REOPEN: _t({S.WITHDRAWN, S.ARCHIVED}, S.DRAFT, {EDITOR}),
}

# Saving new content sends an item back to draft: an approval or a check was for the revision
# it was given to, not for what was written after it.
STATE_AFTER_EDIT = {
    S.DRAFT: S.DRAFT,
    S.CHANGES_REQUESTED: S.DRAFT,
    S.IN_REVIEW: S.DRAFT,
    S.APPROVED: S.DRAFT,
    S.PUBLISHED: S.DRAFT,  # the live form stays as it is until a new revision is published
    S.WITHDRAWN: S.DRAFT,
    S.ARCHIVED: S.DRAFT,
}


def allowed_actions(state: str, roles: set[str], *, is_superuser: bool = False) -> list[str]:
    """Actions the table allows from ``state`` to someone with ``roles`` (four eyes and the gate are
    checked by the services, which know the item)."""
    return [
        action
        for action, t in TRANSITIONS.items()
        if state in t.sources and (is_superuser or roles & t.roles)
    ]
