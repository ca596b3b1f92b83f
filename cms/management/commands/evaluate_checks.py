import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.checks.evaluation import LabelError, default_collections, evaluate, merge
from cms.ingest.dumps import DumpFormatError


class Command(BaseCommand):
    help = (
        "用标注过的导出文件评估内容检查：按检查代码输出精确率和召回率。"
        "Score the content checks against labelled dumps: precision and recall per code."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--labels",
            nargs="+",
            metavar="FILE",
            help="label files, checked as one collection (default: cms/checks/data/labels/*.json)",
        )
        parser.add_argument(
            "--synthetic",
            action="store_true",
            help="also score the synthetic dump in cms/checks/data/synthetic/",
        )
        parser.add_argument(
            "--heldout",
            action="store_true",
            help="also score the dumps written and labelled blind, in cms/checks/data/heldout/",
        )
        parser.add_argument(
            "--second",
            action="store_true",
            help="score the sample dumps against the second labeller's labels (cms/checks/data/second/)",
        )
        parser.add_argument("--strict", action="store_true", help="exit non-zero when a target is missed")
        parser.add_argument("--details", action="store_true", help="list every false positive and negative")

    def handle(self, *args, labels, synthetic, heldout, second, strict, details, **options):
        collections = (
            [[Path(name) for name in labels]]
            if labels
            else default_collections(synthetic=synthetic, heldout=heldout, second=second)
        )
        missing = [str(f) for files in collections for f in files if not f.is_file()]
        if missing:
            raise CommandError(f"找不到标注文件：{', '.join(missing)}")
        try:
            report = merge([evaluate(files) for files in collections])
        except (LabelError, DumpFormatError, OSError, ValueError) as exc:
            raise CommandError(f"标注或导出文件有误：{exc}") from exc
        self.stdout.write(report.table())
        if details:
            for file, title, found in report.false_positives:
                self.stdout.write(
                    f"FP {found.code:<26}{file} / {title} / {found.field}: “{found.quote[:60]}”"
                )
            for expected in report.false_negatives:
                self.stdout.write(
                    f"FN {expected.code:<26}{expected.file} / {expected.title} / {expected.field}: "
                    f"“{expected.quote[:60]}”"
                )
        failures = report.failures()
        if failures:
            self.stdout.write("未达到目标 (targets missed):\n  " + "\n  ".join(failures))
            if strict:
                sys.stdout.flush()
                raise CommandError(f"{len(failures)} 项未达到目标。")
        else:
            self.stdout.write("全部达到目标 (all targets met).")
