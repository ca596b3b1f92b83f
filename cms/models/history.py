"""What happened to an item: its revisions, workflow transitions, fact-checks, refused edits and flags.
Each row points at exactly one article, hospital or hotline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.workflow import Action, State

ITEM_FIELDS = ("article", "hospital", "hotline")


class ItemLink(models.Model):
    article = models.ForeignKey(
        "cms.Article", verbose_name=_("article"), on_delete=models.CASCADE, null=True, blank=True
    )
    hospital = models.ForeignKey(
        "cms.Hospital", verbose_name=_("hospital"), on_delete=models.CASCADE, null=True, blank=True
    )
    hotline = models.ForeignKey(
        "cms.Hotline", verbose_name=_("hotline"), on_delete=models.CASCADE, null=True, blank=True
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(article__isnull=False, hospital__isnull=True, hotline__isnull=True)
                    | models.Q(article__isnull=True, hospital__isnull=False, hotline__isnull=True)
                    | models.Q(article__isnull=True, hospital__isnull=True, hotline__isnull=False)
                ),
                name="%(class)s_exactly_one_item",
            )
        ]

    @property
    def item(self):
        return self.article or self.hospital or self.hotline

    @staticmethod
    def link_for(item) -> dict:
        """``{"article": item}`` (or hospital / hotline): the keyword that points a row at ``item``."""
        return {type(item)._meta.model_name: item}


class Revision(ItemLink):
    """An immutable snapshot of an item's full content, made by every save."""

    number = models.PositiveIntegerField(_("revision"))
    content = models.JSONField(_("content"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
    )
    message = models.CharField(_("message"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta(ItemLink.Meta):
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-created_at", "-number"]
        constraints = [
            *ItemLink.Meta.constraints,
            models.UniqueConstraint(
                fields=["article", "number"],
                condition=models.Q(article__isnull=False),
                name="revision_article_number",
            ),
            models.UniqueConstraint(
                fields=["hospital", "number"],
                condition=models.Q(hospital__isnull=False),
                name="revision_hospital_number",
            ),
            models.UniqueConstraint(
                fields=["hotline", "number"],
                condition=models.Q(hotline__isnull=False),
                name="revision_hotline_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · 第 {self.number} 版"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("Revisions are never changed; make a new one instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Revisions are never deleted."))


class TransitionLog(ItemLink):
    """One workflow step: who took which action, when, from which state to which, and why."""

    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=24, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=24, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    revision = models.ForeignKey(
        Revision,
        verbose_name=_("revision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta(ItemLink.Meta):
        verbose_name = _("workflow log entry")
        verbose_name_plural = _("workflow log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "at"], name="transition_action_at")]

    def __str__(self) -> str:
        return f"{self.item} {self.get_action_display()}"


class Subject(models.TextChoices):
    CLAIM = "claim", _("A claim in the text")
    PHONE = "phone", _("A phone number")
    ADDRESS = "address", _("An address")
    POLICY_DATE = "policy_date", _("A policy date")
    OTHER = "other", _("Other")


class Verdict(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CORRECTED = "corrected", _("Corrected")
    CANNOT_VERIFY = "cannot_verify", _("Cannot verify")
    FALSE = "false", _("False")


class Method(models.TextChoices):
    OFFICIAL_PAGE = "official_page", _("Official web page")
    DOCUMENT = "document", _("Official document")
    PHONE_CALL = "phone_call", _("Phone call")
    OTHER = "other", _("Other")


class FactCheck(ItemLink):
    """What a fact-checker checked on an item, the verdict, and the evidence."""

    revision = models.ForeignKey(
        Revision,
        verbose_name=_("revision checked"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("what was checked"), max_length=16, choices=Subject.choices)
    claim = models.TextField(_("claim"), help_text=_("The exact words, number, address or date checked."))
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)
    correction = models.TextField(
        _("correction"), blank=True, help_text=_("The right value, when corrected.")
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    source = models.ForeignKey(
        "cms.Source",
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    person_reached = models.CharField(_("person reached"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta(ItemLink.Meta):
        verbose_name = _("fact-check")
        verbose_name_plural = _("fact-checks")
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_subject_display()}：{self.get_verdict_display()}"

    def clean(self) -> None:
        errors = {}
        if self.method == Method.PHONE_CALL:
            if not self.called_at:
                errors["called_at"] = _("A phone call needs its date and time.")
            if not self.person_reached:
                errors["person_reached"] = _("A phone call needs the person reached.")
        if self.method == Method.OFFICIAL_PAGE and not self.source_id:
            errors["source"] = _("Name the official page checked.")
        if self.method == Method.DOCUMENT and not (self.document_number or self.source_id):
            errors["document_number"] = _("Give the document number or its source.")
        if self.verdict == Verdict.CORRECTED and not self.correction:
            errors["correction"] = _("Give the corrected value.")
        if errors:
            raise ValidationError(errors)


class RefusedEdit(ItemLink):
    """Content whose save was refused because someone else saved the item first. Kept, so that
    nothing typed is lost and it can be compared and re-applied."""

    content = models.JSONField(_("content"))
    base_version = models.PositiveIntegerField(_("version edited"))
    saved_version = models.PositiveIntegerField(_("version saved meanwhile"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    reapplied_at = models.DateTimeField(_("re-applied at"), null=True, blank=True)

    class Meta(ItemLink.Meta):
        verbose_name = _("refused edit")
        verbose_name_plural = _("refused edits")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.item} · {self.created_at:%Y-%m-%d %H:%M}"


class FlagKind(models.TextChoices):
    POLICY_EXPIRED = "policy_expired", _("Policy no longer in force")
    POLICY_SUPERSEDED = "policy_superseded", _("Policy superseded")
    REVIEW_DUE = "review_due", _("Review date passed")
    HOTLINE_FAILED = "hotline_failed", _("Hotline failed a re-check")
    OTHER = "other", _("Other")


class Flag(ItemLink):
    """Something wrong with live content, and why; resolved when a fixing revision is published."""

    # Most flags are an article's (the outdated-article job raises a quarter of a million at once):
    # a hospital's and a hotline's are indexed where they are set only (see Meta.indexes).
    hospital = models.ForeignKey(
        "cms.Hospital",
        verbose_name=_("hospital"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,
    )
    hotline = models.ForeignKey(
        "cms.Hotline",
        verbose_name=_("hotline"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,
    )

    kind = models.CharField(_("kind"), max_length=24, choices=FlagKind.choices)
    key = models.CharField(_("key"), max_length=100, blank=True, help_text=_("What the flag is about."))
    public_reason = models.CharField(_("reason shown to readers"), max_length=300)
    detail = models.TextField(_("detail for editors"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # The live clock's numbers of the flag's raising and resolving. Readers see an article's open
    # flags as its ``outdated`` part, composed when it is read (api.views.article_json_sql), so a flag
    # is a change of the article for syncing clients without rewriting the article's live row.
    seq = models.BigIntegerField(_("change sequence"), default=0)
    resolved_seq = models.BigIntegerField(_("change sequence when resolved"), null=True, blank=True)

    class Meta(ItemLink.Meta):
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["resolved_at", "kind"], name="flag_open_kind"),
            *(
                models.Index(
                    fields=[name], name=f"flag_{name}", condition=models.Q(**{f"{name}__isnull": False})
                )
                for name in ("hospital", "hotline")
            ),
            models.Index(
                fields=["seq", "article"], name="flag_article_seq", condition=models.Q(article__isnull=False)
            ),
            models.Index(
                fields=["resolved_seq", "article"],
                name="flag_article_resolved_seq",
                condition=models.Q(article__isnull=False, resolved_seq__isnull=False),
            ),
        ]
        # One open flag per item, kind and key: the jobs insert flags set-wise and ignore conflicts.
        constraints = [
            *ItemLink.Meta.constraints,
            *(
                models.UniqueConstraint(
                    fields=[name, "kind", "key"],
                    condition=models.Q(resolved_at__isnull=True, **{f"{name}__isnull": False}),
                    name=f"flag_open_once_{name}",
                )
                for name in ("article", "hotline", "hospital")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}：{self.get_kind_display()}"
