"""What the knowledge pages show, shaped as plain data for the templates."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count
from django.http import HttpRequest, QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zaragoza.catalog.loader import load_catalog
from zaragoza.errors import InputError
from zaragoza.knowledge.markdown import render_markdown
from zaragoza.knowledge.rules import RUBRIC_CRITERIA, TRANSITIONS, State, WorkflowAction
from zaragoza.knowledge.schema import PRACTICE_TEXT_FIELDS
from zaragoza.knowledge.search import FACET_LISTS, FACETS, SearchQuery, SearchResult, parse_search
from zaragoza.knowledge.taxonomy import COUNTRIES, load_taxonomy
from zaragoza.portal.accounts.permissions import Action, can
from zaragoza.portal.knowledge.figures import HEADLINE_INDICATORS, current_gaps
from zaragoza.portal.knowledge.models import CountryProfile, Organisation, Practice
from zaragoza.portal.knowledge.searching import content_version, current_index, search
from zaragoza.portal.monitoring import svg
from zaragoza.portal.monitoring.caching import remember
from zaragoza.portal.monitoring.catalog_messages import indicator_title
from zaragoza.portal.monitoring.labels import country_name, group_label
from zaragoza.sources import gisco


def lang() -> str:
    return (get_language() or "en")[:2]


def facet_name(facet: str) -> str:
    names = {
        "country": _("Country"),
        "region": _("Region (NUTS)"),
        "level": _("Level"),
        "theme": _("Theme"),
        "target_group": _("Target group"),
        "funding": _("Funding"),
        "evidence": _("Evidence level"),
        "year": _("Running in"),
        "language": _("Language"),
        "indicator": _("Indicator"),
    }
    return names[facet]


@functools.cache
def _labels(language: str) -> dict[str, dict[str, str]]:
    """Every facet code's label in ``language`` (read once per language and process)."""
    from django.utils import translation

    tax = load_taxonomy()
    cat = load_catalog()
    with translation.override(language):
        out = {
            f: {c: tax.label(n, c, language) for c in tax.codes(n)} for f, n in FACET_LISTS.items()
        }
        out["country"] = {c: str(country_name(c)) for c in COUNTRIES}
        out["indicator"] = {i: indicator_title(cat[i]) for i in cat}
    return out


def code_label(facet: str, code: str) -> str:
    """Return the label of a facet code in the active language."""
    return _labels(lang()).get(facet, {}).get(code, code)


def step_label(action: str) -> str:
    return {
        "submit": _("Submit for review"),
        "start_review": _("Start the review"),
        "return": _("Return with comments"),
        "publish": _("Publish"),
        "reject": _("Reject"),
        "unpublish": _("Unpublish"),
        "seed": _("Loaded from the seed content"),
    }.get(action, action)


def state_label(state: str) -> str:
    return {
        "draft": _("Draft"),
        "submitted": _("Submitted"),
        "in_review": _("In review"),
        "published": _("Published"),
        "returned": _("Returned with comments"),
        "rejected": _("Rejected"),
    }.get(state, state)


def parse(params: QueryDict, page_size: int = 20) -> SearchQuery:
    return parse_search(
        {k: params.getlist(k) for k in params},
        taxonomy=load_taxonomy(),
        indicators=load_catalog().indicators,
        page_size=page_size,
    )


def parse_search_params(params: Mapping[str, list[str]]) -> SearchQuery:
    """Return the search of API parameters (``limit``/``offset``)."""
    return parse_search(params, taxonomy=load_taxonomy(), indicators=load_catalog().indicators)


def _url(query: SearchQuery, **changes: Any) -> str:
    items = query.params(paging=False)
    if changes.get("offset"):
        items.append(("offset", str(changes["offset"])))
    return "?" + urlencode(items)


def _toggler(query: SearchQuery) -> Callable[[str, str], str]:
    """Return ``toggle(facet, code)``: the URL of ``query`` with ``code`` added to (or
    removed from) ``facet``; the query's own parameters are encoded once for the hundred
    or so facet links of a page."""
    items = list(query.params(paging=False))
    chosen = set(items)
    encoded = urlencode(items)

    def toggle(facet: str, code: str) -> str:
        if (facet, code) in chosen:
            return "?" + urlencode([i for i in items if i != (facet, code)])
        added = urlencode([(facet, code)])
        return "?" + (f"{encoded}&{added}" if encoded else added)

    return toggle


