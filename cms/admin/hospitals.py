from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cms.models import Hospital, HospitalPhone

from .content import ContentAdmin, ContentForm
from .filters import ProvinceFilter


class LinesField(forms.CharField):
    """A list of strings edited as one entry per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]


class HospitalForm(ContentForm):
    aliases = LinesField(label=_("aliases"), required=False, help_text=_("One per line."))

    class Meta:
        model = Hospital
        fields = "__all__"


class HospitalPhoneInline(admin.TabularInline):
    model = HospitalPhone
    fields = ["label", "number", "display_number", "extension", "kind"]
    readonly_fields = ["display_number", "kind"]
    extra = 1


@admin.register(Hospital)
class HospitalAdmin(ContentAdmin):
    form = HospitalForm
    list_display = ["name", "region", "level", "kind", "designated", "verification_status", "state"]
    list_filter = ["level", "kind", "designated", "verification_status", "state", ProvinceFilter]
    search_fields = ["name", "aliases", "address", "region__name"]
    autocomplete_fields = ["region", "sources"]
    readonly_fields = ["state", "verification_status", "last_verified_at", "created_at", "updated_at"]
    list_select_related = ["region"]
    inlines = [HospitalPhoneInline]
    fields = [
        "name",
        "aliases",
        "region",
        "level",
        "kind",
        "address",
        "departments",
        "designated",
        "sources",
        "verification_status",
        "last_verified_at",
        "state",
        "created_at",
        "updated_at",
        "revision_message",
        "expected_version",
    ]
