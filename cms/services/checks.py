"""The content checks on stored content: every new revision of an article, hospital or hotline is
checked (its own text, and the cross-item checks against the other stored items it shares a comparison
key with) and its findings stored; an editor may mark a finding as a false alarm, with a reason that
follows the same words into later revisions."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.checks import CheckInput, check_item
from cms.checks import Finding as Found
from cms.checks.collection import comparison_keys
from cms.checks.context import Context
from cms.checks.engine import compare_items, merge_findings
from cms.models import (
    Article,
    ComparisonKey,
    Finding,
    FindingStatus,
    Hospital,
    Hotline,
    Revision,
    Severity,
    Source,
)
from cms.models.history import ITEM_FIELDS, ItemLink
from cms.services.proposals import proposals_update

Item = Article | Hospital | Hotline
MODELS: dict[str, type[Item]] = {"article": Article, "hospital": Hospital, "hotline": Hotline}
Ref = tuple[str, int]  # ("article", 12): an item without loading it


def ref_of(item: Item) -> Ref:
    return (type(item)._meta.model_name, item.pk)


def _ref_of_row(row) -> Ref:
    """The item a row of an ``ItemLink`` model points at (from ``values()`` or an instance)."""
    for name in ITEM_FIELDS:
        pk = row[name] if isinstance(row, dict) else getattr(row, f"{name}_id")
        if pk is not None:
            return (name, pk)
    raise ValueError("a row that points at no item")


def _link_q(refs: Iterable[Ref]) -> Q:
    """Rows pointing at any of ``refs``."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, pk in refs:
        by_kind[kind].append(pk)
    query = Q(pk__in=[])
    for kind, pks in by_kind.items():
        query |= Q(**{f"{kind}__in": pks})
    return query


# --- what the engine reads --------------------------------------------------------------------------


def _number_line(number: str, extension: str, label: str = "") -> str:
    number = f"{number}转{extension}" if extension else number
    return f"{label} {number}".strip()


def _input(
    kind: str,
    pk: int,
    content: dict,
    *,
    sources: tuple[tuple[str, bool], ...],
    date: datetime.date | None = None,
    is_excerpt: bool = False,
) -> CheckInput:
    """An item's content (as a revision records it) as the checks read it."""
    label = f"{kind}:{pk}"
    region = (content["region"],) if content.get("region") else ()
    if kind == "article":
        return CheckInput(
            kind="article",
            title=content.get("title", ""),
            body=content.get("body", ""),
            summary=content.get("summary", ""),
            date=date,
            region_codes=tuple(content.get("regions", [])),
            sources=sources,
            is_excerpt=is_excerpt,
            markdown=True,
            label=label,
        )
    if kind == "hotline":
        number = content.get("display_number") or content.get("number", "")
        return CheckInput(
            kind="hotline",
            title=content.get("organisation", ""),
            body=content.get("service_hours", ""),
            number=_number_line(number, content.get("extension", "")),
            organisation=content.get("organisation", ""),
            purpose=content.get("purpose", ""),
            region_codes=region,
            sources=sources,
            label=label,
        )
    phones = [
        _number_line(p.get("display_number") or p["number"], p.get("extension", ""), p.get("label", ""))
        for p in content.get("phones", [])
    ]
    return CheckInput(
        kind="hospital",
        title=content.get("name", ""),
        body="\n".join(part for part in (content.get("address"), content.get("departments")) if part),
        number="\n".join(phones),
        organisation=content.get("name", ""),
        region_codes=region,
        sources=sources,
        label=label,
    )


def revision_input(item: Item, revision: Revision) -> CheckInput:
    """The content of ``revision`` as the checks read it."""
    content = revision.content
    urls = Source.objects.filter(pk__in=content.get("sources", [])).order_by("pk")
    kind = type(item)._meta.model_name
    return _input(
        kind,
        item.pk,
        content,
        sources=tuple(urls.values_list("url", "is_official")),
        date=(item.original_date or timezone.localdate(revision.created_at)) if kind == "article" else None,
        is_excerpt=getattr(item, "is_excerpt", False),
    )


def _current_revision(queryset: models.QuerySet) -> models.QuerySet:
    name = queryset.model._meta.model_name
    last = Revision.objects.filter(**{name: OuterRef("pk")}).order_by("-number")
    return queryset.annotate(current_revision_id=Subquery(last.values("pk")[:1]))