def _facet_order(facet: str, codes: Sequence[str]) -> list[str]:
    if facet in FACET_LISTS:
        order = load_taxonomy().codes(FACET_LISTS[facet])
        return [c for c in order if c in codes]
    if facet == "year":
        return sorted(codes, reverse=True)
    if facet == "country":
        return [c for c in COUNTRIES if c in codes]
    return sorted(codes)


def practice_cards(ids: Sequence[int]) -> list[dict[str, Any]]:
    """Return what a result list shows of each practice, in the order of ``ids``."""
    rows = {
        p.pk: p
        for p in Practice.objects.filter(pk__in=ids).only(
            "id",
            "slug",
            "title",
            "title_en",
            "title_fr",
            "title_de",
            "summary",
            "summary_en",
            "summary_fr",
            "summary_de",
            "countries",
            "start",
            "end",
            "evidence_level",
            "example",
            "themes",
        )
    }
    tax = load_taxonomy()
    out = []
    for i in ids:
        p = rows.get(i)
        if p is None:
            continue
        out.append(
            {
                "slug": p.slug,
                "title": p.title,
                "summary": p.summary,
                "example": p.example,
                "countries": [(c, country_name(c)) for c in p.countries],
                "period": period(p.start, p.end),
                "evidence": tax.label("evidence", p.evidence_level, lang()),
                "themes": [tax.label("themes", t, lang()) for t in p.themes],
            }
        )
    return out


def period(start: str, end: str) -> str:
    if not start:
        return ""
    return f"{start} - {end}" if end else _("since %(start)s") % {"start": start}


def practice_map(counts: Mapping[str, int], query: SearchQuery) -> SafeString:
    """Return the clickable map: each country coloured by its number of practices, a
    link that adds it to the country filter."""
    values = {g: float(n) for g, n in counts.items() if n}
    classes = svg.bins(list(values.values()))
    toggle = _toggler(query)
    parts = []
    for geo, d in svg.country_shapes():
        n = counts.get(geo, 0)
        fill = classes[svg.bin_of(float(n), classes)].colour if n and classes else svg.NO_DATA
        title = f"{country_name(geo)}: {n}"
        path = (
            f'<path d="{d}" fill="{fill}" data-geo="{escape(geo)}">'
            f"<title>{escape(title)}</title></path>"
        )
        if n:
            href = escape(toggle("country", geo))
            path = f'<a href="{href}" aria-label="{escape(title)}">{path}</a>'
        parts.append(path)
    label = _("Map of Europe: practices by implementing country")
    return mark_safe(
        f'<svg class="map" role="group" aria-label="{escape(label)}" viewBox="{svg.MAP_VIEWBOX}" '
        f'preserveAspectRatio="xMidYMid meet" data-map="practices"><title>{escape(label)}</title>'
        f"{''.join(parts)}</svg>"
    )


@functools.lru_cache(maxsize=4)
def _region_shapes(entry: gisco.CachedNuts, mtime_ns: int) -> dict[str, tuple[str, str]]:
    """``{NUTS id: (name, SVG path data)}`` of a cached NUTS file, projected as the map of
    Europe is; kept per file and modification time (a file fetched again is read again).

    Raises
    ------
    InputError
        The file cannot be read, or a feature is not a region (an edited or damaged
        cache): named with the feature and the command that fetches the file again.
    """
    features = gisco.read_cached(entry)["features"]
    out = {}
    for i, f in enumerate(features):
        try:
            out[str(f["id"])] = (str(f["properties"]["name"]), svg.shape_path(f["geometry"]))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise InputError(
                f"feature {i} of the cached NUTS regions is not a region ({exc!r})",
                file=str(entry.path),
                hint=f"fetch them again: zaragoza geo fetch --level {entry.level}",
            ) from exc
    return out


def _fitted_view(drawn: Iterable[str], shapes: Mapping[str, tuple[str, str]]) -> str:
    """The ``viewBox`` around the regions ``drawn`` and their countries (regions are
    small on a map of Europe), a margin around it, never narrower than a small
    country."""
    countries = dict(svg.country_shapes())
    paths = [shapes[g][1] for g in drawn] + [
        countries[c] for c in sorted({g[:2] for g in drawn}) if c in countries
    ]
    x, y, w, h = svg.path_bounds(paths)
    side = max(w, h, 60.0) * 1.1  # 60 units: six degrees of latitude
    cx, cy = x + w / 2, y + h / 2
    width, height = max(w * 1.1, side * 0.75), max(h * 1.1, side * 0.75)
    return f"{cx - width / 2:.1f} {cy - height / 2:.1f} {width:.1f} {height:.1f}"


