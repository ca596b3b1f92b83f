"""Does a hotline's number still appear on its cited source page, near the organisation's name?
(Pure: no database, no network; the page comes from ``cms.verification.fetcher``.)

A number is found in any of the forms Chinese pages write it in — 0759-5586822, (0759)5586822,
07595586822, +86 759 558 6822, full-width digits, a subscriber number without its area code — but never
as part of a longer run of digits. A short service number (12393) must stand alone as a token. The
organisation's name is matched leniently: the place may lose its 市 / 省 / 区 / 县, and the usual
abbreviations stand for the long forms (吴川医保局 for 吴川市医疗保障局).
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

import lxml.html
from lxml import etree

from cms.verification.phones import KIND_FIXED, KIND_SHORT, Phone, parse_phone

FOUND_NEAR_ORGANISATION = "found_near_organisation"
FOUND = "found"
ABSENT = "absent"

FORM_FULL = "full"  # with its area code or as a complete mobile / 400 number
FORM_INTERNATIONAL = "international"  # +86 …
FORM_LOCAL = "local"  # a landline's subscriber number without its area code
FORM_SHORT = "short"  # 12393, 12345 …

QUOTE_MARGIN = 30  # characters of context either side of a quote

_DROPPED_ELEMENTS = ("script", "style", "noscript", "template", "iframe", "object", "svg")
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−﹣－", "-"))
_SEP = r"[ .\-]{0,3}"  # between digits: spaces, dots, dashes (at most " - ")
_INTERNATIONAL = r"(?:\+ ?|00 ?)86[ \-]{0,3}"
_PLACE = re.compile(r"(.{2,7}?)(特别行政区|自治区|自治州|自治县|地区|新区|省|市|州|盟|区|县|旗)")
_NOT_A_PLACE = re.compile(r"[局委办厅院所站处会心队部]")
# Long forms and the abbreviations pages use for them.
_ABBREVIATIONS = (
    ("人力资源和社会保障", "人社"),
    ("人力资源社会保障", "人社"),
    ("医疗保障", "医保"),
    ("医疗保险", "医保"),
    ("社会保险", "社保"),
    ("卫生健康委员会", "卫健委"),
    ("卫生和计划生育委员会", "卫计委"),
    ("市场监督管理", "市场监管"),
)


@dataclass(frozen=True)
class NumberMatch:
    start: int  # offsets into ``PresenceResult.text``
    end: int
    text: str  # the number as the page writes it
    form: str
    organisation_distance: int | None  # characters between it and the nearest mention of the organisation
    near_organisation: bool
    quote: str


@dataclass(frozen=True)
class PresenceResult:
    status: str  # FOUND_NEAR_ORGANISATION, FOUND or ABSENT
    matches: tuple[NumberMatch, ...]
    organisation_found: bool  # the organisation is named anywhere on the page
    quote: str  # the context of the best match; empty when absent
    text: str  # the page as plain, normalised text

    @property
    def found(self) -> bool:
        return self.status != ABSENT

    @property
    def near_organisation(self) -> bool:
        return self.status == FOUND_NEAR_ORGANISATION


def page_text(html: str) -> str:
    """The visible text of an HTML (or plain-text) page, NFKC-normalised, whitespace collapsed."""
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html or "")  # lxml refuses str with an encoding declaration
    if not html.strip():
        return ""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return normalise_text(html)
    etree.strip_elements(root, *_DROPPED_ELEMENTS, with_tail=False)
    return normalise_text(" ".join(root.itertext()))


def normalise_text(text: str) -> str:
    """Full-width digits, letters and brackets to ASCII, every dash to ``-``, whitespace to one space."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class PageText:
    """A page's visible text (``page_text``), made once and searched for each number that cites it."""

    text: str

    @classmethod
    def of(cls, html: str) -> "PageText":
        return cls(page_text(html))


