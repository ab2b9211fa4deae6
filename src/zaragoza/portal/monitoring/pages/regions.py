"""The indicator page's regional map: NUTS regions from boundaries cached from GISCO.

GISCO's licence does not allow the boundaries to be shipped, so the map is drawn only
when ``zaragoza geo fetch`` has put the level's boundaries in the server's cache
(:mod:`zaragoza.sources.gisco`); otherwise the page shows the regions' table and says
how to fetch them. The map is drawn like the country map (quantile classes, the same
colours, hover texts with value and flags) on the GeoJSON served by
:func:`zaragoza.portal.monitoring.views.nuts_geojson`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from zaragoza.errors import InputError
from zaragoza.portal.monitoring import svg
from zaragoza.portal.monitoring.labels import country_name
from zaragoza.portal.monitoring.numbers import number
from zaragoza.portal.monitoring.pages.common import cell
from zaragoza.sources import gisco

__all__ = ["map_chart", "map_title", "regional_map"]


def map_title(place: str, c: Mapping[str, Any] | None) -> str:
    """A place's name and value on a map as the table shows them, flags spelled out."""
    value = _("no data") if c is None or c["missing"] else number(c["value"], c["decimals"])
    if c is not None and c["flag"]:
        value = f"{value} {c['flag']} ({c['flags']})"
    return _("%(place)s: %(value)s") % {"place": place, "value": value}


def map_chart(
    geojson: str,
    shown: Mapping[str, float],
    without: Sequence[str],
    titles: Mapping[str, str],
    classes: Sequence[svg.Bin],
    *,
    fit: bool = False,
) -> dict[str, Any]:
    """A choropleth for plotly.js (``charts.js``): each place with a value as the index of
    its legend class (``z``, so that a value on a class edge takes the legend's colour),
    the places without one as a grey trace; hover texts carry the value and its flags."""
    chart: dict[str, Any] = {
        "kind": "map",
        "geojson": geojson,
        "colours": [b.colour for b in classes],
        "locations": list(shown),
        "z": [svg.bin_of(v, classes) for v in shown.values()],
        "text": [titles[g] for g in shown],
        "noData": {
            "colour": svg.NO_DATA,
            "locations": list(without),
            "text": [titles[g] for g in without],
        },
    }
    if fit:
        chart["fit"] = True
    return chart


def regional_map(
    geos: Iterable[str],
    rows: Mapping[tuple[Any, ...], Mapping[str, Any]],
    *,
    time: int,
    group: str,
    sex: str,
    decimals: str,
) -> dict[str, Any] | None:
    """The regions of one NUTS level for the map's year, group and sex, or None when the
    selection has no NUTS region.

    The level drawn is the one with the most regions among ``geos`` (the lower on a tie).
    Returns ``level``, ``rows`` (the table: ``geo``, ``name``, ``country``, ``cell``,
    ``rank``), ``legend``, ``chart`` (the plotly spec, None without cached boundaries),
    ``fetch`` (the command that fetches them), ``not_on_map`` and ``nuts_year``.
    """
    regions = [g for g in geos if gisco.is_nuts_id(g)]
    if not regions:
        return None
    counts = Counter(gisco.nuts_level(g) for g in regions)
    level = min(counts, key=lambda lv: (-counts[lv], lv))
    mine = sorted(g for g in regions if gisco.nuts_level(g) == level)
    other_levels = sorted(lv for lv in counts if lv != level)
    cached = gisco.find_cached(level, mine)
    names: dict[str, str] = {}
    if cached is not None:
        try:
            collection = gisco.read_cached(cached)
        except InputError:
            cached = None
        else:
            names = {str(f["id"]): str(f["properties"]["name"]) for f in collection["features"]}
    table: list[dict[str, Any]] = []
    for g in mine:
        c = cell(rows.get((g, time, group, sex)), decimals, time)
        table.append({"geo": g, "name": names.get(g, g), "country": country_name(g[:2]), "cell": c})
    table.sort(key=lambda r: (r["cell"]["missing"], -(r["cell"]["value"] or 0), r["geo"]))
    for i, r in enumerate(table, start=1):
        r["rank"] = None if r["cell"]["missing"] else i
    values = {r["geo"]: r["cell"]["value"] for r in table if r["cell"]["value"] is not None}
    classes = svg.bins(list(values.values()))
    chart = None
    if cached is not None:
        by_geo = {r["geo"]: r["cell"] for r in table}
        titles = {g: map_title(n, by_geo.get(g)) for g, n in names.items()}
        shown = {g: v for g, v in values.items() if g in names and classes}
        # Regions without a value are drawn grey only in the countries that have some.
        countries = {g[:2] for g in mine}
        without = sorted(g for g in names if g not in shown and g[:2] in countries)
        url = reverse(
            "nuts-geojson", kwargs={"year": cached.year, "scale": cached.scale, "level": level}
        )
        chart = map_chart(url, shown, without, titles, classes, fit=True)
    return {
        "level": level,
        "other_levels": other_levels,
        "rows": table,
        "legend": classes,
        "chart": chart,
        "nuts_year": None if cached is None else cached.year,
        "fetch": f"zaragoza geo fetch --level {level}",
        "not_on_map": [r["geo"] for r in table if cached is not None and r["geo"] not in names],
    }
