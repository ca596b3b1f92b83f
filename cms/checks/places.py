"""Regions named in a text (湛江吴川 → 湛江市, 湛江市吴川市), resolved against the region table."""

from dataclasses import dataclass

from cms.verification.rules import COUNTY, PREFECTURE, PROVINCE, RegionTable, region_table

from .terms import terms

# A short name followed by these is a street or a building, not the region (银河北路, 延安路).
_STREET = frozenset("路街巷道桥里")
# Everyday words: a short name that straddles one is a segmentation accident (医保定点 is not 保定,
# 民营口腔 is not 营口).
_WORDS = frozenset(terms()["common_words"])


def _straddles_word(text: str, start: int, end: int, name: str) -> bool:
    before = text[start - 1] + name[0] if start > 0 else ""
    after = name[-1] + text[end] if end < len(text) else ""
    return (before in _WORDS and before != name) or (after in _WORDS and after != name)


# What follows a place name when it names a place (吴川医保, 吴川人民医院): a county's short name so
# followed counts without its city, if no other division has that short name.
_PLACE_FOLLOWERS = (
    "医保",
    "社保",
    "医疗",
    "人民医院",
    "中医院",
    "医院",
    "卫健",
    "人社",
    "政府",
    "地区",
    "本地",
    "当地",
    "市民",
    "职工",
    "居民",
    "城乡",
    "灵活就业",
    "参保",
    "门诊",
    "住院",
    "异地",
    "生育",
    "慢特病",
    "补牙",
    "拔牙",
    "种植牙",
    "口腔",
    "个人账户",
)
_LEVEL_RANK = {PROVINCE: 0, PREFECTURE: 1, COUNTY: 2}


@dataclass(frozen=True)
class Place:
    start: int
    end: int
    name: str  # as written
    code: str


def find_places(text: str, context: tuple[str, ...] = (), table: RegionTable | None = None) -> list[Place]:
    """Every region named in ``text``. A county's short name (吴川) counts only next to its city or
    province (湛江吴川, or a record of 湛江); a name shared by several divisions (新城区, 海州区) is
    kept only when the context says which one is meant."""
    table = table or region_table()
    raw = table.scan(text)
    known = set(context)
    for _start, _end, entries in raw:
        if len({e.code for e in entries}) == 1 and not entries[0].needs_context:
            known.add(entries[0].code)  # names that can mean one division only set the context

    def in_context(code: str) -> bool:
        return any(r.code in known for r in table.chain(code))

    def names_a_place(start: int, end: int, entries) -> bool:
        return len({e.code for e in entries}) == 1 and text.startswith(_PLACE_FOLLOWERS, end)

    places = []
    for start, end, entries in raw:
        accident = (end < len(text) and text[end] in _STREET) or _straddles_word(
            text, start, end, text[start:end]
        )
        candidates = [
            e
            for e in entries
            if (not e.needs_context or in_context(e.code) or names_a_place(start, end, entries))
            and not (e.short and accident)
        ]
        if len(candidates) > 1:
            near = [e for e in candidates if in_context(e.code)]
            candidates = near or candidates
        if len(candidates) > 1:
            full = [e for e in candidates if not e.short]
            candidates = full or candidates
        codes = sorted({e.code for e in candidates}, key=lambda c: _LEVEL_RANK[table.get(c).level])
        if (
            len(codes) > 1
            and _LEVEL_RANK[table.get(codes[0]).level] == _LEVEL_RANK[table.get(codes[1]).level]
        ):
            continue  # still ambiguous: leave it out rather than guess
        if codes:
            places.append(Place(start, end, text[start:end], codes[0]))
    return places


def most_specific(codes: list[str], table: RegionTable | None = None) -> list[str]:
    """Drop codes that are ancestors of other codes in the list: [湛江市, 吴川市] → [吴川市]."""
    table = table or region_table()
    unique = list(dict.fromkeys(codes))
    return [c for c in unique if not any(o != c and table.is_within(o, c) for o in unique)]