@dataclass(frozen=True)
class Stored:
    ref: Ref
    input: CheckInput
    revision_id: int | None  # the item's current revision


def _sources(obj) -> tuple[tuple[str, bool], ...]:
    return tuple((s.url, s.is_official) for s in sorted(obj.sources.all(), key=lambda s: s.pk))


def stored_inputs(
    *,
    articles: models.QuerySet | None = None,
    hotlines: models.QuerySet | None = None,
    hospitals: models.QuerySet | None = None,
) -> list[Stored]:
    """Stored items as the checks read them, with their current revisions: a fixed number of queries
    whatever the number of items. Each queryset defaults to every item of its kind."""
    found: list[Stored] = []
    articles = Article.objects.all() if articles is None else articles
    for article in _current_revision(articles.prefetch_related("regions", "sources").order_by("pk")):
        content = {
            "title": article.title,
            "body": article.body,
            "summary": article.summary,
            "regions": [r.code for r in article.regions.all()],
        }
        item_input = _input(
            "article",
            article.pk,
            content,
            sources=_sources(article),
            date=article.original_date or timezone.localdate(article.updated_at),
            is_excerpt=article.is_excerpt,
        )
        found.append(Stored(("article", article.pk), item_input, article.current_revision_id))
    hotlines = Hotline.objects.all() if hotlines is None else hotlines
    for hotline in _current_revision(hotlines.prefetch_related("sources").order_by("pk")):
        content = {
            name: getattr(hotline, name)
            for name in ("organisation", "purpose", "number", "display_number", "extension", "service_hours")
        }
        content["region"] = hotline.region_id
        item_input = _input("hotline", hotline.pk, content, sources=_sources(hotline))
        found.append(Stored(("hotline", hotline.pk), item_input, hotline.current_revision_id))
    hospitals = Hospital.objects.all() if hospitals is None else hospitals
    for hospital in _current_revision(hospitals.prefetch_related("phones", "sources").order_by("pk")):
        content = {
            "name": hospital.name,
            "address": hospital.address,
            "departments": hospital.departments,
            "region": hospital.region_id,
            "phones": [
                {
                    "label": p.label,
                    "number": p.number,
                    "display_number": p.display_number,
                    "extension": p.extension,
                }
                for p in sorted(hospital.phones.all(), key=lambda p: p.pk)
            ],
        }
        item_input = _input("hospital", hospital.pk, content, sources=_sources(hospital))
        found.append(Stored(("hospital", hospital.pk), item_input, hospital.current_revision_id))
    return found


def _stored_refs(refs: set[Ref]) -> list[Stored]:
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, pk in refs:
        by_kind[kind].append(pk)
    none = {name: model.objects.none() for name, model in MODELS.items()}
    querysets = {kind: MODELS[kind].objects.filter(pk__in=pks) for kind, pks in by_kind.items()}
    return stored_inputs(
        articles=querysets.get("article", none["article"]),
        hotlines=querysets.get("hotline", none["hotline"]),
        hospitals=querysets.get("hospital", none["hospital"]),
    )


# --- checking a revision -----------------------------------------------------------------------------


def _is_current(item: Item, revision: Revision) -> bool:
    return not Revision.objects.filter(**ItemLink.link_for(item), number__gt=revision.number).exists()


def _neighbours(ref: Ref | None, keys: set[str]) -> set[Ref]:
    """The items (other than ``ref``) that have any of ``keys``."""
    if not keys:
        return set()
    rows = ComparisonKey.objects.filter(key__in=keys).values(*ITEM_FIELDS).distinct()
    return {_ref_of_row(row) for row in rows} - {ref}


def _keys_of(refs: set[Ref]) -> set[str]:
    if not refs:
        return set()
    return set(ComparisonKey.objects.filter(_link_q(refs)).values_list("key", flat=True))


def _replace_keys(item: Item, keys: Iterable[str]) -> set[str]:
    """Store ``keys`` as the item's comparison keys; returns the keys it had."""
    link = ItemLink.link_for(item)
    old = set(ComparisonKey.objects.filter(**link).values_list("key", flat=True))
    new = set(keys)
    if old != new:
        ComparisonKey.objects.filter(**link, key__in=old - new).delete()
        ComparisonKey.objects.bulk_create([ComparisonKey(**link, key=key) for key in sorted(new - old)])
    return old