def region_map(counts: Mapping[str, int], query: SearchQuery) -> dict[str, Any] | None:
    """The map of practices by NUTS region, or None when no practice found names one.

    The level drawn is the one most of the regions found are at (the lower on a tie),
    on the country map's projection and framed around those regions' countries, from the
    boundaries ``zaragoza geo fetch`` cached (GISCO's licence keeps them out of the
    project). Returns ``level``, ``svg`` (None
    without cached boundaries), ``fetch`` (the command that caches them) and
    ``not_on_map`` (regions found at another level or missing from the boundaries).
    """
    regions = {g: n for g, n in counts.items() if n and gisco.is_nuts_id(g)}
    if not regions:
        return None
    levels = Counter(gisco.nuts_level(g) for g in regions)
    level = min(levels, key=lambda lv: (-levels[lv], lv))
    mine = {g: n for g, n in regions.items() if gisco.nuts_level(g) == level}
    out: dict[str, Any] = {
        "level": level,
        "svg": None,
        "fetch": f"zaragoza geo fetch --level {level}",
        "not_on_map": sorted(g for g in regions if g not in mine),
    }
    entry = gisco.find_cached(level, mine)
    shapes: dict[str, tuple[str, str]] = {}
    if entry is not None:
        try:
            shapes = _region_shapes(entry, entry.path.stat().st_mtime_ns)
        except (OSError, InputError):
            shapes = {}
    drawn = {g: n for g, n in mine.items() if g in shapes}
    if not drawn:
        out["not_on_map"] = sorted(regions)
        return out
    out["not_on_map"] += sorted(g for g in mine if g not in drawn)
    classes = svg.bins([float(n) for n in drawn.values()])
    toggle = _toggler(query)
    # the countries as a light ground, the regions found on top of them
    parts = [f'<path d="{d}" class="ground"/>' for _geo, d in svg.country_shapes()]
    for geo, n in sorted(drawn.items()):
        name, d = shapes[geo]
        title = f"{name} ({geo}): {n}"
        fill = classes[svg.bin_of(float(n), classes)].colour
        parts.append(
            f'<a href="{escape(toggle("region", geo))}" aria-label="{escape(title)}">'
            f'<path d="{d}" fill="{fill}" data-geo="{escape(geo)}"><title>{escape(title)}</title>'
            "</path></a>"
        )
    label = _("Map of Europe: practices by NUTS %(level)s region") % {"level": level}
    out["svg"] = mark_safe(
        f'<svg class="map" role="group" aria-label="{escape(label)}" '
        f'viewBox="{_fitted_view(drawn, shapes)}" '
        f'preserveAspectRatio="xMidYMid meet" data-map="regions"><title>{escape(label)}</title>'
        f"{''.join(parts)}</svg>"
    )
    return out


def _facet_html(items: Sequence[Mapping[str, Any]]) -> SafeString:
    """The links of one facet (built here: a template loop over a hundred links costs more
    than the search itself)."""
    chosen = escape(_("selected:"))
    parts = []
    for i in items:
        mark = f'<span class="sr-only">{chosen} </span>✓ ' if i["selected"] else ""
        attrs = ' aria-current="true" class="selected"' if i["selected"] else ""
        parts.append(
            f'<li><a href="{escape(i["url"])}" data-code="{escape(i["code"])}"{attrs}>{mark}'
            f'{escape(i["label"])} <span class="count">({i["count"]})</span></a></li>'
        )
    return mark_safe("<ul>" + "".join(parts) + "</ul>")


