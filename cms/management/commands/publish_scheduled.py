from django.core.management.base import BaseCommand

from cms.models import Job

from ._jobs import run_and_report


class Command(BaseCommand):
    help = "定时发布与撤下：发布到点的已批准内容，撤下到期的已发布内容。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args, dry_run, **options):
        run_and_report(self, Job.PUBLISH_SCHEDULED, dry_run=dry_run)
