"""Copying approved revisions into the live forms readers see, and taking them away again."""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from cms.models import (
    Article,
    Flag,
    Hospital,
    Hotline,
    LiveArticle,
    LiveClock,
    LiveHospital,
    LiveHotline,
    LiveRemoval,
    Region,
    Revision,
    Source,
)
from cms.rendering import render_markdown
from cms.search import search_tokens
from policies.models import Policy

Item = Article | Hospital | Hotline
LIVE_MODELS = {Article: LiveArticle, Hotline: LiveHotline, Hospital: LiveHospital}


def live_tick() -> int:
    """The next number of the live clock, for a change about to be written in this transaction. The
    clock's row stays locked until commit, so numbers are handed out in commit order (the price: one
    publishing transaction at a time, which editorial work never notices). Every function that changes
    live rows ticks first, before it locks any of them, so that two of them cannot deadlock."""
    now = timezone.now()  # the wall clock, also when a job publishes "as of" an earlier time
    table = LiveClock._meta.db_table
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(
                f"UPDATE {table} SET seq = seq + 1,"  # noqa: S608 -- the table name is our own
                " changed_at = CASE WHEN changed_at > %s THEN changed_at ELSE %s END"
                " WHERE id = 1 RETURNING seq",
                [connection.ops.adapt_datetimefield_value(now)] * 2,
            )
            row = cursor.fetchone()
            if row is not None:
                return row[0]
            # The row is made by migration 0010; a flushed test database has lost it.
            LiveClock.objects.get_or_create(id=1, defaults={"seq": 0, "changed_at": now})
    raise RuntimeError("the live clock cannot be ticked")


def live_clock() -> tuple[int, datetime.datetime | None]:
    """The clock's last number and the time of the last change readers can see."""
    row = LiveClock.objects.filter(id=1).values_list("seq", "changed_at").first()
    return row or (0, None)


def _sources(ids) -> list[dict]:
    return [
        {"title": s.title, "url": s.url, "publisher": s.publisher, "is_official": s.is_official}
        for s in Source.objects.filter(pk__in=ids).order_by("title")
    ]


def _hotline_data(live: LiveHotline) -> dict:
    return {
        "id": live.pk,
        "organisation": live.organisation,
        "purpose": live.purpose,
        "number": live.number,
        "display_number": live.display_number,
        "extension": live.extension,
        "region": live.region_id,
        "service_hours": live.service_hours,
        "verification_status": live.verification_status,
        "last_verified_at": live.last_verified_at.isoformat() if live.last_verified_at else None,
    }


def _hospital_data(live: LiveHospital) -> dict:
    return {
        "id": live.pk,
        "name": live.name,
        "region": live.region_id,
        "level": live.level,
        "kind": live.kind,
        "address": live.address,
        "designated": live.designated,
        "phones": live.data.get("phones", []),
    }


def _policy_data(policy: Policy) -> dict:
    return {
        "id": policy.pk,
        "title": policy.title,
        "document_number": policy.document_number,
        "issuing_authority": policy.issuing_authority,
        "effective_from": policy.effective_from.isoformat() if policy.effective_from else None,
        "effective_to": policy.effective_to.isoformat() if policy.effective_to else None,
    }


def article_live_data(content: dict) -> dict:
    """What a live article shows beside its body: only the live forms of linked hotlines and hospitals."""
    return {
        "regions": [
            {"code": r.code, "name": r.name, "full_name": r.full_name}
            for r in Region.objects.filter(pk__in=content["regions"]).order_by("code")
        ],
        "policies": [
            _policy_data(p) for p in Policy.objects.filter(pk__in=content["policies"]).order_by("pk")
        ],
        "hotlines": [
            _hotline_data(h) for h in LiveHotline.objects.filter(pk__in=content["hotlines"]).order_by("pk")
        ],
        "hospitals": [
            _hospital_data(h) for h in LiveHospital.objects.filter(pk__in=content["hospitals"]).order_by("pk")
        ],
        "sources": _sources(content["sources"]),
    }


@transaction.atomic
def live_publish(*, item: Item, revision: Revision, now: datetime.datetime) -> None:
    """Make ``revision`` what readers see of ``item``."""
    live_tick()
    content = revision.content
    values = {"revision": revision, "updated_at": now}
    if isinstance(item, Article):
        values |= {
            "slug": content["slug"],
            "title": content["title"],
            "summary": content["summary"],
            "body_html": render_markdown(content["body"]),
            "category": content["category"],
            "data": article_live_data(content),
        }
    elif isinstance(item, Hotline):
        values |= {
            name: content[name]
            for name in ["organisation", "purpose", "number", "display_number", "extension", "service_hours"]
        }
        values |= {"region_id": content["region"], "data": {"sources": _sources(content["sources"])}}
    else:
        values |= {
            name: content[name] for name in ["name", "aliases", "level", "kind", "address", "departments"]
        }
        values |= {
            "designated": content["designated"],
            "region_id": content["region"],
            "data": {"sources": _sources(content["sources"]), "phones": content.get("phones", [])},
        }
    if not isinstance(item, Article):
        values |= {"verification_status": item.verification_status, "last_verified_at": item.last_verified_at}
    model = LIVE_MODELS[type(item)]
    LiveRemoval.objects.filter(kind=item._meta.model_name, item_id=item.pk).delete()
    live, _ = model.objects.update_or_create(
        pk=item.pk, defaults=values, create_defaults={**values, "pk": item.pk, "published_at": now}
    )
    if isinstance(item, Article):
        for name in ["regions", "policies", "hotlines", "hospitals"]:
            getattr(live, name).set(content[name])
    store_payload(live)
    if not isinstance(item, Article):
        refresh_linking_articles(item=item, now=now)


