"""Copying approved revisions into the live forms readers see, and taking them away again."""

import datetime

from django.db import transaction

from cms.models import (
    Article,
    Hospital,
    Hotline,
    LiveArticle,
    LiveHospital,
    LiveHotline,
    Region,
    Revision,
    Source,
)
from cms.rendering import render_markdown
from policies.models import Policy

Item = Article | Hospital | Hotline
LIVE_MODELS = {Article: LiveArticle, Hotline: LiveHotline, Hospital: LiveHospital}


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
    live, _ = model.objects.update_or_create(
        pk=item.pk, defaults=values, create_defaults={**values, "pk": item.pk, "published_at": now}
    )
    if isinstance(item, Article):
        for name in ["regions", "policies", "hotlines", "hospitals"]:
            getattr(live, name).set(content[name])
    else:
        refresh_linking_articles(item=item, now=now)


@transaction.atomic
def live_remove(*, item: Item, now: datetime.datetime) -> None:
    LIVE_MODELS[type(item)].objects.filter(pk=item.pk).delete()
    if not isinstance(item, Article):
        refresh_linking_articles(item=item, now=now)


def live_update_verification(*, item: Hotline | Hospital, now: datetime.datetime) -> None:
    """Readers see when a number was last verified: carry a new verification into the live form (it is
    not content, so no revision and no review is needed)."""
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
        refresh_linking_articles(item=item, now=now)


def refresh_linking_articles(*, item: Hotline | Hospital, now: datetime.datetime) -> int:
    """Live articles embed the live forms of their hotlines and hospitals: re-embed after a change."""
    field = "hotlines" if isinstance(item, Hotline) else "hospitals"
    lives = (
        LiveArticle.objects.filter(**{field: item}).select_related("revision").select_for_update(of=("self",))
    )
    count = 0
    for live in lives:
        live.data = article_live_data(live.revision.content)
        live.updated_at = now
        live.save(update_fields=["data", "updated_at"])
        count += 1
    return count
