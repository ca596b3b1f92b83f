"""The checks that need one item. Each rule takes a ``Context`` and yields findings."""

from . import dates, hygiene, phones, sources, topic

ITEM_RULES = (*hygiene.RULES, *phones.RULES, *dates.RULES, *topic.RULES, *sources.RULES)

__all__ = ["ITEM_RULES"]