@transaction.atomic
def live_remove(*, item: Item, now: datetime.datetime) -> None:
    """Take ``item`` away from readers, leaving a removal record for syncing clients."""
    seq = live_tick()
    deleted, _ = LIVE_MODELS[type(item)].objects.filter(pk=item.pk).delete()
    if deleted:
        LiveRemoval.objects.update_or_create(
            kind=item._meta.model_name, item_id=item.pk, defaults={"seq": seq, "removed_at": now}
        )
    if not isinstance(item, Article):
        refresh_linking_articles(item=item, now=now)


def live_update_verification(*, item: Hotline | Hospital, now: datetime.datetime) -> None:
    """Readers see when a number was last verified: carry a new verification into the live form (it is
    not content, so no revision and no review is needed)."""
    live_tick()
    updated = (
        LIVE_MODELS[type(item)]
        .objects.filter(pk=item.pk)
        .update(
            verification_status=item.verification_status,
            last_verified_at=item.last_verified_at,
            updated_at=now,
        )
    )
    if updated:
        store_payload(LIVE_MODELS[type(item)].objects.select_related("revision").get(pk=item.pk))
        refresh_linking_articles(item=item, now=now)


def live_update_verifications(*, items: list[Hotline] | list[Hospital], now: datetime.datetime) -> None:
    """``live_update_verification`` for many numbers of one kind at once (a re-check's batch): one tick
    and one UPDATE of their live rows, whose payloads change in exactly the verification fields and
    the update time, then one pass over the articles that embed any of them."""
    if not items:
        return
    if connection.vendor != "postgresql":
        for item in items:
            live_update_verification(item=item, now=now)
        return
    model = LIVE_MODELS[type(items[0])]
    seq = live_tick()
    values = ", ".join(["(%s, %s, %s::timestamptz, %s)"] * len(items))
    sql = f"""
        UPDATE {model._meta.db_table} l SET
            verification_status = v.status, last_verified_at = v.verified, updated_at = %s, seq = %s,
            payload = l.payload || jsonb_build_object(
                'verification_status', v.status, 'last_verified_at', v.verified_iso, 'updated_at', %s::text)
        FROM (VALUES {values}) AS v(id, status, verified, verified_iso)
        WHERE l.{model._meta.pk.column} = v.id
    """  # noqa: S608 -- table and column names are our own; every value is a parameter
    params: list = [now, seq, _iso(now)]
    for item in items:
        params += [item.pk, item.verification_status, item.last_verified_at, _iso(item.last_verified_at)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    refresh_linking_articles(items=items, now=now)


def refresh_linking_articles(
    *, item: Hotline | Hospital | Policy | None = None, items=(), now: datetime.datetime
) -> int:
    """Live articles embed the live forms of their hotlines and hospitals, and their policies: re-embed
    after a change of ``item`` (or of any of ``items``, all of one kind), each article once."""
    items = [item] if item is not None else list(items)
    if not items:
        return 0
    live_tick()
    field = {Hotline: "hotlines", Hospital: "hospitals", Policy: "policies"}[type(items[0])]
    linking = LiveArticle.objects.filter(**{f"{field}__in": items}).values("pk")
    lives = (
        LiveArticle.objects.filter(pk__in=linking)
        .order_by("pk")
        .select_related("revision")
        .select_for_update(of=("self",))
    )
    count = 0
    for live in lives:
        live.data = article_live_data(live.revision.content)
        live.updated_at = now
        live.save(update_fields=["data", "updated_at"])
        store_payload(live)
        count += 1
    return count


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _region(region_id: str, regions: dict) -> dict:
    r = regions[region_id]
    return {"code": r.code, "name": r.name, "full_name": r.full_name}


def hotline_payload(live: LiveHotline) -> dict:
    region = Region.objects.get(pk=live.region_id)
    return {
        "id": live.pk,
        "organisation": live.organisation,
        "purpose": live.purpose,
        "number": live.number,
        "display_number": live.display_number,
        "extension": live.extension,
        "region": _region(live.region_id, {region.pk: region}),
        "service_hours": live.service_hours,
        "verification_status": live.verification_status,
        "last_verified_at": _iso(live.last_verified_at),
        "sources": live.data.get("sources", []),
        "published_at": _iso(live.published_at),
        "updated_at": _iso(live.updated_at),
    }


def hospital_payload(live: LiveHospital) -> dict:
    region = Region.objects.get(pk=live.region_id)
    return {
        "id": live.pk,
        "name": live.name,
        "aliases": live.aliases,
        "region": _region(live.region_id, {region.pk: region}),
        "level": live.level,
        "kind": live.kind,
        "address": live.address,
        "departments": [line.strip() for line in live.departments.splitlines() if line.strip()],
        "designated": live.designated,
        "phones": [
            {
                "label": p.get("label", ""),
                "number": p.get("number", ""),
                "display_number": p.get("display_number", ""),
                "extension": p.get("extension", ""),
            }
            for p in live.data.get("phones", [])
        ],
        "verification_status": live.verification_status,
        "last_verified_at": _iso(live.last_verified_at),
        "sources": live.data.get("sources", []),
        "published_at": _iso(live.published_at),
        "updated_at": _iso(live.updated_at),
    }


HOTLINE_IN_ARTICLE = (
    "id",
    "organisation",
    "purpose",
    "number",
    "display_number",
    "extension",
    "service_hours",
    "verification_status",
    "last_verified_at",
)


def article_payload(live: LiveArticle, *, outdated_reasons: list[str] | None = None) -> dict:
    data = live.data
    return {
        "slug": live.slug,
        "title": live.title,
        "summary": live.summary,
        "body_html": live.body_html,
        "category": live.category,
        "regions": data.get("regions", []),
        "policies": data.get("policies", []),
        "hotlines": [{k: h[k] for k in HOTLINE_IN_ARTICLE} for h in data.get("hotlines", [])],
        "hospitals": [
            {k: h[k] for k in ("id", "name", "level", "kind", "address", "designated")}
            for h in data.get("hospitals", [])
        ],
        "sources": data.get("sources", []),
        "outdated": {"flagged": bool(outdated_reasons), "reasons": outdated_reasons or []},
        "published_at": _iso(live.published_at),
        "updated_at": _iso(live.updated_at),
    }


def _search_text(live, content: dict) -> str:
    if isinstance(live, LiveArticle):
        parts = [live.title, live.summary, content.get("body", "")]
        parts += [r["full_name"] for r in live.data.get("regions", [])]
        parts += [f"{h['organisation']} {h['display_number']}" for h in live.data.get("hotlines", [])]
    elif isinstance(live, LiveHotline):
        parts = [live.organisation, live.display_number, Region.objects.get(pk=live.region_id).full_name]
    else:
        parts = [
            live.name,
            " ".join(live.aliases),
            live.address,
            Region.objects.get(pk=live.region_id).full_name,
        ]
    # Lower-cased, so that the API's plain (index-served) LIKE is case-insensitive for Latin letters.
    return "\n".join(p for p in parts if p).lower()


PAYLOADS = {LiveArticle: article_payload, LiveHotline: hotline_payload, LiveHospital: hospital_payload}


def article_json_sql(alias: str) -> str:
    """SQL for an article's JSON text as readers get it: its stored payload with the ``outdated`` part
    made from its open flags when it is read. Flagging a quarter of a million articles then writes
    flags only, not a quarter of a million wide live rows (their payloads, search vectors and eleven
    indexes); the flags' clock numbers put them in the sync feed (api.views.LiveSyncView).
    ``alias`` names the live article row in the caller's query."""
    # Table and alias are our own names: nothing here comes from a request.
    flags = Flag._meta.db_table
    open_flags = f"FROM {flags} f WHERE f.article_id = {alias}.article_id AND f.resolved_at IS NULL"
    if connection.vendor == "postgresql":
        reasons = "coalesce(jsonb_agg(f.public_reason ORDER BY f.created_at, f.id), '[]'::jsonb)"
        return (
            f"({alias}.payload || jsonb_build_object('outdated', (SELECT jsonb_build_object("
            f"'flagged', count(*) > 0, 'reasons', {reasons}) {open_flags})))::text"
        )
    exists = f"EXISTS (SELECT 1 {open_flags})"
    reasons = f"(SELECT json_group_array(r.public_reason) FROM (SELECT f.public_reason {open_flags}"  # noqa: S608
    return (  # SQLite, the embedded default
        f"json_set({alias}.payload, '$.outdated', json_object('flagged',"
        f" json(CASE WHEN {exists} THEN 'true' ELSE 'false' END),"
        f" 'reasons', {reasons} ORDER BY f.created_at, f.id) r)))"
    )


def store_payload(live) -> None:
    """(Re)build what the API returns for ``live`` and the text it is searched by. An article's
    ``outdated`` part is stored empty: readers get it from the open flags (``article_json_sql``)."""
    live.payload = PAYLOADS[type(live)](live)
    live.search_text = _search_text(live, live.revision.content)
    live.search_tokens = search_tokens(live.search_text)
    live.seq = live_tick()
    type(live).objects.filter(pk=live.pk).update(
        payload=live.payload, search_text=live.search_text, search_tokens=live.search_tokens, seq=live.seq
    )
