"""Markdown of the records rendered to HTML that is safe to show.

markdown-it-py (CommonMark, raw HTML off) renders; nh3 (the Ammonia sanitiser) then keeps
only a small set of tags and attributes and only ``http``, ``https`` and ``mailto``
links, so no script, event handler, style or ``javascript:`` URL can reach a page even
if a text got past the schema's refusal of HTML.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

__all__ = ["ALLOWED_TAGS", "render_markdown"]

ALLOWED_TAGS = frozenset(
    {"p", "br", "ul", "ol", "li", "em", "strong", "a", "code", "pre", "blockquote",
     "h3", "h4", "h5", "h6", "hr"}
)  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # Headings inside a record sit below the page's own h1/h2.
    md.disable(["image"])
    return md


def render_markdown(text: str | None) -> str:
    """Return sanitised HTML for Markdown ``text`` (empty string for none)."""
    if not text:
        return ""
    html = _parser().render(text)
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    html = html.replace("<h2>", "<h4>").replace("</h2>", "</h4>")
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
