from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cms.models import Region, RegionLevel


class ProvinceFilter(admin.SimpleListFilter):
    """Filter by province: a list of 34 entries instead of thousands of regions. Covers every city
    and county of the province, since division codes are hierarchical."""

    title = _("province")
    parameter_name = "province"
    region_field = "region"

    def lookups(self, request, model_admin):
        return [
            (r.code[:2], r.name) for r in Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not (value.isdigit() and len(value) == 2):
            return queryset.none()
        return queryset.filter(**{f"{self.region_field}__code__startswith": value}).distinct()


class ArticleProvinceFilter(ProvinceFilter):
    region_field = "regions"
