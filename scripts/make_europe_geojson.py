"""Write the bundled map of European countries from Natural Earth 1:110m.

Usage::

    uv run python scripts/make_europe_geojson.py \
        /path/to/ne_110m_admin_0_countries.shp \
        [src/zaragoza/portal/monitoring/static/monitoring/europe.geojson]

Natural Earth is in the public domain ("Made with Natural Earth"). Features carry
Eurostat geo codes as ids (``EL`` for Greece, ``UK`` for the United Kingdom), keep only
the polygons that lie in Europe's frame (France without its overseas departments,
Norway without Svalbard's far parts) and have coordinates rounded to 0.01 degree: the
file stays small and the portal's map needs no more precision at that scale. Countries
too small for the 1:110m scale (Malta, Liechtenstein) are absent;
the portal lists them in its tables and says the map omits them.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

import shapefile

# lon_min, lat_min, lon_max, lat_max: the frame of the map (Iceland to Cyprus).
FRAME = (-25.0, 34.0, 45.0, 72.0)
# Natural Earth writes -99 in ISO_A2 for France, Norway and Kosovo; ISO_A2_EH has them.
ISO_TO_EUROSTAT = {"GR": "EL", "GB": "UK"}
# Russia is left out: its European part would dominate the frame and it has no data.
LEFT_OUT = {"RU"}
DEFAULT_OUT = Path("src/zaragoza/portal/monitoring/static/monitoring/europe.geojson")


def _inside(ring: list[tuple[float, float]]) -> bool:
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    lo_lon, lo_lat, hi_lon, hi_lat = FRAME
    return (
        min(lons) >= lo_lon and max(lons) <= hi_lon and min(lats) >= lo_lat and max(lats) <= hi_lat
    )


def _polygons(shape: Any) -> list[list[list[tuple[float, float]]]]:
    """Split a shapefile polygon into GeoJSON polygons (outer ring, then its holes)."""
    points = shape.points
    bounds = [*shape.parts, len(points)]
    rings = [points[bounds[i] : bounds[i + 1]] for i in range(len(shape.parts))]
    polygons: list[list[list[tuple[float, float]]]] = []
    for ring in rings:
        # Shapefile outer rings run clockwise; holes run counter-clockwise.
        area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
        if area <= 0 or not polygons:
            polygons.append([ring])
        else:
            polygons[-1].append(ring)
    return polygons


def _rounded(ring: list[tuple[float, float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        p = [round(x, 2), round(y, 2)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def europe(shp: Path) -> dict[str, Any]:
    """Return the GeoJSON FeatureCollection of the European countries in ``shp``."""
    reader = shapefile.Reader(str(shp))
    features = []
    for sr in reader.iterShapeRecords():
        rec = sr.record
        iso = rec["ISO_A2_EH"] if rec["ISO_A2"] == "-99" else rec["ISO_A2"]
        if rec["CONTINENT"] != "Europe" and iso not in {"TR", "CY"}:
            continue
        if iso in LEFT_OUT or iso == "-99":
            continue
        polys = [[_rounded(r) for r in poly] for poly in _polygons(sr.shape) if _inside(poly[0])]
        polys = [p for p in polys if len(p[0]) >= 4]
        if not polys:
            continue
        geo = ISO_TO_EUROSTAT.get(iso, iso)
        features.append(
            {
                "type": "Feature",
                "id": geo,
                "properties": {"geo": geo, "name": rec["NAME"]},
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
            }
        )
    features.sort(key=lambda f: f["id"])
    return {
        "type": "FeatureCollection",
        "attribution": "Made with Natural Earth (public domain), 1:110m admin 0 countries",
        "features": features,
    }


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    collection = europe(Path(argv[0]))
    out.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(collection['features'])} countries, {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
