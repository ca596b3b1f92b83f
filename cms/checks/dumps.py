"""Dump files as check inputs: every item of a scraped dump, without importing anything."""

from dataclasses import dataclass
from pathlib import Path

from cms.ingest.dumps import DumpItem, parse_dump

from .items import CheckInput


@dataclass(frozen=True)
class DumpEntry:
    file: str
    item: DumpItem
    input: CheckInput


def dump_inputs(path: Path, data: bytes | None = None) -> list[DumpEntry]:
    """The items of one dump as ``CheckInput``s (plain text, no sources). Raises ``DumpFormatError``."""
    parsed = parse_dump(path.read_bytes() if data is None else data)
    return [
        DumpEntry(
            file=path.name,
            item=item,
            input=CheckInput(
                kind="article",
                title=item.title,
                body=item.body,
                date=item.date,
                is_excerpt=item.is_excerpt,
                label=f"{path.name}: {item.title}",
            ),
        )
        for item in parsed.all_items
    ]
