"""Small helpers on Chinese text that keep character offsets intact."""

import re
from collections.abc import Iterator

# Full-width digits and punctuation to ASCII, one character for one, so offsets stay valid.
_FULL = "０１２３４５６７８９：（）＋．／—–－﹣"
_HALF = "0123456789:()+./----"
ASCII = str.maketrans(_FULL, _HALF)

CJK = "\u4e00-\u9fff"
SENTENCE_END = re.compile(r"[。！？!?；;\n]|\s{2,}")
# A sentence as the rules that look within one read it: a run between 。！？；and line ends.
SENTENCE = re.compile(r"[^。！？；;\n]+")
CLAUSE_END = re.compile(r"[。！？!?；;，,、\n]|\s{2,}")


def ascii_digits(text: str) -> str:
    return text.translate(ASCII)


def spans(text: str, boundary: re.Pattern[str] = SENTENCE_END) -> Iterator[tuple[int, int]]:
    """Non-empty stretches between boundaries, trimmed of surrounding space."""
    start = 0
    for match in boundary.finditer(text):
        end = match.end() if not match.group().isspace() else match.start()
        yield from _trimmed(text, start, end)
        start = match.end()
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end


def sentence_at(text: str, position: int) -> tuple[int, int]:
    for start, end in spans(text):
        if start <= position < end:
            return start, end
    return position, position


def lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every line, without its line break."""
    start = 0
    for line in text.split("\n"):
        yield start, start + len(line)
        start += len(line) + 1


def standalone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands alone: at a line start or after space or a sentence end, and
    followed by space, a line end or the end of the text."""
    before = text[start - 1] if start > 0 else "\n"
    after = text[end] if end < len(text) else "\n"
    return (before.isspace() or before in "。！？!?：:") and after.isspace()
