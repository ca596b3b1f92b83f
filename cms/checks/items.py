"""What the checks look at: one revision of an article, a hospital or a hotline, as plain data."""

import datetime
from dataclasses import dataclass, field

KINDS = ("article", "hotline", "hospital")


@dataclass(frozen=True)
class CheckInput:
    kind: str = "article"
    title: str = ""  # an article's title, a hotline's organisation, a hospital's name
    body: str = ""  # an article's body; a hospital's address and departments; a hotline's service hours
    summary: str = ""
    date: datetime.date | None = None  # the date the text speaks from (original or last revision)
    region_codes: tuple[str, ...] = ()
    sources: tuple[tuple[str, bool], ...] = ()  # (url, is_official)
    number: str = ""  # a hotline's number; a hospital's numbers, one per line ("预约挂号 0518-…")
    organisation: str = ""  # hotlines and hospitals: whose number it is
    purpose: str = ""  # hotlines: consultation, complaint … (cms.models.Purpose values)
    is_excerpt: bool = False  # a teaser cut off mid-sentence: its end is not a defect
    markdown: bool = False  # the body is Markdown (stored articles), not scraped plain text
    label: str = field(default="", compare=False)  # what reports call the item (file and title)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r}; expected one of {KINDS}")

    def text(self, name: str) -> str:
        return {"title": self.title, "body": self.body, "summary": self.summary, "number": self.number}[name]
