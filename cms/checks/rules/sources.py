"""Evidence: every item needs at least one official source (a government page, the institution's own
site or document) before it can pass the fact-check gate."""

from collections.abc import Iterator

from ..context import Context
from ..findings import Finding, item_finding


def missing_official_source(ctx: Context) -> Iterator[Finding]:
    if not any(official for _url, official in ctx.item.sources):
        what = "任何来源" if not ctx.item.sources else "官方来源（政府网站、机构官网或文件）"
        yield item_finding("missing-official-source", f"没有{what}：核查员无法据此核实，请补充官方出处。")


RULES = (missing_official_source,)
