"""The site search: one box for indicators, countries, regions, pages and practices.

A query is split into words; a result matches when every word is found in its text
(its name in the page's language, its code, and for indicators the definition too),
compared without case or accents (``Osterreich`` finds "Österreich"). Names are the
translated ones the pages show, so a French page finds "Autriche" and a German one
"Österreich"; codes (``AT``, ``employment_rate``) match in every language. NUTS regions
are found by their code and their country's name (region names come only with GISCO's
boundaries, which may not be cached). Practices are the knowledge base's published
practices, found by its own full-text search (:mod:`zaragoza.portal.knowledge.searching`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zaragoza.portal.monitoring.catalog_messages import indicator_definition, indicator_title
from zaragoza.portal.monitoring.labels import country_name, is_aggregate
from zaragoza.portal.monitoring.pages.common import context, geo_order
from zaragoza.warehouse.reader import WarehouseReader

__all__ = ["MAX_QUERY", "PAGES", "normalise", "search_page"]

#: Longest query read (characters); a longer one is cut there, and the page says so.
MAX_QUERY = 200
#: Most practices listed; the practices page has the rest.
MAX_PRACTICES = 20
#: The site's pages a search can find: (URL name, title, words that describe it).
PAGES: tuple[tuple[str, Any, Any], ...] = (
    ("monitoring:home", gettext_lazy("Overview"), gettext_lazy("EU picture headline gaps")),
    ("monitoring:indicators", gettext_lazy("Indicators"), gettext_lazy("list of indicators")),
    ("monitoring:countries", gettext_lazy("Countries"), gettext_lazy("list of countries")),
    ("monitoring:compare", gettext_lazy("Compare"), gettext_lazy("countries side by side")),
    ("monitoring:data", gettext_lazy("Data"), gettext_lazy("download CSV Excel API")),
    ("knowledge:practices", gettext_lazy("Practices"), gettext_lazy("knowledge base of practice")),
)


def normalise(text: str) -> str:
    """``text`` in lower case without accents (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _matches(words: list[str], *texts: str) -> bool:
    haystack = normalise(" ".join(texts))
    return all(w in haystack for w in words)


def _practices(q: str) -> list[dict[str, str]]:
    from zaragoza.knowledge.search import parse_text
    from zaragoza.portal.knowledge.models import Practice
    from zaragoza.portal.knowledge.searching import match

    hits = match(parse_text(q))
    if not len(hits.ids):
        return []
    assert hits.scores is not None  # scored by default
    # the most relevant first, ties by id (stable: argsort of the negated scores)
    order = np.argsort(-hits.scores, kind="stable")[:MAX_PRACTICES]
    best = [int(pid) for pid in hits.ids[order]]
    found = {p.pk: p for p in Practice.objects.filter(pk__in=best)}
    return [
        {
            "title": str(found[pid].title),
            "url": reverse("knowledge:practice", args=[found[pid].slug]),
        }
        for pid in best
        if pid in found
    ]


def search_page(reader: WarehouseReader, params: Mapping[str, str]) -> dict[str, Any]:
    """Return the results of the query ``q``, grouped: indicators, countries, regions,
    pages, practices (each a list of ``{"title", "url", "detail"}``)."""
    raw = str(params.get("q", "")).strip()
    cut = len(raw) > MAX_QUERY
    q = raw[:MAX_QUERY]
    words = [normalise(w) for w in q.split()]
    groups: dict[str, list[dict[str, str]]] = {
        "indicators": [], "countries": [], "regions": [], "pages": [], "practices": [],
    }  # fmt: skip
    if words:
        ctx = context(reader)
        for ident in ctx.catalog:
            ind = ctx.catalog[ident]
            title = indicator_title(ind)
            if _matches(words, ident, title, indicator_definition(ind)):
                url = reverse("monitoring:indicator", args=[ident])
                groups["indicators"].append({"title": title, "url": url, "detail": ident})
        geos: Iterable[str] = geo_order(ctx.codes["geo"])
        for geo in geos:
            url = reverse("monitoring:country", args=[geo])
            if len(geo) == 2 or is_aggregate(geo):
                name = country_name(geo)
                if _matches(words, geo, name, country_name(geo, "en")):
                    groups["countries"].append({"title": name, "url": url, "detail": geo})
            else:
                country = country_name(geo[:2])
                if _matches(words, geo, country):
                    groups["regions"].append(
                        {
                            "title": geo,
                            "url": url,
                            "detail": _("region of %(country)s") % {"country": country},
                        }
                    )
        for name, title, words_of in PAGES:
            if _matches(words, str(title), str(words_of)):
                groups["pages"].append({"title": str(title), "url": reverse(name), "detail": ""})
        # a result whose code or name is the whole query comes first
        whole = " ".join(words)
        for key in ("indicators", "countries", "regions"):
            groups[key].sort(
                key=lambda r: whole not in (normalise(r["detail"]), normalise(r["title"]))
            )
        groups["practices"] = _practices(q)
    return {
        "q": q,
        "cut": cut,
        "max_query": MAX_QUERY,
        "groups": [
            (key, label, groups[key])
            for key, label in (
                ("indicators", _("Indicators")),
                ("countries", _("Countries")),
                ("regions", _("Regions")),
                ("pages", _("Pages")),
                ("practices", _("Practices")),
            )
        ],
        "total": sum(len(v) for v in groups.values()),
    }
