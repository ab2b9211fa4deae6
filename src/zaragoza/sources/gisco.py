"""NUTS region boundaries from GISCO, fetched on demand and kept in a local cache.

GISCO's licence does not allow the boundaries to be shipped, so the repository holds
none: ``zaragoza geo fetch`` downloads one file of GISCO's distribution API::

    https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/
        NUTS_RG_{scale}_{year}_{crs}_LEVL_{level}.geojson

(``RG``: regions as polygons; ``scale`` ``01M`` … ``60M``, the larger the simpler;
``crs`` ``4326``, longitude and latitude), reduces it to what the portal draws and
writes it into the cache (``$ZARAGOZA_CACHE/gisco``, default
``~/.cache/zaragoza/gisco``) as ``nuts-{year}-{scale}-{level}.geojson``: a
FeatureCollection whose features carry ``id`` (``NUTS_ID``) and ``properties`` ``name``
(``NAME_LATN``), ``level`` and ``country``, coordinates rounded to
:data:`PRECISION` decimals, and a ``zaragoza`` member with the URL and the time of the
download. The portal reads these files (:func:`find_cached`, :func:`read_cached`).

Requests use :func:`zaragoza.sources.eurostat_api.download` (retries with doubling
waits after time-outs, connection errors, HTTP 429 and 5xx). With ``offline=True`` only
the cache is used. Errors raise :class:`zaragoza.errors.InputError` naming the URL and
the HTTP status.
"""

from __future__ import annotations

import itertools
import json
import re
import time as _time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from zaragoza import settings
from zaragoza.errors import InputError, UsageError
from zaragoza.sources.eurostat_api import Downloader

__all__ = [
    "DEFAULT_BASE_URL",
    "LEVELS",
    "PRECISION",
    "SCALES",
    "YEARS",
    "CachedNuts",
    "GiscoClient",
    "cache_dir",
    "cache_stamp",
    "find_cached",
    "is_nuts_id",
    "list_cached",
    "nuts_level",
    "read_cached",
    "reduce_nuts",
]

DEFAULT_BASE_URL = "https://gisco-services.ec.europa.eu/distribution/v2"
#: NUTS versions GISCO distributes.
YEARS = (2003, 2006, 2010, 2013, 2016, 2021, 2024)
#: Generalisation: 1:1 million to 1:60 million.
SCALES = ("01M", "03M", "10M", "20M", "60M")
#: Regional levels (0 is the countries, drawn from the bundled Natural Earth map).
LEVELS = (1, 2, 3)
#: Decimals kept of longitudes and latitudes (about 10 m; far below 1:1 million).
PRECISION = 4
CRS = "4326"
_FILE = re.compile(r"^nuts-(\d{4})-(\d\dM)-(\d)\.geojson$")
# A NUTS id: the country's two letters (Eurostat's: EL for Greece), then one to three
# letters or digits, one per level.
_NUTS_ID = re.compile(r"^[A-Z]{2}[0-9A-Z]{1,3}$")
# Aggregates that look like NUTS ids (EA19, EU28, EFTA, EEA).
_AGGREGATE = re.compile(r"^(EA|EU|EFTA|EEA)")


def cache_dir() -> Path:
    """``$ZARAGOZA_CACHE/gisco``, default ``~/.cache/zaragoza/gisco``."""
    return settings.cache_dir() / "gisco"


_default_cache_dir = cache_dir


def is_nuts_id(geo: str) -> bool:
    """Whether ``geo`` is a NUTS region of level 1 to 3 (``AT1``, ``AT13``, ``AT130``)."""
    return bool(_NUTS_ID.match(geo)) and not _AGGREGATE.match(geo)


def nuts_level(geo: str) -> int:
    """The NUTS level of a region id (the number of characters after the country's)."""
    return len(geo) - 2


def _check(level: int, year: int, scale: str) -> None:
    if level not in LEVELS:
        raise UsageError("unknown NUTS level", value=level, hint="Use 1, 2 or 3")
    if year not in YEARS:
        raise UsageError(
            "unknown NUTS version", value=year, hint="Use one of " + ", ".join(map(str, YEARS))
        )
    if scale not in SCALES:
        raise UsageError("unknown scale", value=scale, hint="Use one of " + ", ".join(SCALES))


def _file_name(year: int, scale: str, level: int) -> str:
    return f"nuts-{year}-{scale}-{level}.geojson"


