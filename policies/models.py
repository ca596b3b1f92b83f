from django.db import models
from django.utils.translation import gettext_lazy as _


class Policy(models.Model):
    """A policy document (政策文件): what it is, who issued it, where and when it is in force."""

    title = models.CharField(_("title"), max_length=300)
    document_number = models.CharField(
        _("document number"), max_length=100, blank=True, help_text=_("文号, e.g. 国办发〔2020〕53号")
    )
    issuing_authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    region = models.ForeignKey(
        "cms.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        help_text=_("Leave empty for national policies."),
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
    )
    source = models.ForeignKey(
        "cms.Source",
        verbose_name=_("source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="policies",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-effective_from", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_number"],
                condition=~models.Q(document_number=""),
                name="policy_unique_document_number",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_from__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="policy_period_ordered",
                violation_error_message=_("The end of the effective period cannot be before its start."),
            ),
            models.CheckConstraint(
                condition=~models.Q(superseded_by=models.F("id")), name="policy_not_superseded_by_itself"
            ),
        ]
        indexes = [models.Index(fields=["effective_to"], name="policy_effective_to")]

    def __str__(self) -> str:
        return f"{self.title}（{self.document_number}）" if self.document_number else self.title
