from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cms.models import Region, RegionAreaCode


class AreaCodeInline(admin.TabularInline):
    model = RegionAreaCode
    extra = 0


class ChildInline(admin.TabularInline):
    model = Region
    fk_name = "parent"
    fields = ["code", "name", "level"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("divisions under this one")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "area_code_list"]
    list_filter = ["level"]
    search_fields = ["code", "name", "full_name"]
    autocomplete_fields = ["parent"]
    inlines = [AreaCodeInline, ChildInline]
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent").prefetch_related("area_codes")

    @admin.display(description=_("area codes"))
    def area_code_list(self, obj):
        return "、".join(str(code) for code in obj.area_codes.all())
