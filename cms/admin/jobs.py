"""Operators' view of the jobs: their schedules (django-celery-beat, with "run now"), every run with
its counts and errors, and what the hotline re-check found for each number."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from cms.models import JobRun, NumberCheck


class NumberCheckInline(admin.TabularInline):
    model = NumberCheck
    fields = ["number", "hotline", "kind", "outcome", "detail", "checked_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    ordering = ["subject", "kind"]

    def get_queryset(self, request):
        # The failures only: a run checks thousands of numbers.
        return super().get_queryset(request).exclude(outcome="pass").select_related("hotline")


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = [
        "job",
        "trigger",
        "status",
        "started_at",
        "finished_at",
        "examined",
        "changed",
        "error_count",
    ]
    list_filter = ["job", "status", "trigger", "dry_run"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in JobRun._meta.fields]
    inlines = [NumberCheckInline]

    @admin.display(description=_("errors"))
    def error_count(self, run: JobRun) -> int:
        return len(run.errors)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NumberCheck)
class NumberCheckAdmin(admin.ModelAdmin):
    list_display = ["number", "hotline", "kind", "outcome", "detail", "checked_at", "run"]
    list_filter = ["kind", "outcome", "run__job"]
    search_fields = ["number", "hotline__organisation"]
    list_select_related = ["hotline", "run"]
    readonly_fields = [f.name for f in NumberCheck._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class ScheduleAdmin(PeriodicTaskAdmin):
    """django-celery-beat's schedules, with a "run now" that starts a new, separately recorded run
    (its own "run selected tasks" would send the scheduled run, which is done once a day)."""

    actions = [*PeriodicTaskAdmin.actions, "run_now"]

    @admin.action(description=_("Run now (a new run, recorded as manual)"), permissions=["change"])
    def run_now(self, request, queryset):
        from workers.tasks import TASKS

        by_name = {task.name: task for task in TASKS.values()}
        sent = 0
        for schedule in queryset:
            task = by_name.get(schedule.task)
            if task is None:
                self.message_user(request, _("“%s” is not one of our jobs.") % schedule.task, messages.ERROR)
                continue
            task.apply_async(kwargs={"trigger": "manual"})
            sent += 1
        if sent:
            self.message_user(
                request,
                ngettext("%d job sent to the workers.", "%d jobs sent to the workers.", sent) % sent,
                messages.SUCCESS,
            )
