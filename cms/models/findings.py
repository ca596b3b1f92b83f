"""What the content checks found on a revision, what they propose to record, and the keys under which
items are compared with each other. Each row points at exactly one article, hospital or hotline."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cms.checks.findings import CODES

from .content import HospitalLevel
from .history import ItemLink, Revision


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Note")


class FindingField(models.TextChoices):
    TITLE = "title", _("Title")
    SUMMARY = "summary", _("Summary")
    BODY = "body", _("Body")
    NUMBER = "number", _("Number")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FALSE_ALARM = "false_alarm", _("False alarm")


class Finding(ItemLink):
    """One defect the checks found in one revision, pinned to the exact words it is about."""

    revision = models.ForeignKey(
        Revision, verbose_name=_("revision checked"), on_delete=models.CASCADE, related_name="findings"
    )
    code = models.CharField(_("check"), max_length=40, help_text=_("A stable code, e.g. impossible-time."))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    message = models.TextField(_("message"))
    quote = models.TextField(_("quoted text"), blank=True)
    field = models.CharField(_("field"), max_length=8, choices=FindingField.choices)
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    across_items = models.BooleanField(
        _("found by comparing items"),
        default=False,
        help_text=_("Found by comparing this item with other stored items."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why this is a false alarm."))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("false alarm carried over from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta(ItemLink.Meta):
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["revision", "field", "start", "end", "code"]
        permissions = [("mark_false_alarm", _("Can mark a finding as a false alarm"))]
        constraints = [
            *ItemLink.Meta.constraints,
            models.UniqueConstraint(
                fields=["revision", "code", "field", "start", "end"], name="finding_unique_span"
            ),
            models.CheckConstraint(
                condition=models.Q(start__lte=models.F("end")), name="finding_span_ordered"
            ),
            models.CheckConstraint(
                condition=models.Q(status=FindingStatus.OPEN)
                | (~models.Q(reason="") & models.Q(marked_at__isnull=False)),
                name="finding_false_alarm_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["revision", "status", "severity"], name="finding_open_severity")]

    def __str__(self) -> str:
        return f"{self.label}：{self.quote[:30]}" if self.quote else self.label

    @property
    def label(self) -> str:
        """The check's Chinese name (impossible-time → 不存在的时间)."""
        return CODES[self.code][1] if self.code in CODES else self.code


class ProposalKind(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    HOSPITAL = "hospital", _("Hospital")
    REGION = "region", _("Region")
    POLICY = "policy", _("Policy")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", pgettext_lazy("proposal", "Confirmed")
    REJECTED = "rejected", _("Rejected")


class Proposal(ItemLink):
    """A record the extraction found in an item's text: never a record by itself. An editor confirms
    it (then it is created as an unverified draft, or an existing record is linked) or rejects it."""

    revision = models.ForeignKey(
        Revision, verbose_name=_("proposed from revision"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ProposalKind.choices)
    data = models.JSONField(_("proposed values"))
    quote = models.TextField(_("quoted text"), blank=True)
    field = models.CharField(_("field"), max_length=8, choices=FindingField.choices, default="body")
    start = models.PositiveIntegerField(_("start"), null=True, blank=True)
    end = models.PositiveIntegerField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    result = models.JSONField(
        _("result"), null=True, blank=True, help_text=_("The record created or linked: its model and id.")
    )
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta(ItemLink.Meta):
        verbose_name = _("proposed record")
        verbose_name_plural = _("proposed records")
        ordering = ["kind", "start", "id"]
        permissions = [("decide_proposal", _("Can confirm or reject a proposed record"))]
        constraints = [
            *ItemLink.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(status=ProposalStatus.PROPOSED) | models.Q(decided_at__isnull=False),
                name="proposal_decision_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ProposalStatus.CONFIRMED) | models.Q(result__isnull=False),
                name="proposal_confirmed_has_result",
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"], name="proposal_status_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.summary}"

    @property
    def summary(self) -> str:
        """The proposed values in one line, as an editor reads them."""
        data = self.data or {}
        parts = {
            ProposalKind.HOTLINE: [data.get("organisation"), data.get("number")],
            ProposalKind.HOSPITAL: [data.get("name"), _level_label(data.get("level")), data.get("address")],
            ProposalKind.REGION: [data.get("path") or data.get("name"), data.get("code")],
            ProposalKind.POLICY: [data.get("title"), data.get("document_number"), data.get("effective_from")],
        }.get(self.kind, [])
        return " ".join(str(p) for p in parts if p)


def _level_label(level: str | None) -> str:
    return str(HospitalLevel(level).label) if level in HospitalLevel.values else ""


class ComparisonKey(ItemLink):
    """A key of an item's current content under which the cross-item checks compare it (the opening
    of its body, the question its title asks, an organisation it gives a number for): two items can
    only contradict or duplicate each other if they share a key, so a save compares with those only."""

    key = models.CharField(_("key"), max_length=200)

    class Meta(ItemLink.Meta):
        verbose_name = _("comparison key")
        verbose_name_plural = _("comparison keys")
        indexes = [models.Index(fields=["key"], name="comparison_key")]

    def __str__(self) -> str:
        return self.key
