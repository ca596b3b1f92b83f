import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cms.checks import check_collection
from cms.checks.dumps import dump_inputs
from cms.ingest.dumps import DumpFormatError
from cms.services.checks import check_stored, stored_inputs


class Command(BaseCommand):
    help = (
        "对导出文件（不导入）或已存储的内容运行内容检查。"
        "Run the content checks on dump files (without importing them) or on stored content."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", metavar="FILE", help="dump files to check")
        parser.add_argument(
            "--all", action="store_true", help="check every stored article, hotline and hospital"
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--as-of", help="the day the check runs on, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--store",
            action="store_true",
            help="with --all: also store the findings on each item's current revision, as a save does",
        )

    def handle(self, *args, files, all, format, as_of, store, **options):
        if bool(files) == bool(all):
            raise CommandError("请给出要检查的导出文件，或者用 --all 检查已存储的内容（二者选一）。")
        if store and not all:
            raise CommandError("--store 只能与 --all 一起使用：导出文件不会被保存。")
        today = self._day(as_of)
        if store:
            checked = check_stored(today=today)
            self.stderr.write(f"已保存 {checked} 条内容当前版本的检查结果。")
        if all:
            labelled = [(None, stored.input) for stored in stored_inputs()]
        else:
            labelled = []
            for name in files:
                labelled.extend((name, entry.input) for entry in self._dump(name))
        results = check_collection([item for _file, item in labelled], today=today)
        rows = []
        for index, (file, item) in enumerate(labelled):
            for found in results[index]:
                row = {"file": file} if file is not None and not all else {}
                if all:
                    row.update({"kind": item.kind, "id": item.label})
                row.update({"item": item.title, **found.as_dict()})
                rows.append(row)
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            self._text(rows, len(labelled))

    def _day(self, as_of: str | None) -> datetime.date:
        if not as_of:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(as_of)
        except ValueError as exc:
            raise CommandError(f"--as-of 应为 YYYY-MM-DD 格式的日期，而不是“{as_of}”。") from exc

    def _dump(self, name: str):
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{name}：无法读取文件（{exc.strerror}）。") from exc
        try:
            return dump_inputs(path, data)
        except DumpFormatError as exc:
            raise CommandError(f"{name}：不是可识别的导出文件：{exc}") from exc

    def _text(self, rows: list[dict], items: int) -> None:
        current = None
        for row in rows:
            heading = f"{row.get('file') or row.get('kind')}: {row['item']}"
            if heading != current:
                self.stdout.write(heading)
                current = heading
            where = f"{row['field']}[{row['start']}:{row['end']}]"
            shown = row["quote"].replace("\n", "⏎")
            quote = f" “{shown[:60]}{'…' if len(shown) > 60 else ''}”" if shown else ""
            self.stdout.write(f"  {row['severity']:<7} {row['code']:<26} {where}{quote}  {row['message']}")
        counts = {s: sum(1 for r in rows if r["severity"] == s) for s in ("error", "warning", "info")}
        self.stdout.write(
            f"共检查 {items} 条：错误 {counts['error']}，警告 {counts['warning']}，提示 {counts['info']}。"
        )
