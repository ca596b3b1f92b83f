"""Runs of the verification jobs, and what the hotline re-check found for each number."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Job(models.TextChoices):
    RECHECK_HOTLINES = "recheck_hotlines", _("Re-check hotlines")
    FLAG_OUTDATED = "flag_outdated", _("Flag outdated articles")
    PUBLISH_SCHEDULED = "publish_scheduled", _("Scheduled publishing")


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    MANUAL = "manual", _("Run now (admin)")
    COMMAND = "command", _("Command line")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (already running)")


class JobRun(models.Model):
    """One run of a job. ``key`` makes a run happen once: a re-delivered task or a second beat finds
    the run with its key and does not do the work again."""

    job = models.CharField(_("job"), max_length=32, choices=Job.choices)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    key = models.CharField(_("run key"), max_length=100)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    examined = models.PositiveIntegerField(_("items examined"), default=0)
    changed = models.PositiveIntegerField(_("items changed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["job", "key"], name="jobrun_once_per_key")]
        indexes = [models.Index(fields=["job", "status", "-finished_at"], name="jobrun_last_success")]

    def __str__(self) -> str:
        return f"{self.get_job_display()} {self.started_at:%Y-%m-%d %H:%M}"


class CheckKind(models.TextChoices):
    VALIDITY = "validity", _("Valid number")
    REGION = "region", _("Area code matches the region")
    SOURCE = "source", _("Still on the official page")
    CONFLICT = "conflict", _("No conflicting record")
    STALENESS = "staleness", _("Verified recently")


class CheckOutcome(models.TextChoices):
    PASS = "pass", _("Passed")
    FAIL = "fail", _("Failed")
    TRANSIENT = "transient", _("Could not check (network)")
    SKIPPED = "skipped", _("Not checked")


class NumberCheck(models.Model):
    """The result of one check of one number in one run. ``subject`` names the number (a hotline, or
    a hospital's phone) and, for source checks, the page; a run stores each once."""

    # A re-check writes five rows per number, half a million a night: no foreign-key triggers (the
    # ORM still deletes a run's, a hotline's or a hospital's checks with it) and no index the
    # composite ones below already give.
    run = models.ForeignKey(
        JobRun,
        verbose_name=_("run"),
        on_delete=models.CASCADE,
        related_name="checks",
        db_constraint=False,
        db_index=False,
    )
    subject = models.CharField(_("subject"), max_length=100)
    hotline = models.ForeignKey(
        "cms.Hotline",
        verbose_name=_("hotline"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
    )
    hospital = models.ForeignKey(
        "cms.Hospital",
        verbose_name=_("hospital"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
    )
    number = models.CharField(_("number"), max_length=32)
    kind = models.CharField(_("check"), max_length=16, choices=CheckKind.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CheckOutcome.choices)
    detail = models.TextField(_("detail"), blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        verbose_name = _("number check")
        verbose_name_plural = _("number checks")
        ordering = ["-checked_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "subject", "kind"], name="numbercheck_once_per_run")
        ]
        indexes = [
            models.Index(fields=["hotline", "kind", "-checked_at"], name="numbercheck_history"),
            models.Index(
                fields=["hospital", "-checked_at"],
                name="numbercheck_hospital",
                condition=models.Q(hospital__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}：{self.get_outcome_display()}"


class NumberState(models.Model):
    """Where a number stands between runs: transient failures in a row and since when, so that one
    network failure is not taken for evidence against it."""

    subject = models.CharField(_("subject"), max_length=100, unique=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    last_outcome = models.CharField(_("last outcome"), max_length=16, choices=CheckOutcome.choices)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("number state")
        verbose_name_plural = _("number states")

    def __str__(self) -> str:
        return self.subject
