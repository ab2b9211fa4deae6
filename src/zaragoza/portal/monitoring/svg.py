"""Server-side SVG: trend sparklines, and the map of Europe for readers without JavaScript.

The sparklines are drawn here so that they show without JavaScript; the map is drawn by
plotly.js in the browser (``charts.js``) and, for a reader without JavaScript, here with
the same classes and colours. Each carries a text alternative and the page shows the
same numbers in a table.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = [
    "MAP_VIEWBOX",
    "NO_DATA",
    "PALETTE",
    "Bin",
    "bin_of",
    "bins",
    "country_shapes",
    "europe_geo_ids",
    "map_svg",
    "path_bounds",
    "shape_path",
    "sparkline",
]

GEOJSON = Path(__file__).parent / "static" / "monitoring" / "europe.geojson"
#: Sequential blues (ColorBrewer), readable by colour-blind readers; dark end for high.
PALETTE = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
#: Countries without a value: a neutral grey, lighter than any class and without hue.
NO_DATA = "#e6e6e6"
# Longitudes shrink with latitude; scaling x by cos(52°) keeps Europe's shapes familiar.
_X_SCALE = math.cos(math.radians(52))


def sparkline(
    points: Sequence[tuple[int, float | None]], *, label: str, width: int = 120, height: int = 32
) -> SafeString:
    """Return an inline SVG line of ``(year, value)`` points, gaps left open.

    The SVG has ``role="img"`` and ``label`` as its accessible name; missing values break
    the line instead of being joined over.
    """
    values = [v for _, v in points if v is not None]
    if len(values) < 2:
        return mark_safe("")
    years = [y for y, _ in points]
    lo, hi = min(values), max(values)
    span_v = (hi - lo) or 1.0
    span_y = (max(years) - min(years)) or 1
    pad = 3

    def xy(year: int, value: float) -> str:
        x = pad + (year - min(years)) / span_y * (width - 2 * pad)
        y = pad + (hi - value) / span_v * (height - 2 * pad)
        return f"{x:.1f},{y:.1f}"

    segments: list[list[str]] = [[]]
    for year, value in points:
        if value is None:
            segments.append([])
        else:
            segments[-1].append(xy(year, value))
    lines = "".join(f'<polyline points="{" ".join(s)}" />' for s in segments if len(s) > 1)
    dots = "".join(
        f'<circle cx="{s[0].split(",")[0]}" cy="{s[0].split(",")[1]}" r="1.5" />'
        for s in segments
        if len(s) == 1
    )
    last = next((xy(y, v) for y, v in reversed(points) if v is not None), None)
    end = ""
    if last is not None:
        cx, cy = last.split(",")
        end = f'<circle class="end" cx="{cx}" cy="{cy}" r="2.5" />'
    return mark_safe(
        f'<svg class="sparkline" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{escape(label)}</title>{lines}{dots}{end}</svg>"
    )


@dataclass(frozen=True)
class Bin:
    """One class of the map's legend: values from ``lo`` to ``hi``, drawn in ``colour``."""

    lo: float
    hi: float
    colour: str


def bins(values: Sequence[float], k: int = len(PALETTE)) -> list[Bin]:
    """Return up to ``k`` classes of equal counts (quantiles) covering ``values``."""
    data = sorted(values)
    if not data:
        return []
    k = min(k, len(set(data)))
    edges = [data[min(len(data) - 1, round(i * (len(data) - 1) / k))] for i in range(k + 1)]
    edges = sorted(set(edges))
    if len(edges) == 1:
        return [Bin(edges[0], edges[0], PALETTE[-1])]
    step = (len(PALETTE) - 1) / max(1, len(edges) - 2)
    return [Bin(edges[i], edges[i + 1], PALETTE[round(i * step)]) for i in range(len(edges) - 1)]


def bin_of(value: float, classes: Sequence[Bin]) -> int:
    """Return the index of the class ``value`` falls in (a value on an edge: the lower)."""
    for i, b in enumerate(classes):
        if value <= b.hi:
            return i
    return len(classes) - 1


def shape_path(geometry: Mapping[str, Any]) -> str:
    """Return the SVG path data of a GeoJSON Polygon or MultiPolygon (longitude and
    latitude in degrees), projected as the map of Europe is (:data:`MAP_VIEWBOX`)."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    parts = []
    for polygon in polygons:
        for ring in polygon:
            pts = " ".join(
                f"{(lon + 25) * _X_SCALE * 10:.1f},{(72 - lat) * 10:.1f}" for lon, lat, *_ in ring
            )
            parts.append(f"M{pts}Z")
    return "".join(parts)


def path_bounds(paths: Sequence[str]) -> tuple[float, float, float, float]:
    """Return ``(x, y, width, height)`` of the box holding every point of the SVG path
    data ``paths`` (as :func:`shape_path` writes them)."""
    xs: list[float] = []
    ys: list[float] = []
    for d in paths:
        for x, y in _POINT.findall(d):
            xs.append(float(x))
            ys.append(float(y))
    if not xs:
        raise ValueError("no points in the paths")
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


_POINT = re.compile(r"(-?[\d.]+),(-?[\d.]+)")


@cache
def _features() -> tuple[tuple[str, str], ...]:
    """Return ``(geo, SVG path data)`` per country of the bundled map, projected once."""
    collection = json.loads(GEOJSON.read_text(encoding="utf-8"))
    return tuple((str(f["id"]), shape_path(f["geometry"])) for f in collection["features"])


def country_shapes() -> tuple[tuple[str, str], ...]:
    """Return ``(geo, SVG path data)`` per country of the bundled map, for other maps of
    the site (drawn in :data:`MAP_VIEWBOX`)."""
    return _features()


#: The ``viewBox`` of the map's SVG.
MAP_VIEWBOX = f"0 0 {round(70 * _X_SCALE * 10)} 380"


def europe_geo_ids() -> frozenset[str]:
    """Return the geo codes the bundled map draws."""
    return frozenset(geo for geo, _ in _features())


def map_svg(
    values: Mapping[str, float | None],
    titles: Mapping[str, str],
    classes: Sequence[Bin],
    *,
    label: str,
) -> SafeString:
    """Return the choropleth SVG of Europe: each country coloured by its class.

    ``values`` holds the countries with data (``None``: shown as no data); countries of
    the map without an entry are drawn as having no data. ``titles`` gives each country's
    tooltip (its name, formatted value and flags); ``label`` is the map's accessible name.
    """
    width = round(70 * _X_SCALE * 10)
    height = 380
    paths = []
    for geo, d in _features():
        value = values.get(geo)
        fill = classes[bin_of(value, classes)].colour if value is not None and classes else NO_DATA
        paths.append(
            f'<path d="{d}" fill="{fill}" data-geo="{escape(geo)}">'
            f"<title>{escape(titles.get(geo, geo))}</title></path>"
        )
    return mark_safe(
        f'<svg class="map" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
        'preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(label)}</title>{''.join(paths)}</svg>"
    )