def search_page(request: HttpRequest, query: SearchQuery, result: SearchResult) -> dict[str, Any]:
    toggle = _toggler(query)
    facets = []
    for facet in FACETS:
        counts = result.facets.get(facet, {})
        selected = set(query.selected(facet))
        codes = _facet_order(
            facet,
            [c for c, n in counts.items() if n or c in selected] + list(selected - set(counts)),
        )
        items = [
            {
                "code": c,
                "label": code_label(facet, c),
                "count": counts.get(c, 0),
                "selected": c in selected,
                "url": toggle(facet, c),
            }
            for c in dict.fromkeys(codes)
        ]
        if items:
            facets.append(
                {
                    "name": facet,
                    "label": facet_name(facet),
                    "html": _facet_html(items),
                    "open": bool(selected) or facet in ("country", "theme"),
                }
            )
    pages = (result.total + query.limit - 1) // query.limit
    page = query.offset // query.limit + 1
    base = query.params(paging=False)

    def page_url(n: int) -> str:
        return "?" + urlencode(base + ([("page", str(n))] if n > 1 else []))

    chips = [
        {"label": f"{facet_name(f)}: {code_label(f, c)}", "url": toggle(f, c)}
        for f, codes in query.filters
        for c in codes
    ]
    return {
        "query": query,
        "q": query.q,
        "sort": query.sort,
        "total": result.total,
        "results": practice_cards(result.ids),
        "facets": facets,
        "chips": chips,
        "map": practice_map(result.facets.get("country", {}), query),
        "region_map": region_map(result.facets.get("region", {}), query),
        "page": page,
        "pages": pages,
        "previous": page_url(page - 1) if page > 1 else None,
        "next": page_url(page + 1) if page < pages else None,
        "hidden": [(k, v) for k, v in base if k not in ("q", "sort")],
        "sorts": [
            ("relevance", _("Relevance")),
            ("newest", _("Newest")),
            ("title", _("Title")),
            ("start", _("Start date")),
        ],
        "feed": "feed.atom",
        "api": "/api/v1/practices" + ("?" + urlencode(base) if base else ""),
    }


def practice_page(request: HttpRequest, p: Practice) -> dict[str, Any]:
    tax = load_taxonomy()
    la = lang()
    texts = []
    for f in PRACTICE_TEXT_FIELDS:
        if f == "summary":
            continue
        value = getattr(p, f)
        if value:
            texts.append(
                {"name": f, "label": _field_label(f), "html": mark_safe(render_markdown(value))}
            )
    untranslated = la != "en" and not getattr(p, f"summary_{la}")
    cat = load_catalog()
    gaps = current_gaps(p.countries, p.indicators)
    user = request.user
    steps = []
    for action in WorkflowAction:
        sources, _target = TRANSITIONS[action]
        if p.state in sources and can(user, Action(action.value), p):
            steps.append(
                {
                    "action": action.value,
                    "label": step_label(action.value),
                    "rubric": action is WorkflowAction.PUBLISH,
                    "comment_required": action.value in ("return", "reject", "unpublish"),
                }
            )
    last_comment = None
    if p.state in (State.RETURNED, State.REJECTED):  # shown in these states only
        last_comment = (
            p.transitions.filter(action__in=["return", "reject"]).order_by("-at", "-id").first()
        )
    return {
        "p": p,
        "summary": mark_safe(render_markdown(p.summary)),
        "texts": texts,
        "untranslated": untranslated,
        "state_label": state_label(p.state),
        "countries": [(c, country_name(c)) for c in p.countries],
        "level": tax.label("level", p.level, la),
        "themes": [(t, tax.label("themes", t, la)) for t in p.themes],
        "agenda_areas": [tax.label("agenda_areas", a, la) for a in p.agenda_areas],
        "target_groups": [(t, tax.label("target_groups", t, la)) for t in p.target_groups],
        "funding": [{**f, "label": tax.label("funding", f["fund"], la)} for f in p.funding],
        "evidence": tax.label("evidence", p.evidence_level, la),
        "period": period(p.start, p.end),
        "indicators": [
            (i, indicator_title(cat[i]) if i in cat.indicators else i) for i in p.indicators
        ],
        "gaps": [
            {
                **g,
                "title": indicator_title(cat[g["indicator"]]),
                "country": country_name(g["geo"]),
                "group_label": group_label(g["group"], "citizen"),
            }
            for g in gaps
        ],
        "partners": list(p.partners.all()),
        "documents": list(p.documents.all()),
        "steps": steps,
        "can_edit": can(user, Action.EDIT, p),
        "can_history": can(user, Action.HISTORY, p),
        "can_upload": can(user, Action.UPLOAD, p),
        "last_comment": last_comment,
        "criteria": [(c, _field_label(c)) for c in RUBRIC_CRITERIA],
        "profiles": profile_geos(),
    }


