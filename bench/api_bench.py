"""Benchmark of the public read API against a baseline that answers the same requests with the same
JSON straight from one SQL query through psycopg.

    .venv/bin/python -m bench.api_bench [--articles 10000] [--seconds 10] [--keep-db]

In one run: (re)create the PostgreSQL database ``yibao_bench`` on 127.0.0.1 and migrate it; load
published articles with Chinese bodies built from the sentences of demo/dumps, over real regions,
with ~200 policies and ~500 hotlines, all through the project's own services; serve the API
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
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
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
                part = re.sub(r"\s+", " ", part).strip(" ,，")
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
    """Create the content through the project's services. Hotlines and policies all go the real way;
    the first ``via_services`` articles (all when None) go through the whole workflow (save, submit,
    fact-check, approve, publish); the rest are created in bulk as working copies with their revision
    and workflow log, then published with the publish path's own ``live_publish``."""
    import django

    django.setup()
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from cms.models import Article, Category, Hotline, LiveArticle, Region, Revision, Source, TransitionLog
    from cms.models.regions import RegionLevel
    from cms.services import live, workflow
    from cms.services.factchecks import factcheck_record
    from cms.services.revisions import content_save, snapshot
    from cms.workflow import EDITOR, FACT_CHECKER, PUBLISHER, Action, State
    from policies.models import Policy

    rng = random.Random(SEED)
    started = time.monotonic()
    now = timezone.now()
    sentences = dump_sentences()

    User = get_user_model()
    users = {}
    for username, role in [("bench-editor", EDITOR), ("bench-checker", FACT_CHECKER), ("bench-publisher", PUBLISHER)]:
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
        r for r in regions.values() if r.level in (RegionLevel.PREFECTURE, RegionLevel.COUNTY) and area_codes(r.code)
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
    hotline_places += rng.sample([p for p in places if p.level == RegionLevel.COUNTY], 500 - len(hotline_places))
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
        content_save(item=hotline, user=editor, expected_version=None, m2m={"sources": [rng.choice(sources).pk]})
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
        if region.level == RegionLevel.COUNTY and parent and parent.level != RegionLevel.PROVINCE and rng.random() < 0.4:
            linked.append(parent.code)
        if rng.random() < 0.1:
            linked.append(rng.choice(places).code)
        nearby = hotlines_by_region.get(region.code, []) + (hotlines_by_region.get(parent.code, []) if parent else [])
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
                content_save(item=article, user=editor, expected_version=None, m2m=spec["m2m"], message="基准数据")
                workflow.item_submit(item=article, user=editor)
                workflow.item_pass_check(item=article, user=checker)
                workflow.item_approve(item=article, user=publisher)
                workflow.item_publish(item=article, user=publisher, now=times[n])
        if (start // batch) % 20 == 19 or start + batch >= honest:
            done = min(start + batch, honest)
            elapsed = time.monotonic() - t0
            log(f"  {done} articles through the whole workflow: {elapsed:.1f} s ({elapsed / done * 1000:.1f} ms each)")

    # The rest: working copies, links, revisions and workflow logs in bulk; then the publish path.
    t0 = time.monotonic()
    through = {name: getattr(Article, name).through for name in ("regions", "policies", "hotlines", "sources")}
    bulk = 500
    for start in range(honest, articles, bulk):
        numbers = range(start, min(start + bulk, articles))
        specs = [plan(n) for n in numbers]
        with transaction.atomic():
            made = Article.objects.bulk_create(
                [
                    Article(**s["fields"], author=editor, state=State.PUBLISHED, lock_version=1)
                    for s in specs
                ]
            )
            for name, model in through.items():
                column = model._meta.get_field(name[:-1] if name != "policies" else "policy").attname
                model.objects.bulk_create(
                    [model(article_id=a.pk, **{column: v}) for a, s in zip(made, specs, strict=True) for v in s["m2m"][name]]
                )
            revisions = Revision.objects.bulk_create(
                [
                    Revision(article=a, number=1, content=snapshot(a, m2m=s["m2m"]), author=editor, message="基准数据", created_at=times[n])
                    for a, s, n in zip(made, specs, numbers, strict=True)
                ]
            )
            Article.objects.bulk_update(
                [setattr(a, "approved_revision", r) or a for a, r in zip(made, revisions, strict=True)],
                ["approved_revision"],
            )
            steps = [
                (Action.SUBMIT, State.DRAFT, State.IN_REVIEW, editor),
                (Action.PASS_CHECK, State.IN_REVIEW, State.IN_REVIEW, checker),
                (Action.APPROVE, State.IN_REVIEW, State.APPROVED, publisher),
                (Action.PUBLISH, State.APPROVED, State.PUBLISHED, publisher),
            ]
            TransitionLog.objects.bulk_create(
                [
                    TransitionLog(article=a, action=action, from_state=before, to_state=after, actor=actor, revision=r, at=times[n])
                    for a, r, n in zip(made, revisions, numbers, strict=True)
                    for action, before, after, actor in steps
                ]
            )
            for article, revision, n in zip(made, revisions, numbers, strict=True):
                live.live_publish(item=article, revision=revision, now=times[n])
        done = numbers[-1] + 1 - honest
        if (start - honest) // bulk % 4 == 3 or numbers[-1] + 1 == articles:
            elapsed = time.monotonic() - t0
            log(f"  {done} articles in bulk, published with live_publish: {elapsed:.1f} s")

    live_count = LiveArticle.objects.count()
    empty = LiveArticle.objects.filter(payload={}).count()
    if live_count != articles or empty:
        raise CheckFailed(f"{live_count} live articles (wanted {articles}), {empty} without payload")
    log(f"  loaded in {time.monotonic() - started:.1f} s")
