from django.contrib import admin

from policies.models import Policy

from .filters import ProvinceFilter


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "document_number",
        "issuing_authority",
        "region",
        "effective_from",
        "effective_to",
        "superseded_by",
    ]
    list_filter = [ProvinceFilter, "effective_to"]
    search_fields = ["title", "document_number", "issuing_authority"]
    autocomplete_fields = ["region", "superseded_by", "source"]
    list_select_related = ["region", "superseded_by"]
    readonly_fields = ["created_at", "updated_at"]
