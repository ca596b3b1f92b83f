"""FilterSets of the public API. Each names its parameters, fields and lookups explicitly; a bad
value is a 400, never a 500 and never silently ignored."""

import datetime

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

from cms.models import LiveArticle, LiveHospital, LiveHotline, Region
from cms.models.content import Category, HospitalKind, HospitalLevel, Purpose
from cms.models.history import Flag
from cms.models.verification import VerificationStatus
from policies.models import Policy

# A %-format with params: django-filter formats the message, so a value holding "%" must not be in it.
NOT_A_REGION = "“%(value)s”不是已知的 6 位行政区划代码。"
REGION_HELP = "行政区划代码（6 位）；包含其下所有市、县。"
SINCE_HELP = "只返回此时间之后更新的内容（ISO 8601，如 2025-03-21T08:00:00+08:00）。"


def validate_region_code(value: str) -> None:
    if not (len(value) == 6 and value.isdigit()) or not Region.objects.filter(pk=value).exists():
        raise ValidationError(NOT_A_REGION, params={"value": value[:20]})


class StrictBooleanField(forms.Field):
    """``true`` or ``false``; anything else is an error, where Django's NullBooleanField would quietly
    read it as "no filter"."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise ValidationError("应为 true 或 false。")


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


REGION_CODE_SCHEMA = {"type": "string", "pattern": "^[0-9]{6}$"}


@extend_schema_field(
    {
        "type": "integer",
        "minimum": 1,
        "maximum": 2**63 - 1,
        "description": "政策编号：只返回涉及该政策的文章。",
    }
)
class IdFilter(filters.NumberFilter):
    """A whole, positive database id: ``3.5`` is an error, not id 3."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


def validate_region_format(value: str) -> None:
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValidationError(NOT_A_REGION, params={"value": value[:20]})


class SinceFilter(filters.IsoDateTimeFilter):
    """``updated_since``: an ISO 8601 time with its offset, compared in UTC (PostgreSQL refuses offsets
    beyond ±15:59, which ISO 8601 allows). A time that leaves Python's calendar in UTC (year 1 with a
    positive offset, 9999 with a negative one) is before or after everything."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gt")
        kwargs.setdefault("help_text", SINCE_HELP)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        try:
            value = value.astimezone(datetime.UTC)
        except OverflowError:
            return qs if value.year < 5000 else qs.none()
        return super().filter(qs, value)


def region_code_parameter(help_text: str, **kwargs) -> filters.CharFilter:
    """A parameter documented as a six-digit division code (an annotated schema replaces the help
    text as description, so it goes into the schema too)."""
    annotated = extend_schema_field({**REGION_CODE_SCHEMA, "description": help_text})(
        type("RegionCodeParameter", (filters.CharFilter,), {})
    )
    return annotated(help_text=help_text, **kwargs)


@extend_schema_field({**REGION_CODE_SCHEMA, "description": REGION_HELP})
class RegionCodeFilter(filters.CharFilter):
    """A region and everything under it: division codes are hierarchical (44 → 4408 → 440883). One
    query finds the region's level (an unknown code is a 400), the filter is a prefix match."""

    def __init__(self, *args, through=None, **kwargs):
        kwargs.setdefault("help_text", REGION_HELP)
        kwargs.setdefault("validators", [validate_region_format])
        super().__init__(*args, **kwargs)
        self.through = through

    def filter(self, qs, value):
        if not value:
            return qs
        level = Region.objects.filter(pk=value).values_list("level", flat=True).first()
        if level is None:
            raise exceptions.ValidationError({self.field_name: [f"“{value}”不是已知的 6 位行政区划代码。"]})
        prefix = Region(code=value, level=level).code_prefix
        if self.through is None:
            return qs.filter(region__code__startswith=prefix)
        links = self.through.objects.filter(livearticle_id=OuterRef("pk"), region__code__startswith=prefix)
        return qs.filter(Exists(links))


class ArticleFilter(filters.FilterSet):
    region = RegionCodeFilter(through=LiveArticle.regions.through)
    category = filters.ChoiceFilter(field_name="category", choices=Category.choices, help_text="分类")
    policy = IdFilter(method="filter_policy", help_text="政策编号：只返回涉及该政策的文章。")
    outdated = BooleanFilter(method="filter_outdated", help_text="true：只返回被标记为可能过时的文章。")
    updated_since = SinceFilter()

    class Meta:
        model = LiveArticle
        fields = ["region", "category", "policy", "outdated", "updated_since"]

    def filter_policy(self, qs, name, value):
        links = LiveArticle.policies.through.objects.filter(livearticle_id=OuterRef("pk"), policy_id=value)
        return qs.filter(Exists(links))

    def filter_outdated(self, qs, name, value):
        flagged = Exists(Flag.objects.filter(article_id=OuterRef("pk"), resolved_at__isnull=True))
        return qs.filter(flagged) if value else qs.exclude(flagged)


class HotlineFilter(filters.FilterSet):
    region = RegionCodeFilter()
    purpose = filters.ChoiceFilter(field_name="purpose", choices=Purpose.choices, help_text="用途")
    verification_status = filters.ChoiceFilter(
        field_name="verification_status", choices=VerificationStatus.choices, help_text="核查状态"
    )
    updated_since = SinceFilter()

    class Meta:
        model = LiveHotline
        fields = ["region", "purpose", "verification_status", "updated_since"]


class HospitalFilter(filters.FilterSet):
    region = RegionCodeFilter()
    level = filters.ChoiceFilter(field_name="level", choices=HospitalLevel.choices, help_text="医院等级")
    kind = filters.ChoiceFilter(field_name="kind", choices=HospitalKind.choices, help_text="医院类别")
    designated = BooleanFilter(field_name="designated", help_text="是否医保定点")
    verification_status = filters.ChoiceFilter(
        field_name="verification_status", choices=VerificationStatus.choices, help_text="核查状态"
    )
    updated_since = SinceFilter()

    class Meta:
        model = LiveHospital
        fields = ["region", "level", "kind", "designated", "verification_status", "updated_since"]


class PolicyFilter(filters.FilterSet):
    region = region_code_parameter(
        "行政区划代码：该地区及其上级地区的政策。", method="filter_region", validators=[validate_region_code]
    )
    updated_since = SinceFilter()

    class Meta:
        model = Policy
        fields = ["region", "updated_since"]

    def filter_region(self, qs, name, value):
        region = Region.objects.get(pk=value)
        codes = []
        while region is not None:
            codes.append(region.code)
            region = region.parent
        return qs.filter(region_id__in=codes)


class RegionFilter(filters.FilterSet):
    parent = region_code_parameter(
        "上级行政区划代码", field_name="parent_id", validators=[validate_region_code]
    )
    level = filters.ChoiceFilter(
        field_name="level", choices=Region._meta.get_field("level").choices, help_text="行政级别"
    )

    class Meta:
        model = Region
        fields = ["parent", "level"]
