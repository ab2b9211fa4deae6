"""Live figures from the warehouse for knowledge pages (never Django's database).

The gap to nationals of the main migrant group (non-EU citizens where the warehouse has
them, else all foreign citizens), by country and indicator, latest year, published
figures preferred over computed ones, through :func:`zaragoza.compare.gaps.gaps`. Kept
in the worker's cache under the warehouse's version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from zaragoza.compare.gaps import gaps
from zaragoza.errors import ZaragozaError
from zaragoza.portal.monitoring.caching import remember
from zaragoza.warehouse.reader import ObservationFilter, reader_for

__all__ = ["HEADLINE_INDICATORS", "current_gaps"]

#: The headline indicators of a country profile's migration context.
HEADLINE_INDICATORS = (
    "employment_rate", "unemployment_rate", "activity_rate", "early_leavers",
    "tertiary_attainment", "at_risk_of_poverty_rate", "overqualification_rate",
    "long_term_residence_share", "naturalisation_rate",
)  # fmt: skip
_GROUPS = ("NEU27_2020_FOR", "FOR")


def _compute(geos: Sequence[str], indicators: Sequence[str]) -> list[dict[str, Any]]:
    reader = reader_for(settings.ZARAGOZA_WAREHOUSE)
    obs = reader.observations(
        ObservationFilter(indicator=tuple(indicators), geo=tuple(geos), sex=("T",), compare_to=())
    )
    if obs.empty:
        return []
    levels = obs[obs["compare_to"] == ""]
    out: list[dict[str, Any]] = []
    table = gaps(obs, kinds=("migrant_native",))
    table = table[(table["dimension"] == "citizen") & table["citizen"].isin(_GROUPS)]
    table = table[table["value"].notna()]
    for (ind, geo), rows in table.groupby(["indicator", "geo"], sort=True):
        rows = rows.assign(
            _src=(rows["source"] != "published").astype(int),
            _grp=rows["citizen"].map({g: i for i, g in enumerate(_GROUPS)}),
        ).sort_values(["_src", "time", "_grp"], ascending=[True, False, True])
        best = rows.iloc[0]
        mine = levels[
            (levels["indicator"] == ind) & (levels["geo"] == geo) & (levels["time"] == best["time"])
            & (levels["source"] == best["source"]) & (levels["c_birth"] == "TOTAL")
        ]  # fmt: skip
        value = mine[mine["citizen"] == best["citizen"]]["value"]
        nat = mine[mine["citizen"] == "NAT"]["value"]
        out.append(
            {
                "indicator": str(ind), "geo": str(geo), "time": int(best["time"]),
                "group": str(best["citizen"]), "source": str(best["source"]),
                "gap": round(float(best["value"]), 1),
                "value": round(float(value.iloc[0]), 1) if len(value) else None,
                "nationals": round(float(nat.iloc[0]), 1) if len(nat) else None,
            }
        )  # fmt: skip
    return out


def current_gaps(geos: Sequence[str], indicators: Sequence[str]) -> list[dict[str, Any]]:
    """Return the latest gap to nationals per (indicator, country) the warehouse has;
    an empty list when the warehouse cannot be read (the page says so)."""
    if not geos or not indicators:
        return []
    try:
        version = reader_for(settings.ZARAGOZA_WAREHOUSE).version().tag
    except (ZaragozaError, OSError):
        return []
    key = (
        "kb-gaps:"
        + hashlib.sha256(
            f"{version}|{','.join(sorted(geos))}|{','.join(sorted(indicators))}".encode()
        ).hexdigest()
    )
    try:
        return remember(key, lambda: _compute(geos, indicators))
    except (ZaragozaError, OSError):
        return []
