"""The hotline re-check: every number due (or all) is checked for validity, region consistency,
presence on its cited official pages, conflicts with other records, and staleness of its last human
verification. Each check's result is stored per number and run; a status changes only on evidence.

Streaming and batched, so memory stays flat and the query count grows with batches, not numbers:
offline checks go through the hotlines in primary-key batches; page checks go through the cited
pages one at a time (each fetched once per run, its text dropped once its numbers are checked).
A run that was interrupted (its worker killed) and is resumed skips the numbers it already stored.
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from cms.models import (
    Article,
    CheckKind,
    CheckOutcome,
    FlagKind,
    Hospital,
    Hotline,
    JobRun,
    LiveArticle,
    NumberCheck,
    NumberState,
    VerificationStatus,
)
from cms.services import flags, notifications
from cms.services.live import live_update_verifications
from cms.verification import phones, rules
from cms.verification.fetcher import PageFetcher
from cms.verification.sources import PageText, number_on_page

CURRENT = "current"  # in a number's results: its stored status and last human verification
CHECKS = NumberCheck._meta.db_table
# What the offline checks read of a hotline (loading whole rows cost more than the checks).
OFFLINE_FIELDS = (
    "number",
    "organisation",
    "purpose",
    "verification_status",
    "last_verified_at",
    "region__code",
    "region__name",
    "region__full_name",
    "region__level",
)
EVIDENCE = (CheckKind.VALIDITY, CheckKind.REGION, CheckKind.CONFLICT, CheckKind.SOURCE)


@dataclass
class Tally:
    examined: int = 0
    changed: int = 0
    newly_failing: list = field(default_factory=list)
    page_requests: int = 0


def recheck_hotlines(
    run: JobRun | None = None,
    *,
    all: bool = False,
    dry_run: bool = False,
    pages: bool = True,
    fetcher: PageFetcher | None = None,
) -> tuple[int, int]:
    """Returns (numbers examined, statuses changed). ``pages=False`` skips the official pages (an
    offline run: validity, region, conflicts and staleness only)."""
    now = timezone.now()
    due = Hotline.objects.exclude(state="archived")
    if not all:
        due = due.filter(Q(next_check_at__isnull=True) | Q(next_check_at__lte=now))
    conflicts = _conflicts()
    tally = Tally()
    resumed = run is not None and run.checks.exists()  # a killed run delivered again: skip what it did
    own_fetcher = fetcher is None
    fetcher = fetcher or PageFetcher()
    last = 0
    try:
        while True:
            batch = list(
                due.filter(pk__gt=last)
                .order_by("pk")
                .select_related("region")
                .only(*OFFLINE_FIELDS)[: settings.RECHECK_BATCH_SIZE]
            )
            if not batch:
                break
            last = batch[-1].pk
            tally.examined += len(batch)
            done = set()
            if resumed:
                subjects = [f"hotline:{h.pk}" for h in batch]
                done = set(run.checks.filter(subject__in=subjects).values_list("subject", flat=True))
            results = {h.pk: _offline(h, conflicts, now) for h in batch if f"hotline:{h.pk}" not in done}
            if pages:
                _page_checks(results, fetcher)
            else:
                for checks in results.values():
                    number = checks[CheckKind.VALIDITY][3]
                    checks[CheckKind.SOURCE] = (
                        CheckOutcome.SKIPPED,
                        "本次未核对网页（离线核查）。",
                        {},
                        number,
                    )
            if dry_run:
                would = (_new_status(c[CURRENT], c, False) != c[CURRENT][0] for c in results.values())
                tally.changed += sum(would)
            else:
                _store(run, results, now, tally)
        options = {"all": all, "dry_run": dry_run, "pages": pages, "resumed": resumed}
        _recheck_hospitals(run, fetcher=fetcher, now=now, tally=tally, **options)
    finally:
        tally.page_requests = fetcher.page_requests
        if own_fetcher:
            fetcher.close()
    if run is not None:
        # A resumed run counts what its killed part checked too.
        tally.examined = max(tally.examined, run.checks.values("subject").distinct().count())
        run.summary = {"page_requests": tally.page_requests, "failing": len(tally.newly_failing)}
    if tally.newly_failing:
        notifications.notify_failing_numbers(hotlines=tally.newly_failing)
    return tally.examined, tally.changed


@transaction.atomic
def _store(run: JobRun | None, results: dict, now, tally: Tally) -> None:
    """One batch's results, and the statuses the evidence changes."""
    _save_checks(run, ((f"hotline:{pk}", {"hotline_id": pk}, c) for pk, c in results.items()), now)
    next_check = now + datetime.timedelta(days=settings.RECHECK_INTERVAL_DAYS)
    Hotline.objects.filter(pk__in=list(results)).update(next_check_at=next_check)
    subjects = {pk: f"hotline:{pk}" for pk in results}
    states = {s.subject: s for s in NumberState.objects.filter(subject__in=subjects.values())}
    touched, changes = [], {}
    for pk, checks in results.items():
        source = checks[CheckKind.SOURCE][0]
        state = states.get(subjects[pk])
        if state is None and source != CheckOutcome.TRANSIENT:
            counts = False  # nothing to remember: no failure in a row
        else:
            state = state or NumberState(subject=subjects[pk], last_outcome=source)
            counts = _count_transient(state, source, now)
            touched.append(state)
        status = _new_status(checks[CURRENT], checks, counts)
        if status != checks[CURRENT][0]:
            changes[pk] = status
    if changes:
        # The batch's changed statuses at once: one UPDATE per status, one of their live rows.
        hotlines = list(Hotline.objects.select_for_update().filter(pk__in=list(changes)).order_by("pk"))
        was = {h.pk: h.verification_status for h in hotlines}
        _apply_statuses(hotlines, changes, now)
        tally.changed += len(hotlines)
        failing = VerificationStatus.FAILING
        for hotline in hotlines:  # a status changed: failing now, or no longer failing
            if hotline.verification_status == failing:
                tally.newly_failing.append(hotline)
                _flag_showing(hotline, results[hotline.pk])
            elif was[hotline.pk] == failing:
                _unflag_showing(hotline)
    _save_states(touched)


