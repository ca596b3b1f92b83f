"""What the rules share about one item: its texts, the regions and numbers written in them, and the
date the check runs on. Computed once per item, on demand."""

import datetime
from functools import cached_property

from cms.verification.rules import RegionTable, region_table

from .items import CheckInput
from .phonetext import PhoneMention, find_phones
from .places import Place, find_places, most_specific

TEXT_FIELDS = ("title", "summary", "body")


class Context:
    def __init__(self, item: CheckInput, today: datetime.date, table: RegionTable | None = None) -> None:
        self.item = item
        self.today = today
        self.table = table or region_table()
        self._places: dict[str, list[Place]] = {}
        self._phones: dict[str, list[PhoneMention]] = {}

    def text(self, field: str) -> str:
        return self.item.text(field)

    def fields(self, *names: str) -> list[tuple[str, str]]:
        """(field, text) for the named fields that have text."""
        return [(name, self.item.text(name)) for name in names or TEXT_FIELDS if self.item.text(name)]

    @cached_property
    def title_places(self) -> list[Place]:
        return find_places(self.item.title, tuple(self.item.region_codes), self.table)

    @cached_property
    def regions(self) -> tuple[str, ...]:
        """The item's regions: those it is filed under, else those its title names (most specific)."""
        if self.item.region_codes:
            return tuple(self.item.region_codes)
        return tuple(most_specific([p.code for p in self.title_places], self.table))

    def places(self, field: str) -> list[Place]:
        if field not in self._places:
            context = tuple(self.item.region_codes) + tuple(p.code for p in self.title_places)
            self._places[field] = find_places(self.item.text(field), context, self.table)
        return self._places[field]

    def phones(self, field: str) -> list[PhoneMention]:
        if field not in self._phones:
            number_field = field == "number"
            self._phones[field] = find_phones(
                self.item.text(field),
                field,
                self.places(field),
                fallback_regions=self.regions,
                default_owner=self.item.organisation
                or (self.item.title if self.item.kind != "article" else ""),
                default_purpose=self.item.purpose,
                require_context=not number_field,
                subject=self.item.title,
            )
        return self._phones[field]
