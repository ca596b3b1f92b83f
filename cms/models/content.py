from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.verification import phones
from cms.workflow import State

from .verification import PhoneKind, VerificationStatus


class Category(models.TextChoices):
    UNCATEGORISED = "uncategorised", _("Uncategorised")
    POLICY = "policy", _("Policy explained")
    REIMBURSEMENT = "reimbursement", _("Reimbursement")
    CROSS_REGION = "cross_region", _("Medical treatment in another region")
    ENROLMENT = "enrolment", _("Enrolment and contributions")
    HOSPITALS = "hospitals", _("Hospitals and treatment")
    HOTLINES = "hotlines", _("Hotlines and contacts")
    GUIDE = "guide", _("How-to guide")


class HospitalLevel(models.TextChoices):
    GRADE_3A = "3A", _("Grade III, class A")
    GRADE_3B = "3B", _("Grade III, class B")
    GRADE_3C = "3C", _("Grade III, class C")
    GRADE_3 = "3", _("Grade III")
    GRADE_2A = "2A", _("Grade II, class A")
    GRADE_2B = "2B", _("Grade II, class B")
    GRADE_2C = "2C", _("Grade II, class C")
    GRADE_2 = "2", _("Grade II")
    GRADE_1A = "1A", _("Grade I, class A")
    GRADE_1B = "1B", _("Grade I, class B")
    GRADE_1C = "1C", _("Grade I, class C")
    GRADE_1 = "1", _("Grade I")
    UNGRADED = "ungraded", _("Not graded")


class HospitalKind(models.TextChoices):
    GENERAL = "general", _("General hospital")
    TCM = "tcm", _("Traditional Chinese medicine hospital")
    INTEGRATED = "integrated", _("Integrated Chinese and Western medicine hospital")
    SPECIALIST = "specialist", _("Specialist hospital")
    DENTAL = "dental", _("Dental hospital")
    EYE = "eye", _("Eye hospital")
    MATERNAL_CHILD = "maternal_child", _("Maternal and child health hospital")
    CHILDREN = "children", _("Children's hospital")
    CANCER = "cancer", _("Cancer hospital")
    PSYCHIATRIC = "psychiatric", _("Psychiatric hospital")
    REHABILITATION = "rehabilitation", _("Rehabilitation hospital")
    INFECTIOUS = "infectious", _("Infectious disease hospital")
    ETHNIC = "ethnic", _("Ethnic medicine hospital")
    COMMUNITY = "community", _("Community health centre")
    OTHER = "other", _("Other")