def _rounded(coords: Any, digits: int) -> Any:
    if isinstance(coords, list | tuple):
        if coords and isinstance(coords[0], int | float):
            return [round(float(c), digits) for c in coords[:2]]
        return [_rounded(c, digits) for c in coords]
    raise ValueError(f"bad coordinates {coords!r}")


def _signed_area(ring: list[list[float]]) -> float:
    """Twice the planar signed area of a ring in longitude and latitude (> 0: counter-
    clockwise)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))


def _rewound(polygon: list[list[list[float]]]) -> list[list[list[float]]]:
    """A polygon with its outer ring clockwise and its holes counter-clockwise, the order
    d3-geo (and so plotly.js) reads as the region itself, not the rest of the globe."""
    out = []
    for i, ring in enumerate(polygon):
        clockwise = _signed_area(ring) < 0
        out.append(ring if clockwise == (i == 0) else ring[::-1])
    return out


def reduce_nuts(
    collection: Any, *, level: int | None = None, digits: int = PRECISION, source: str = ""
) -> dict[str, Any]:
    """Return GISCO's NUTS FeatureCollection as the portal reads it.

    Each feature keeps ``id`` = ``NUTS_ID``, ``properties`` ``name`` (``NAME_LATN``),
    ``level`` (``LEVL_CODE``) and ``country`` (``CNTR_CODE``), and its (Multi)Polygon
    with coordinates rounded to ``digits`` decimals and rings wound as plotly.js needs
    them (outer rings clockwise, holes counter-clockwise, whatever the source's order).
    Features of another ``level`` than the one asked are left out.

    Raises
    ------
    InputError
        The body is not a FeatureCollection of NUTS regions.
    """
    where = source or "GISCO answer"
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise InputError("not a GeoJSON FeatureCollection", file=where)
    features: list[dict[str, Any]] = []
    for i, feature in enumerate(collection.get("features") or []):
        try:
            props = feature["properties"]
            nuts_id = str(props["NUTS_ID"])
            levl = int(props.get("LEVL_CODE", len(nuts_id) - 2))
            geometry = feature["geometry"]
            kind = geometry["type"]
            if kind not in ("Polygon", "MultiPolygon"):
                raise ValueError(f"geometry {kind}")
            coordinates = _rounded(geometry["coordinates"], digits)
            if kind == "Polygon":
                coordinates = _rewound(coordinates)
            else:
                coordinates = [_rewound(p) for p in coordinates]
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"feature {i} is not a NUTS region ({exc})",
                file=where,
                hint="GISCO's NUTS_RG files carry NUTS_ID, NAME_LATN and LEVL_CODE",
            ) from exc
        if level is not None and levl != level:
            continue
        features.append(
            {
                "type": "Feature",
                "id": nuts_id,
                "properties": {
                    "name": str(props.get("NAME_LATN") or props.get("NUTS_NAME") or nuts_id),
                    "level": levl,
                    "country": str(props.get("CNTR_CODE") or nuts_id[:2]),
                },
                "geometry": {"type": kind, "coordinates": coordinates},
            }
        )
    if not features:
        raise InputError("no NUTS regions in the answer", file=where, value=level)
    features.sort(key=lambda f: str(f["id"]))
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class CachedNuts:
    """One cached file of NUTS regions."""

    year: int
    scale: str
    level: int
    path: Path


class GiscoClient(Downloader):
    """Fetch NUTS region boundaries from GISCO into the cache.

    Parameters are those of :class:`zaragoza.sources.eurostat_api.EurostatClient`:
    ``cache_dir`` (default :func:`cache_dir`), ``offline`` (only the cache), ``retries``,
    ``backoff`` (first wait, doubled after every failed try), ``timeout``, ``transport``
    (``httpx.MockTransport`` in tests) and ``sleep``.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        cache_dir: str | Path | None = None,
        offline: bool = False,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 60,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = _time.sleep,
    ) -> None:
        super().__init__(base_url, offline, retries, backoff, timeout, transport, sleep)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else _default_cache_dir()

    def url(self, level: int, year: int = 2021, scale: str = "20M") -> str:
        """GISCO's URL of the regions of ``level`` in NUTS ``year`` at ``scale``."""
        return f"{self.base_url}/nuts/geojson/NUTS_RG_{scale}_{year}_{CRS}_LEVL_{level}.geojson"

    def fetch(
        self, level: int, year: int = 2021, scale: str = "20M", *, refresh: bool = False
    ) -> CachedNuts:
        """Return the cached regions of ``level``, downloading them when not cached
        (or when ``refresh``).

        Raises
        ------
        UsageError
            An unknown level, year or scale.
        InputError
            Offline and not cached; GISCO answered with an error or not with NUTS
            regions; every try failed.
        """
        _check(level, year, scale)
        path = self.cache_dir / _file_name(year, scale, level)
        url = self.url(level, year, scale)
        kept = CachedNuts(year, scale, level, path)
        if path.exists() and not refresh:
            return kept
        if self.offline:
            raise InputError(
                f"offline and NUTS {year} level {level} ({scale}) is not cached",
                file=url,
                hint=f"fetch it once online: zaragoza geo fetch --level {level} "
                f"--year {year} --scale {scale} (cache: {self.cache_dir})",
            )
        what = f"NUTS {year} level {level} boundaries"
        answer = self.get(url, what)
        if answer.status != 200:
            raise InputError(
                f"GISCO answered with an error for {what} (HTTP {answer.status})",
                file=url,
                hint="check the level, year and scale (GISCO's NUTS_RG files)"
                if answer.status == 404
                else None,
            )
        try:
            body = json.loads(answer.text)
        except ValueError as exc:
            raise InputError(f"the answer for {what} is not JSON ({exc})", file=url) from exc
        reduced = reduce_nuts(body, level=level, source=url)
        reduced["zaragoza"] = {
            "url": url,
            "retrieved": datetime.now(UTC).isoformat(timespec="seconds"),
            "note": "NUTS boundaries © EuroGeographics; source: European Commission - "
            "Eurostat/GISCO. Kept in a local cache; not to be redistributed.",
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".geojson.tmp")
        tmp.write_text(json.dumps(reduced, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)
        return kept


def list_cached(folder: Path | None = None) -> list[CachedNuts]:
    """The cached NUTS files, newest version first, then by level and scale."""
    folder = cache_dir() if folder is None else folder
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        m = _FILE.match(entry.name)
        if m and entry.is_file():
            found.append(CachedNuts(int(m[1]), m[2], int(m[3]), entry))
    return sorted(found, key=lambda c: (-c.year, c.level, SCALES.index(c.scale)))


def cache_stamp(folder: Path | None = None) -> str:
    """A short text that changes whenever a cached NUTS file is added, replaced or removed."""
    return ";".join(f"{c.path.name}:{c.path.stat().st_mtime_ns}" for c in list_cached(folder))


_IDS: dict[tuple[Path, int], frozenset[str]] = {}


def _ids_of(entry: CachedNuts) -> frozenset[str]:
    key = (entry.path, entry.path.stat().st_mtime_ns)
    if key not in _IDS:
        _IDS[key] = frozenset(f["id"] for f in read_cached(entry)["features"])
    return _IDS[key]


def find_cached(
    level: int, geos: Iterable[str] = (), folder: Path | None = None
) -> CachedNuts | None:
    """The cached file of ``level`` that draws most of ``geos``, or None.

    Ties go to the newer NUTS version, then to the scale nearest 1:20 million (the
    scale for a map about 1000 pixels wide).
    """
    wanted = set(geos)
    preference = {s: i for i, s in enumerate(("20M", "10M", "60M", "03M", "01M"))}
    best: tuple[tuple[int, int, int], CachedNuts] | None = None
    for entry in list_cached(folder):
        if entry.level != level:
            continue
        try:
            covered = len(wanted & _ids_of(entry))
        except (OSError, InputError):
            continue
        rank = (-covered, -entry.year, preference[entry.scale])
        if best is None or rank < best[0]:
            best = (rank, entry)
    return None if best is None else best[1]


def read_cached(entry: CachedNuts) -> dict[str, Any]:
    """The reduced FeatureCollection of a cached file."""
    try:
        body: dict[str, Any] = json.loads(entry.path.read_text(encoding="utf-8"))
        if not isinstance(body.get("features"), list):
            raise ValueError("no features")
    except (OSError, ValueError, AttributeError) as exc:
        raise InputError(
            f"the cached NUTS regions cannot be read ({exc})",
            file=str(entry.path),
            hint=f"fetch them again: zaragoza geo fetch --level {entry.level} "
            f"--year {entry.year} --scale {entry.scale}",
        ) from exc
    return body
