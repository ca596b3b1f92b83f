from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from . import (  # noqa: F401  (registers the ModelAdmins)
    articles,
    checks,
    dumps,
    factchecks,
    hospitals,
    hotlines,
    jobs,
    policies,
    regions,
    sources,
)

admin.site.site_header = _("Medical insurance information: editorial desk")
admin.site.site_title = _("Medical insurance editorial desk")
admin.site.index_title = _("Editorial work")

# Strings of Django's admin templates that its own zh_Hans catalogue lacks; ours supplies them.
DJANGO_CATALOGUE_GAPS = [gettext_noop("Error:")]
