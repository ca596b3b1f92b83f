"""Running the checks: ``check_item`` for one item, ``check_collection`` for many at once (adding the
checks that compare items)."""

import datetime
from collections.abc import Sequence

from .collection import COLLECTION_RULES
from .context import Context
from .findings import FIELDS, Finding
from .items import CheckInput
from .rules import ITEM_RULES

__all__ = ["CheckInput", "check_collection", "check_item", "compare_items", "merge_findings"]


def _today(today: datetime.date | None) -> datetime.date:
    return today or datetime.date.today()  # noqa: DTZ011 - a calendar date, the reader's day in China


def _order(found: Finding) -> tuple:
    return (FIELDS.index(found.field), found.start, found.end, found.code)


def _add(findings: list[Finding], new: Finding) -> None:
    """Add ``new`` unless the same code already marks the same span."""
    if not any(
        f.code == new.code and f.field == new.field and f.start == new.start and f.end == new.end
        for f in findings
    ):
        findings.append(new)


def _run(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for rule in ITEM_RULES:
        for found in rule(ctx):
            _add(findings, found)
    return findings


def check_item(item: CheckInput, *, today: datetime.date | None = None) -> list[Finding]:
    """Every finding about one item, in text order. ``today`` decides which years have passed."""
    return sorted(_run(Context(item, _today(today))), key=_order)


def check_collection(
    items: Sequence[CheckInput], *, today: datetime.date | None = None
) -> dict[int, list[Finding]]:
    """Findings for each item (by its index in ``items``), including those that compare items: the
    same body under different titles, opposite answers to one question, different numbers for one
    organisation and purpose."""
    day = _today(today)
    contexts = [Context(item, day) for item in items]
    result = {index: _run(ctx) for index, ctx in enumerate(contexts)}
    for rule in COLLECTION_RULES:
        for index, found in rule(contexts):
            _add(result[index], found)
    return {index: sorted(found, key=_order) for index, found in result.items()}


def compare_items(contexts: Sequence[Context]) -> dict[int, list[Finding]]:
    """Only the findings that compare items (for each context, by its index), in text order: for a
    store that checks one item against those it shares a comparison key with."""
    result: dict[int, list[Finding]] = {index: [] for index in range(len(contexts))}
    for rule in COLLECTION_RULES:
        for index, found in rule(contexts):
            _add(result[index], found)
    return {index: sorted(found, key=_order) for index, found in result.items()}


def merge_findings(own: Sequence[Finding], compared: Sequence[Finding]) -> list[Finding]:
    """An item's own findings and those comparing it with others, as ``check_collection`` gives them."""
    findings = list(own)
    for found in compared:
        _add(findings, found)
    return sorted(findings, key=_order)
