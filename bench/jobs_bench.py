"""Benchmark of the verification jobs at scale: the hotline re-check (offline, then with its page
checks against a local web server) and the flagging of outdated articles.

    .venv/bin/python -m bench.jobs_bench [--hotlines 100000] [--pages 2000] [--articles 1000000]
        [--policies 5000] [--scale-check] [--reuse-db] [--keep-db]

In one run: (re)create the PostgreSQL database ``yibao_jobs_bench`` on 127.0.0.1 and migrate it; load
hotlines (valid landlines of their region's area code, each citing one official page, one in ten a
second one; 1 % last verified too long ago, and a few organisations listed with two numbers), their
live rows, policies (10 % expired, 1 % superseded) and published articles with their live rows and
policy links (1 % past their review date), all set-based (COPY, INSERT … SELECT generate_series);
serve the cited pages, each listing the numbers of the hotlines citing it next to their organisation,
from an HTTP server on 127.0.0.1 that counts the requests; then run each job as its command in a child
process (``recheck_hotlines --all --offline``, ``recheck_hotlines --all``, ``flag_outdated --as-of``
twice, the second run must flag nothing), counting its SQL statements inside the child and its peak
memory (the child's peak resident set size, VmHWM). ``--scale-check`` first does the same at a tenth of
the size, in ``yibao_jobs_bench_tenth``, and prints both side by side: query counts and peaks must
not grow with the data. Prints wall seconds, items/s, the page requests the server saw against the
distinct pages cited, the query counts and peaks, against the targets (offline re-check of 100,000
numbers under 30 s, flagging 1,000,000 articles under 10 s). Exits non-zero when a check fails
(wrong counts, errors, a page fetched twice), not when a target is missed. The page server is
stopped and the databases dropped on exit (unless --keep-db), Ctrl-C included.
"""

import argparse
import datetime
import http.server
import json
import random
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from bench.api_bench import (
    HOST,
    POLICY_TOPICS,
    ROOT,
    TOPICS,
    CheckFailed,
    database_name,
    django_env,
    drop_database,
    free_port,
    log,
    pad,
    recreate_database,
    run_child,
    verdict,
    warn_if_busy,
)

DEFAULT_DATABASE_URL = f"postgres://postgres@{HOST}:5432/yibao_jobs_bench"
AS_OF = datetime.date(2026, 11, 1)  # the day flag_outdated judges by; policy dates are set around it
SEED = 20261123
RECHECK_TARGET = 30.0  # seconds for the offline re-check of 100,000 numbers
FLAG_TARGET = 10.0  # seconds for flagging 1,000,000 articles
FLAT_TOLERANCE = 1.25  # "flat": the peak at full size is at most 25 % above the peak at a tenth
STALE_EVERY = 100  # hotlines whose id is a multiple of this were last verified 100 days ago
CONFLICT_EVERY = 2000  # one hotline in this many shares its organisation and purpose with another
SHARED_REVISIONS = 100  # live articles point at the revisions of the first 100 articles
STREET_CHARACTERS = "东西南北中新和平安兴华龙凤山河湖林桥江阳光明德仁义春秋金玉文武长永福康宁泰丰"
OFFICE_SUFFIXES = ["街道医疗保障服务站", "医保服务中心", "街道社会保险服务站", "医疗保障事业管理所"]
PURPOSE_LABELS = {"consultation": "咨询", "complaint": "投诉举报", "cross_region": "异地就医"}
SERVICE_HOURS = ["工作日 8:30—12:00，14:30—17:30", "工作日 9:00—17:00", "周一至周五 8:00—18:00"]
ROBOTS_TXT = b"User-agent: *\nAllow: /\n"


# ---------------------------------------------------------------------------------------------------
# Loading (runs in a child process with Django set up on the benchmark database)
# ---------------------------------------------------------------------------------------------------


def page_path(page: int) -> str:
    return f"/ybj/zcjd/{page + 1:05d}.html"


