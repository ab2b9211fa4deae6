"""Template filters of the benchmarks: a framework's texts in the page's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from zaragoza.errors import CatalogError

register = template.Library()


@register.filter
def fwtext(fw: Any, node: str) -> str:
    """The title, question text or option label (``question:option``) of ``node`` in
    the current language, the framework's own text where it has no translation."""
    try:
        return str(fw.text(node, (get_language() or "en")[:2]))
    except (CatalogError, KeyError):  # an id the framework does not have: shown as is
        return node


@register.filter
def score(value: float | None) -> str:
    """A score 0-100 with no decimal, or a dash."""
    return "—" if value is None or value != value else f"{value:.0f}"


@register.filter
def signed_change(value: float | None) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:+.0f}"
