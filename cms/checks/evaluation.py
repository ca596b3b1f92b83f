"""How well the checks find what a fact-checker marks: precision and recall per code against labelled
dumps (pure: no database).

A label file names a dump and, for each of its items (by title), the findings expected in it as
``{code, quote, field, occurrence}``. A finding the checks report matches an expected one when it has
the same code, in the same item and field, and their spans overlap (item-level findings, which have
empty spans, match by code alone). Each expected finding is matched at most once.
"""

import datetime
import json
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .dumps import DumpEntry, dump_inputs
from .engine import check_collection
from .findings import CODES, ITEM_CODES, Finding

ROOT = Path(__file__).resolve().parent.parent.parent
LABELS_DIR = Path(__file__).resolve().parent / "data" / "labels"
SYNTHETIC_DIR = Path(__file__).resolve().parent / "data" / "synthetic"
HELDOUT_DIR = Path(__file__).resolve().parent / "data" / "heldout"
SECOND_DIR = Path(__file__).resolve().parent / "data" / "second"

# The targets of the issue: over all codes, and for every code on its own.
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.90
TARGET_PER_CODE = 0.80
TARGET_SECONDS = 1.0


class LabelError(ValueError):
    """A label file that does not fit its dump (an unknown title, a quote not in the text)."""


@dataclass(frozen=True)
class Expected:
    file: str
    title: str
    code: str
    field: str
    start: int
    end: int
    quote: str


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def add(self, other: "Score") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn


@dataclass
class Report:
    per_code: dict[str, Score]
    seconds: float  # parsing and checking every dump of the set, cold
    files: list[str]
    items: int
    false_positives: list[tuple[str, str, Finding]] = field(default_factory=list)
    false_negatives: list[Expected] = field(default_factory=list)

    def overall(self, *, text_only: bool = False) -> Score:
        total = Score()
        for code, score in self.per_code.items():
            if not (text_only and code in ITEM_CODES):
                total.add(score)
        return total

    def failures(self) -> list[str]:
        """What misses the targets, in words; empty when every target is met."""
        problems = []
        for name, score in (
            ("overall", self.overall()),
            ("overall (text codes)", self.overall(text_only=True)),
        ):
            if (score.recall or 0) < TARGET_RECALL:
                problems.append(f"{name}: recall {_pct(score.recall)} < {TARGET_RECALL:.0%}")
            if (score.precision or 0) < TARGET_PRECISION:
                problems.append(f"{name}: precision {_pct(score.precision)} < {TARGET_PRECISION:.0%}")
        for code, score in sorted(self.per_code.items()):
            for what, value in (("precision", score.precision), ("recall", score.recall)):
                if value is not None and value < TARGET_PER_CODE:
                    problems.append(f"{code}: {what} {_pct(value)} < {TARGET_PER_CODE:.0%}")
        if self.seconds >= TARGET_SECONDS:
            problems.append(f"checking took {self.seconds:.2f} s ≥ {TARGET_SECONDS:.0f} s")
        return problems

    def table(self) -> str:
        rows = [f"{'code':<26}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>9}"]
        rows.append("-" * len(rows[0]))
        for code in CODES:
            score = self.per_code.get(code, Score())
            rows.append(_row(code, score))
        rows.append("-" * len(rows[0]))
        rows.append(_row("overall", self.overall()))
        rows.append(_row("overall (text codes)", self.overall(text_only=True)))
        rows.append("")
        rows.append(
            f"{len(self.files)} dumps, {self.items} items; checking one collection took at most "
            f"{self.seconds * 1000:.0f} ms (parse + all checks, first run in this process)."
        )
        return "\n".join(rows)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _row(name: str, score: Score) -> str:
    return (
        f"{name:<26}{score.tp:>5}{score.fp:>5}{score.fn:>5}{_pct(score.precision):>11}{_pct(score.recall):>9}"
    )


def default_collections(
    *, synthetic: bool = False, heldout: bool = False, second: bool = False
) -> list[list[Path]]:
    """The label files to score, grouped into collections checked together: the three sample dumps
    (``second``: as the second labeller marked them, instead), and each synthetic (``synthetic``) and
    held-out (``heldout``) dump on its own."""
    collections = [sorted((SECOND_DIR if second else LABELS_DIR).glob("*.json"))]
    if synthetic:
        collections.extend([path] for path in sorted(SYNTHETIC_DIR.glob("*.json")))
    if heldout:
        collections.extend([path] for path in sorted(HELDOUT_DIR.glob("*.json")))
    return collections


