import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cms.ingest.dumps import DumpFormatError
from cms.services.imports import dump_import


class Command(BaseCommand):
    help = "导入抓取的文章导出文件（每条成为一篇草稿文章）。Import scraped dump files as draft articles."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="dump files to import")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--user", help="username recorded as importer and author")

    def handle(self, *args, files, dry_run, user, **options):
        importer = None
        if user:
            try:
                importer = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"用户“{user}”不存在。") from exc
        failed, imported, skipped, created, existing = [], 0, 0, 0, 0
        progress = tqdm(files, unit="个文件", file=sys.stderr, disable=None, leave=False)
        for name in progress:
            path = Path(name)
            progress.set_description(path.name)
            try:
                data = path.read_bytes()
            except OSError as exc:
                failed.append(name)
                self.stderr.write(self.style.ERROR(f"✗ {name}：无法读取文件（{exc.strerror}）"))
                continue
            try:
                result = dump_import(data=data, filename=path.name, user=importer, dry_run=dry_run)
            except DumpFormatError as exc:
                failed.append(name)
                self.stderr.write(self.style.ERROR(f"✗ {name}：{exc}"))
                continue
            if result.already_imported:
                skipped += 1
                progress.write(f"- {name}：已导入过，跳过")
                continue
            imported += 1
            created += result.created
            existing += result.existing
            progress.write(
                f"✓ {name}：新建 {result.created} 篇，已存在 {result.existing} 篇，"
                f"去除页面杂项 {result.dropped_lines} 行"
            )
        progress.close()
        verb = "将新建" if dry_run else "新建"
        summary = (
            f"共 {len(files)} 个文件：导入 {imported} 个，已导入过 {skipped} 个，失败 {len(failed)} 个；"
            f"{verb}文章 {created} 篇，已存在 {existing} 篇。"
        )
        if dry_run:
            summary += "（试运行，未写入任何内容）"
        self.stdout.write(summary)
        if failed:
            raise CommandError(f"{len(failed)} 个文件未能导入：{', '.join(failed)}")
