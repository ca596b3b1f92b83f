"""Reads that mean something to the people using the desk."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from cms.models import (
    Article,
    Finding,
    FindingStatus,
    Flag,
    Hospital,
    Hotline,
    Revision,
    Severity,
    TransitionLog,
)
from cms.models.verification import VerificationStatus
from cms.services.workflow import user_roles
from cms.workflow import EDITOR, FACT_CHECKER, OPERATOR, PUBLISHER, Action, State

MODELS = (Article, Hospital, Hotline)
SHOWN = 10


@dataclass(frozen=True)
class QueueEntry:
    kind: str
    label: str
    url: str
    open_errors: int = 0  # open findings of the checks on the item's current revision
    open_warnings: int = 0


@dataclass
class QueueSection:
    key: str
    title: str
    count: int = 0
    entries: list[QueueEntry] = field(default_factory=list)


def with_last_author(queryset: QuerySet) -> QuerySet:
    name = queryset.model._meta.model_name
    last = Revision.objects.filter(**{name: OuterRef("pk")}).order_by("-number")
    return queryset.annotate(
        last_author=Subquery(last.values("author")[:1]), last_revision=Subquery(last.values("pk")[:1])
    )


def with_signoff(queryset: QuerySet) -> QuerySet:
    name = queryset.model._meta.model_name
    queryset = with_last_author(queryset)
    passed = TransitionLog.objects.filter(
        **{name: OuterRef("pk")}, action=Action.PASS_CHECK, revision=OuterRef("last_revision")
    )
    return queryset.annotate(signed_off=Exists(passed))


def _open_findings(model) -> QuerySet:
    """The open findings on the current revision of the item of the outer query (an ``OuterRef``)."""
    name = model._meta.model_name
    current = Revision.objects.filter(**{name: OuterRef(OuterRef("pk"))}).order_by("-number").values("pk")[:1]
    return Finding.objects.filter(
        **{name: OuterRef("pk")}, revision=Subquery(current), status=FindingStatus.OPEN
    )


def has_open_findings(model, **conditions) -> Exists:
    """Whether the item's current revision has an open finding (of a severity, a code …): a filter."""
    return Exists(_open_findings(model).filter(**conditions))


def with_open_findings(queryset: QuerySet) -> QuerySet:
    """Count the open error and warning findings on each item's current revision."""
    name = queryset.model._meta.model_name

    def count(severity: str) -> Coalesce:
        found = (
            _open_findings(queryset.model)
            .filter(severity=severity)
            .order_by()
            .values(name)
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(found), 0)

    return queryset.annotate(open_errors=count(Severity.ERROR), open_warnings=count(Severity.WARNING))


def _section(key: str, title: str, querysets: list[QuerySet]) -> QueueSection:
    section = QueueSection(key=key, title=title)
    for queryset in querysets:
        model = queryset.model
        section.count += queryset.count()
        for obj in with_open_findings(queryset.order_by("-updated_at"))[:SHOWN]:
            url = reverse(f"admin:cms_{model._meta.model_name}_change", args=[obj.pk])
            section.entries.append(
                QueueEntry(str(model._meta.verbose_name), str(obj), url, obj.open_errors, obj.open_warnings)
            )
    return section


def review_queue(user) -> list[QueueSection]:
    """What awaits ``user``, by role: returned items for authors, submissions for reviewers, failing
    checks for fact-checkers, schedules and flags for publishers and operators."""
    roles = user_roles(user)
    everything = user.is_superuser
    sections = []
    if everything or EDITOR in roles:
        sections.append(_section("returned", _("Returned to me for changes"), [
            with_last_author(m.objects.filter(state=State.CHANGES_REQUESTED)).filter(last_author=user.pk)
            for m in MODELS
        ]))  # fmt: skip
        sections.append(_section("my_drafts", _("My drafts"), [
            with_last_author(m.objects.filter(state=State.DRAFT)).filter(last_author=user.pk) for m in MODELS
        ]))  # fmt: skip
    if everything or FACT_CHECKER in roles:
        sections.append(_section("to_check", _("Submitted, awaiting fact-check"), [
            with_signoff(m.objects.filter(state=State.IN_REVIEW)).filter(signed_off=False)
            .exclude(last_author=user.pk) for m in MODELS
        ]))  # fmt: skip
        sections.append(_section("failing", _("Failing verification"), [
            m.objects.filter(verification_status=VerificationStatus.FAILING) for m in (Hotline, Hospital)
        ]))  # fmt: skip
    if everything or PUBLISHER in roles:
        sections.append(_section("to_approve", _("Checked, awaiting approval"), [
            with_signoff(m.objects.filter(state=State.IN_REVIEW)).filter(signed_off=True) for m in MODELS
        ]))  # fmt: skip
        sections.append(_section("to_publish", _("Approved, awaiting publication"), [
            m.objects.filter(state=State.APPROVED, publish_at__isnull=True) for m in MODELS
        ]))  # fmt: skip
    if everything or PUBLISHER in roles or OPERATOR in roles:
        sections.append(_section("scheduled", _("Scheduled"), [
            m.objects.filter(Q(publish_at__isnull=False) | Q(withdraw_at__isnull=False)) for m in MODELS
        ]))  # fmt: skip
        flagged = [m.objects.filter(Exists(Flag.objects.filter(
            **{m._meta.model_name: OuterRef("pk")}, resolved_at__isnull=True))) for m in MODELS]  # fmt: skip
        sections.append(_section("flagged", _("Flagged live content"), flagged))
    return sections
