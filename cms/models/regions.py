from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province-level division")
    PREFECTURE = "prefecture", _("Prefecture-level city")
    COUNTY = "county", _("County-level division")


class RegionQuerySet(models.QuerySet):
    def within(self, region: "Region") -> "RegionQuerySet":
        """The region and every division under it (codes are hierarchical: 44 → 4408 → 440881)."""
        return self.filter(code__startswith=region.code_prefix)


class Region(models.Model):
    """An administrative division of China with its official six-digit code (GB/T 2260)."""

    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64, db_index=True)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent division"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    full_name = models.CharField(_("full name"), max_length=128, help_text=_("e.g. 广东省湛江市吴川市"))

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(level="province", parent__isnull=True)
                | (~models.Q(level="province") & models.Q(parent__isnull=False)),
                name="region_parent_matches_level",
            ),
        ]
        indexes = [models.Index(fields=["level", "name"], name="region_level_name")]

    def __str__(self) -> str:
        return self.full_name or self.name

    @property
    def code_prefix(self) -> str:
        return {RegionLevel.PROVINCE: self.code[:2], RegionLevel.PREFECTURE: self.code[:4]}.get(
            self.level, self.code
        )

    def dialling_area_codes(self) -> list[str]:
        """The area codes (without the trunk 0) dialled in this region: its own, else its ancestors'."""
        region: Region | None = self
        while region is not None:
            codes = [a.code for a in region.area_codes.all()]
            if codes:
                return codes
            region = region.parent
        return []


class RegionAreaCode(models.Model):
    """A telephone area code used in a region. Several cities may share one (0937: 嘉峪关 and 酒泉)."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="area_codes"
    )
    code = models.CharField(_("area code"), max_length=4, db_index=True, help_text=_("without the leading 0"))

    class Meta:
        verbose_name = _("area code")
        verbose_name_plural = _("area codes")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="region_area_code_unique"),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[1-9][0-9]{1,2}$"), name="area_code_digits"
            ),
        ]

    def __str__(self) -> str:
        return "0" + self.code
