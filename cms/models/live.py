"""The live forms: what readers see. Written only by publishing, removed by withdrawal; flat rows and
a ready-made JSON of related items, so that reading needs no work on the working copies."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .content import Category, HospitalKind, HospitalLevel, Purpose
from .verification import VerificationStatus


class LiveFields(models.Model):
    payload = models.JSONField(_("API representation"), default=dict)
    search_text = models.TextField(_("search text"), blank=True)
    # Chinese characters and pairs of adjacent ones from search_text (cms.search); on PostgreSQL a
    # generated, indexed tsvector column search_vector is made from it (migration 0011).
    search_tokens = models.TextField(_("search tokens"), blank=True)
    revision = models.ForeignKey(
        "cms.Revision", verbose_name=_("revision"), on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(_("related items"), default=dict)
    published_at = models.DateTimeField(_("published at"))
    updated_at = models.DateTimeField(_("updated at"), db_index=True)
    # The LiveClock tick of the row's last change: commit-ordered, so a sync cursor never skips a row.
    seq = models.BigIntegerField(_("change sequence"), default=0)

    class Meta:
        abstract = True


class LiveVerification(models.Model):
    """Readers see when and how well a number was last verified."""

    verification_status = models.CharField(
        _("verification status"), max_length=16, choices=VerificationStatus.choices
    )
    last_verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)

    class Meta:
        abstract = True


class LiveArticle(LiveFields):
    article = models.OneToOneField(
        "cms.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="live",
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    body_html = models.TextField(_("body (HTML)"))
    category = models.CharField(_("category"), max_length=24, choices=Category.choices, db_index=True)
    regions = models.ManyToManyField("cms.Region", verbose_name=_("regions"), blank=True, related_name="+")
    policies = models.ManyToManyField(
        "policies.Policy", verbose_name=_("policies"), blank=True, related_name="+"
    )
    hotlines = models.ManyToManyField("cms.Hotline", verbose_name=_("hotlines"), blank=True, related_name="+")
    hospitals = models.ManyToManyField(
        "cms.Hospital", verbose_name=_("hospitals"), blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "article"], name="livearticle_updated_pk"),
            models.Index(fields=["seq", "article"], name="livearticle_seq_pk"),
        ]
        verbose_name = _("live article")
        verbose_name_plural = _("live articles")

    def __str__(self) -> str:
        return self.title


class LiveHotline(LiveFields, LiveVerification):
    hotline = models.OneToOneField(
        "cms.Hotline",
        verbose_name=_("hotline"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="live",
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose.choices)
    number = models.CharField(_("number"), max_length=32)
    display_number = models.CharField(_("display form"), max_length=32)
    extension = models.CharField(_("extension"), max_length=8, blank=True)
    region = models.ForeignKey(
        "cms.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    service_hours = models.CharField(_("service hours"), max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "hotline"], name="livehotline_updated_pk"),
            models.Index(fields=["seq", "hotline"], name="livehotline_seq_pk"),
        ]
        verbose_name = _("live hotline")
        verbose_name_plural = _("live hotlines")

    def __str__(self) -> str:
        return f"{self.organisation} {self.display_number}"


class LiveHospital(LiveFields, LiveVerification):
    hospital = models.OneToOneField(
        "cms.Hospital",
        verbose_name=_("hospital"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="live",
    )
    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(_("aliases"), default=list)
    region = models.ForeignKey(
        "cms.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=12, choices=HospitalLevel.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=HospitalKind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    departments = models.TextField(_("departments"), blank=True)
    designated = models.BooleanField(_("designated for medical insurance"))

    class Meta:
        indexes = [
            models.Index(fields=["updated_at", "hospital"], name="livehospital_updated_pk"),
            models.Index(fields=["seq", "hospital"], name="livehospital_seq_pk"),
        ]
        verbose_name = _("live hospital")
        verbose_name_plural = _("live hospitals")

    def __str__(self) -> str:
        return self.name


class LiveClock(models.Model):
    """One row: a counter ticked by every transaction that changes what readers see, and the time of
    the last change. Ticking locks the row until commit, so ticks are in commit order: a reader that
    has seen tick N can never later find a committed change numbered below N. Sync cursors and list
    Last-Modified headers are read from here."""

    seq = models.BigIntegerField(_("change sequence"), default=0)
    changed_at = models.DateTimeField(_("last change"))

    class Meta:
        verbose_name = _("live clock")
        verbose_name_plural = _("live clock")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="liveclock_single_row")]

    def __str__(self) -> str:
        return f"{self.seq} @ {self.changed_at:%Y-%m-%d %H:%M:%S}"


class LiveRemoval(models.Model):
    """What was withdrawn from readers, so that a syncing client learns to delete it."""

    kind = models.CharField(_("kind"), max_length=16)
    item_id = models.BigIntegerField(_("item id"))
    seq = models.BigIntegerField(_("change sequence"))
    removed_at = models.DateTimeField(_("removed at"))

    class Meta:
        verbose_name = _("removal from the live site")
        verbose_name_plural = _("removals from the live site")
        constraints = [models.UniqueConstraint(fields=["kind", "item_id"], name="liveremoval_unique")]
        indexes = [models.Index(fields=["kind", "seq", "item_id"], name="liveremoval_kind_seq")]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id}"