@transaction.atomic
def check_revision(
    *, item: Item, revision: Revision, today: datetime.date | None = None, refresh_others: bool = True
) -> list[Finding]:
    """Check ``revision`` of ``item`` and store its findings: its own, and those that compare it with
    the other stored items sharing a comparison key with it (the same body, the opposite answer, another
    number for the same organisation). Writes only rows of ``item``; when ``revision`` is the current
    one, the cross-item findings of the items it is (or was) compared with are refreshed once the
    transaction commits (``refresh_cross_findings``). Returns the revision's findings."""
    today = today or timezone.localdate()
    ref = ref_of(item)
    target = revision_input(item, revision)
    context = Context(target, today)
    keys = set(comparison_keys(context))
    current = _is_current(item, revision)
    old_keys = _replace_keys(item, keys) if current else set()
    others = [stored for stored in _stored_refs(_neighbours(ref, keys)) if stored.ref != ref]
    cross = compare_items([context, *(Context(stored.input, today) for stored in others)])
    own = check_item(target, today=today)
    _store([_Plan(ref, revision.pk, merge_findings(own, cross[0]), own_keys=_spans(own))])
    if current and refresh_others:
        affected = _neighbours(ref, keys | old_keys)
        if affected:
            # Robust: the save is committed whatever happens to the others' refresh (it is logged).
            transaction.on_commit(lambda: refresh_cross_findings(refs=affected, today=today), robust=True)
    return list(Finding.objects.filter(revision=revision))


# Held while the cross-item findings of other items are rewritten: two refreshes never interleave.
# A save itself writes only its own item's rows (whose row it holds locked), so it never waits for this.
_REFRESH_LOCK = 0x636D73_46  # "cms" + F


@transaction.atomic
def refresh_cross_findings(*, refs: Iterable[Ref], today: datetime.date | None = None) -> None:
    """Bring the cross-item findings of each item's current revision up to date, comparing it with
    every stored item that shares a comparison key with it (a fixed number of queries)."""
    refs = set(refs)
    if not refs:
        return
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
    today = today or timezone.localdate()
    partners = _neighbours(None, _keys_of(refs)) | refs
    stored = _stored_refs(partners)
    cross = compare_items([Context(s.input, today) for s in stored])
    _store(
        [
            _Plan(s.ref, s.revision_id, cross[index], across_only=True)
            for index, s in enumerate(stored)
            if s.ref in refs and s.revision_id is not None
        ]
    )


def _span(found: Found | Finding) -> tuple[str, str, int, int]:
    return (found.code, found.field, found.start, found.end)


def _spans(found: Sequence[Found]) -> set[tuple[str, str, int, int]]:
    return {_span(f) for f in found}


@dataclass
class _Plan:
    """The findings one revision should have now. ``across_only``: only its cross-item findings are
    in question (another item was saved); ``own_keys``: which of ``found`` the item has by itself."""

    ref: Ref
    revision_id: int
    found: list[Found]
    across_only: bool = False
    own_keys: set | None = None


def _store(plans: list[_Plan]) -> None:
    """Bring the stored findings of each planned revision in line with its plan: new findings are
    added (a false alarm marked earlier on the same words carries over), changed ones updated, open
    ones no longer found removed. False alarms stay with their revision."""
    existing: dict[int, dict[tuple, Finding]] = defaultdict(dict)
    for row in Finding.objects.filter(revision_id__in=[p.revision_id for p in plans]):
        existing[row.revision_id][_span(row)] = row
    earlier = _false_alarms({p.ref for p in plans})
    create, update, delete = [], [], []
    for plan in plans:
        rows = existing[plan.revision_id]
        wanted = {_span(f): f for f in plan.found}
        for span, row in rows.items():
            if (
                span not in wanted
                and row.status == FindingStatus.OPEN
                and (row.across_items or not plan.across_only)
            ):
                delete.append(row.pk)
        for span, found in wanted.items():
            across = plan.across_only or (plan.own_keys is not None and span not in plan.own_keys)
            row = rows.get(span)
            if row is None:
                row = Finding(
                    **{plan.ref[0] + "_id": plan.ref[1]},
                    revision_id=plan.revision_id,
                    **_values(found, across),
                )
                _carry_over(row, earlier.get((plan.ref, found.code, found.quote)))
                create.append(row)
            elif plan.across_only and not row.across_items:
                continue  # the item finds this by itself: not this save's business
            elif any(getattr(row, name) != value for name, value in _values(found, across).items()):
                for name, value in _values(found, across).items():
                    setattr(row, name, value)
                update.append(row)
    if delete:
        Finding.objects.filter(pk__in=delete).delete()
    if update:
        Finding.objects.bulk_update(update, ["severity", "message", "quote", "across_items"])
    if create:
        # A refresh may meet a finding that a re-check of the same revision has just added.
        Finding.objects.bulk_create(create, ignore_conflicts=True)


