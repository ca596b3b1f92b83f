"""Benchmark of the public read API against a baseline that answers the same requests with the same
JSON straight from one SQL query through psycopg.

    .venv/bin/python -m bench.api_bench [--articles 10000] [--seconds 10] [--keep-db]

In one run: (re)create the PostgreSQL database ``yibao_bench`` on 127.0.0.1 and migrate it; load
published articles with Chinese Markdown bodies built from the sentences of demo/dumps, over real
prefecture cities and counties, with ~200 policies and ~500 hotlines (valid numbers of the region's
area code), through the project's own services and workflow (past the first 500 articles: in bulk,
with the publish path's own payload builders, checked against ``live_publish``); serve the API
(cms.wsgi) and the baseline (bench.baseline) with gunicorn, two sync workers each, on 127.0.0.1;
check that both return the same JSON for every scenario; then measure each scenario with wrk and
print requests/s, p50 and p99 of both, the API/baseline throughput ratio and the deep-page latency
ratio, against the targets (API ≥ 60 % of the baseline's throughput; page 150 within 1.2× of page 1's
p50). Exits non-zero when a check fails (different JSON, errors, non-2xx answers), not when a target
is missed. Every server it starts is stopped on exit, Ctrl-C included. Needs wrk (apt-get install wrk).
"""

import argparse
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).absolute().parent.parent
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = f"postgres://postgres@{HOST}:5432/yibao_bench"
SEARCH_QUERY = "医保 电话"
REGION_FILTER = "440000"  # 广东省: every city and county under 44
PAGE_SIZE = 50
DEEP_PAGE = 150
THROUGHPUT_TARGET = 0.60
DEEP_PAGE_TARGET = 1.2
SEED = 20261122


class CheckFailed(Exception):
    """Something the benchmark relies on is wrong: the run cannot be trusted."""


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------------
# Loading (runs in a child process with Django set up on the benchmark database)
# ---------------------------------------------------------------------------------------------------

TOPICS = [
    "医保电话",
    "医保局电话号码",
    "医保中心咨询电话",
    "异地就医备案流程",
    "异地就医直接结算指南",
    "门诊慢特病报销比例",
    "住院报销比例",
    "职工医保缴费标准",
    "城乡居民医保参保指南",
    "灵活就业人员医保怎么交",
    "生育保险待遇申领",
    "医保卡挂失补办",
    "医保电子凭证激活方法",
    "个人账户家庭共济怎么办",
    "大病保险起付线",
    "医保断缴影响报销吗",
    "定点医院名单",
    "门诊统筹报销比例",
    "补牙医保能报销吗",
    "医保转移接续办理",
    "新生儿参保流程",
    "医保报销需要哪些材料",
    "医保基金监管举报电话",
    "长期护理保险试点",
]
HEADINGS = [
    "办理条件",
    "办理流程",
    "所需材料",
    "报销比例",
    "注意事项",
    "政策依据",
    "咨询方式",
    "常见问题",
    "温馨提示",
    "适用人群",
]
PURPOSE_NAMES = {"consultation": "咨询", "complaint": "投诉举报", "cross_region": "异地就医"}
SERVICE_HOURS = ["工作日 8:30—12:00，14:30—17:30", "工作日 9:00—17:00", "周一至周五 8:00—18:00", ""]
POLICY_TOPICS = [
    "关于做好城乡居民基本医疗保障工作的通知",
    "关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知",
    "关于建立健全职工基本医疗保险门诊共济保障机制的实施意见",
    "关于完善门诊慢特病保障政策的通知",
    "关于开展长期护理保险制度试点的实施方案",
    "关于做好医疗保障待遇保障工作的通知",
    "关于调整生育保险待遇有关问题的通知",
    "关于加强医疗保障基金使用监督管理的实施办法",
    "关于规范医疗保障经办服务的通知",
    "关于印发大病保险实施细则的通知",
]
SENTENCE_END = re.compile(r"(?<=[。！？；!?])")
HAN = re.compile(r"[\u4e00-\u9fff]")


def dump_sentences() -> list[str]:
    """Every whole sentence of the sample dumps (the teasers' cut-off tails are left out)."""
    from cms.ingest.dumps import parse_dump

    sentences: dict[str, None] = {}
    for path in sorted((ROOT / "demo" / "dumps").glob("*.txt")):
        for item in parse_dump(path.read_bytes()).all_items:
            for part in SENTENCE_END.split(item.body):
                part = re.sub(r"\s+", " ", part).strip(" ,，").lstrip("•·●▪- ")
                if len(part) >= 12 and part[-1] in "。！？；!?" and len(HAN.findall(part)) >= 8:
                    sentences[part] = None
    if len(sentences) < 50:
        raise CheckFailed(f"only {len(sentences)} usable sentences in demo/dumps")
    return list(sentences)


