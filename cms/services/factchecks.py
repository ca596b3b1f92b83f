"""Recording what a fact-checker checked, with its evidence."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.models import FactCheck, Hospital, Hotline, Method, Subject, Verdict
from cms.models.history import ItemLink
from cms.models.verification import VerificationStatus
from cms.services.live import live_update_verification
from cms.services.revisions import current_revision
from cms.workflow import FACT_CHECKER


@transaction.atomic
def factcheck_record(*, item, user, checked_at: datetime.datetime | None = None, **fields) -> FactCheck:
    """Record a check on ``item``. Confirming a hotline's or hospital's number by phone, or its page
    on an official source, makes it verified as of the check."""
    if not user.is_superuser and not user.groups.filter(name=FACT_CHECKER).exists():
        raise PermissionDenied(_("Only fact-checkers record checks."))
    check = FactCheck(
        **ItemLink.link_for(item),
        revision=current_revision(item),
        checked_by=user,
        checked_at=checked_at or timezone.now(),
        **fields,
    )
    check.full_clean()
    check.save()
    if (
        isinstance(item, Hotline | Hospital)
        and check.subject == Subject.PHONE
        and check.verdict == Verdict.CONFIRMED
        and check.method in (Method.PHONE_CALL, Method.OFFICIAL_PAGE)
    ):
        verified_at = check.called_at if check.method == Method.PHONE_CALL else check.checked_at
        type(item).objects.filter(pk=item.pk).update(
            verification_status=VerificationStatus.VERIFIED, last_verified_at=verified_at
        )
        item.refresh_from_db(fields=["verification_status", "last_verified_at"])
        live_update_verification(item=item, now=timezone.now())
    return check