def load_labels(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    dump = Path(data["dump"])
    for base in (path.parent, ROOT):
        if (base / dump).exists():
            data["dump_path"] = base / dump
            break
    else:
        data["dump_path"] = dump if dump.is_absolute() else ROOT / dump
    return data


def expected_findings(labels: dict, entries: list[DumpEntry]) -> list[Expected]:
    """Resolve each labelled quote to its span in the item's text."""
    by_title = {entry.item.title: entry for entry in entries}
    found = []
    for labelled in labels["items"]:
        entry = by_title.get(labelled["title"])
        if entry is None:
            raise LabelError(f"{labels['dump']}: no item titled “{labelled['title']}”")
        for spec in labelled["findings"]:
            code, quote = spec["code"], spec["quote"]
            if code not in CODES:
                raise LabelError(f"{labels['dump']}: unknown code {code!r}")
            if code in ITEM_CODES or not quote:
                found.append(Expected(entry.file, entry.item.title, code, "title", 0, 0, ""))
                continue
            field_name = spec.get("field", "body")
            text = entry.input.text(field_name)
            starts = _occurrences(text, quote)
            if not starts:
                raise LabelError(
                    f"{labels['dump']} / {labelled['title']}: “{quote}” is not in the {field_name}"
                )
            occurrence = spec.get("occurrence", 1)
            chosen = starts if occurrence == "all" else [starts[int(occurrence) - 1]]
            for start in chosen:
                found.append(
                    Expected(entry.file, entry.item.title, code, field_name, start, start + len(quote), quote)
                )
    return found


def _occurrences(text: str, quote: str) -> list[int]:
    starts, position = [], text.find(quote)
    while position >= 0:
        starts.append(position)
        position = text.find(quote, position + 1)
    return starts


def _overlaps(expected: Expected, finding: Finding) -> bool:
    if expected.field != finding.field:
        return False
    if expected.start == expected.end or finding.start == finding.end:
        return expected.start == expected.end and finding.start == finding.end
    return expected.start < finding.end and finding.start < expected.end


def evaluate(label_files: Sequence[Path], *, today: datetime.date | None = None) -> Report:
    """Check every labelled dump together (as one collection) and score the findings per code."""
    label_sets = [load_labels(path) for path in label_files]
    started = time.perf_counter()
    entries: list[DumpEntry] = []
    for labels in label_sets:
        entries.extend(dump_inputs(labels["dump_path"]))
    days = {labels.get("as_of") for labels in label_sets}
    as_of = today or (
        datetime.date.fromisoformat(days.pop()) if len(days) == 1 and None not in days else None
    )
    results = check_collection([entry.input for entry in entries], today=as_of)
    seconds = time.perf_counter() - started

    expected_by_item: dict[tuple[str, str], list[Expected]] = defaultdict(list)
    for labels in label_sets:
        file_entries = [e for e in entries if e.file == labels["dump_path"].name]
        for expected in expected_findings(labels, file_entries):
            expected_by_item[(expected.file, expected.title)].append(expected)
    labelled_items = {
        (labels["dump_path"].name, t["title"]) for labels in label_sets for t in labels["items"]
    }

    report = Report(per_code={code: Score() for code in CODES}, seconds=seconds, files=[], items=len(entries))
    report.files = [labels["dump"] for labels in label_sets]
    for index, entry in enumerate(entries):
        key = (entry.file, entry.item.title)
        if key not in labelled_items:
            continue  # an item nobody labelled cannot be scored
        _score_item(report, entry, expected_by_item.get(key, []), results[index])
    return report


def _score_item(report: Report, entry: DumpEntry, expected: list[Expected], predicted: list[Finding]) -> None:
    used: set[int] = set()
    for wanted in sorted(expected, key=lambda e: (e.code, e.field, e.start)):
        match = next(
            (
                n
                for n, found in enumerate(predicted)
                if n not in used and found.code == wanted.code and _overlaps(wanted, found)
            ),
            None,
        )
        if match is None:
            report.per_code[wanted.code].fn += 1
            report.false_negatives.append(wanted)
        else:
            used.add(match)
            report.per_code[wanted.code].tp += 1
    for n, found in enumerate(predicted):
        if n not in used:
            report.per_code[found.code].fp += 1
            report.false_positives.append((entry.file, entry.item.title, found))


def merge(reports: Sequence[Report]) -> Report:
    """Several collections scored separately (cross-item checks stay within each), added up."""
    total = Report(per_code={code: Score() for code in CODES}, seconds=0.0, files=[], items=0)
    for report in reports:
        for code, score in report.per_code.items():
            total.per_code[code].add(score)
        total.seconds = max(total.seconds, report.seconds)
        total.files += report.files
        total.items += report.items
        total.false_positives += report.false_positives
        total.false_negatives += report.false_negatives
    return total
