from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DumpImport(models.Model):
    """One scraped dump file that was imported; articles link back to it."""

    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, unique=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    main_title = models.CharField(_("main article"), max_length=300)
    item_count = models.PositiveIntegerField(_("items"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("imported dump")
        verbose_name_plural = _("imported dumps")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.main_title
