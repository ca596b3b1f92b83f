"""Flags on live content: raised once per reason, shown to readers in plain words, resolved when a
fixing revision is published or the reason goes away."""

from django.db import transaction
from django.utils import timezone

from cms.models import Flag
from cms.models.history import ItemLink
from cms.services.live import live_tick


@transaction.atomic
def flag_raise(*, item, kind: str, key: str, public_reason: str, detail: str = "") -> tuple[Flag, bool]:
    """Raise a flag unless the same one (kind and key) is already open. Returns it and whether it is
    new. Readers see an article's open flags when they next read it (``live.article_json_sql``); the
    flag's clock number puts the article in the sync feed."""
    open_flag = {**ItemLink.link_for(item), "kind": kind, "key": key, "resolved_at": None}
    existing = Flag.objects.filter(**open_flag).first()
    if existing is not None:
        return existing, False
    defaults = {"public_reason": public_reason, "detail": detail, "seq": live_tick()}
    return Flag.objects.get_or_create(**open_flag, defaults=defaults)


@transaction.atomic
def flag_resolve(*, item, kind: str | None = None) -> int:
    flags = Flag.objects.filter(**ItemLink.link_for(item), resolved_at__isnull=True)
    if kind is not None:
        flags = flags.filter(kind=kind)
    if not flags.exists():
        return 0
    return flags.update(resolved_at=timezone.now(), resolved_seq=live_tick())
