from django.contrib import admin

from cms.models import Hotline

from .content import ContentAdmin
from .filters import ProvinceFilter


@admin.register(Hotline)
class HotlineAdmin(ContentAdmin):
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
    # Verification is recorded as fact-checks (and by the re-check jobs), never typed in.
    readonly_fields = [
        "display_number",
        "kind",
        "state",
        "verification_status",
        "last_verified_at",
        "next_check_at",
        "created_at",
        "updated_at",
    ]
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
        "revision_message",
        "expected_version",
    ]
