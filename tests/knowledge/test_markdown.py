"""Markdown is rendered and sanitised: no script, no event handler, no javascript: URL."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from zaragoza.knowledge.markdown import ALLOWED_TAGS, render_markdown


class _Elements(HTMLParser):
    """The elements and attributes a browser would build (escaped text is only text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    '<a href="https://e.org" onclick="alert(1)">x</a>',
    "<iframe src='https://evil.example'></iframe>",
    "![x](https://e.org/x.png)",
    "<style>body{display:none}</style>",
    '<svg onload="alert(1)"></svg>',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_renders_inert(text: str) -> None:
    parser = _Elements()
    parser.feed(render_markdown(text))
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS, tag
        assert not any(a.startswith("on") or a == "style" for a in attrs), attrs
        assert not (attrs.get("href") or "").lower().startswith("javascript"), attrs


def test_markdown_keeps_paragraphs_lists_emphasis_and_safe_links() -> None:
    html = render_markdown('One *two*\n\n- a\n- **b**\n\n[site](https://e.org "t") # not a heading')
    assert "<p>One <em>two</em></p>" in html
    assert "<li><strong>b</strong></li>" in html
    assert '<a href="https://e.org" title="t" rel="nofollow noopener noreferrer">site</a>' in html


def test_headings_sit_below_the_page_headings() -> None:
    assert render_markdown("# A\n\n## B") == "<h3>A</h3>\n<h4>B</h4>\n"


def test_nothing_renders_empty() -> None:
    assert render_markdown("") == ""
    assert render_markdown(None) == ""
