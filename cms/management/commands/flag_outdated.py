import datetime

from django.core.management.base import BaseCommand, CommandError

from cms.models import Job

from ._jobs import run_and_report


def day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"“{value}”不是 YYYY-MM-DD 格式的日期。") from exc


class Command(BaseCommand):
    help = "标记过时文章：所依据的政策已失效或被取代，或已到复核日期的已发布文章。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", metavar="DATE", help="the day to judge by (default: today in Beijing)")
        parser.add_argument("--dry-run", action="store_true", help="count, flag nothing")

    def handle(self, *args, as_of, dry_run, **options):
        run_and_report(self, Job.FLAG_OUTDATED, dry_run=dry_run, as_of=day(as_of) if as_of else None)