def _save_checks(run: JobRun | None, numbers, now) -> None:
    """One row per check of each number: ``numbers`` yields (subject, ``{"hotline_id": …}`` or
    ``{"hospital_id": …}``, checks).

    On PostgreSQL the rows are COPied (a run writes five per number, half a million for 100,000
    numbers: through the ORM that alone took longer than the checks). COPY cannot skip a duplicate;
    none can arise: a run's batches commit whole, a run delivered again skips the subjects it has
    stored, and the run's advisory lock keeps a second worker out (``run_job``); the unique
    constraint on (run, subject, kind) would make a mistake fail loudly rather than double rows.
    """
    if run is None:
        return
    rows = (
        (subject, owner, kind, result)
        for subject, owner, checks in numbers
        for kind, result in checks.items()
        if kind != CURRENT
    )
    if connection.vendor != "postgresql":
        NumberCheck.objects.bulk_create(
            [
                NumberCheck(
                    run=run,
                    subject=subject,
                    number=result[3],
                    kind=kind,
                    outcome=result[0],
                    detail=result[1],
                    evidence=result[2],
                    checked_at=now,
                    **owner,
                )
                for subject, owner, kind, result in rows
            ],
            ignore_conflicts=True,
        )
        return
    columns = "run_id, subject, hotline_id, hospital_id, number, kind, outcome, detail, evidence, checked_at"
    with connection.cursor() as cursor, cursor.copy(f"COPY {CHECKS} ({columns}) FROM STDIN") as copy:
        for subject, owner, kind, result in rows:
            copy.write_row(
                (
                    run.pk,
                    subject,
                    owner.get("hotline_id"),
                    owner.get("hospital_id"),
                    result[3],
                    kind,
                    result[0],
                    result[1],
                    json.dumps(result[2], ensure_ascii=False) if result[2] else "{}",
                    now,
                )
            )


def _save_states(states: list[NumberState]) -> None:
    NumberState.objects.bulk_create(
        states,
        update_conflicts=True,
        unique_fields=["subject"],
        update_fields=["failures", "failing_since", "last_outcome", "updated_at"],
    )


# ------------------------------------------------------------------------------------ hospitals' phones


