"""Distance to the EU headline targets by country, migrant group, sex and year.

The targets are the catalogue's data (:mod:`zaragoza.catalog.targets`, Europe 2020 and
the 2030 social and education targets). Every level observation of a target's indicator
is set against it, whatever its group: the targets are set for the whole population, and
a migrant group's distance is a reading aid, not a target for that group.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from zaragoza.catalog.targets import Target, bundled_targets
from zaragoza.compare._frame import SERIES, level_rows, prepare
from zaragoza.compare.trends import latest_segment

__all__ = ["TARGET_COLUMNS", "distance_to_target", "year_reached"]

#: Columns of :func:`distance_to_target`.
TARGET_COLUMNS = [
    "target", "framework", "target_year", "direction", "indicator", "geo", "time",
    "citizen", "c_birth", "sex", "age", "source", "flag", "value", "target_value",
    "distance", "met", "trend_slope", "year_reached",
]  # fmt: skip


def year_reached(
    times: np.ndarray, values: np.ndarray, target: Target, *, min_years: int = 3
) -> tuple[float, float]:
    """Return the OLS slope of ``values`` on ``times`` and the year the line meets ``target``.

    The year is the first calendar year in which the fitted line ``a + b t`` meets the
    target (``ceil`` of the crossing point); the last observed year when the fitted line
    meets it there already. NaN when the line moves away from or runs parallel to the
    target, or when there are fewer than ``min_years`` points (the slope is NaN too).

    Notes
    -----
    A linear extrapolation, as in Eurostat's "distance to target" charts: it says where
    the recent trend leads, not a forecast.
    """
    ok = np.isfinite(values)
    t, v = times[ok].astype(float), values[ok].astype(float)
    if len(t) < min_years or np.ptp(t) == 0:
        return math.nan, math.nan
    slope, intercept = np.polyfit(t, v, 1)
    last = float(t.max())
    # rounded so that a line through 9.0 is read as 9.0, not 8.999999999999
    fitted_last = round(float(intercept + slope * last), 9)
    if target.met(fitted_last):
        return float(slope), last
    toward = slope > 0 if target.direction == "at_least" else slope < 0
    if not toward:
        return float(slope), math.nan
    crossing = (target.value - intercept) / slope
    year = math.ceil(crossing)
    if not target.met(round(float(intercept + slope * year), 9)):  # strict "below" at the crossing
        year += 1
    return float(slope), float(year)


def distance_to_target(
    obs: pd.DataFrame, targets: Iterable[Target] | None = None, *, min_years: int = 3
) -> pd.DataFrame:
    """Return each level observation's distance to every target of its indicator.

    Parameters
    ----------
    obs
        Observation rows with the warehouse's columns (gap rows are left out).
    targets
        Default: the bundled targets (:func:`zaragoza.catalog.targets.bundled_targets`).
    min_years
        Fewest years a series needs for its trend.

    Returns
    -------
    pandas.DataFrame
        :data:`TARGET_COLUMNS`: ``distance = value - target_value`` in the indicator's
        unit (percentage points for rates), negative below the target whatever its
        direction; ``met`` by the target's rule (``at_most`` targets are met at or below,
        or strictly below when not inclusive); ``trend_slope`` and ``year_reached`` from
        :func:`year_reached` on the series' latest segment (from its last break, flag
        ``b``), the same on every row of the series.
    """
    obs = prepare(obs, "distance to target")
    pool = list(bundled_targets() if targets is None else targets)
    levels = level_rows(obs)
    parts: list[pd.DataFrame] = []
    for target in pool:
        rows = levels[levels["indicator"] == target.indicator]
        if rows.empty:
            continue
        rows = rows.assign(
            target=target.id,
            framework=target.framework,
            target_year=target.year,
            direction=target.direction,
            target_value=float(target.value),
        )
        rows["distance"] = rows["value"] - target.value
        if target.direction == "at_least":
            rows["met"] = rows["value"] >= target.value
        elif target.inclusive:
            rows["met"] = rows["value"] <= target.value
        else:
            rows["met"] = rows["value"] < target.value
        trend = _trends(rows, target, min_years)
        parts.append(rows.merge(trend, on=SERIES, how="left"))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TARGET_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    return (
        out[TARGET_COLUMNS]
        .sort_values(["target", "indicator", "source", "geo", "citizen", "c_birth", "sex", "time"])
        .reset_index(drop=True)
    )


def _trends(rows: pd.DataFrame, target: Target, min_years: int) -> pd.DataFrame:
    seg = latest_segment(rows)
    records = []
    for key, g in seg.groupby(SERIES, sort=False, dropna=False):
        slope, year = year_reached(
            g["time"].to_numpy(), g["value"].to_numpy(), target, min_years=min_years
        )
        records.append((*key, slope, year))
    return pd.DataFrame.from_records(records, columns=[*SERIES, "trend_slope", "year_reached"])
