from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from cms.models import FactCheck, Flag
from cms.services.factchecks import factcheck_record

EVIDENCE = [
    "subject",
    "claim",
    "verdict",
    "correction",
    "method",
    "source",
    "document_number",
    "called_at",
    "person_reached",
    "note",
]


@admin.register(FactCheck)
class FactCheckAdmin(admin.ModelAdmin):
    """Fact-checks are recorded (``?hotline=ID`` and the like pre-select the item) and then only read."""

    list_display = ["checked_at", "item", "subject", "verdict", "method", "checked_by"]
    list_filter = ["verdict", "subject", "method"]
    search_fields = ["claim", "note", "person_reached", "document_number"]
    autocomplete_fields = ["article", "hospital", "hotline", "source"]
    list_select_related = ["article", "hospital", "hotline", "checked_by"]
    fields = ["article", "hospital", "hotline", *EVIDENCE]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=FactCheck._meta.get_field("article").verbose_name)
    def item(self, obj):
        return obj.item

    def save_model(self, request, obj, form, change):
        evidence = {name: getattr(obj, name) for name in EVIDENCE}
        check = factcheck_record(item=obj.item, user=request.user, **evidence)
        obj.pk = check.pk
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        item = obj.item
        return HttpResponseRedirect(reverse(f"admin:cms_{item._meta.model_name}_history", args=[item.pk]))


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["created_at", "item", "kind", "public_reason", "resolved_at"]
    list_filter = ["kind", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["public_reason", "detail"]
    list_select_related = ["article", "hospital", "hotline"]
    readonly_fields = [
        "article",
        "hospital",
        "hotline",
        "kind",
        "key",
        "public_reason",
        "detail",
        "created_at",
        "resolved_at",
    ]

    @admin.display(description=Flag._meta.get_field("article").verbose_name)
    def item(self, obj):
        return obj.item

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