def profile_geos() -> frozenset[str]:
    """The countries that have a governance profile (kept per content version: every
    practice page links its countries' profiles)."""
    return remember(
        f"kb-profile-geos:{content_version()}",
        lambda: frozenset(CountryProfile.objects.values_list("geo", flat=True)),
    )


def _field_label(name: str) -> str:
    return _field_labels(get_language()).get(name, name)


@functools.cache
def _field_labels(language: str) -> dict[str, str]:
    """The labels of a practice's texts and review criteria in ``language`` (made once
    per language: a practice page asks for about ten)."""
    return {
        "context": _("Context"),
        "objectives": _("Objectives"),
        "activities": _("Activities"),
        "results": _("Results"),
        "evaluation": _("Evaluation"),
        "transferability": _("Transferability"),
        "relevance": _("Relevance"),
        "stakeholder_involvement": _("Stakeholder involvement"),
        "evidence": _("Evidence"),
        "summary": _("Summary"),
    }


def record_fields(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Return a stored record's fields as ``(name, text)`` for an earlier version's page."""
    out = []
    for k, v in data.items():
        if isinstance(v, (list, dict)):
            import json

            v = json.dumps(v, ensure_ascii=False, indent=1)
        out.append((k, v))
    return out


def practices_for(
    *, country: str | None = None, indicator: str | None = None, limit: int = 10
) -> dict[str, Any]:
    """Return the published practices of a country or aimed at an indicator (first
    ``limit``, newest first) and how many there are."""
    filters = []
    if country:
        filters.append(("country", (country,)))
    if indicator:
        filters.append(("indicator", (indicator,)))
    result = current_index().run(SearchQuery(filters=tuple(filters), limit=limit))
    params = urlencode([(k, v) for k, codes in filters for v in codes])
    return {"items": practice_cards(result.ids), "total": result.total, "query": params}


def organisations_page() -> dict[str, Any]:
    tax = load_taxonomy()
    counts = dict(
        Practice.objects.filter(state=State.PUBLISHED, organisation__isnull=False)
        .values("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    rows = [
        {
            "o": o,
            "type": tax.label("organisation_types", o.type, lang()),
            "countries": ", ".join(o.countries),
            "practices": counts.get(o.pk, 0),
        }
        for o in Organisation.objects.all()
    ]
    return {"organisations": rows}


def organisation_page(o: Organisation) -> dict[str, Any]:
    tax = load_taxonomy()
    published = Practice.objects.filter(state=State.PUBLISHED)
    own = published.filter(organisation=o).order_by("title_en")
    partner = published.filter(partners=o).order_by("title_en")
    return {
        "o": o,
        "type": tax.label("organisation_types", o.type, lang()),
        "countries": [(c, country_name(c)) for c in o.countries],
        "themes": [tax.label("themes", t, lang()) for t in o.themes],
        "own": own,
        "partner": partner,
    }


def profile_list(latest: Mapping[str, CountryProfile]) -> list[dict[str, Any]]:
    return [
        {"geo": g, "name": country_name(g), "as_of": p.as_of, "example": p.example}
        for g, p in sorted(latest.items(), key=lambda kv: str(country_name(kv[0])))
    ]


def profile_page(chosen: CountryProfile, versions: Sequence[CountryProfile]) -> dict[str, Any]:
    tax = load_taxonomy()
    cat = load_catalog()
    sections = []
    for name, sec in chosen.sections.items():
        sections.append(
            {
                "name": name,
                "label": tax.label("profile_sections", name, lang()),
                "html": mark_safe(render_markdown(sec["text"])),
                "sources": sec["sources"],
                "last_reviewed": sec["last_reviewed"],
                "mandatory": sec.get("mandatory"),
                "hours": sec.get("hours"),
            }
        )
    headline = [i for i in HEADLINE_INDICATORS if i in cat.indicators]
    gaps = current_gaps([chosen.geo], headline)
    return {
        "profile": chosen,
        "geo": chosen.geo,
        "name": country_name(chosen.geo),
        "sections": sections,
        "versions": versions,
        "figures": [
            {
                **g,
                "title": indicator_title(cat[g["indicator"]]),
                "group_label": group_label(g["group"], "citizen"),
            }
            for g in gaps
        ],
        "practices": practices_for(country=chosen.geo, limit=10),
    }


__all__ = [
    "code_label",
    "facet_name",
    "parse",
    "practice_page",
    "practices_for",
    "search",
    "search_page",
    "state_label",
    "step_label",
]