def _recheck_hospitals(
    run, *, all: bool, dry_run: bool, pages: bool, resumed: bool, fetcher, now, tally: Tally
) -> None:
    """Hospitals' phone numbers, checked like hotlines (no conflicts: a hospital lists several lines).
    A hospital is due when none of its numbers was checked within RECHECK_INTERVAL_DAYS; its status
    is failing when any of its numbers fails on evidence."""
    due = Hospital.objects.exclude(state="archived")
    if not all:
        recent = now - datetime.timedelta(days=settings.RECHECK_INTERVAL_DAYS)
        due = due.exclude(Exists(NumberCheck.objects.filter(hospital=OuterRef("pk"), checked_at__gte=recent)))
    last = 0
    while True:
        batch = list(
            due.filter(pk__gt=last)
            .order_by("pk")
            .select_related("region")
            .prefetch_related("phones")[: settings.RECHECK_BATCH_SIZE]
        )
        if not batch:
            return
        last = batch[-1].pk
        done = set()
        if resumed:
            done = set(run.checks.filter(hospital__in=batch).values_list("subject", flat=True))
        results, owners = {}, {}
        for hospital in batch:
            for phone in hospital.phones.all():
                subject = f"hospital:{hospital.pk}:phone:{phone.pk}"
                if subject in done:
                    continue
                tally.examined += 1
                record = SimpleNamespace(
                    number=phone.number,
                    organisation=hospital.name,
                    purpose="hospital",
                    region=hospital.region,
                    region_id=hospital.region_id,
                    verification_status=hospital.verification_status,
                    last_verified_at=hospital.last_verified_at,
                )
                results[subject], owners[subject] = _offline(record, {}, now), hospital
        if pages and results:
            by_hospital = defaultdict(list)
            for subject, hospital in owners.items():
                by_hospital[hospital.pk].append((subject, results[subject][CheckKind.VALIDITY][3]))
            links = (
                Hospital.sources.through.objects.filter(
                    hospital_id__in=list(by_hospital), source__is_official=True
                )
                .order_by("source_id", "hospital_id")
                .values_list("source_id", "source__url", "hospital_id", "hospital__name")
            )
            pairs = (
                (source_id, url, subject, name, number)
                for source_id, url, hospital_id, name in links.iterator(
                    chunk_size=settings.RECHECK_BATCH_SIZE
                )
                for subject, number in by_hospital[hospital_id]
            )
            _look_on_pages(results, pairs, fetcher)
        else:
            for checks in results.values():
                number = checks[CheckKind.VALIDITY][3]
                checks.setdefault(CheckKind.SOURCE, (CheckOutcome.SKIPPED, "本次未核对网页。", {}, number))
        if not dry_run:
            _store_hospitals(run, results, owners, now, tally)
        else:
            statuses = _hospital_statuses(results, owners, {}, now)
            tally.changed += sum(1 for h, status in statuses.items() if status != h.verification_status)


def _hospital_statuses(results, owners, states, now) -> dict:
    failing: dict = {}
    for subject, checks in results.items():
        hospital = owners[subject]
        source = checks[CheckKind.SOURCE][0]
        state = states.get(subject)
        counts = False
        if state is not None:
            counts = _count_transient(state, source, now)
        status = _new_status(checks[CURRENT], checks, counts)
        worst = failing.get(hospital, status)
        order = [VerificationStatus.FAILING, VerificationStatus.STALE, VerificationStatus.VERIFIED]
        failing[hospital] = min(worst, status, key=lambda s: order.index(s) if s in order else len(order))
    return failing


@transaction.atomic
def _store_hospitals(run, results: dict, owners: dict, now, tally: Tally) -> None:
    _save_checks(
        run, ((subject, {"hospital_id": owners[subject].pk}, c) for subject, c in results.items()), now
    )
    states = {s.subject: s for s in NumberState.objects.filter(subject__in=list(results))}
    for subject, checks in results.items():
        if subject not in states and checks[CheckKind.SOURCE][0] == CheckOutcome.TRANSIENT:
            states[subject] = NumberState(subject=subject, last_outcome=CheckOutcome.TRANSIENT)
    statuses = _hospital_statuses(results, owners, states, now)
    _save_states(list(states.values()))
    changed = [hospital for hospital, status in statuses.items() if status != hospital.verification_status]
    _apply_statuses(changed, {h.pk: statuses[h] for h in changed}, now)
    tally.changed += len(changed)


def _apply_statuses(items: list[Hotline] | list[Hospital], statuses: dict[int, str], now) -> None:
    """Give ``items`` (hotlines, or hospitals) their new ``statuses`` by primary key: one UPDATE per
    status, then their live rows in one pass."""
    if not items:
        return
    model = type(items[0])
    for status in set(statuses.values()):
        model.objects.filter(pk__in=[pk for pk, s in statuses.items() if s == status]).update(
            verification_status=status
        )
    for item in items:
        item.verification_status = statuses[item.pk]
    live_update_verifications(items=items, now=now)


