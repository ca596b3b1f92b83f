from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import articles, dumps, hospitals, hotlines, policies, regions, sources  # noqa: F401  (registers the ModelAdmins)

admin.site.site_header = _("Medical insurance information: editorial desk")
admin.site.site_title = _("Medical insurance editorial desk")
admin.site.index_title = _("Editorial work")
