"""Template tags other apps' pages use to list practices (the monitoring indicator and
country pages)."""

from __future__ import annotations

from typing import Any

from django import template

from zaragoza.portal.knowledge.display import practices_for as _practices_for

register = template.Library()


@register.simple_tag
def practices_for(country: str | None = None, indicator: str | None = None) -> dict[str, Any]:
    """Return the first published practices of a country or aimed at an indicator."""
    return _practices_for(country=country or None, indicator=indicator or None)
