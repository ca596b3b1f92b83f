"""Chinese substring search without a word segmenter.

Every live row keeps, beside its lower-cased search text, the set of its Chinese characters and of
its pairs of adjacent Chinese characters (``search_tokens``). On PostgreSQL a generated ``tsvector``
of those tokens has a GIN index (migration 0011), so a term like 医保 is one index lookup: for a term
of one or two Chinese characters the tokens answer exactly; for a longer term they narrow the rows
down and a LIKE on the search text confirms the exact substring. Terms with no Chinese characters
are matched with LIKE alone (the trigram index of migration 0009 serves those of three characters
or more). SQLite, the embedded default, matches every term with LIKE.
"""

import re

CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def search_tokens(text: str) -> str:
    """The distinct Chinese characters of ``text`` and its pairs of adjacent ones, space-separated."""
    tokens: set[str] = set()
    for run in CHINESE.findall(text):
        tokens.update(run)
        tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(sorted(tokens))


def term_tokens(term: str) -> tuple[list[str], bool]:
    """The tokens every row containing ``term`` must have, and whether a LIKE must confirm the match
    (the tokens alone are exact only for a term that is one or two Chinese characters)."""
    tokens: list[str] = []
    for run in CHINESE.findall(term):
        tokens += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    exact = bool(CHINESE.fullmatch(term)) and len(term) <= 2
    return tokens, not exact