# ------------------------------------------------------------------------------------------ the checks


def _offline(hotline: Hotline, conflicts: dict, now) -> dict:
    number = hotline.number
    checks = {CURRENT: (hotline.verification_status, hotline.last_verified_at)}
    try:
        phone = phones.parse_phone(number)
        checks[CheckKind.VALIDITY] = (CheckOutcome.PASS, "", {}, number)
    except phones.PhoneNumberError as exc:
        checks[CheckKind.VALIDITY] = (CheckOutcome.FAIL, str(exc), {}, number)
        phone = None
    if phone is not None and phone.kind == phones.KIND_FIXED and hotline.region_id:
        area = phone.area_code
        agency = hotline.region.level == "province" and rules.is_agency(hotline.organisation)
        ok = rules.area_code_matches_region(area, hotline.region_id, provincial_agency=agency)
        detail = "" if ok else f"区号 0{area}（{rules.describe_area_code(area)}）不属于{hotline.region}。"
        checks[CheckKind.REGION] = (
            CheckOutcome.PASS if ok else CheckOutcome.FAIL,
            detail,
            {"area": area},
            number,
        )
    else:
        checks[CheckKind.REGION] = (CheckOutcome.SKIPPED, "", {}, number)
    others = conflicts.get((hotline.organisation, hotline.purpose), set()) - {number}
    if others:
        near = [n for n in others if rules.one_digit_apart(n, number)]
        detail = f"同一机构同一用途另有号码：{'、'.join(sorted(others))}" + (
            "（仅一位数字不同）" if near else ""
        )
        checks[CheckKind.CONFLICT] = (CheckOutcome.FAIL, detail, {"others": sorted(others)}, number)
    else:
        checks[CheckKind.CONFLICT] = (CheckOutcome.PASS, "", {}, number)
    window = datetime.timedelta(days=settings.VERIFICATION_WINDOW_DAYS)
    stale = hotline.last_verified_at is None or now - hotline.last_verified_at > window
    checks[CheckKind.STALENESS] = (
        CheckOutcome.FAIL if stale else CheckOutcome.PASS,
        "最近一次人工核实已超过时限。" if stale else "",
        {"last_verified_at": hotline.last_verified_at.isoformat() if hotline.last_verified_at else None},
        number,
    )
    return checks


def _conflicts() -> dict[tuple[str, str], set[str]]:
    """Organisation and purpose pairs listed with more than one number: one aggregate query, then the
    numbers of those few groups only."""
    groups = (
        Hotline.objects.exclude(state="archived")
        .values("organisation", "purpose")
        .annotate(n=Count("number", distinct=True))
        .filter(n__gt=1)
    )
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for group in groups.iterator():
        for number in (
            Hotline.objects.exclude(state="archived")
            .filter(organisation=group["organisation"], purpose=group["purpose"])
            .values_list("number", flat=True)
        ):
            found[(group["organisation"], group["purpose"])].add(number)
    return found


def _page_checks(results: dict, fetcher: PageFetcher) -> None:
    """Each official page cited by a checked hotline, fetched once; its numbers looked for on it."""
    if not results:
        return
    pairs = (
        Hotline.sources.through.objects.filter(hotline_id__in=list(results), source__is_official=True)
        .order_by("source_id", "hotline_id")
        .values_list("source_id", "source__url", "hotline_id", "hotline__organisation", "hotline__number")
        .iterator(chunk_size=settings.RECHECK_BATCH_SIZE)
    )
    _look_on_pages(results, pairs, fetcher)


def _look_on_pages(results: dict, pairs, fetcher: PageFetcher) -> None:
    """``pairs``: (page id, url, key in ``results``, organisation, number), ordered by page, so that
    each page is fetched once and looked at while its numbers are checked."""
    outcomes: dict[object, list[tuple[str, str, dict]]] = defaultdict(list)
    current, page, text = None, None, None
    for source_id, url, key, organisation, number in pairs:
        if source_id != current:
            current, page = source_id, fetcher.fetch(url)
            text = PageText.of(page.text) if page.outcome == "ok" else None  # the HTML parsed once
        outcomes[key].append(_presence(page, text, url, organisation, number))
    for key, found in outcomes.items():
        fails = [f for f in found if f[0] == CheckOutcome.FAIL]
        transient = [f for f in found if f[0] == CheckOutcome.TRANSIENT]
        passes = [f for f in found if f[0] == CheckOutcome.PASS]
        best = fails[0] if fails and not passes else (passes or transient or fails or found)[0]
        results[key][CheckKind.SOURCE] = (*best, results[key][CheckKind.VALIDITY][3])
    for checks in results.values():
        number = checks[CheckKind.VALIDITY][3]
        checks.setdefault(CheckKind.SOURCE, (CheckOutcome.SKIPPED, "没有引用官方来源。", {}, number))


