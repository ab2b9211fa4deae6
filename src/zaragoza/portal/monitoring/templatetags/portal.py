"""Template tags: language links that keep the page and its query, query-string edits,
numbers with the minus sign."""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse, translate_url
from django.utils.translation import get_language

from zaragoza.portal.monitoring import numbers

register = template.Library()


# The site's navigation, by name: the same URLs on every page of a language.
_SITE_URLS = {
    "home": "monitoring:home",
    "indicators": "monitoring:indicators",
    "countries": "monitoring:countries",
    "compare": "monitoring:compare",
    "data": "monitoring:data",
    "search": "monitoring:search",
    "practices": "knowledge:practices",
    "profiles": "knowledge:profiles",
    "organisations": "knowledge:organisations",
    "toolbox": "toolbox:index",
    "benchmarks": "benchmarks:index",
    "work": "knowledge:work",
}


@register.simple_tag
def site_urls() -> dict[str, str]:
    """Return the navigation's URLs in the current language, reversed once per language
    (a dozen reversals were a tenth of a millisecond of every page)."""
    # keyed by all that a reversal depends on: the language prefix, the URL
    # configuration and the prefix the site is served under (SCRIPT_NAME)
    return _site_urls(get_language(), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@functools.cache
def _site_urls(language: str | None, urlconf: str, script_prefix: str) -> dict[str, str]:
    return {key: reverse(name, urlconf=urlconf) for key, name in _SITE_URLS.items()}


@register.simple_tag
def language_links(request: HttpRequest) -> list[dict[str, Any]]:
    """Return, per language, the URL of this page (path and query) in that language."""
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    full = request.get_full_path()
    # A page outside the site's URLs (a 404) links to each language's home page instead.
    known = getattr(request, "resolver_match", None) is not None
    return [
        {
            "code": code,
            "name": name,
            "url": translate_url(full, code) if known else f"/{code}/",
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


@register.simple_tag
def query_with(request: HttpRequest, **changes: Any) -> str:
    """Return this page's query string with ``changes`` applied (``None`` removes a key)."""
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    text = query.urlencode(safe=",")
    return "?" + text if text else ""


@register.filter
def dictget(mapping: Any, key: str) -> Any:
    """Return ``mapping[key]`` (empty when absent): for loops over a dict chosen by key."""
    try:
        return mapping[key]
    except (KeyError, TypeError):
        return ()


@register.filter(is_safe=True)
def number(value: float | None, decimals: str = "1") -> str:
    """``floatformat`` with the minus sign (U+2212) for a negative number."""
    return numbers.number(value, str(decimals))


@register.filter(is_safe=True)
def signed(value: float | None, decimals: str = "1") -> str:
    """:func:`number` with ``+`` or the minus sign always written (gaps, distances)."""
    return numbers.signed(value, str(decimals))


@register.inclusion_tag("monitoring/_updated.html")
def last_updated(indicators: Any = None, source: Any = None) -> dict[str, Any]:
    """The date the figures of a table were last loaded into the warehouse: of the
    ``indicators`` (an indicator or its id, several, or a table's rows whose
    ``indicator`` is one) and ``source`` given, else of the whole warehouse.

    Every table of figures shows it in its caption (with Eurostat's own update of each
    table on the indicator's metadata page)."""
    from zaragoza.warehouse.reader import reader_for

    reader = reader_for(settings.ZARAGOZA_WAREHOUSE)
    if not indicators:
        ids: list[str] = []
    elif isinstance(indicators, str):
        ids = [indicators]
    elif hasattr(indicators, "id"):
        ids = [str(indicators.id)]
    else:  # indicators, ids, or a table's rows (dicts whose "indicator" is one)
        ids = []
        for item in indicators:
            if isinstance(item, dict):
                item = item.get("indicator", "")
            ids.append(str(getattr(item, "id", item)))
    updates = reader.updates()
    if ids:
        updates = updates[updates["indicator"].isin(ids)]
    if source:
        updates = updates[updates["source"] == str(source)]
    stamp = updates["loaded_at"].max() if len(updates) else None
    if stamp is None or stamp != stamp:  # no figures: the warehouse's latest load
        stamp = reader.version().modified
    when = stamp.date() if hasattr(stamp, "date") else stamp
    return {"updated": when}
