"""The shapes the API returns, for the OpenAPI schema. The JSON itself is built when content is
published (cms.services.live) and sent as it is; tests check that the two agree."""

from rest_framework import serializers

from cms.models.content import Category, HospitalKind, HospitalLevel, Purpose
from cms.models.regions import RegionLevel
from cms.models.verification import VerificationStatus


class RegionRef(serializers.Serializer):
    code = serializers.CharField(help_text="行政区划代码")
    name = serializers.CharField(help_text="名称")
    full_name = serializers.CharField(help_text="全称")


class SourceRef(serializers.Serializer):
    title = serializers.CharField(help_text="标题")
    url = serializers.URLField(help_text="网址")
    publisher = serializers.CharField(help_text="发布者")
    is_official = serializers.BooleanField(help_text="是否官方来源")


class PolicyRef(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="标题")
    document_number = serializers.CharField(help_text="文号")
    issuing_authority = serializers.CharField(help_text="发文机关")
    effective_from = serializers.DateField(allow_null=True, help_text="生效日期")
    effective_to = serializers.DateField(allow_null=True, help_text="失效日期（空：长期有效）")


class HotlineRef(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(help_text="机构")
    purpose = serializers.ChoiceField(choices=Purpose.choices, help_text="用途")
    number = serializers.CharField(help_text="E.164 号码或短号码")
    display_number = serializers.CharField(help_text="显示形式，如 0759-5586822")
    extension = serializers.CharField(help_text="分机号")
    service_hours = serializers.CharField(help_text="服务时间")
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices, help_text="核查状态")
    last_verified_at = serializers.DateTimeField(allow_null=True, help_text="最近核实时间")


class HospitalRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="名称")
    level = serializers.ChoiceField(choices=HospitalLevel.choices, help_text="等级")
    kind = serializers.ChoiceField(choices=HospitalKind.choices, help_text="类别")
    address = serializers.CharField(help_text="地址")
    designated = serializers.BooleanField(help_text="医保定点")


class Outdated(serializers.Serializer):
    flagged = serializers.BooleanField(help_text="是否被标记为可能过时（编辑正在复核）")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="原因（面向读者的说明）")


class ArticleSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField(help_text="标题")
    summary = serializers.CharField(help_text="摘要")
    body_html = serializers.CharField(help_text="正文（已净化的 HTML）")
    category = serializers.ChoiceField(choices=Category.choices, help_text="分类")
    regions = RegionRef(many=True)
    policies = PolicyRef(many=True)
    hotlines = HotlineRef(many=True)
    hospitals = HospitalRef(many=True)
    sources = SourceRef(many=True)
    outdated = Outdated()
    published_at = serializers.DateTimeField(help_text="首次发布时间")
    updated_at = serializers.DateTimeField(help_text="最近更新时间")


class HotlineSerializer(HotlineRef):
    region = RegionRef()
    sources = SourceRef(many=True)
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PhoneSerializer(serializers.Serializer):
    label = serializers.CharField()
    number = serializers.CharField()
    display_number = serializers.CharField()
    extension = serializers.CharField()


class HospitalSerializer(HospitalRef):
    aliases = serializers.ListField(child=serializers.CharField(), help_text="别名")
    region = RegionRef()
    departments = serializers.ListField(child=serializers.CharField(), help_text="科室")
    phones = PhoneSerializer(many=True)
    verification_status = serializers.ChoiceField(choices=VerificationStatus.choices, help_text="核查状态")
    last_verified_at = serializers.DateTimeField(allow_null=True)
    sources = SourceRef(many=True)
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PolicySerializer(PolicyRef):
    region = serializers.CharField(allow_null=True, help_text="地区代码（空：全国）")
    superseded_by = serializers.IntegerField(allow_null=True, help_text="被哪项政策替代")
    updated_at = serializers.DateTimeField()


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    full_name = serializers.CharField()
    level = serializers.ChoiceField(choices=RegionLevel.choices)
    parent = serializers.CharField(allow_null=True)
    area_codes = serializers.ListField(child=serializers.CharField(), help_text="电话区号，如 0759")


class RegionChild(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=RegionLevel.choices)


class RegionDetailSerializer(RegionSerializer):
    children = RegionChild(many=True)


def paginated(serializer: type[serializers.Serializer]) -> serializers.Serializer:
    return type(
        f"Paginated{serializer.__name__.removesuffix('Serializer')}List",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer(many=True),
        },
    )


def sync_page(serializer: type[serializers.Serializer]) -> serializers.Serializer:
    return type(
        f"Sync{serializer.__name__.removesuffix('Serializer')}Page",
        (serializers.Serializer,),
        {
            "next_cursor": serializers.CharField(help_text="下次同步时传入的游标"),
            "results": serializer(many=True, help_text="新发布或有变化的条目（完整内容）"),
            "removed": serializers.ListField(
                child=serializers.IntegerField(),
                help_text="已撤下的条目编号：客户端应删除它们（不受筛选条件限制）",
            ),
        },
    )
