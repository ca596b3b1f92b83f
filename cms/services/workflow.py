"""One service per workflow transition. Each locks the item, checks the role, the state, four eyes,
the comment and the fact-check gate, changes the state, logs the step and tells the people concerned.
The admin, the importer and the jobs all go through these."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.models import Article, Hospital, Hotline, Revision, TransitionLog
from cms.models.history import ItemLink
from cms.models.verification import VerificationStatus
from cms.services import checks, live, notifications, outdated
from cms.services.revisions import current_revision
from cms.workflow import TRANSITIONS, Action, State

Item = Article | Hospital | Hotline


class InvalidTransition(Exception):
    """Not possible in the item's state."""


class GateFailed(InvalidTransition):
    """The fact-check gate does not pass; ``missing`` says exactly what is missing."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(_("The fact-check gate does not pass: ") + "；".join(missing))
        self.missing = missing


class FourEyesViolation(PermissionDenied):
    pass


def user_roles(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def _state_label(state: str) -> str:
    return str(State(state).label)


def _lock(item: Item) -> Item:
    return type(item).objects.select_for_update().get(pk=item.pk)


def check_allowed(*, item: Item, action: str, user) -> None:
    """Raise unless ``user`` may take ``action`` on ``item`` now (role, state, four eyes)."""
    transition = TRANSITIONS[action]
    label = Action(action).label
    if not user.is_superuser and not (user_roles(user) & transition.roles):
        roles = "、".join(sorted(transition.roles))
        raise PermissionDenied(_("Only %(roles)s may %(action)s.") % {"roles": roles, "action": label})
    if item.state not in transition.sources:
        raise InvalidTransition(
            _("“%(action)s” is not possible while the item is “%(state)s”.")
            % {"action": label, "state": _state_label(item.state)}
        )
    if transition.four_eyes:
        revision = _revision_for(item, action)
        if revision is not None and revision.author_id == user.pk:
            raise FourEyesViolation(
                _("You wrote revision %(number)s: someone else must %(action)s it (four eyes).")
                % {"number": revision.number, "action": label}
            )


def _revision_for(item: Item, action: str) -> Revision | None:
    if action in (Action.PUBLISH, Action.SCHEDULE_PUBLICATION):
        return item.approved_revision
    return current_revision(item)


def verified_recently(obj, *, as_of: datetime.datetime) -> bool:
    window = datetime.timedelta(days=settings.VERIFICATION_WINDOW_DAYS)
    return (
        obj.verification_status == VerificationStatus.VERIFIED
        and obj.last_verified_at is not None
        and obj.last_verified_at >= as_of - window
    )


def fact_check_gate(item: Item, *, as_of: datetime.datetime | None = None) -> list[str]:
    """What must be true before approval, as a list of what is missing (empty: the gate passes)."""
    as_of = as_of or timezone.now()
    days = settings.VERIFICATION_WINDOW_DAYS
    missing = []
    if isinstance(item, Article):
        if settings.FACT_CHECK_REQUIRE_OFFICIAL_SOURCE and not item.sources.filter(is_official=True).exists():
            missing.append(_("The article cites no official source."))
        for hotline in item.hotlines.select_related("live").order_by("pk"):
            if not verified_recently(hotline, as_of=as_of):
                missing.append(
                    _("Hotline “%(hotline)s” has not been verified within %(days)s days.")
                    % {"hotline": hotline, "days": days}
                )
            if not hasattr(hotline, "live"):
                missing.append(_("Hotline “%(hotline)s” is not published.") % {"hotline": hotline})
        for hospital in item.hospitals.select_related("live").order_by("pk"):
            if not hasattr(hospital, "live"):
                missing.append(_("Hospital “%(hospital)s” is not published.") % {"hospital": hospital})
    elif not verified_recently(item, as_of=as_of):
        missing.append(
            _("“%(item)s” has not been verified within %(days)s days.") % {"item": item, "days": days}
        )
    for finding in open_error_findings(item):
        values = {
            "number": finding.revision.number,
            "check": finding.label,
            "quote": finding.quote[:60],
            "message": finding.message,
        }
        if finding.quote:
            missing.append(
                _("Revision %(number)s has an open error: %(check)s “%(quote)s” (%(message)s)") % values
            )
        else:
            missing.append(_("Revision %(number)s has an open error: %(check)s (%(message)s)") % values)
    if settings.FACT_CHECK_REQUIRE_SIGNOFF:
        revision = current_revision(item)
        passed = (
            revision is not None
            and TransitionLog.objects.filter(
                **ItemLink.link_for(item), action=Action.PASS_CHECK, revision=revision
            ).exists()
        )
        if not passed:
            number = revision.number if revision else 0
            missing.append(_("No fact-checker has passed revision %(number)s.") % {"number": number})
    return missing


def open_error_findings(item: Item) -> list:
    """The open error-severity findings of the content checks on the current revision: approval waits
    until each is fixed or marked a false alarm (``FACT_CHECK_REQUIRE_NO_OPEN_ERRORS``, default on)."""
    if not getattr(settings, "FACT_CHECK_REQUIRE_NO_OPEN_ERRORS", True):
        return []
    return list(checks.open_errors(item).select_related("revision"))


def _take(item: Item, action: str, *, user, comment: str = "", now=None) -> tuple[Item, TransitionLog]:
    """The common steps of every transition; the caller has locked ``item``."""
    transition = TRANSITIONS[action]
    check_allowed(item=item, action=action, user=user)
    if transition.comment_required and not comment.strip():
        raise ValidationError(
            {"comment": _("Say why: a comment is required to %(action)s.") % {"action": Action(action).label}}
        )
    if transition.gate:
        missing = fact_check_gate(item, as_of=now)
        if missing:
            raise GateFailed(missing)
    from_state = item.state
    if transition.target is not None:
        item.state = transition.target
    log = TransitionLog.objects.create(
        **ItemLink.link_for(item),
        action=action,
        from_state=from_state,
        to_state=item.state,
        actor=user,
        revision=_revision_for(item, action),
        comment=comment,
        at=now or timezone.now(),
    )
    return item, log


@transaction.atomic
def item_submit(*, item: Item, user, comment: str = "") -> TransitionLog:
    item = _lock(item)
    item, log = _take(item, Action.SUBMIT, user=user, comment=comment)
    item.save(update_fields=["state"])
    notifications.notify_submitted(item=item, actor=user)
    return log


@transaction.atomic
def item_pass_check(*, item: Item, user, comment: str = "") -> TransitionLog:
    item = _lock(item)
    _, log = _take(item, Action.PASS_CHECK, user=user, comment=comment)
    return log


@transaction.atomic
def item_request_changes(*, item: Item, user, comment: str) -> TransitionLog:
    item = _lock(item)
    item, log = _take(item, Action.REQUEST_CHANGES, user=user, comment=comment)
    item.approved_revision = None
    item.publish_at = None
    item.scheduled_by = None
    item.save(update_fields=["state", "approved_revision", "publish_at", "scheduled_by"])
    revision = current_revision(item)
    notifications.notify_changes_requested(
        item=item, actor=user, author=revision.author if revision else None, comment=comment
    )
    return log


@transaction.atomic
def item_approve(*, item: Item, user, comment: str = "") -> TransitionLog:
    item = _lock(item)
    item, log = _take(item, Action.APPROVE, user=user, comment=comment)
    item.approved_revision = current_revision(item)
    item.save(update_fields=["state", "approved_revision"])
    return log


@transaction.atomic
def item_publish(
    *, item: Item, user, comment: str = "", now: datetime.datetime | None = None
) -> TransitionLog:
    # The live clock first, then the time: publications are numbered in commit order, and with the
    # clock held until commit their times follow the same order (a sync page never goes back in time).
    live.live_tick()
    now = now or timezone.now()
    item = _lock(item)
    item, log = _take(item, Action.PUBLISH, user=user, comment=comment, now=now)
    if isinstance(item, Article):
        outdated.resolve_fixed_flags(item, item.approved_revision.content)
    live.live_publish(item=item, revision=item.approved_revision, now=now)
    item.publish_at = None
    item.scheduled_by = None
    item.save(update_fields=["state", "publish_at", "scheduled_by"])
    notifications.notify_published(item=item, actor=user, author=item.approved_revision.author)
    return log


@transaction.atomic
def item_schedule_publication(*, item: Item, user, at: datetime.datetime, comment: str = "") -> TransitionLog:
    item = _lock(item)
    if at <= timezone.now():
        raise ValidationError({"at": _("A scheduled time must lie in the future.")})
    item, log = _take(item, Action.SCHEDULE_PUBLICATION, user=user, comment=comment or str(at))
    item.publish_at = at
    item.scheduled_by = user
    item.save(update_fields=["publish_at", "scheduled_by"])
    return log


@transaction.atomic
def item_schedule_withdrawal(*, item: Item, user, at: datetime.datetime, comment: str = "") -> TransitionLog:
    item = _lock(item)
    if at <= timezone.now():
        raise ValidationError({"at": _("A scheduled time must lie in the future.")})
    if not _is_live(item):
        raise InvalidTransition(_("Nothing of this item is published, so there is nothing to withdraw."))
    item, log = _take(item, Action.SCHEDULE_WITHDRAWAL, user=user, comment=comment or str(at))
    item.withdraw_at = at
    item.save(update_fields=["withdraw_at"])
    return log


@transaction.atomic
def item_cancel_schedule(*, item: Item, user, comment: str = "") -> TransitionLog:
    item = _lock(item)
    item, log = _take(item, Action.CANCEL_SCHEDULE, user=user, comment=comment)
    item.publish_at = item.withdraw_at = item.scheduled_by = None
    item.save(update_fields=["publish_at", "withdraw_at", "scheduled_by"])
    return log


@transaction.atomic
def item_withdraw(
    *, item: Item, user, comment: str = "", now: datetime.datetime | None = None
) -> TransitionLog:
    live.live_tick()  # the clock first, then the time (see item_publish)
    now = now or timezone.now()
    item = _lock(item)
    if not _is_live(item):
        raise InvalidTransition(_("Nothing of this item is published, so there is nothing to withdraw."))
    item, log = _take(item, Action.WITHDRAW, user=user, comment=comment, now=now)
    live.live_remove(item=item, now=now)
    item.withdraw_at = None
    item.save(update_fields=["state", "withdraw_at"])
    return log


@transaction.atomic
def item_archive(*, item: Item, user, comment: str = "") -> TransitionLog:
    item = _lock(item)
    if _is_live(item):
        raise InvalidTransition(_("Readers still see this item: withdraw it before archiving it."))
    item, log = _take(item, Action.ARCHIVE, user=user, comment=comment)
    item.save(update_fields=["state"])
    return log


@transaction.atomic
def item_reopen(*, item: Item, user, comment: str = "") -> TransitionLog:
    item = _lock(item)
    item, log = _take(item, Action.REOPEN, user=user, comment=comment)
    item.save(update_fields=["state"])
    return log


def _is_live(item: Item) -> bool:
    return live.LIVE_MODELS[type(item)].objects.filter(pk=item.pk).exists()


SERVICES = {
    Action.SUBMIT: item_submit,
    Action.PASS_CHECK: item_pass_check,
    Action.REQUEST_CHANGES: item_request_changes,
    Action.APPROVE: item_approve,
    Action.PUBLISH: item_publish,
    Action.WITHDRAW: item_withdraw,
    Action.ARCHIVE: item_archive,
    Action.REOPEN: item_reopen,
    Action.CANCEL_SCHEDULE: item_cancel_schedule,
}


def publish_due(*, as_of: datetime.datetime, errors: list[str] | None = None) -> int:
    """Publish approved items whose scheduled time has come, as the publisher who scheduled them;
    withdraw published items whose withdrawal time has come. Safe to run twice. An item that cannot be
    published (its scheduler lost the role, the gate now refuses it) is reported in ``errors`` and
    does not hold the others back; each item is published in its own transaction."""
    done = 0
    for model in (Hotline, Hospital, Article):
        for item in model.objects.filter(state=State.APPROVED, publish_at__lte=as_of).select_related(
            "scheduled_by"
        ):
            try:
                item_publish(item=item, user=item.scheduled_by, comment=_("Scheduled publication"), now=as_of)
            except (PermissionDenied, InvalidTransition, ValidationError) as exc:
                if errors is None:
                    raise
                errors.append(f"{item}: {exc}")
                continue
            done += 1
        for item in model.objects.filter(withdraw_at__lte=as_of).exclude(state=State.WITHDRAWN):
            actor = _last_scheduler(item)
            if _is_live(item):
                try:
                    item_withdraw(item=item, user=actor, comment=_("Scheduled withdrawal"), now=as_of)
                except (PermissionDenied, InvalidTransition, ValidationError) as exc:
                    if errors is None:
                        raise
                    errors.append(f"{item}: {exc}")
                    continue
                done += 1
    return done


def count_due(*, as_of: datetime.datetime) -> int:
    """What ``publish_due`` would publish or withdraw (for a dry run)."""
    return sum(
        model.objects.filter(state=State.APPROVED, publish_at__lte=as_of).count()
        + model.objects.filter(withdraw_at__lte=as_of, live__isnull=False)
        .exclude(state=State.WITHDRAWN)
        .count()
        for model in (Hotline, Hospital, Article)
    )


def _last_scheduler(item: Item):
    log = (
        TransitionLog.objects.filter(**ItemLink.link_for(item), action=Action.SCHEDULE_WITHDRAWAL)
        .select_related("actor")
        .first()
    )
    return log.actor if log else None