def _values(found: Found, across: bool) -> dict:
    return {
        "code": found.code,
        "severity": str(found.severity),
        "message": found.message,
        "quote": found.quote,
        "field": found.field,
        "start": found.start,
        "end": found.end,
        "across_items": across,
    }


def _false_alarms(refs: set[Ref]) -> dict[tuple, Finding]:
    """The latest false alarm of each item, code and quote."""
    latest: dict[tuple, Finding] = {}
    rows = Finding.objects.filter(_link_q(refs), status=FindingStatus.FALSE_ALARM).order_by(
        "revision__number", "marked_at", "pk"
    )
    for row in rows:
        latest[(_ref_of_row(row), row.code, row.quote)] = row
    return latest


def _carry_over(row: Finding, earlier: Finding | None) -> None:
    if earlier is None:
        return
    row.status = FindingStatus.FALSE_ALARM
    row.reason = earlier.reason
    row.marked_by_id = earlier.marked_by_id
    row.marked_at = earlier.marked_at
    row.carried_from_id = earlier.carried_from_id or earlier.pk


@transaction.atomic
def check_stored(*, items: Iterable[Item] | None = None, today: datetime.date | None = None) -> int:
    """Check the current revision of each item (default: every stored item) as a save would: for
    content saved before the checks existed or after they changed. Returns how many were checked."""
    today = today or timezone.localdate()
    if items is None:
        items = [obj for model in MODELS.values() for obj in model.objects.order_by("pk")]
    items = list(items)
    revisions: dict[Ref, Revision] = {}
    for revision in Revision.objects.filter(_link_q(ref_of(i) for i in items)).order_by("number"):
        revisions[_ref_of_row(revision)] = revision
    checked = [(item, revisions[ref_of(item)]) for item in items if ref_of(item) in revisions]
    # Every key first, so that each item is compared with all the others, whichever comes first.
    for item, revision in checked:
        _replace_keys(item, comparison_keys(Context(revision_input(item, revision), today)))
    for item, revision in checked:
        check_revision(item=item, revision=revision, today=today, refresh_others=False)
    return len(checked)


def revision_check(*, item: Item, revision: Revision) -> None:
    """What every new revision goes through: its findings, and for an article the records it proposes."""
    check_revision(item=item, revision=revision)
    if isinstance(item, Article):
        proposals_update(article=item, revision=revision, item_input=revision_input(item, revision))


# --- false alarms ------------------------------------------------------------------------------------


@transaction.atomic
def finding_mark_false_alarm(*, finding: Finding, user, reason: str) -> Finding:
    """Mark ``finding`` as a false alarm. The reason is required and kept with the revision; the same
    code on the same words in later revisions is then a false alarm too."""
    if not user.has_perm("cms.mark_false_alarm"):
        raise PermissionDenied(_("Only editors and fact-checkers may mark a finding as a false alarm."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this finding is a false alarm.")})
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.status == FindingStatus.FALSE_ALARM:
        raise ValidationError(_("This finding is already marked as a false alarm."))
    finding.status = FindingStatus.FALSE_ALARM
    finding.reason = reason
    finding.marked_by = user
    finding.marked_at = timezone.now()
    finding.full_clean()
    finding.save(update_fields=["status", "reason", "marked_by", "marked_at"])
    return finding


def open_errors(item: Item) -> models.QuerySet:
    """The open error-severity findings on the item's current revision (what blocks approval)."""
    link = ItemLink.link_for(item)
    current = Revision.objects.filter(**link).order_by("-number").values("pk")[:1]
    return Finding.objects.filter(
        **link, revision=Subquery(current), status=FindingStatus.OPEN, severity=Severity.ERROR
    ).order_by("field", "start", "code")
