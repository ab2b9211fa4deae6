"""Live figures from the warehouse for knowledge pages (never Django's database).

The gap to nationals of the main migrant group (non-EU citizens where the warehouse has
them, else all foreign citizens), by country and indicator, latest year, published
figures preferred over computed ones, through :func:`zaragoza.compare.gaps.gaps`. Kept
in the worker's cache under the warehouse's version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
from django.conf import settings

from zaragoza.compare.gaps import gaps
from zaragoza.errors import ZaragozaError
from zaragoza.observations import SURVEY_SOURCES
from zaragoza.portal.monitoring.caching import remember
from zaragoza.warehouse.reader import ObservationFilter, reader_for

__all__ = ["HEADLINE_INDICATORS", "current_gaps"]

#: The headline indicators of a country profile's migration context.
HEADLINE_INDICATORS = (
    "employment_rate",
    "unemployment_rate",
    "activity_rate",
    "early_leavers",
    "tertiary_attainment",
    "at_risk_of_poverty_rate",
    "overqualification_rate",
    "long_term_residence_share",
    "naturalisation_rate",
)
_GROUPS = ("NEU27_2020_FOR", "FOR")


def _all_gaps() -> dict[tuple[str, str], dict[str, Any]]:
    """The latest gap of every (indicator, geo) of the warehouse, computed in one pass."""
    reader = reader_for(settings.ZARAGOZA_WAREHOUSE)
    # survey figures only: the skills profiles describe those profiled, not a country
    obs = reader.observations(ObservationFilter(sex=("T",), compare_to=(), source=SURVEY_SOURCES))
    if obs.empty:
        return {}
    table = gaps(obs, kinds=("migrant_native",))
    table = table[(table["dimension"] == "citizen") & table["citizen"].isin(_GROUPS)]
    table = table[table["value"].notna()].assign(
        _src=lambda t: (t["source"] != "published").astype(int),
        _grp=lambda t: t["citizen"].map({g: i for i, g in enumerate(_GROUPS)}),
    )
    best = table.sort_values(
        ["indicator", "geo", "_src", "time", "_grp"], ascending=[True, True, True, False, True]
    )
    best = best.drop_duplicates(["indicator", "geo"])
    levels = obs[(obs["compare_to"] == "") & (obs["c_birth"] == "TOTAL")]
    values: dict[tuple[Any, ...], Any] = {}
    row: Any
    for row in levels[["indicator", "geo", "time", "source", "citizen", "value"]].itertuples():
        values[(row.indicator, row.geo, int(row.time), row.source, row.citizen)] = row.value
    out = {}
    r: Any
    for r in best.itertuples():
        key = (str(r.indicator), str(r.geo))
        group = values.get((r.indicator, r.geo, int(r.time), r.source, r.citizen))
        nat = values.get((r.indicator, r.geo, int(r.time), r.source, "NAT"))
        out[key] = {
            "indicator": key[0],
            "geo": key[1],
            "time": int(r.time),
            "group": str(r.citizen),
            "source": str(r.source),
            "gap": round(float(r.value), 1),
            "value": None if group is None or group != group else round(float(group), 1),
            "nationals": None if nat is None or nat != nat else round(float(nat), 1),
        }
    return out


def current_gaps(geos: Sequence[str], indicators: Sequence[str]) -> list[dict[str, Any]]:
    """Return the latest gap to nationals per (indicator, country) the warehouse has, in
    indicator then country order; an empty list when the warehouse cannot be read.

    Every gap of the warehouse is computed once per worker and warehouse version (a
    second or two for the embedded default), then each page only looks its rows up.
    """
    if not geos or not indicators:
        return []
    try:
        version = reader_for(settings.ZARAGOZA_WAREHOUSE).version().tag
        table = remember(f"kb-gaps:{version}", _all_gaps)
    except (ZaragozaError, OSError, duckdb.Error):
        return []
    return [table[(i, g)] for i in sorted(indicators) for g in sorted(geos) if (i, g) in table]