def markdown_body(rng: random.Random, sentences: list[str], extra: list[str]) -> str:
    """Markdown paragraphs (now and then a heading or a list) of 300–1500 characters."""
    target = rng.randint(300, 1500)
    blocks: list[str] = []
    length = 0
    first = True
    while length < target:
        roll = rng.random()
        if not first and roll < 0.2:
            block = "## " + rng.choice(HEADINGS)
        elif not first and roll < 0.3:
            block = "\n".join("- " + s for s in rng.sample(sentences, rng.randint(2, 4)))
        else:
            paragraph = rng.sample(sentences, rng.randint(2, 5))
            if extra and rng.random() < 0.5:
                paragraph.insert(rng.randint(0, len(paragraph)), extra.pop())
            block = "".join(paragraph)
        if blocks and length + len(block) > 1500:
            break
        blocks.append(block)
        length += len(block)
        first = False
    blocks.extend(extra)  # what must be said (hotline numbers) is said, even past the target
    return "\n\n".join(blocks)[:4000]


def hotline_number(rng: random.Random, area_codes: list[str]) -> str:
    """A valid landline of the region: its area code and 7 or 8 digits starting with 2–8."""
    from cms.verification.phones import PhoneNumberError, parse_phone

    for _ in range(200):
        area = rng.choice(area_codes)
        digits = 8 if len(area) == 2 else rng.choice((7, 8))
        subscriber = str(rng.randint(2, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
        raw = f"0{area}-{subscriber}"
        try:
            parse_phone(raw, area_codes=area_codes)
        except PhoneNumberError:
            continue
        return raw
    raise CheckFailed(f"no valid number found for area codes {area_codes}")


def load_content(*, articles: int, via_services: int | None) -> None:
    """Create the content through the project's code. Policies are validated and saved; hotlines are
    saved, checked by phone and published through the services and the whole workflow; so are the
    first ``via_services`` articles (all when None): save, submit, pass the fact-check, approve,
    publish. The rest are written in bulk as the services write them (working copy, links, revision,
    workflow log) and their live rows are built with the publish path's own functions
    (``article_live_data``, ``render_markdown``, ``store_payload``); a sample of them is published
    again with ``live_publish`` itself, which must change nothing."""
    import django

    django.setup()
    import datetime

    from django.conf import settings

    # The articles are sample-dump sentences in random order and the hotlines random numbers: the
    # content checks would rightly hold many of them at approval. The bench measures the read API.
    settings.FACT_CHECK_REQUIRE_NO_OPEN_ERRORS = False

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from cms.models import Article, Category, Hotline, LiveArticle, Region, Revision, Source, TransitionLog
    from cms.models.regions import RegionLevel
    from cms.rendering import render_markdown
    from cms.services import live, workflow
    from cms.services.factchecks import factcheck_record
    from cms.services.revisions import content_save, snapshot
    from cms.workflow import EDITOR, FACT_CHECKER, PUBLISHER, Action, State
    from policies.models import Policy

    rng = random.Random(SEED)  # noqa: S311 -- reproducible test data, not secrets
    started = time.monotonic()
    now = timezone.now()
    sentences = dump_sentences()

    User = get_user_model()
    users = {}
    for username, role in [
        ("bench-editor", EDITOR),
        ("bench-checker", FACT_CHECKER),
        ("bench-publisher", PUBLISHER),
    ]:
        user = User.objects.create_user(username=username, password=secrets.token_urlsafe(12), is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    editor, checker, publisher = users[EDITOR], users[FACT_CHECKER], users[PUBLISHER]

    sources = []
    for n in range(20):
        source = Source(
            url=f"https://ybj.example.gov.cn/bench/{n}.html",
            title=f"医疗保障局政策解读 {n + 1}",
            publisher="医疗保障局",
            is_official=True,
        )
        source.full_clean()
        source.save()
        sources.append(source)

    # Regions: prefecture cities and counties; the area codes of each, inherited from above if need be.
    regions = {r.code: r for r in Region.objects.all()}
    own_codes: dict[str, list[str]] = {}
    for region in Region.objects.prefetch_related("area_codes"):
        own_codes[region.code] = [a.code for a in region.area_codes.all()]

    def area_codes(code: str) -> list[str]:
        region = regions[code]
        while region is not None:
            if own_codes[region.code]:
                return own_codes[region.code]
            region = regions.get(region.parent_id) if region.parent_id else None
        return []

    places = [
        r
        for r in regions.values()
        if r.level in (RegionLevel.PREFECTURE, RegionLevel.COUNTY) and area_codes(r.code)
    ]
    cities = [r for r in places if r.level == RegionLevel.PREFECTURE]
    # Spot checks against the model's own lookup.
    for region in rng.sample(places, 20):
        if region.dialling_area_codes() != area_codes(region.code):
            raise CheckFailed(f"area codes of {region.code} differ from Region.dialling_area_codes()")

    # ~200 policies: national ones and ones of provinces and cities.
    policies = []
    provinces = [r for r in regions.values() if r.level == RegionLevel.PROVINCE]
    for n in range(200):
        region = None if n % 5 == 0 else rng.choice(provinces + cities)
        year = rng.randint(2016, 2025)
        start = datetime.date(year, rng.randint(1, 12), 1)
        authority = "国家医疗保障局" if region is None else f"{region.name}医疗保障局"
        policy = Policy(
            title=(region.name if region else "") + rng.choice(POLICY_TOPICS),
            document_number=f"{(region.name[:2] if region else '医保')}医保发〔{year}〕{n + 1}号",
            issuing_authority=authority,
            region=region,
            effective_from=start,
            effective_to=start.replace(year=year + 5) if rng.random() < 0.3 else None,
        )
        policy.full_clean()
        policy.save()
        policies.append(policy)
    log(f"  users, {len(sources)} sources, {len(policies)} policies: {time.monotonic() - started:.1f} s")

    # ~500 hotlines, checked by phone and published, through the real workflow.
    t0 = time.monotonic()
    hotlines_by_region: dict[str, list] = {}
    hotline_places = rng.sample(cities, min(len(cities), 300))
    hotline_places += rng.sample(
        [p for p in places if p.level == RegionLevel.COUNTY], 500 - len(hotline_places)
    )
    for n, region in enumerate(hotline_places):
        purpose = "consultation" if n % 3 else rng.choice(list(PURPOSE_NAMES))
        suffix = rng.choice(["医疗保障局", "医疗保障事业管理中心", "医保服务中心"])
        hotline = Hotline(
            organisation=f"{region.name}{suffix}",
            purpose=purpose,
            number=hotline_number(rng, area_codes(region.code)),
            region=region,
            service_hours=rng.choice(SERVICE_HOURS),
        )
        content_save(
            item=hotline, user=editor, expected_version=None, m2m={"sources": [rng.choice(sources).pk]}
        )
        called_at = now - datetime.timedelta(days=70, minutes=n * 3)
        factcheck_record(
            item=hotline,
            user=checker,
            subject="phone",
            claim=hotline.display_number,
            verdict="confirmed",
            method="phone_call",
            called_at=called_at,
            person_reached="工作人员",
        )
        hotline.refresh_from_db()
        workflow.item_submit(item=hotline, user=editor)
        workflow.item_pass_check(item=hotline, user=checker)
        workflow.item_approve(item=hotline, user=publisher)
        workflow.item_publish(item=hotline, user=publisher, now=called_at + datetime.timedelta(hours=1))
        hotlines_by_region.setdefault(region.code, []).append(hotline)
    log(f"  {len(hotline_places)} hotlines through the workflow: {time.monotonic() - t0:.1f} s")

    # Articles, newest last; now and then several share one publication time (a scheduled batch).
    policies_by_province: dict[str, list] = {}
    for policy in policies:
        policies_by_province.setdefault(policy.region_id[:2] if policy.region_id else "", []).append(policy)
    span = datetime.timedelta(days=60)
    times, moment = [], now - span
    for _ in range(articles):
        if not times or rng.random() > 0.1:
            moment = moment + span / articles * rng.uniform(0.5, 1.5)
        times.append(min(moment, now))

    def plan(n: int) -> dict:
        region = rng.choice(places)
        parent = regions.get(region.parent_id) if region.parent_id else None
        linked = [region.code]
        if (
            region.level == RegionLevel.COUNTY
            and parent
            and parent.level != RegionLevel.PROVINCE
            and rng.random() < 0.4
        ):
            linked.append(parent.code)
        if rng.random() < 0.1:
            linked.append(rng.choice(places).code)
        nearby = hotlines_by_region.get(region.code, []) + (
            hotlines_by_region.get(parent.code, []) if parent else []
        )
        hotlines = rng.sample(nearby, min(len(nearby), rng.randint(0, 2)))
        candidates = policies_by_province.get(region.code[:2], []) + policies_by_province[""]
        place = (parent.name if parent and parent.level != RegionLevel.PROVINCE else "") + region.name
        topic = rng.choice(TOPICS)
        title = (rng.choice(["", "", "2025年", "2026年"]) + place + topic)[:300]
        extra = [
            f"{h.organisation}{PURPOSE_NAMES.get(h.purpose, '')}电话：{h.display_number}。" for h in hotlines
        ]
        body = markdown_body(rng, sentences, extra)
        return {
            "fields": {
                "title": title,
                "slug": f"{slugify(title, allow_unicode=True)[:120]}-{n + 1:05d}",
                "summary": f"{place}{topic}：" + re.split(r"(?<=[。！？])", body.split("\n\n")[0])[0][:120],
                "body": body,
                "category": rng.choice([c for c in Category.values if c != Category.UNCATEGORISED]),
            },
            "m2m": {
                "regions": sorted(set(linked)),
                "policies": [p.pk for p in rng.sample(candidates, min(len(candidates), rng.randint(0, 3)))],
                "hotlines": [h.pk for h in hotlines],
                "sources": [s.pk for s in rng.sample(sources, rng.randint(1, 2))],
            },
        }

    honest = articles if via_services is None else min(articles, via_services)
    t0 = time.monotonic()
    batch = 50
    for start in range(0, honest, batch):
        with transaction.atomic():
            for n in range(start, min(start + batch, honest)):
                spec = plan(n)
                article = Article(**spec["fields"], author=editor)
                content_save(
                    item=article, user=editor, expected_version=None, m2m=spec["m2m"], message="基准数据"
                )
                workflow.item_submit(item=article, user=editor)
                workflow.item_pass_check(item=article, user=checker)
                workflow.item_approve(item=article, user=publisher)
                workflow.item_publish(item=article, user=publisher, now=times[n])
        if (start // batch) % 20 == 19 or start + batch >= honest:
            done = min(start + batch, honest)
            elapsed = time.monotonic() - t0
            log(
                f"  {done} articles through the whole workflow: {elapsed:.1f} s"
                f" ({elapsed / done * 1000:.1f} ms each)"
            )

    # The rest in bulk: working copies, links, revisions and workflow logs as the services write them;
    # live rows with the publish path's own builders (article_live_data, render_markdown,
    # store_payload). A sample is then published again with live_publish itself and must not change.
    t0 = time.monotonic()
    links = {"regions": "region", "policies": "policy", "hotlines": "hotline", "sources": "source"}
    steps = [
        (Action.SUBMIT, State.DRAFT, State.IN_REVIEW, editor),
        (Action.PASS_CHECK, State.IN_REVIEW, State.IN_REVIEW, checker),
        (Action.APPROVE, State.IN_REVIEW, State.APPROVED, publisher),
        (Action.PUBLISH, State.APPROVED, State.PUBLISHED, publisher),
    ]
    bulk_ids: list[int] = []
    bulk = 500
    for start in range(honest, articles, bulk):
        numbers = range(start, min(start + bulk, articles))
        specs = [plan(n) for n in numbers]
        with transaction.atomic():
            made = Article.objects.bulk_create(
                [Article(**s["fields"], author=editor, state=State.PUBLISHED, lock_version=1) for s in specs]
            )
            for name, column in links.items():
                model = getattr(Article, name).through
                model.objects.bulk_create(
                    [
                        model(article_id=a.pk, **{f"{column}_id": v})
                        for a, s in zip(made, specs, strict=True)
                        for v in s["m2m"][name]
                    ]
                )
            revisions = Revision.objects.bulk_create(
                [
                    Revision(
                        article=a,
                        number=1,
                        content=snapshot(a, m2m=s["m2m"]),
                        author=editor,
                        message="基准数据",
                        created_at=times[n],
                    )
                    for a, s, n in zip(made, specs, numbers, strict=True)
                ]
            )
            for article, revision in zip(made, revisions, strict=True):
                article.approved_revision = revision
            Article.objects.bulk_update(made, ["approved_revision"])
            TransitionLog.objects.bulk_create(
                [
                    TransitionLog(
                        article=a,
                        action=action,
                        from_state=before,
                        to_state=after,
                        actor=actor,
                        revision=r,
                        at=times[n],
                    )
                    for a, r, n in zip(made, revisions, numbers, strict=True)
                    for action, before, after, actor in steps
                ]
            )
            lives = []
            for article, revision, n in zip(made, revisions, numbers, strict=True):
                content = revision.content
                lives.append(
                    LiveArticle(
                        article=article,
                        revision=revision,
                        slug=content["slug"],
                        title=content["title"],
                        summary=content["summary"],
                        body_html=render_markdown(content["body"]),
                        category=content["category"],
                        data=live.article_live_data(content),
                        published_at=times[n],
                        updated_at=times[n],
                    )
                )
            LiveArticle.objects.bulk_create(lives)
            for name, column in links.items():
                if name == "sources":
                    continue
                model = getattr(LiveArticle, name).through
                model.objects.bulk_create(
                    [
                        model(livearticle_id=a.pk, **{f"{column}_id": v})
                        for a, s in zip(made, specs, strict=True)
                        for v in s["m2m"][name]
                    ]
                )
            for live_article in lives:
                live.store_payload(live_article)
        bulk_ids += [a.pk for a in made]
        done = numbers[-1] + 1 - honest
        if (start - honest) // bulk % 4 == 3 or numbers[-1] + 1 == articles:
            elapsed = time.monotonic() - t0
            log(f"  {done} articles in bulk, with the publish path's builders: {elapsed:.1f} s")
    if bulk_ids:
        check_bulk_like_publish(rng.sample(bulk_ids, min(len(bulk_ids), 50)))

    live_count = LiveArticle.objects.count()
    empty = LiveArticle.objects.filter(payload={}).count()
    if live_count != articles or empty:
        raise CheckFailed(f"{live_count} live articles (wanted {articles}), {empty} without payload")
    log(f"  loaded in {time.monotonic() - started:.1f} s")


def check_bulk_like_publish(pks: list[int]) -> None:
    """Publishing a bulk-made article again with ``live_publish`` itself (at the same time, rolled
    back) must leave its live row, payload, search text and links exactly as they are, but for its
    clock number."""
    from django.db import transaction

    from cms.models import Article, LiveArticle
    from cms.services import live

    def state(pk: int) -> dict:
        row = LiveArticle.objects.filter(pk=pk).values().get()
        del row["seq"]  # a publish takes the live clock's next number: the one thing meant to differ
        row["links"] = {
            name: sorted(getattr(LiveArticle.objects.get(pk=pk), name).values_list("pk", flat=True))
            for name in ("regions", "policies", "hotlines", "hospitals")
        }
        return row

    with transaction.atomic():
        for pk in pks:
            before = state(pk)
            article = Article.objects.select_related("approved_revision").get(pk=pk)
            live.live_publish(item=article, revision=article.approved_revision, now=before["updated_at"])
            after = state(pk)
            if before != after:
                changed = sorted(k for k in before if before[k] != after.get(k))
                raise CheckFailed(f"article {pk}: live_publish would change {changed} of the bulk-made row")
        transaction.set_rollback(True)
    log(f"  {len(pks)} bulk-made articles published again with live_publish: identical")


# ---------------------------------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------------------------------


def database_name(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.hostname not in (HOST, "localhost") or "bench" not in name or not re.fullmatch(r"\w+", name):
        raise CheckFailed(f"refusing to (re)create {url}: the database must be on {HOST} and named *bench*")
    return name


def admin_connection(url: str):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    return psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def recreate_database(url: str) -> None:
    from psycopg import sql

    name = database_name(url)
    with admin_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    from psycopg import sql

    name = database_name(url)
    with admin_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def live_article_count(url: str) -> int | None:
    """How many live articles the database holds (None: no such database or not migrated)."""
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute("SELECT count(*) FROM cms_livearticle").fetchone()[0]
    except psycopg.Error:
        return None


def django_env(url: str, settings: str = "cms.settings.local") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        DATABASE_URL=url,
        DJANGO_DEBUG="false",
        DJANGO_LOG_LEVEL="WARNING",
        EMAIL_URL="dummymail://",
        PYTHONPATH=str(ROOT),
    )
    return env


def run_child(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, cwd=ROOT, env=env, check=False)  # noqa: S603 -- our own interpreter and arguments
    if result.returncode != 0:
        raise CheckFailed(f"{what} failed (exit status {result.returncode})")


def prepare_database(url: str, articles: int, via_services: int | None, reuse: bool) -> float | None:
    """A migrated database holding ``articles`` live articles; returns the seconds loading took
    (None when an existing database was reused)."""
    env = django_env(url)
    if reuse and live_article_count(url) == articles:
        log(f"Reusing {database_name(url)}: it holds {articles} live articles.")
        run_child([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env, "migrate")
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:  # the last run's rolled-back checks left
            conn.execute("VACUUM ANALYZE")  # dead rows: index-only walks would visit the heap
        return None
    log(f"Creating {database_name(url)} and migrating it…")
    recreate_database(url)
    run_child([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env, "migrate")
    log(f"Loading {articles} published articles, ~200 policies and ~500 hotlines…")
    started = time.monotonic()
    args = [sys.executable, "-m", "bench.api_bench", "--load-only", "--articles", str(articles)]
    if via_services is not None:
        args += ["--via-services", str(via_services)]
    run_child(args, env, "loading")
    elapsed = time.monotonic() - started
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return elapsed


# ---------------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        """SIGTERM to the gunicorn master (it stops its workers), SIGKILL to its group if it lingers."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def start_gunicorn(name: str, app: str, env: dict[str, str], workdir: Path) -> Server:
    port = free_port()
    log_path = workdir / f"{name}.log"
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--workers",
        "2",
        "--bind",
        f"{HOST}:{port}",
        "--chdir",
        str(ROOT),
        "--error-logfile",
        str(log_path),
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
            args, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(name=name, process=process, port=port, log_path=log_path)


def wait_ready(server: Server, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(server.base + path, timeout=5):  # noqa: S310 -- http://127.0.0.1 only
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    tail = server.log_path.read_text(errors="replace")[-3000:]
    raise CheckFailed(f"{server.name} did not come up on {server.base}:\n{tail}")


# ---------------------------------------------------------------------------------------------------
# Scenarios, the JSON check and the measurement
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    path: str
    detail: bool = False


def list_path(**params) -> str:
    return "/api/v1/articles/?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def scenarios(url: str, articles: int) -> list[Scenario]:
    import psycopg

    deep = min(DEEP_PAGE, math.ceil(articles / PAGE_SIZE))
    with psycopg.connect(url, autocommit=True) as conn:
        # A detail from the middle of the list, by the API's default ordering.
        slug = conn.execute(
            "SELECT slug FROM cms_livearticle ORDER BY updated_at DESC, article_id DESC OFFSET %s LIMIT 1",
            [articles // 2],
        ).fetchone()[0]
    return [
        Scenario("a", "list, page 1", list_path(page_size=PAGE_SIZE)),
        Scenario("b", f"list, page {deep}", list_path(page_size=PAGE_SIZE, page=deep)),
        Scenario("c", "detail", f"/api/v1/articles/{urllib.parse.quote(slug)}/", detail=True),
        Scenario("d", f"region={REGION_FILTER}", list_path(page_size=PAGE_SIZE, region=REGION_FILTER)),
        Scenario("e", f"q={SEARCH_QUERY}", list_path(page_size=PAGE_SIZE, q=SEARCH_QUERY)),
    ]


def get_json(url: str) -> tuple[int, object]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 -- 127.0.0.1
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 -- http://127.0.0.1 only
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read()[:500]


def without_host(link: str | None) -> str | None:
    if link is None:
        return None
    parts = urllib.parse.urlsplit(link)
    return urllib.parse.urlunsplit(("", "", parts.path, parts.query, parts.fragment))


def first_difference(a: object, b: object, where: str = "") -> str:
    if type(a) is not type(b):
        return f"{where or 'top'}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{where}.{key}: only in {'API' if key in a else 'baseline'}"
            if a[key] != b[key]:
                return first_difference(a[key], b[key], f"{where}.{key}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, f"{where}[{i}]")
    return f"{where}: {str(a)[:120]!r} vs {str(b)[:120]!r}"


def check_same_json(scenario: Scenario, api: Server, baseline: Server) -> str:
    """Both answer 200 with the same JSON; returns a one-line description of what was compared."""
    api_status, api_body = get_json(api.base + scenario.path)
    base_status, base_body = get_json(baseline.base + scenario.path)
    if api_status != 200 or base_status != 200:
        raise CheckFailed(
            f"({scenario.key}) {scenario.path}: API answered {api_status}, baseline {base_status}\n"
            f"  API: {api_body!r:.300}\n  baseline: {base_body!r:.300}"
        )
    if scenario.detail:
        if api_body != base_body:
            raise CheckFailed(f"({scenario.key}) different JSON: {first_difference(api_body, base_body)}")
        return f"slug {api_body.get('slug')!r}"
    if not isinstance(api_body, dict) or set(api_body) != {"count", "next", "previous", "results"}:
        raise CheckFailed(
            f"({scenario.key}) the API's list is not a paginated envelope: {str(api_body)[:300]}"
        )
    for key in ("next", "previous"):
        api_body[key], base_body[key] = without_host(api_body[key]), without_host(base_body[key])
    if api_body != base_body:
        raise CheckFailed(f"({scenario.key}) different JSON: {first_difference(api_body, base_body)}")
    if not api_body["results"]:
        raise CheckFailed(f"({scenario.key}) {scenario.path} has no results: nothing would be measured")
    return f"count {api_body['count']}, {len(api_body['results'])} results"


# wrk reports each slice through this script: its whole latency histogram (microseconds), so that
# slices can be merged into exact percentiles, and its counts of requests, time and errors.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("SLICE %d %d %d %d\\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout))
  for i = 1, #latency do
    local value, count = latency(i)
    io.write(string.format("LATENCY %d %d\\n", value, count))
  end
end
"""


@dataclass
class Measurement:
    """What wrk saw of one server in one scenario, merged over its slices."""

    requests: int = 0
    microseconds: int = 0
    bad_responses: int = 0
    socket_errors: int = 0
    histogram: dict[int, int] = field(default_factory=dict)

    def add(self, output: str) -> None:
        slices = re.findall(r"^SLICE (\d+) (\d+) (\d+) (\d+)$", output, re.MULTILINE)
        if len(slices) != 1:
            raise CheckFailed(f"unexpected wrk output:\n{output}")
        requests, microseconds, bad, errors = (int(v) for v in slices[0])
        self.requests += requests
        self.microseconds += microseconds
        self.bad_responses += bad
        self.socket_errors += errors
        for value, count in re.findall(r"^LATENCY (\d+) (\d+)$", output, re.MULTILINE):
            self.histogram[int(value)] = self.histogram.get(int(value), 0) + int(count)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.microseconds * 1e6 if self.microseconds else 0.0

    def percentile_ms(self, percent: float) -> float:
        """As wrk computes it (stats_percentile), over the merged histogram."""
        total = sum(self.histogram.values())
        rank = round(percent / 100 * total + 0.5)
        seen = 0
        for value in sorted(self.histogram):
            seen += self.histogram[value]
            if seen >= rank:
                return value / 1000
        return math.nan

    @property
    def p50_ms(self) -> float:
        return self.percentile_ms(50)

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(99)


def run_wrk(wrk: str, script: Path, url: str, *, seconds: int, connections: int) -> str:
    args = [wrk, "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url]
    result = subprocess.run(  # noqa: S603 -- wrk found on PATH, fixed arguments, URL on 127.0.0.1
        args, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if result.returncode != 0:
        raise CheckFailed(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    return result.stdout


def measure(wrk: str, script: Path, scenario: Scenario, servers: list, args) -> list[Measurement]:
    """Warm each server up, then measure them in alternating slices (A B, B A, A B …), so that a
    drift or whatever else the machine does falls on both alike."""
    for server in servers:
        if args.warmup > 0:
            run_wrk(
                wrk, script, server.base + scenario.path, seconds=args.warmup, connections=args.connections
            )
    results = [Measurement() for _ in servers]
    for round_ in range(args.slices):
        order = list(zip(servers, results, strict=True))
        for server, measured in order if round_ % 2 == 0 else reversed(order):
            output = run_wrk(
                wrk,
                script,
                server.base + scenario.path,
                seconds=args.slice_seconds,
                connections=args.connections,
            )
            measured.add(output)
    for server, measured in zip(servers, results, strict=True):
        if measured.bad_responses or measured.socket_errors or not measured.requests:
            raise CheckFailed(
                f"({scenario.key}) {server.name}: {measured.bad_responses} non-2xx answers, "
                f"{measured.socket_errors} socket errors in {measured.requests} requests"
            )
        log(
            f"  ({scenario.key}) {server.name:<8} {measured.requests_per_second:8.1f} req/s, "
            f"p50 {measured.p50_ms:.2f} ms, p99 {measured.p99_ms:.2f} ms ({measured.requests} requests)"
        )
    return results


def background_cpu(seconds: float = 2.0) -> float | None:
    """The share of the machine's CPU busy while our servers are idle: other processes disturb the
    measurement (None where /proc/stat is missing)."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        return sum(fields), fields[3] + fields[4]

    try:
        total1, idle1 = sample()
        time.sleep(seconds)
        total2, idle2 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle2 - idle1) / max(1, total2 - total1)


def warn_if_busy(when: str) -> None:
    busy = background_cpu()
    if busy is None:
        return
    note = "" if busy < 0.15 else "  WARNING: other processes are using the CPU; the figures are disturbed"
    log(f"CPU busy {when}, with the servers idle: {busy:.0%}{note}")


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise CheckFailed(
            "wrk, the load generator, is not installed: install it with `apt-get install wrk` "
            "(Debian/Ubuntu) and run the benchmark again."
        )
    return wrk


# ---------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------


def api_env(url: str) -> dict[str, str]:
    env = django_env(url, settings="cms.settings.production")
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_API_THROTTLE_ANON="1000000/second",
    )
    return env


def baseline_env(url: str) -> dict[str, str]:
    env = dict(os.environ, BENCH_BASELINE_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    return env


def pad(text: str, width: int) -> str:
    """Left-justify for a terminal, where Chinese characters take two columns."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def verdict(met: bool) -> str:
    return "target met" if met else "target missed"


def report(rows: list[tuple[Scenario, Measurement, Measurement]], args: argparse.Namespace) -> None:
    log("")
    log(
        f"wrk, 1 thread, {args.connections} connections, {args.seconds} s per scenario and server"
        f" ({args.slices} slices of {args.slice_seconds} s, alternating API and baseline);"
        f" gunicorn, 2 sync workers each; {PAGE_SIZE} items a page"
    )
    header = f"{'scenario':<28} {'server':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  {'API/baseline':>12}"
    log(header)
    log("-" * (len(header) + 24))
    for scenario, api, base in rows:
        ratio = api.requests_per_second / base.requests_per_second if base.requests_per_second else 0.0
        label = f"({scenario.key}) {scenario.label}"
        log(
            f"{pad(label, 28)} {'API':<9} {api.requests_per_second:>9.1f}"
            f" {api.p50_ms:>8.2f} {api.p99_ms:>8.2f}"
        )
        log(
            f"{'':<28} {'baseline':<9} {base.requests_per_second:>9.1f}"
            f" {base.p50_ms:>8.2f} {base.p99_ms:>8.2f}"
            f"  {ratio:>11.0%}  {verdict(ratio >= THROUGHPUT_TARGET)} (≥ {THROUGHPUT_TARGET:.0%})"
        )
    first, deep = rows[0][1], rows[1][1]
    ratio = deep.p50_ms / first.p50_ms if first.p50_ms else math.inf
    log("-" * (len(header) + 24))
    log(
        f"API p50 latency, {rows[1][0].label} / page 1:"
        f" {deep.p50_ms:.2f} / {first.p50_ms:.2f} ms = {ratio:.2f}×"
        f"  {verdict(ratio <= DEEP_PAGE_TARGET)} (≤ {DEEP_PAGE_TARGET}×)"
    )


def benchmark(args: argparse.Namespace) -> None:
    wrk = require_wrk()
    database_name(args.database_url)
    servers: list[Server] = []
    try:
        took = prepare_database(args.database_url, args.articles, args.via_services, args.reuse_db)
        if took is not None:
            log(f"Loading took {took:.0f} s (migrations not included).")
        plan = scenarios(args.database_url, args.articles)
        with tempfile.TemporaryDirectory(prefix="api-bench-") as workdir:
            api = start_gunicorn("api", "cms.wsgi:application", api_env(args.database_url), Path(workdir))
            servers.append(api)
            baseline = start_gunicorn(
                "baseline", "bench.baseline:application", baseline_env(args.database_url), Path(workdir)
            )
            servers.append(baseline)
            wait_ready(api, plan[0].path)
            wait_ready(baseline, plan[0].path)
            log(f"API on {api.base}, baseline on {baseline.base}. Same JSON from both?")
            for scenario in plan:
                compared = check_same_json(scenario, api, baseline)
                log(f"  ({scenario.key}) {scenario.path}: same JSON ({compared})")
            warn_if_busy("before measuring")
            script = Path(workdir) / "histogram.lua"
            script.write_text(WRK_SCRIPT)
            rows = []
            for scenario in plan:
                rows.append((scenario, *measure(wrk, script, scenario, [api, baseline], args)))
            warn_if_busy("after measuring")
            report(rows, args)
    finally:
        for server in reversed(servers):
            server.stop()
        if not args.keep_db:
            drop_database(args.database_url)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.api_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000, help="published articles to load (10000)")
    parser.add_argument(
        "--seconds", type=int, default=10, help="measured seconds per scenario and server (10)"
    )
    parser.add_argument(
        "--slices",
        type=int,
        default=2,
        help="the measured seconds are cut into this many slices, alternating API and baseline (2: "
        "API, baseline, baseline, API); more slices share out a noisy machine more evenly but lose more "
        "of the slowest requests, which are cut off at the end of each slice",
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="unmeasured seconds per server before each scenario (2)"
    )
    parser.add_argument(
        "--connections", type=int, default=2, help="wrk connections (2; the servers have 2 workers)"
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="reuse the database when it already holds --articles live articles (implies --keep-db)",
    )
    parser.add_argument(
        "--via-services",
        type=int,
        default=500,
        metavar="N",
        help="articles taken one by one through the whole workflow (500; about 70 ms each); the rest "
        "are created in bulk with the publish path's own builders",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help=f"({DEFAULT_DATABASE_URL})")
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.reuse_db:
        args.keep_db = True
    if min(args.articles, args.seconds, args.connections, args.slices) < 1 or args.warmup < 0:
        parser.error("--articles, --seconds, --slices and --connections must be positive")
    args.slices = min(args.slices, args.seconds)
    args.slice_seconds = args.seconds // args.slices
    args.seconds = args.slice_seconds * args.slices
    return args


def _terminate(signum, frame):
    print("\nTerminated: stopping the servers.", file=sys.stderr, flush=True)
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.load_only:  # the child that loads, with Django set up on the benchmark database
            load_content(articles=args.articles, via_services=args.via_services)
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
