from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class CmsAdminSite(admin.AdminSite):
    """The admin whose landing page is the review queue of whoever logs in."""

    index_template = "admin/cms/queue_index.html"

    def index(self, request, extra_context=None):
        from cms.selectors import review_queue
        from cms.services.jobs import overdue_jobs

        extra_context = {
            **(extra_context or {}),
            "queue": review_queue(request.user),
            "overdue_jobs": overdue_jobs() if request.user.has_perm("cms.view_jobrun") else [],
        }
        return super().index(request, extra_context)


class CmsAdminConfig(AdminConfig):
    default_site = "cms.admin_site.CmsAdminSite"
