"""Flags on live content: raised once per reason, shown to readers in plain words, resolved when a
fixing revision is published or the reason goes away."""

from django.db import transaction
from django.utils import timezone

from cms.models import Flag, LiveArticle
from cms.models.history import ItemLink
from cms.services.live import live_tick, store_payload


@transaction.atomic
def flag_raise(*, item, kind: str, key: str, public_reason: str, detail: str = "") -> tuple[Flag, bool]:
    """Raise a flag unless the same one (kind and key) is already open. Returns it and whether it is new."""
    link = ItemLink.link_for(item)
    flag, created = Flag.objects.get_or_create(
        **link,
        kind=kind,
        key=key,
        resolved_at=None,
        defaults={"public_reason": public_reason, "detail": detail},
    )
    if created:
        _refresh_live(item)
    return flag, created


@transaction.atomic
def flag_resolve(*, item, kind: str | None = None) -> int:
    flags = Flag.objects.filter(**ItemLink.link_for(item), resolved_at__isnull=True)
    if kind is not None:
        flags = flags.filter(kind=kind)
    resolved = flags.update(resolved_at=timezone.now())
    if resolved:
        _refresh_live(item)
    return resolved


def _refresh_live(item) -> None:
    if item._meta.model_name == "article":
        live_tick()
    live = (
        LiveArticle.objects.filter(pk=item.pk).select_related("revision").first()
        if item._meta.model_name == "article"
        else None
    )
    if live is not None:
        live.updated_at = timezone.now()
        live.save(update_fields=["updated_at"])
        store_payload(live)
