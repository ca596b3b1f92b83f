from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cms.models import Article

from .content import ContentAdmin
from .filters import ArticleProvinceFilter


@admin.register(Article)
class ArticleAdmin(ContentAdmin):
    list_display = ["title", "category", "state", "original_date", "is_excerpt", "dump", "updated_at"]
    list_filter = ["state", "category", "is_excerpt", ArticleProvinceFilter, "dump"]
    search_fields = ["title", "slug", "summary", "body"]
    autocomplete_fields = ["regions", "policies", "hotlines", "hospitals", "sources"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "state",
        "author",
        "dump",
        "dump_position",
        "original_date",
        "is_excerpt",
        "created_at",
        "updated_at",
    ]
    date_hierarchy = "updated_at"
    list_select_related = ["dump"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "category",
                    "summary",
                    "body",
                    "revision_message",
                    "expected_version",
                ]
            },
        ),
        (_("Links"), {"fields": ["regions", "policies", "hotlines", "hospitals", "sources"]}),
        (_("Review"), {"fields": ["state", "review_by", "author"]}),
        (
            _("Origin"),
            {
                "classes": ["collapse"],
                "fields": [
                    "dump",
                    "dump_position",
                    "original_date",
                    "is_excerpt",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