def number_on_page(
    text: "str | PageText", phone: Phone | str, organisation: str, *, window: int = 200
) -> PresenceResult:
    """Look for ``phone`` in the page ``text`` (HTML or plain, or a ``PageText`` already made from it)
    and for ``organisation`` within ``window`` characters of it. ``phone`` may be a parsed ``Phone``
    or a string ``parse_phone`` accepts."""
    if isinstance(phone, str):
        phone = parse_phone(phone)
    plain = text.text if isinstance(text, PageText) else page_text(text)
    spans = _number_spans(plain, phone)
    org_spans = (
        [m.span() for m in _organisation_pattern(organisation).finditer(plain)] if organisation else []
    )

    matches = []
    for start, end, form in spans:
        distance = min((_gap((start, end), org) for org in org_spans), default=None)
        near = distance is not None and distance <= window
        lo, hi = start, end
        if near:
            org = min(org_spans, key=lambda span: _gap((start, end), span))
            lo, hi = min(lo, org[0]), max(hi, org[1])
        quote = plain[max(0, lo - QUOTE_MARGIN) : hi + QUOTE_MARGIN].strip()
        matches.append(NumberMatch(start, end, plain[start:end], form, distance, near, quote))

    best = next((m for m in matches if m.near_organisation), matches[0] if matches else None)
    if best is None:
        status = ABSENT
    else:
        status = FOUND_NEAR_ORGANISATION if best.near_organisation else FOUND
    return PresenceResult(
        status=status,
        matches=tuple(matches),
        organisation_found=bool(org_spans),
        quote=best.quote if best else "",
        text=plain,
    )


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, b[0] - a[1], a[0] - b[1])


def _digits(digits: str) -> str:
    return _SEP.join(digits)


def _number_spans(text: str, phone: Phone) -> list[tuple[int, int, str]]:
    if phone.kind == KIND_SHORT:
        # Alone: not inside a longer run of digits, nor joined to one by a dash.
        pattern = re.compile(rf"(?<!\d)(?<!\d-){re.escape(phone.number)}(?!-?\d)")
        return [(m.start(), m.end(), FORM_SHORT) for m in pattern.finditer(text)]

    national = "0" + phone.number.removeprefix("+86")
    if phone.kind == KIND_FIXED:
        area, subscriber = phone.area_code, national[1 + len(phone.area_code) :]
        area_forms = (
            rf"(?P<intl>{_INTERNATIONAL}(?:\(0\) ?)?(?:\( ?)?0?{area}(?: ?\))?)",
            rf"(?:\( ?)?0{area}(?: ?\))?",
        )
        full = re.compile(rf"(?<!\d)(?:{'|'.join(area_forms)}){_SEP}{_digits(subscriber)}(?!\d)")
    else:  # mobile, 400 / 800: no trunk 0
        subscriber = ""
        full = re.compile(rf"(?<!\d)(?P<intl>{_INTERNATIONAL})?{_digits(national[1:])}(?!\d)")

    spans = [
        (m.start(), m.end(), FORM_INTERNATIONAL if m.group("intl") else FORM_FULL)
        for m in full.finditer(text)
    ]
    if subscriber:
        for m in re.finditer(rf"(?<!\d){_digits(subscriber)}(?!\d)", text):
            inside_full = any(s <= m.start() < e for s, e, _ in spans)
            # Joined to digits before it (another area code, or part of a longer number): not this number.
            joined = re.search(r"\d[ .\-)]{0,3}$", text[max(0, m.start() - 4) : m.start()])
            if not inside_full and not joined:
                spans.append((m.start(), m.end(), FORM_LOCAL))
    return sorted(spans)


@functools.lru_cache(maxsize=4096)  # one organisation is looked for on many pages
def _organisation_pattern(name: str) -> re.Pattern[str]:
    """吴川市医疗保障局 → 吴川 + optional 市 + (医疗保障局 | 医保局); earlier places (广东省) optional."""
    name = re.sub(r"\s+", "", normalise_text(name))
    places = []
    rest = name
    while (m := _PLACE.match(rest)) and m.end() < len(rest) and not _NOT_A_PLACE.search(m.group(1)):
        places.append(_spaced(m.group(1)) + f"(?: ?{_spaced(m.group(2))})?")
        rest = rest[m.end() :]
    bodies = {rest}
    for long, short in _ABBREVIATIONS:
        bodies |= {body.replace(long, short) for body in bodies}
    body = "|".join(_spaced(b) for b in sorted(bodies, key=len, reverse=True))
    prefix = "".join(f"(?:{place} ?)?" for place in places[:-1]) + (f"{places[-1]} ?" if places else "")
    return re.compile(f"{prefix}(?:{body})")


def _spaced(text: str) -> str:
    """A pattern for ``text`` that tolerates single spaces between characters (left by inline tags)."""
    return " ?".join(re.escape(char) for char in text)