def street(k: int) -> str:
    """A distinct two- or three-character place name for each k (no digits, no 市 / 区 / 县 …)."""
    base = len(STREET_CHARACTERS)
    name = STREET_CHARACTERS[k % base] + STREET_CHARACTERS[(k // base) % base]
    return name + (STREET_CHARACTERS[(k // base**2) % base] if k >= base**2 else "")


def load_data(*, hotlines: int, pages: int, articles: int, policies: int, port: int) -> None:
    """Everything in one transaction: the foreign keys to revisions are checked at commit."""
    import django

    django.setup()
    from django.db import transaction

    started = time.monotonic()
    with transaction.atomic():
        _load_users()
        _load_hotlines(hotlines=hotlines, pages=pages, articles=articles, port=port)
        log(f"  {hotlines} hotlines, {pages} sources, live hotlines: {time.monotonic() - started:.1f} s")
        t0 = time.monotonic()
        _load_articles(articles=articles, policies=policies)
        log(f"  {policies} policies, {articles} articles, live articles: {time.monotonic() - t0:.1f} s")
        _reset_sequences()
    _check_sample(hotlines)
    log(f"  loaded in {time.monotonic() - started:.1f} s")


def _load_users() -> None:
    """An editor and a fact-checker with addresses, so that the jobs' digests are composed and sent."""
    import secrets

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cms.workflow import EDITOR, FACT_CHECKER

    User = get_user_model()
    for username, role in [("bench-editor", EDITOR), ("bench-checker", FACT_CHECKER)]:
        user = User.objects.create_user(
            username=username,
            email=f"{username}@example.org",
            password=secrets.token_urlsafe(12),
            is_staff=True,
        )
        user.groups.add(Group.objects.get(name=role))


def _area_codes_by_region() -> tuple[dict, list]:
    """Each prefecture city and county with the area codes it dials (its own, else inherited)."""
    from cms.models import Region
    from cms.models.regions import RegionLevel

    regions = {r.code: r for r in Region.objects.all()}
    own = {
        r.code: [a.code for a in r.area_codes.all()] for r in Region.objects.prefetch_related("area_codes")
    }

    def codes(code: str) -> list[str]:
        region = regions[code]
        while region is not None:
            if own[region.code]:
                return own[region.code]
            region = regions.get(region.parent_id) if region.parent_id else None
        return []

    places = sorted(
        (r for r in regions.values() if r.level in (RegionLevel.PREFECTURE, RegionLevel.COUNTY)),
        key=lambda r: r.code,
    )
    dialled = {r.code: codes(r.code) for r in places}
    return dialled, [r for r in places if dialled[r.code]]


def _new_number(rng: random.Random, region, area_codes: list[str], used: set[str]):
    """A landline of the region, not used yet, that the re-check's region rule accepts."""
    from cms.verification import phones, rules

    for _ in range(200):
        area = rng.choice(area_codes)
        digits = 8 if len(area) == 2 else rng.choice((7, 8))
        subscriber = str(rng.randint(2, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
        try:
            phone = phones.parse_phone(f"0{area}-{subscriber}", area_codes=area_codes)
        except phones.PhoneNumberError:
            continue
        if phone.number in used or not rules.area_code_matches_region(phone.area_code, region.code):
            continue
        used.add(phone.number)
        return phone
    raise CheckFailed(f"no valid number found for {region.code} {region.name} (area codes {area_codes})")


def _load_hotlines(*, hotlines: int, pages: int, articles: int, port: int) -> None:
    """Sources (one a page), hotlines in blocks of ~50 per page and region, their citations, a shared
    revision and their live rows."""
    from django.db import connection
    from django.utils import timezone

    from cms.models import Hotline, Revision, Source
    from cms.services.revisions import snapshot

    rng = random.Random(SEED)  # noqa: S311 -- reproducible test data, not secrets
    now = timezone.now()
    area_codes, places = _area_codes_by_region()
    page_regions = rng.sample(places, pages) if pages <= len(places) else rng.choices(places, k=pages)
    Source.objects.bulk_create(
        Source(
            id=p + 1,
            url=f"http://{HOST}:{port}{page_path(p)}",
            title=f"{region.full_name}医疗保障经办机构咨询电话一览",
            publisher=f"{region.name}医疗保障局",
            is_official=True,
        )
        for p, region in enumerate(page_regions)
    )
    revision_id = min(articles, SHARED_REVISIONS) + 1  # the hotlines' shared revision (made below)
    rows, citations = [], []
    used: set[str] = set()
    per_region: Counter = Counter()
    hotline_id = 0
    for p, region in enumerate(page_regions):
        for i in range(hotlines // pages + (p < hotlines % pages)):
            hotline_id += 1
            phone = _new_number(rng, region, area_codes[region.code], used)
            if hotline_id % CONFLICT_EVERY == 0 and i > 0:
                organisation, purpose = rows[-1][5], rows[-1][6]  # the previous one, another number
            else:
                # Numbered per region name: several districts share a name (鼓楼区), not an office.
                organisation = region.name + street(per_region[region.name]) + rng.choice(OFFICE_SUFFIXES)
                per_region[region.name] += 1
                purpose = "consultation" if i % 4 else rng.choice(list(PURPOSE_LABELS))
            days = 100 if hotline_id % STALE_EVERY == 0 else 10 + hotline_id % 50
            verified = now - datetime.timedelta(days=days, minutes=hotline_id % 600)
            rows.append(
                (
                    hotline_id,
                    "published",
                    1,
                    verified,
                    verified,
                    organisation,
                    purpose,
                    phone.number,
                    phone.display,
                    phone.kind,
                    "",
                    rng.choice(SERVICE_HOURS),
                    "verified",
                    verified,
                    None,
                    region.code,
                    revision_id,
                )
            )
            citations.append((hotline_id, p + 1))
            if i % 10 == 9 and pages > 1:
                citations.append((hotline_id, (p + 1) % pages + 1))
    columns = (
        "id, state, lock_version, created_at, updated_at, organisation, purpose, number, display_number,"
        " kind, extension, service_hours, verification_status, last_verified_at, next_check_at, region_id,"
        " approved_revision_id"
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {Hotline._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        through = Hotline.sources.through._meta.db_table
        with cursor.cursor.copy(f"COPY {through} (hotline_id, source_id) FROM STDIN") as copy:
            for row in citations:
                copy.write_row(row)
    first = Hotline.objects.get(pk=1)
    Revision.objects.bulk_create(
        [Revision(id=revision_id, hotline=first, number=1, content=snapshot(first), message="基准数据")]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cms_livehotline (hotline_id, organisation, purpose, number, display_number,
                extension, region_id, service_hours, verification_status, last_verified_at, revision_id,
                data, payload, search_text, search_tokens, published_at, updated_at, seq)
            SELECT h.id, h.organisation, h.purpose, h.number, h.display_number, h.extension, h.region_id,
                h.service_hours, h.verification_status, h.last_verified_at, h.approved_revision_id,
                '{"sources": []}'::jsonb,
                jsonb_build_object('id', h.id, 'organisation', h.organisation, 'purpose', h.purpose,
                    'number', h.number, 'display_number', h.display_number,
                    'verification_status', h.verification_status),
                lower(h.organisation || ' ' || h.display_number), '', h.updated_at, h.updated_at, 0
            FROM cms_hotline h
            """
        )


# An article links 1 to 3 policies (n % 3 + 1), spread over all of them.
POLICY_LINKS = """
    SELECT n, 1 + ((n::bigint * 7919) %% %(policies)s + j * (%(policies)s / 3)) %% %(policies)s
    FROM generate_series(1, %(articles)s) n CROSS JOIN LATERAL generate_series(0, n %% 3) j
"""


def _load_articles(*, articles: int, policies: int) -> None:
    """Policies: 10 % past their end (id % 10 == 0), 1 % superseded by the next one (id % 100 == 3).
    Articles: published, 1 % past their review date (id % 100 == 7), the first ``SHARED_REVISIONS``
    with a revision that every live row shares; their live rows and policy links."""
    from django.db import connection
    from django.utils import timezone

    from cms.models import Article, Category, Revision
    from cms.services.revisions import snapshot

    now = timezone.now()
    params = {
        "policies": policies,
        "articles": articles,
        "as_of": AS_OF,
        "now": now,
        "titles": POLICY_TOPICS,
        "topics": TOPICS,
        "categories": [c for c in Category.values if c != Category.UNCATEGORISED],
        "revisions": min(articles, SHARED_REVISIONS),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO policies_policy (id, title, document_number, issuing_authority, region_id,
                effective_from, effective_to, superseded_by_id, source_id, created_at, updated_at)
            SELECT p, (%(titles)s::text[])[1 + p %% cardinality(%(titles)s::text[])],
                '医保发〔' || (2015 + p %% 10) || '〕' || p || '号', '国家医疗保障局', NULL,
                make_date(2015 + p %% 10, 1 + p %% 12, 1),
                CASE WHEN p %% 10 = 0 THEN %(as_of)s::date - (1 + p %% 300)
                     WHEN p %% 10 = 5 THEN %(as_of)s::date + (30 + p %% 900) END,
                CASE WHEN p %% 100 = 3 AND p < %(policies)s THEN p + 1 END,
                NULL, %(now)s, %(now)s
            FROM generate_series(1, %(policies)s) p
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO cms_article (id, state, lock_version, created_at, updated_at, title, slug, summary,
                body, category, review_by, is_excerpt, import_key, approved_revision_id)
            SELECT n, 'published', 1, %(now)s - n * interval '1 minute', %(now)s - n * interval '1 minute',
                t.topic || '（第' || n || '篇）', 'bench-' || n,
                t.topic || '：办理条件、流程和所需材料。',
                '## ' || t.topic || E'\n\n参保人可通过医保服务平台或线下窗口办理，'
                    || E'具体以当地医保部门公布为准。\n\n- 携带有效身份证件\n- 填写申请表',
                (%(categories)s::text[])[1 + n %% cardinality(%(categories)s::text[])],
                CASE WHEN n %% 100 = 7 THEN %(as_of)s::date - (1 + n %% 60)
                     ELSE %(as_of)s::date + (30 + n %% 700) END,
                false, '', 1 + (n - 1) %% %(revisions)s
            FROM generate_series(1, %(articles)s) n,
                LATERAL (SELECT (%(topics)s::text[])[1 + n %% cardinality(%(topics)s::text[])] AS topic) t
            """,
            params,
        )
        cursor.execute(f"INSERT INTO cms_article_policies (article_id, policy_id) {POLICY_LINKS}", params)
    Revision.objects.bulk_create(
        Revision(
            id=article.pk,
            article=article,
            number=1,
            content=snapshot(article),
            message="基准数据",
            created_at=article.updated_at,
        )
        for article in Article.objects.filter(pk__lte=params["revisions"]).order_by("pk")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cms_livearticle (article_id, slug, title, summary, body_html, category,
                revision_id, data, payload, search_text, search_tokens, published_at, updated_at, seq)
            SELECT a.id, a.slug, a.title, a.summary, '<p>' || a.summary || '</p>', a.category,
                a.approved_revision_id,
                '{"regions": [], "policies": [], "hotlines": [], "hospitals": [], "sources": []}'::jsonb,
                jsonb_build_object('slug', a.slug, 'title', a.title, 'summary', a.summary,
                    'category', a.category,
                    'outdated', jsonb_build_object('flagged', false, 'reasons', '[]'::jsonb),
                    'published_at', a.updated_at, 'updated_at', a.updated_at),
                '', '', a.updated_at, a.updated_at, 0
            FROM cms_article a
            """
        )
        cursor.execute(
            f"INSERT INTO cms_livearticle_policies (livearticle_id, policy_id) {POLICY_LINKS}", params
        )


def _reset_sequences() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("cms_source", "cms_hotline", "cms_revision", "policies_policy", "cms_article"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608 -- our own tables
                f" (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )


def _check_sample(hotlines: int) -> None:
    """Bulk-made hotlines are what the model makes of them: full_clean() keeps their number as it is."""
    from django.core.exceptions import ValidationError

    from cms.models import Hotline

    rng = random.Random(SEED + 1)  # noqa: S311 -- a reproducible sample
    for pk in rng.sample(range(1, hotlines + 1), min(hotlines, 100)):
        hotline = Hotline.objects.select_related("region").get(pk=pk)
        stored = (hotline.number, hotline.display_number, hotline.kind)
        try:
            hotline.full_clean()
        except ValidationError as exc:
            raise CheckFailed(f"bulk-made hotline {pk} is not valid: {exc}") from exc
        if (hotline.number, hotline.display_number, hotline.kind) != stored:
            raise CheckFailed(f"hotline {pk}: the model would store {hotline.number} for {stored}")
    log("  100 bulk-made hotlines pass full_clean() unchanged")


# ---------------------------------------------------------------------------------------------------
# A job, in the child process: the management command, its SQL statements counted
# ---------------------------------------------------------------------------------------------------


def peak_rss_kb() -> int:
    """This process's peak resident set size. From /proc (VmHWM): ``ru_maxrss`` (getrusage, wait4)
    also counts the parent's peak, which Linux carries over when a forked (or vforked) child execs."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_command_measured(command: list[str], result_path: str) -> None:
    """Run one management command and write what it took to ``result_path`` (JSON): seconds, SQL
    statements (every execute / executemany through Django, whatever DEBUG says), the peak RSS once
    Django was set up and at the end, and what the command printed."""
    import io

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    setup_peak_kb = peak_rss_kb()
    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    output = io.StringIO()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        call_command(*command, stdout=output)
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "queries": statements,
        "setup_peak_kb": setup_peak_kb,
        "peak_kb": peak_rss_kb(),
        "output": output.getvalue(),
    }
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False))


# ---------------------------------------------------------------------------------------------------
# The page server
# ---------------------------------------------------------------------------------------------------

PAGE_HEAD = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/css/main.css"><script>
window.dataLayer = window.dataLayer || []; function track(){{ dataLayer.push(arguments); }}
</script></head><body>
<div class="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/bsfw/">办事服务</a> |
<a href="/hdjl/">互动交流</a> | <a href="/zcjd/">政策解读</a></div>
<div class="crumb">当前位置：首页 &gt; 政策解读 &gt; 咨询电话</div>
<h1>{title}</h1>
<div class="intro">{intro}</div>
<table class="phones"><thead><tr><th>机构</th><th>用途</th><th>电话</th><th>服务时间</th></tr></thead><tbody>
"""
PAGE_TAIL = """</tbody></table>
<div class="note">{intro}</div>
<div class="foot">主办单位：医疗保障局　承办：信息中心　地址：市民服务中心　网站标识码：见页面底部</div>
</body></html>
"""
PAGE_INTRO = (
    "为方便参保群众咨询医保政策、办理医保业务，现将各医疗保障经办机构咨询电话公布如下。"
    "参保人员可在工作时间拨打电话咨询参保登记、异地就医备案、门诊慢特病认定、医疗费用报销等业务。"
    "节假日期间请通过医保服务平台或政务服务网办理，如遇线路繁忙请稍后再拨。"
) * 6


def render_page(title: str, rows: list[tuple[str, str, str, str]]) -> bytes:
    """An official-looking page (~15 KB): the numbers in a table, each beside its organisation."""
    body = "".join(
        f"<tr><td>{escape(organisation)}</td><td>{PURPOSE_LABELS.get(purpose, '咨询')}</td>"
        f"<td>{escape(number)}</td><td>{escape(hours)}</td></tr>\n"
        for organisation, purpose, number, hours in rows
    )
    intro = escape(PAGE_INTRO)
    return (
        PAGE_HEAD.format(title=escape(title), intro=intro) + body + PAGE_TAIL.format(intro=intro)
    ).encode()


def load_pages(url: str) -> tuple[int, dict[str, bytes]]:
    """The port the sources were made with, and every cited page's body by path."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT s.url, s.title, h.organisation, h.purpose, h.display_number, h.service_hours"
            " FROM cms_hotline_sources hs JOIN cms_source s ON s.id = hs.source_id"
            " JOIN cms_hotline h ON h.id = hs.hotline_id ORDER BY s.id, h.id"
        ).fetchall()
    grouped: dict[str, tuple[str, list]] = {}
    ports = set()
    for source_url, title, *row in rows:
        parts = urllib.parse.urlsplit(source_url)
        if parts.hostname != HOST:
            raise CheckFailed(f"source {source_url} is not on {HOST}")
        ports.add(parts.port)
        grouped.setdefault(parts.path, (title, []))[1].append(tuple(row))
    if len(ports) != 1:
        raise CheckFailed(f"the sources name {len(ports)} ports; one expected")
    return ports.pop(), {path: render_page(title, rows) for path, (title, rows) in grouped.items()}


class PageServer(http.server.ThreadingHTTPServer):
    """Serves the pages on 127.0.0.1 and counts the requests: by page, robots.txt, anything else."""

    daemon_threads = True

    def __init__(self, port: int, pages: dict[str, bytes]) -> None:
        self.pages = pages
        self.lock = threading.Lock()
        self.reset()
        try:
            super().__init__((HOST, port), PageHandler)
        except OSError as exc:
            raise CheckFailed(
                f"cannot serve the pages on {HOST}:{port} ({exc}); the port is in the sources' URLs:"
                " free it, or run without --reuse-db"
            ) from exc
        self.thread = threading.Thread(target=self.serve_forever, name="page-server", daemon=True)
        self.thread.start()

    def reset(self) -> None:
        with self.lock:
            self.by_page: Counter = Counter()
            self.robots = 0
            self.other = 0

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)


class PageHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the fetcher's session expects
    server: PageServer

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        body = self.server.pages.get(path)
        with self.server.lock:
            if path == "/robots.txt":
                self.server.robots += 1
            elif body is not None:
                self.server.by_page[path] += 1
            else:
                self.server.other += 1
        if path == "/robots.txt":
            status, content_type, body = 200, "text/plain; charset=utf-8", ROBOTS_TXT
        elif body is None:
            status, content_type, body = 404, "text/plain; charset=utf-8", b"not found"
        else:
            status, content_type = 200, "text/html; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        pass


# ---------------------------------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Size:
    label: str
    hotlines: int
    pages: int
    articles: int
    policies: int
    url: str

    def describe(self) -> str:
        return (
            f"{self.hotlines:,} hotlines citing {self.pages:,} pages, {self.articles:,} live articles"
            f" linked to {self.policies:,} policies"
        )


def query(url: str, sql: str, params=None) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def holds(size: Size) -> bool:
    """Whether the database holds exactly this size of data (False: missing or not migrated)."""
    import psycopg

    try:
        counts = query(
            size.url,
            "SELECT (SELECT count(*) FROM cms_hotline), (SELECT count(*) FROM cms_source),"
            " (SELECT count(*) FROM cms_livearticle), (SELECT count(*) FROM policies_policy)",
        )[0]
    except psycopg.Error:
        return False
    return counts == (size.hotlines, size.pages, size.articles, size.policies)


RESET = [  # executed without parameters: % is the modulo operator
    "TRUNCATE cms_numbercheck, cms_numberstate, cms_jobrun, cms_flag",
    "UPDATE cms_hotline SET verification_status = 'verified', next_check_at = NULL,"  # noqa: S608 -- constants
    f" last_verified_at = now() - make_interval(days => CASE WHEN id % {STALE_EVERY} = 0 THEN 100"
    " ELSE 10 + (id % 50)::int END)",
    "UPDATE cms_livehotline l SET verification_status = h.verification_status,"
    " last_verified_at = h.last_verified_at FROM cms_hotline h WHERE h.id = l.hotline_id",
]


def prepare_database(size: Size, reuse: bool) -> None:
    env = django_env(size.url)
    name = database_name(size.url)
    if reuse and holds(size):
        log(f"Reusing {name} ({size.describe()}); undoing the previous run's changes…")
        run_child([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env, "migrate")
        import psycopg

        with psycopg.connect(size.url, autocommit=True) as conn:
            for sql in RESET:
                conn.execute(sql)
            conn.execute("VACUUM ANALYZE")
        return
    log(f"Creating {name} and migrating it…")
    recreate_database(size.url)
    run_child([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env, "migrate")
    log(f"Loading {size.describe()}…")
    started = time.monotonic()
    args = [
        sys.executable,
        "-m",
        "bench.jobs_bench",
        "--load-only",
        *("--hotlines", str(size.hotlines), "--pages", str(size.pages)),
        *("--articles", str(size.articles), "--policies", str(size.policies)),
        *("--port", str(free_port())),
    ]
    run_child(args, env, "loading")
    t0 = time.monotonic()
    import psycopg

    with psycopg.connect(size.url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    log(f"Loading took {t0 - started:.0f} s, VACUUM ANALYZE {time.monotonic() - t0:.0f} s.")


# ---------------------------------------------------------------------------------------------------
# Running a job and checking what it did
# ---------------------------------------------------------------------------------------------------


@dataclass
class JobResult:
    key: str
    label: str
    items: int
    wall: float  # the child process, Django's start-up included
    seconds: float  # the command itself
    queries: int
    peak_mb: float  # the child's peak resident set size (VmHWM)
    setup_mb: float  # its peak once Django was set up, before the command ran
    notes: list[str] = field(default_factory=list)
    server: dict = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.items / self.seconds if self.seconds else 0.0


def run_job(size: Size, key: str, label: str, command: list[str], workdir: Path) -> tuple[JobResult, dict]:
    """The command in a child process, measured from inside (see run_command_measured)."""
    result_path = workdir / f"{key}.json"
    env = django_env(size.url)
    env.update(FETCH_ALLOW_PRIVATE_ADDRESSES="true", FETCH_HOST_DELAY="0")
    args = [sys.executable, "-m", "bench.jobs_bench", "--job-result", str(result_path), "--", *command]
    # Each job on a settled database: the previous job's dirty pages written out first, so that one
    # job's checkpoint is not charged to the next (the jobs run hours apart in production).
    import psycopg

    with psycopg.connect(size.url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
    started = time.monotonic()
    process = subprocess.Popen(args, cwd=ROOT, env=env)  # noqa: S603 -- our own interpreter and arguments
    try:
        process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    wall = time.monotonic() - started
    if process.returncode != 0 or not result_path.exists():
        raise CheckFailed(f"{' '.join(command)} failed (exit status {process.returncode})")
    measured = json.loads(result_path.read_text())
    run = last_run(size.url, command[0])
    if run["status"] != "succeeded" or run["errors"]:
        raise CheckFailed(f"{' '.join(command)}: run {run['status']}, errors {run['errors']}")
    result = JobResult(
        key=key,
        label=label,
        items=run["examined"],
        wall=wall,
        seconds=measured["seconds"],
        queries=measured["queries"],
        peak_mb=measured["peak_kb"] / 1024,
        setup_mb=measured["setup_peak_kb"] / 1024,
    )
    log(
        f"  {label}: {result.seconds:.1f} s ({wall:.1f} s wall), {result.per_second:,.0f} items/s,"
        f" {result.queries:,} SQL statements, peak RSS {result.peak_mb:.0f} MB;"
        f" examined {run['examined']:,}, changed {run['changed']:,}, summary {run['summary']}"
    )
    return result, run


def last_run(url: str, job: str) -> dict:
    rows = query(
        url,
        "SELECT id, status, examined, changed, summary, errors FROM cms_jobrun WHERE job = %s"
        " ORDER BY id DESC LIMIT 1",
        [job],
    )
    if not rows:
        raise CheckFailed(f"no run of {job} was recorded")
    keys = ("id", "status", "examined", "changed", "summary", "errors")
    return dict(zip(keys, rows[0], strict=True))


@dataclass
class Checks:
    """Count checks of one size: a failure is recorded and the run goes on, so that the figures are
    still printed; the benchmark then exits non-zero."""

    size: str
    failures: list[str] = field(default_factory=list)

    def expect(self, what: str, got, wanted, hint: str = "") -> None:
        if got != wanted:
            message = f"({self.size}) {what}: {got!r}, expected {wanted!r}{hint}"
            self.failures.append(message)
            log(f"  CHECK FAILED {message}")


def failed_checks(url: str, run_id: int) -> str:
    """What the run's failed checks were, one example of each kind."""
    rows = query(
        url,
        "SELECT kind, count(*), min(detail) FROM cms_numbercheck WHERE run_id = %s AND outcome = 'fail'"
        " GROUP BY kind ORDER BY kind",
        [run_id],
    )
    return "; failed checks: " + ", ".join(f"{kind} {n:,} (e.g. {detail})" for kind, n, detail in rows)


def run_jobs(size: Size, server: PageServer, workdir: Path, checks: Checks) -> dict[str, JobResult]:
    url = size.url
    expect = checks.expect
    hotlines, to_change, pages = query(
        url,
        """
        SELECT (SELECT count(*) FROM cms_hotline WHERE state <> 'archived'),
            (SELECT count(*) FROM cms_hotline h WHERE h.last_verified_at < now() - interval '90 days'
              OR (h.organisation, h.purpose) IN (SELECT organisation, purpose FROM cms_hotline
                  GROUP BY 1, 2 HAVING count(DISTINCT number) > 1)),
            (SELECT count(DISTINCT hs.source_id) FROM cms_hotline_sources hs
               JOIN cms_source s ON s.id = hs.source_id WHERE s.is_official)
        """,
    )[0]
    results = {}

    server.reset()
    result, run = run_job(
        size,
        "offline",
        "recheck_hotlines --all --offline",
        ["recheck_hotlines", "--all", "--offline"],
        workdir,
    )
    expect("numbers examined offline", run["examined"], hotlines)
    expect(
        "statuses changed offline (stale or conflicting numbers)",
        run["changed"],
        to_change,
        failed_checks(url, run["id"]) if run["changed"] != to_change else "",
    )
    expect("HTTP requests of an offline run", (sum(server.by_page.values()), server.robots), (0, 0))
    results["offline"] = result

    server.reset()
    result, run = run_job(size, "pages", "recheck_hotlines --all", ["recheck_hotlines", "--all"], workdir)
    expect("numbers examined with pages", run["examined"], hotlines)
    expect("statuses changed by the page checks", run["changed"], 0)
    requests = sum(server.by_page.values())
    twice = [path for path, n in server.by_page.items() if n > 1]
    expect("page requests seen by the server", requests, pages)
    expect("pages fetched more than once", twice[:5], [])
    expect("page requests the run recorded", run["summary"].get("page_requests"), requests)
    expect("requests for pages that do not exist", server.other, 0)
    outcomes = dict(
        query(
            url,
            "SELECT outcome, count(*) FROM cms_numbercheck WHERE run_id = %s AND kind = 'source' GROUP BY 1",
            [run["id"]],
        )
    )
    expect("page-check outcomes", outcomes, {"pass": hotlines})
    result.server = {"pages": requests, "distinct": pages, "robots": server.robots}
    results["pages"] = result

    wanted_flags, wanted_articles = query(
        url,
        """
        WITH due AS (
            SELECT l.livearticle_id AS article FROM cms_livearticle_policies l
              JOIN policies_policy p ON p.id = l.policy_id WHERE p.effective_to < %(d)s
            UNION ALL
            SELECT l.livearticle_id FROM cms_livearticle_policies l
              JOIN policies_policy p ON p.id = l.policy_id WHERE p.superseded_by_id IS NOT NULL
               AND (p.effective_from IS NULL OR p.effective_from <= %(d)s)
            UNION ALL
            SELECT a.id FROM cms_article a JOIN cms_livearticle l ON l.article_id = a.id
             WHERE a.review_by < %(d)s
        )
        SELECT count(*), count(DISTINCT article) FROM due
        """,
        {"d": AS_OF},
    )[0]
    command = ["flag_outdated", "--as-of", AS_OF.isoformat()]
    result, run = run_job(size, "flag", f"flag_outdated --as-of {AS_OF}", command, workdir)
    expect("articles examined", run["examined"], size.articles)
    expect("flags raised", run["changed"], wanted_flags)
    expect("articles flagged", run["summary"].get("articles"), wanted_articles)
    flagged = query(
        url,
        "SELECT (SELECT count(*) FROM cms_flag WHERE article_id IS NOT NULL AND resolved_at IS NULL),"
        " (SELECT count(*) FROM cms_livearticle l WHERE EXISTS (SELECT 1 FROM cms_flag f"
        "   WHERE f.article_id = l.article_id AND f.resolved_at IS NULL))",
    )[0]
    expect(
        "open article flags, and live articles readers see as outdated",
        flagged,
        (wanted_flags, wanted_articles),
    )
    result.notes.append(f"{wanted_flags:,} flags on {wanted_articles:,} articles")
    results["flag"] = result

    result, run = run_job(size, "again", "flag_outdated, again", command, workdir)
    expect("flags raised by a second run", run["changed"], 0)
    results["again"] = result
    return results


# ---------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------

ROWS = [
    ("offline", "recheck --offline", "numbers"),
    ("pages", "recheck with pages", "numbers"),
    ("flag", "flag_outdated", "articles"),
    ("again", "flag_outdated, again", "articles"),
]


def report(sizes: list[Size], results: dict[str, dict[str, JobResult]]) -> None:
    full = sizes[-1]
    done = results[full.label]
    log("")
    log(f"Full size: {full.describe()}; flag_outdated as of {AS_OF}.")
    header = (
        f"{'job':<22} {'items':>10} {'wall s':>7} {'job s':>7} {'items/s':>9} {'SQL':>7}"
        f" {'peak RSS MB':>11}  notes"
    )
    log(header)
    log("-" * (len(header) + 30))
    for key, label, _unit in ROWS:
        r = done[key]
        notes = list(r.notes)
        if r.server:
            notes.append(
                f"{r.server['pages']:,} page requests for {r.server['distinct']:,} distinct pages"
                f" (+{r.server['robots']} robots.txt)"
            )
        log(
            f"{label:<22} {r.items:>10,} {r.wall:>7.1f} {r.seconds:>7.1f} {r.per_second:>9,.0f}"
            f" {r.queries:>7,} {r.peak_mb:>11.0f}  {'; '.join(notes)}"
        )
    log(f"(peak RSS of a child once Django is set up, before the job: {done['offline'].setup_mb:.0f} MB)")

    flat_rows = []
    if len(sizes) == 2:
        tenth = results[sizes[0].label]
        log("")
        log(f"Scale check: a tenth ({sizes[0].describe()}) against full size.")
        header = f"{'job':<22} {'SQL statements':>20} {'peak RSS MB':>18} {'job s':>16}"
        log(header)
        log("-" * len(header))
        for key, label, _unit in ROWS:
            a, b = tenth[key], done[key]
            log(
                f"{label:<22} {a.queries:>9,} → {b.queries:>8,} {a.peak_mb:>8.0f} → {b.peak_mb:>7.0f}"
                f" {a.seconds:>7.1f} → {b.seconds:>6.1f}"
            )
            flat_rows.append((label, a, b))

    log("")
    offline, flag = done["offline"], done["flag"]
    recheck_target = RECHECK_TARGET * offline.items / 100_000
    flag_target = FLAG_TARGET * flag.items / 1_000_000
    scaled = "" if (offline.items, flag.items) == (100_000, 1_000_000) else ", scaled to the size"
    log(f"Targets (on the command's own seconds, Django's start-up left out{scaled})")
    log("-" * 100)
    log(
        f"{pad(f'offline re-check of {offline.items:,} numbers', 44)} {offline.seconds:>6.1f} s"
        f"  {verdict(offline.seconds < recheck_target)} (< {recheck_target:g} s)"
    )
    log(
        f"{pad(f'flagging {flag.items:,} articles', 44)} {flag.seconds:>6.1f} s"
        f"  {verdict(flag.seconds < flag_target)} (< {flag_target:g} s)"
    )
    pages = done["pages"].server
    same = "check passed" if pages["pages"] == pages["distinct"] else "CHECK FAILED"
    log(
        f"{pad('page HTTP requests = distinct pages cited', 44)} {pages['pages']:,} = {pages['distinct']:,}"
        f"  {same} ({done['pages'].items:,} numbers; robots.txt {pages['robots']}×)"
    )
    for label, a, b in flat_rows:
        if label.startswith("flag_outdated"):
            log(
                f"{pad(label + ': SQL statements flat', 44)} {a.queries:,} → {b.queries:,}"
                f"  {verdict(b.queries <= a.queries)}"
            )
    for label, a, b in flat_rows:
        log(
            f"{pad(label + ': peak memory flat', 44)} {a.peak_mb:.0f} → {b.peak_mb:.0f} MB"
            f"  {verdict(b.peak_mb <= a.peak_mb * FLAT_TOLERANCE)} (≤ {FLAT_TOLERANCE:.2f}× for 10× the data)"
        )
    if not flat_rows:
        log("(flatness of SQL statements and memory: run with --scale-check)")


def benchmark(args: argparse.Namespace) -> None:
    full = Size("full", args.hotlines, args.pages, args.articles, args.policies, args.database_url)
    sizes = [full]
    if args.scale_check:
        parts = urllib.parse.urlsplit(args.database_url)
        tenth_url = urllib.parse.urlunsplit(parts._replace(path=parts.path + "_tenth"))
        tenth = Size(
            "tenth",
            max(1, args.hotlines // 10),
            max(1, args.pages // 10),
            max(1, args.articles // 10),
            max(3, args.policies // 10),
            tenth_url,
        )
        sizes.insert(0, tenth)
    for size in sizes:
        database_name(size.url)
    started = time.monotonic()
    results: dict[str, dict[str, JobResult]] = {}
    failures: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="jobs-bench-") as workdir:
            for size in sizes:
                prepare_database(size, args.reuse_db)
                port, pages = load_pages(size.url)
                server = PageServer(port, pages)
                try:
                    log(f"Serving {len(pages):,} pages on http://{HOST}:{port}/. Running the jobs…")
                    warn_if_busy("before the jobs")
                    checks = Checks(size.label)
                    results[size.label] = run_jobs(size, server, Path(workdir), checks)
                    failures += checks.failures
                    warn_if_busy("after the jobs")
                finally:
                    server.stop()
        report(sizes, results)
        log(f"\nTotal time: {time.monotonic() - started:.0f} s.")
        if failures:
            raise CheckFailed(f"{len(failures)} check(s):\n  " + "\n  ".join(failures))
    finally:
        if not args.keep_db:
            for size in sizes:
                drop_database(size.url)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.jobs_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--hotlines", type=int, default=100_000, help="hotlines to load (100000)")
    parser.add_argument("--pages", type=int, default=2_000, help="distinct official pages they cite (2000)")
    parser.add_argument("--articles", type=int, default=1_000_000, help="live articles to load (1000000)")
    parser.add_argument("--policies", type=int, default=5_000, help="policies the articles cite (5000)")
    parser.add_argument(
        "--scale-check",
        action="store_true",
        help="also run everything at a tenth of the size first, and compare query counts and peaks",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark databases afterwards")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="reuse a database that holds the same amounts, undoing the previous run (implies --keep-db)",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"({DEFAULT_DATABASE_URL})")
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--job-result", help=argparse.SUPPRESS)
    parser.add_argument("command", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reuse_db:
        args.keep_db = True
    if min(args.hotlines, args.pages, args.articles) < 1 or args.policies < 3:
        parser.error("--hotlines, --pages and --articles must be positive, --policies at least 3")
    if args.pages > args.hotlines:
        parser.error("--pages cannot exceed --hotlines: every page lists the hotlines citing it")
    return args


def _terminate(signum, frame):
    print("\nTerminated: stopping the page server.", file=sys.stderr, flush=True)
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.load_only:  # the child that loads, with Django set up on the benchmark database
            load_data(
                hotlines=args.hotlines,
                pages=args.pages,
                articles=args.articles,
                policies=args.policies,
                port=args.port,
            )
            return 0
        if args.job_result:  # the child that runs one job's command
            run_command_measured(args.command, args.job_result)
            return 0
        signal.signal(signal.SIGTERM, _terminate)
        benchmark(args)
    except CheckFailed as failure:
        print(f"\nCHECK FAILED: {failure}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nInterrupted.", file=sys.stderr, flush=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
