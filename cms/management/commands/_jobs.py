"""What the job commands share: run the job as a recorded run and print its outcome."""

from django.core.management.base import CommandError

from cms.models import RunStatus, Trigger
from cms.services import jobs


def run_and_report(command, job: str, *, dry_run: bool, **options) -> None:
    try:
        run = jobs.run_job(job, trigger=Trigger.COMMAND, dry_run=dry_run, **options)
    except jobs.JobBusy as exc:
        raise CommandError("这个任务正在别处运行，请稍后再试。") from exc
    prefix = "（试运行，未写入）" if dry_run else ""
    command.stdout.write(
        f"{prefix}{run.get_job_display()}：检查 {run.examined} 项，"
        f"{'将改变' if dry_run else '改变'} {run.changed} 项。运行记录 #{run.pk}。"
    )
    for key, value in run.summary.items():
        command.stdout.write(f"  {key}: {value}")
    if run.status != RunStatus.SUCCEEDED:
        raise CommandError("；".join(run.errors) or run.get_status_display())
