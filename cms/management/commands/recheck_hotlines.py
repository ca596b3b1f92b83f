from django.core.management.base import BaseCommand

from cms.models import Job

from ._jobs import run_and_report


class Command(BaseCommand):
    help = "核查咨询电话：号码是否有效、区号与地区是否相符、是否仍在官方网页上、有无冲突、核实是否过期。"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="check every number, not only those due")
        parser.add_argument("--dry-run", action="store_true", help="check and report, change nothing")
        parser.add_argument("--offline", action="store_true", help="skip the official pages")

    def handle(self, *args, all, dry_run, offline, **options):
        run_and_report(self, Job.RECHECK_HOTLINES, dry_run=dry_run, all=all, pages=not offline)
