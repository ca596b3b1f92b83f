"""Flagging published articles whose facts have expired, in a fixed number of set-based statements
however many articles there are, and resolving those flags when a fixing revision is published.

An article is flagged (once per reason: an open flag is unique per article, kind and key) when
- a policy it describes has passed its ``effective_to`` (the day after it is the first day out of
  force), or has been superseded;
- its own review-by date has passed.
A policy not yet in force is not a reason: its article is published with the policy's dates, which
readers see, and becomes current on its own.
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from cms.models import Article, Flag, FlagKind, Hotline, JobRun, LiveArticle, VerificationStatus
from cms.services import notifications
from cms.services.live import live_tick
from policies.models import Policy

ARTICLES = Article._meta.db_table
LIVE = LiveArticle._meta.db_table
LINKS = LiveArticle.policies.through._meta.db_table
POLICIES = Policy._meta.db_table
FLAGS = Flag._meta.db_table

# kind, key, reader's reason, editor's detail, FROM … WHERE … (parameter: the day)
RULES = [
    (
        FlagKind.POLICY_EXPIRED,
        "'policy:' || p.id",
        "'本文依据的政策“' || p.title || '”已于 ' || p.effective_to || ' 失效，内容正在复核。'",
        "'政策（编号 ' || p.id || '）的失效日期 ' || p.effective_to || ' 已过。'",
        f"{LINKS} l JOIN {POLICIES} p ON p.id = l.policy_id WHERE p.effective_to < %s",
        "l.livearticle_id",
    ),
    (
        FlagKind.POLICY_SUPERSEDED,
        "'policy:' || p.id",
        "'本文依据的政策“' || p.title || '”已被新政策取代，内容正在复核。'",
        "'政策（编号 ' || p.id || '）已被编号 ' || p.superseded_by_id || ' 的政策取代。'",
        f"{LINKS} l JOIN {POLICIES} p ON p.id = l.policy_id WHERE p.superseded_by_id IS NOT NULL"
        " AND (p.effective_from IS NULL OR p.effective_from <= %s)",
        "l.livearticle_id",
    ),
    (
        FlagKind.REVIEW_DUE,
        "'review_by:' || a.review_by",
        "'本文已到复核日期，内容正在复核。'",
        "'复核日期 ' || a.review_by || ' 已过。'",
        f"{ARTICLES} a JOIN {LIVE} l ON l.article_id = a.id WHERE a.review_by < %s",
        "a.id",
    ),
]


def flag_outdated(run: JobRun | None = None, *, as_of: datetime.date | None = None, dry_run: bool = False):
    """Flag what has become outdated by ``as_of`` (today in Beijing). Returns (articles examined, flags
    raised). Runs the same statements whatever the number of articles; a second run raises nothing."""
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    examined = LiveArticle.objects.count()
    if dry_run:
        due = sum(_count_new(rule, as_of) for rule in RULES)
        if run is not None:
            run.summary = {"as_of": as_of.isoformat(), "would_flag": due}
        return examined, due
    with transaction.atomic():
        seq = live_tick()  # readers' view of every article flagged now changes at this clock number
        raised = sum(_insert(rule, as_of, now, seq) for rule in RULES)
        articles = Flag.objects.filter(seq=seq, article__isnull=False).values("article_id").distinct().count()
    if run is not None:
        run.summary = {"as_of": as_of.isoformat(), "flags": raised, "articles": articles}
    if raised:
        notifications.notify_outdated_digest(flags=Flag.objects.filter(seq=seq, article__isnull=False))
    return examined, raised


def _open_flag_exists(kind: str, key_sql: str, article_sql: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM {FLAGS} f WHERE f.article_id = {article_sql} AND f.kind = '{kind}'"  # noqa: S608
        f" AND f.key = {key_sql} AND f.resolved_at IS NULL)"
    )


def _count_new(rule, as_of) -> int:
    kind, key_sql, _, _, source, article_sql = rule
    sql = f"SELECT count(*) FROM {source} AND NOT {_open_flag_exists(kind, key_sql, article_sql)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [as_of])
        return cursor.fetchone()[0]


def _insert(rule, as_of, now, seq: int) -> int:
    """INSERT … SELECT … ON CONFLICT DO NOTHING: the partial unique constraint on open flags makes a
    second run (or a concurrent one, or a row the SELECT yields twice) add nothing. The live rows are
    not touched: readers get an article's open flags when they read it (``live.article_json_sql``)."""
    kind, key_sql, reason_sql, detail_sql, source, article_sql = rule
    sql = (
        f"INSERT INTO {FLAGS} (article_id, kind, key, public_reason, detail, created_at, seq)"  # noqa: S608
        f" SELECT {article_sql}, '{kind}', {key_sql}, {reason_sql}, {detail_sql}, {_timestamp()}, %s"
        f" FROM {source}"
        " ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), seq, as_of])
        return cursor.rowcount


def _timestamp() -> str:
    """A timestamp parameter in a SELECT list: PostgreSQL (server-side parameters) needs its type."""
    return "%s::timestamptz" if connection.vendor == "postgresql" else "%s"


def resolve_fixed_flags(article: Article, content: dict, *, as_of: datetime.date | None = None) -> int:
    """Before the revision with ``content`` is published: resolve the article's open flags whose
    reason it fixes (the policy is no longer cited, or is in force again; the review date moved on;
    the failing number is no longer shown),
    so that the payload it is published with no longer shows them."""
    as_of = as_of or timezone.localdate()
    policies = {p.pk: p for p in Policy.objects.filter(pk__in=content.get("policies", []))}
    review_by = content.get("review_by")
    review_by = datetime.date.fromisoformat(review_by) if isinstance(review_by, str) else review_by
    fixed = []
    for flag in Flag.objects.filter(article=article, resolved_at__isnull=True):
        if flag.kind in (FlagKind.POLICY_EXPIRED, FlagKind.POLICY_SUPERSEDED):
            policy = policies.get(int(flag.key.removeprefix("policy:") or 0))
            still = policy is not None and (
                (flag.kind == FlagKind.POLICY_EXPIRED and policy.effective_to and policy.effective_to < as_of)
                or (flag.kind == FlagKind.POLICY_SUPERSEDED and policy.superseded_by_id is not None)
            )
        elif flag.kind == FlagKind.REVIEW_DUE:
            still = review_by is not None and review_by < as_of
        elif flag.kind == FlagKind.HOTLINE_FAILED:
            still = Hotline.objects.filter(
                pk__in=content.get("hotlines", []),
                number=flag.key.removeprefix("number:"),
                verification_status=VerificationStatus.FAILING,
            ).exists()
        else:
            continue
        if not still:
            fixed.append(flag.pk)
    if fixed:
        Flag.objects.filter(pk__in=fixed).update(resolved_at=timezone.now(), resolved_seq=live_tick())
    return len(fixed)
