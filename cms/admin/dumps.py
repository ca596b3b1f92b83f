from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cms.models import Article, DumpImport


class ArticleInline(admin.TabularInline):
    model = Article
    fields = ["dump_position", "title", "original_date", "is_excerpt", "state"]
    readonly_fields = fields
    ordering = ["dump_position"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("articles from this dump")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DumpImport)
class DumpImportAdmin(admin.ModelAdmin):
    """Dumps are imported with `manage.py import_dump`; here they are only read."""

    list_display = ["filename", "main_title", "item_count", "imported_at", "imported_by"]
    search_fields = ["filename", "main_title", "sha256"]
    list_select_related = ["imported_by"]
    readonly_fields = ["filename", "sha256", "size", "main_title", "item_count", "imported_at", "imported_by"]
    inlines = [ArticleInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
