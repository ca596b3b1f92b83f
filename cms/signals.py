"""What readers see of reference data that is edited in place rather than published: policies and
regions. A change re-embeds a policy in the live articles that describe it and moves the live clock,
so that caches revalidating a list or a detail learn of it."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from cms.models import Region, RegionAreaCode
from cms.services.live import live_tick, refresh_linking_articles
from policies.models import Policy


@receiver(post_save, sender=Policy, dispatch_uid="live_policy_saved")
def policy_saved(sender, instance: Policy, raw: bool = False, **kwargs) -> None:
    if not raw:
        with transaction.atomic():
            refresh_linking_articles(item=instance, now=timezone.now())


@receiver(post_delete, sender=Policy, dispatch_uid="live_policy_deleted")
@receiver(post_save, sender=Region, dispatch_uid="live_region_saved")
@receiver(post_delete, sender=Region, dispatch_uid="live_region_deleted")
@receiver(post_save, sender=RegionAreaCode, dispatch_uid="live_area_code_saved")
@receiver(post_delete, sender=RegionAreaCode, dispatch_uid="live_area_code_deleted")
def reference_data_changed(sender, raw: bool = False, **kwargs) -> None:
    if not raw:
        live_tick()
