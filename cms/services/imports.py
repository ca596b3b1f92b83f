"""Importing scraped dumps as draft articles."""

import hashlib
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.text import slugify

from cms.ingest.dumps import DumpItem, ParsedDump, parse_dump
from cms.models import Article, DumpImport
from cms.services.revisions import content_save


@dataclass(frozen=True)
class ImportResult:
    filename: str
    created: int
    existing: int  # items already imported, from this dump or another one
    already_imported: bool  # the very same file was imported before
    dropped_lines: int
    dump_id: int | None


class _DryRun(Exception):
    pass


def item_key(item: DumpItem) -> str:
    """Identity of an item across dumps: the same title and text is the same item."""
    return hashlib.sha256(f"{item.title}\x00{item.body}".encode()).hexdigest()


def import_slug(title: str, key: str) -> str:
    return f"{slugify(title, allow_unicode=True)[:120]}-{key[:10]}"


def dump_import(
    *, data: bytes, filename: str, user: AbstractBaseUser | None = None, dry_run: bool = False
) -> ImportResult:
    """Import one dump. Raises ``DumpFormatError`` (and writes nothing) for a file that is not a dump;
    importing the same file or the same items again creates nothing new."""
    digest = hashlib.sha256(data).hexdigest()
    parsed = parse_dump(data)
    previous = DumpImport.objects.filter(sha256=digest).first()
    if previous is not None:
        return ImportResult(
            filename=filename,
            created=0,
            existing=len(parsed.all_items),
            already_imported=True,
            dropped_lines=len(parsed.dropped_lines),
            dump_id=previous.pk,
        )
    try:
        with transaction.atomic():
            result = _write(parsed, data=data, digest=digest, filename=filename, user=user)
            if dry_run:
                raise _DryRun
    except _DryRun:
        return ImportResult(
            filename=filename,
            created=result.created,
            existing=result.existing,
            already_imported=False,
            dropped_lines=result.dropped_lines,
            dump_id=None,
        )
    return result


def _write(
    parsed: ParsedDump, *, data: bytes, digest: str, filename: str, user: AbstractBaseUser | None
) -> ImportResult:
    items = parsed.all_items
    dump = DumpImport(
        filename=filename,
        sha256=digest,
        size=len(data),
        main_title=(parsed.main or items[0]).title,
        item_count=len(items),
        imported_by=user,
    )
    dump.full_clean()
    dump.save()
    keys = {item_key(item): item for item in items}
    existing = set(Article.objects.filter(import_key__in=keys).values_list("import_key", flat=True))
    created = 0
    for key, item in keys.items():
        if key in existing:
            continue
        article = Article(
            title=item.title,
            slug=import_slug(item.title, key),
            body=item.body,
            original_date=item.date,
            is_excerpt=item.is_excerpt,
            dump=dump,
            dump_position=item.position,
            import_key=key,
            author=user,
        )
        content_save(item=article, user=user, expected_version=None, message=f"从 {filename} 导入")
        created += 1
    return ImportResult(
        filename=filename,
        created=created,
        existing=len(items) - created,
        already_imported=False,
        dropped_lines=len(parsed.dropped_lines),
        dump_id=dump.pk,
    )
