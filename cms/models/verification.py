from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.verification import phones


class VerificationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Not yet verified")
    VERIFIED = "verified", _("Verified")
    STALE = "stale", _("Verification overdue")
    FAILING = "failing", _("Failed verification")


class PhoneKind(models.TextChoices):
    FIXED = phones.KIND_FIXED, _("Landline")
    MOBILE = phones.KIND_MOBILE, _("Mobile")
    SERVICE = phones.KIND_SERVICE, _("400/800 service number")
    SHORT = phones.KIND_SHORT, _("Short service number")
