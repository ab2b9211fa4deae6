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
from zaragoza.compare.trends import trend

__all__ = ["TARGET_COLUMNS", "distance_to_target", "year_reached"]

#: Columns of :func:`distance_to_target`.
TARGET_COLUMNS = [
    "target", "framework", "target_year", "direction", "indicator", "geo", "time",
    "citizen", "c_birth", "sex", "age", "source", "flag", "value", "target_value",
    "distance", "met", "verdict", "trend_slope", "year_reached",
]  # fmt: skip


def _reach(
    slope: np.ndarray, fitted_last: np.ndarray, last: np.ndarray, target: Target
) -> np.ndarray:
    """Vectorised core of :func:`year_reached` (NaN where the line never meets it)."""
    # rounded so that a line through 9.0 is read as 9.0, not 8.999999999999
    fit = np.round(fitted_last, 9)
    if target.direction == "at_least":
        met_now, toward = fit >= target.value, slope > 0
    else:
        met_now = fit <= target.value if target.inclusive else fit < target.value
        toward = slope < 0
    with np.errstate(divide="ignore", invalid="ignore"):
        year = np.ceil(last + (target.value - fitted_last) / slope)
        at_year = np.round(fitted_last + slope * (year - last), 9)
    if target.direction == "at_least":
        late = at_year < target.value
    else:
        late = at_year > target.value if target.inclusive else at_year >= target.value
    year = np.where(late, year + 1, year)
    out = np.where(met_now, last, np.where(toward, year, np.nan))
    return np.where(np.isnan(slope), np.nan, out)


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
    slope = float(((t - t.mean()) * (v - v.mean())).sum() / ((t - t.mean()) ** 2).sum())
    fitted_last = v.mean() + slope * (t.max() - t.mean())
    year = _reach(np.array([slope]), np.array([fitted_last]), np.array([t.max()]), target)
    return slope, float(year[0])


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
        or strictly below when not inclusive) applied to the value (none for a figure
        computed from synthetic records); ``verdict`` ``met``,
        ``not met`` or ``not distinguishable`` from the 95% interval where the figure has
        one (:meth:`Target.verdict`), none for a figure computed from synthetic records;
        ``trend_slope`` and ``year_reached`` from :func:`year_reached` on the series'
        latest segment (from its last break, flag ``b``), the same on every row of the
        series.
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
        lo = rows["ci_lo"] if "ci_lo" in rows else pd.Series(np.nan, index=rows.index)
        hi = rows["ci_hi"] if "ci_hi" in rows else pd.Series(np.nan, index=rows.index)
        rows["verdict"] = [
            None if pd.isna(v) else target.verdict(float(v), float(a), float(b))
            for v, a, b in zip(rows["value"], lo, hi, strict=True)
        ]
        if "synthetic" in rows:  # a demonstration gets no verdict, not even the point one
            demo = rows["synthetic"].fillna(False).astype(bool)
            rows["met"] = rows["met"].astype(object)
            rows.loc[demo, ["met", "verdict"]] = None
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
    tr = trend(rows)
    enough = tr["n_years"] >= min_years
    slope = tr["slope"].where(enough).to_numpy(float)
    year = _reach(slope, tr["fitted_last"].to_numpy(float), tr["last_year"].to_numpy(float), target)
    return tr[SERIES].assign(trend_slope=slope, year_reached=year)
