from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.Model):
    """A cited page or document."""

    url = models.URLField(_("URL"), max_length=1000, unique=True)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    is_official = models.BooleanField(
        _("official source"),
        default=False,
        help_text=_("Published by a government agency or the institution itself."),
    )
    retrieved_at = models.DateTimeField(_("retrieved at"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)
    last_http_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title"]
        indexes = [models.Index(fields=["is_official", "last_checked_at"], name="source_official_checked")]

    def __str__(self) -> str:
        return self.title
