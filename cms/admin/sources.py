from django.contrib import admin

from cms.models import Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "is_official", "last_checked_at", "last_http_status"]
    list_filter = ["is_official", "last_http_status"]
    search_fields = ["title", "url", "publisher"]
    readonly_fields = ["created_at", "updated_at"]
