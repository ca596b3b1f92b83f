"""The curated vocabularies of ``data/terms.json``, loaded once."""

import functools
import json
import re
from pathlib import Path

TERMS_FILE = Path(__file__).resolve().parent / "data" / "terms.json"


@functools.cache
def terms() -> dict:
    return json.loads(TERMS_FILE.read_text(encoding="utf-8"))


def alternation(words: list[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
