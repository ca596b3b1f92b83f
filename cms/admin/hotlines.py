from django.contrib import admin

from cms.models import Hotline

from .filters import ProvinceFilter


@admin.register(Hotline)
class HotlineAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "purpose",
        "display_number",
        "extension",
        "region",
        "verification_status",
        "last_verified_at",
        "state",
    ]
    list_filter = ["verification_status", "purpose", "state", "kind", ProvinceFilter]
    search_fields = ["organisation", "number", "display_number", "region__name"]
    autocomplete_fields = ["region", "sources"]
    readonly_fields = ["display_number", "kind", "state", "created_at", "updated_at"]
    list_select_related = ["region"]
    fields = [
        "organisation",
        "purpose",
        "number",
        "display_number",
        "kind",
        "extension",
        "region",
        "service_hours",
        "sources",
        "verification_status",
        "last_verified_at",
        "next_check_at",
        "state",
        "created_at",
        "updated_at",
    ]