class Purpose(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    COMPLAINT = "complaint", _("Complaints and reporting")
    CROSS_REGION = "cross_region", _("Medical treatment in another region")
    APPOINTMENT = "appointment", _("Appointments")
    OFFICE = "office", _("Office")
    EMERGENCY = "emergency", _("Emergency")
    OTHER = "other", _("Other")


def normalise_phone_fields(obj: models.Model, region: "models.Model | None") -> None:
    """Parse ``obj.number`` with ``phonenumbers`` and store its normalised and display forms.
    A local number without area code is completed from the region; a bad number is a field error."""
    if not obj.number:
        return
    area_codes = region.dialling_area_codes() if region is not None else []
    try:
        phone = phones.parse_phone(obj.number, area_codes=area_codes)
    except phones.PhoneNumberError as exc:
        raise ValidationError({"number": exc.message}) from exc
    obj.number = phone.number
    obj.display_number = phone.display
    obj.kind = phone.kind
    if phone.extension and not obj.extension:
        obj.extension = phone.extension


class EditorialFields(models.Model):
    """What every piece of editorial content carries: workflow state, verification, timestamps and
    the version counter that refuses concurrent overwrites."""

    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.DRAFT)
    lock_version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    approved_revision = models.ForeignKey(
        "cms.Revision",
        verbose_name=_("approved revision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    publish_at = models.DateTimeField(_("scheduled publication"), null=True, blank=True, editable=False)
    withdraw_at = models.DateTimeField(_("scheduled withdrawal"), null=True, blank=True, editable=False)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Hotline(EditorialFields):
    organisation = models.CharField(_("organisation"), max_length=200)
    purpose = models.CharField(
        _("purpose"), max_length=24, choices=Purpose.choices, default=Purpose.CONSULTATION
    )
    number = models.CharField(
        _("number"),
        max_length=32,
        help_text=_("Stored as E.164 (+867595586822) or as a short service number (12393)."),
    )
    display_number = models.CharField(_("display form"), max_length=32, editable=False)
    kind = models.CharField(_("kind of number"), max_length=16, choices=PhoneKind.choices, editable=False)
    extension = models.CharField(_("extension"), max_length=8, blank=True)
    region = models.ForeignKey(
        "cms.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="hotlines"
    )
    service_hours = models.CharField(_("service hours"), max_length=200, blank=True)
    sources = models.ManyToManyField(
        "cms.Source", verbose_name=_("sources"), blank=True, related_name="hotlines"
    )
    verification_status = models.CharField(
        _("verification status"),
        max_length=16,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    last_verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("next check at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")
        ordering = ["region", "organisation", "purpose"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "purpose", "number", "extension"],
                name="hotline_unique_number",
                violation_error_message=_("This organisation already lists this number for this purpose."),
            ),
            models.CheckConstraint(
                condition=models.Q(number__regex=r"^(\+86[0-9]{6,13}|[0-9]{3,6})$"),
                name="hotline_number_normalised",
            ),
        ]
        indexes = [
            models.Index(fields=["number"], name="hotline_number"),
            models.Index(fields=["verification_status", "next_check_at"], name="hotline_due"),
            models.Index(fields=["state", "updated_at"], name="hotline_state_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {phones.display_with_extension(self.as_phone())}"

    def as_phone(self) -> phones.Phone:
        return phones.Phone(
            number=self.number, display=self.display_number, kind=self.kind, extension=self.extension
        )

    def clean(self) -> None:
        normalise_phone_fields(self, self.region if self.region_id else None)


class Hospital(EditorialFields):
    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(
        _("aliases"), default=list, blank=True, help_text=_("Other names, one per entry.")
    )
    region = models.ForeignKey(
        "cms.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="hospitals"
    )
    level = models.CharField(
        _("level"), max_length=12, choices=HospitalLevel.choices, default=HospitalLevel.UNGRADED
    )
    kind = models.CharField(
        _("kind"), max_length=24, choices=HospitalKind.choices, default=HospitalKind.GENERAL
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    departments = models.TextField(_("departments"), blank=True, help_text=_("One department per line."))
    designated = models.BooleanField(
        _("designated for medical insurance"), default=False, help_text=_("医保定点医疗机构")
    )
    sources = models.ManyToManyField(
        "cms.Source", verbose_name=_("sources"), blank=True, related_name="hospitals"
    )
    verification_status = models.CharField(
        _("verification status"),
        max_length=16,
        choices=VerificationStatus.choices,
        default=VerificationStatus.UNVERIFIED,
    )
    last_verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="hospital_unique_name_in_region")
        ]
        indexes = [
            models.Index(fields=["level", "kind"], name="hospital_level_kind"),
            models.Index(fields=["state", "updated_at"], name="hospital_state_updated"),
        ]

    def __str__(self) -> str:
        return self.name


class HospitalPhone(models.Model):
    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.CASCADE, related_name="phones"
    )
    label = models.CharField(_("label"), max_length=60, blank=True, help_text=_("e.g. 总机, 预约挂号"))
    number = models.CharField(_("number"), max_length=32)
    display_number = models.CharField(_("display form"), max_length=32, editable=False)
    kind = models.CharField(_("kind of number"), max_length=16, choices=PhoneKind.choices, editable=False)
    extension = models.CharField(_("extension"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("hospital phone number")
        verbose_name_plural = _("hospital phone numbers")
        constraints = [
            models.UniqueConstraint(fields=["hospital", "number", "extension"], name="hospital_phone_unique"),
        ]
        indexes = [models.Index(fields=["number"], name="hospital_phone_number")]

    def __str__(self) -> str:
        return f"{self.label} {self.display_number}".strip()

    def clean(self) -> None:
        # On the admin's add page the hospital is not saved yet but is already assigned.
        try:
            hospital = self.hospital
        except Hospital.DoesNotExist:
            hospital = None
        normalise_phone_fields(self, hospital.region if hospital is not None and hospital.region_id else None)


class Article(EditorialFields):
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    category = models.CharField(
        _("category"), max_length=24, choices=Category.choices, default=Category.UNCATEGORISED, db_index=True
    )
    regions = models.ManyToManyField(
        "cms.Region", verbose_name=_("regions"), blank=True, related_name="articles"
    )
    policies = models.ManyToManyField(
        "policies.Policy", verbose_name=_("policies"), blank=True, related_name="articles"
    )
    hotlines = models.ManyToManyField(
        Hotline, verbose_name=_("hotlines"), blank=True, related_name="articles"
    )
    hospitals = models.ManyToManyField(
        Hospital, verbose_name=_("hospitals"), blank=True, related_name="articles"
    )
    sources = models.ManyToManyField(
        "cms.Source", verbose_name=_("sources"), blank=True, related_name="articles"
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    original_date = models.DateField(_("original date"), null=True, blank=True)
    dump = models.ForeignKey(
        "cms.DumpImport",
        verbose_name=_("imported from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    dump_position = models.PositiveSmallIntegerField(_("position in the dump"), null=True, blank=True)
    is_excerpt = models.BooleanField(
        _("excerpt only"), default=False, help_text=_("The dump held only a truncated teaser of this item.")
    )
    import_key = models.CharField(_("import key"), max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~models.Q(import_key=""),
                name="article_unique_import_key",
            ),
            models.CheckConstraint(
                condition=models.Q(dump__isnull=True) | models.Q(dump_position__isnull=False),
                name="article_dump_has_position",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "updated_at"], name="article_state_updated"),
            models.Index(fields=["review_by"], name="article_review_by"),
        ]

    def __str__(self) -> str:
        return self.title
