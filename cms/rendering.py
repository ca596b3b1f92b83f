"""Markdown to safe HTML for readers: rendered by Python-Markdown, sanitised by nh3 (ammonia)."""

import markdown
import nh3

ALLOWED_TAGS = set(
    "p br hr h2 h3 h4 h5 h6 strong em b i u s del ins ul ol li blockquote code pre "
    "table thead tbody tr th td a sup sub".split()
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> str:
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