def _presence(page, text: PageText | None, url: str, organisation: str, number: str) -> tuple[str, str, dict]:
    evidence = {"url": url, "outcome": str(page.outcome), "status": page.status}
    if page.is_transient:
        return CheckOutcome.TRANSIENT, f"无法读取来源网页：{page.error}", evidence
    if not page.is_evidence:
        return CheckOutcome.SKIPPED, f"来源网页无法用于核查：{page.error}", evidence
    if page.outcome != "ok":  # gone (404/410), or unchanged since a stored copy we do not keep
        return CheckOutcome.FAIL, f"来源网页已不存在（HTTP {page.status}）。", evidence
    found = number_on_page(text, number, organisation)
    evidence["quote"] = found.quote
    if found.near_organisation:
        return CheckOutcome.PASS, "", evidence
    if found.found:
        return CheckOutcome.PASS, "号码在来源网页上，但不在机构名称附近。", evidence
    return CheckOutcome.FAIL, "来源网页上已找不到这个号码。", evidence


# ---------------------------------------------------------------------------------- status and flags


def _new_status(current: tuple[str, datetime.datetime | None], checks: dict, failures_count: bool) -> str:
    """The status the evidence supports: failing on evidence (a failed validity, region, conflict or
    page check, or transient page failures that have been repeated long enough), stale when the last
    human verification is too old, otherwise what a human verification made it."""
    status, last_verified_at = current
    failing = failures_count or any(checks[k][0] == CheckOutcome.FAIL for k in EVIDENCE if k in checks)
    if failing:
        return VerificationStatus.FAILING
    if checks[CheckKind.STALENESS][0] == CheckOutcome.FAIL:
        return VerificationStatus.STALE if last_verified_at else status
    return VerificationStatus.VERIFIED if last_verified_at else status


def _count_transient(state: NumberState, outcome: str, now) -> bool:
    """Transient page failures count against a number only when repeated: RECHECK_FAILURES_TO_COUNT
    times in a row over at least RECHECK_FAILURE_SPAN_HOURS."""
    if outcome == CheckOutcome.TRANSIENT:
        state.failures += 1
        state.failing_since = state.failing_since or now
    else:
        state.failures, state.failing_since = 0, None
    state.last_outcome, state.updated_at = outcome, now
    span = datetime.timedelta(hours=settings.RECHECK_FAILURE_SPAN_HOURS)
    return state.failures >= settings.RECHECK_FAILURES_TO_COUNT and now - state.failing_since >= span


def _unflag_showing(hotline: Hotline) -> None:
    """The number passes again: its flags, on the hotline and the articles showing it, are resolved."""
    flags.flag_resolve(item=hotline, kind=FlagKind.HOTLINE_FAILED)
    for article in Article.objects.filter(live__hotlines=hotline):
        flags.flag_resolve(item=article, kind=FlagKind.HOTLINE_FAILED)


def _flag_showing(hotline: Hotline, checks: dict) -> None:
    """Flag the published content that shows a failing number: the hotline and its articles."""
    reasons = [checks[k][1] for k in EVIDENCE if k in checks and checks[k][0] == CheckOutcome.FAIL]
    detail = "；".join(r for r in reasons if r) or "来源网页多次无法读取。"
    reason = "此电话号码未通过最新核查，正在复核，拨打前请以官方渠道为准。"
    key = f"number:{hotline.number}"
    flags.flag_raise(item=hotline, kind=FlagKind.HOTLINE_FAILED, key=key, public_reason=reason, detail=detail)
    for article in LiveArticle.objects.filter(hotlines=hotline).select_related("article"):
        flags.flag_raise(
            item=article.article,
            kind=FlagKind.HOTLINE_FAILED,
            key=key,
            public_reason=f"文中电话“{hotline.display_number}”未通过最新核查，正在复核。",
            detail=detail,
        )
