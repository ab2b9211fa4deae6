"""Change, trend and convergence of indicators over time, with breaks in series respected.

A Eurostat flag ``b`` on year *t* says the series breaks at *t*: values from *t* on are
not comparable with those before. A series is therefore cut into segments at each break;
a change spanning a break is reported but marked, a trend is fitted on the latest segment
of its period, and a country whose series breaks inside a convergence period is left out
of that regression (and counted).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from zaragoza.compare._frame import SERIES, is_country, prepare
from zaragoza.compare._stats import normal_two_sided_p, t_two_sided_p
from zaragoza.errors import UsageError

__all__ = [
    "BETA_COLUMNS",
    "CHANGE_COLUMNS",
    "SIGMA_COLUMNS",
    "TREND_COLUMNS",
    "beta_convergence",
    "change",
    "latest_segment",
    "ols",
    "segments",
    "sigma_convergence",
    "trend",
]

#: A comparison set across countries: a series without its ``geo``.
CROSS = [c for c in SERIES if c != "geo"]

CHANGE_COLUMNS = [
    *SERIES, "start", "end", "value_start", "value_end", "change", "se", "z", "p_value",
    "significant", "break_between",
]  # fmt: skip
TREND_COLUMNS = [
    *SERIES, "first_year", "last_year", "n_years", "slope", "slope_se", "p_value",
    "fitted_last", "break_in_period",
]  # fmt: skip
BETA_COLUMNS = [
    *CROSS, "start", "end", "log", "n", "n_left_out_breaks", "intercept", "beta",
    "beta_se", "p_value", "r2", "speed", "converging",
]  # fmt: skip
SIGMA_COLUMNS = [*CROSS, "time", "n", "mean", "sd", "cv", "n_breaks", "sd_slope", "sd_slope_p"]


def _has_break(flag: pd.Series) -> pd.Series:
    return flag.astype(str).str.contains("b", regex=False)


def segments(obs: pd.DataFrame) -> pd.Series:
    """Return each row's segment number in its series (0 before the first break).

    A row flagged ``b`` starts a new segment; rows are counted in time order.
    """
    if not set(SERIES) | {"flag"} <= set(obs.columns):
        obs = prepare(obs, "segments")
    df = obs[[*SERIES, "time", "flag"]].sort_values([*SERIES, "time"])
    seg = _has_break(df["flag"]).astype(int).groupby([df[c] for c in SERIES]).cumsum()
    return seg.reindex(obs.index)


def latest_segment(obs: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of each series from its last break (flag ``b``) on."""
    seg = segments(obs)
    last = seg.groupby([obs[c] for c in SERIES]).transform("max")
    return obs[seg == last]


def ols(x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Return the OLS fit of ``y = a + b x``: ``intercept, slope, slope_se, p_value, r2, n``.

    Classical (homoskedastic) standard error, ``s^2 / Sxx`` with ``s^2`` the residual
    variance on ``n - 2`` degrees of freedom; two-sided p-value from Student's t.
    """
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok].astype(float), y[ok].astype(float)
    n = len(x)
    nan = math.nan
    if n < 2 or np.ptp(x) == 0:
        return {"intercept": nan, "slope": nan, "slope_se": nan, "p_value": nan, "r2": nan, "n": n}
    xm, ym = x.mean(), y.mean()
    sxx = float(((x - xm) ** 2).sum())
    slope = float(((x - xm) * (y - ym)).sum() / sxx)
    intercept = float(ym - slope * xm)
    resid = y - intercept - slope * x
    syy = float(((y - ym) ** 2).sum())
    r2 = 1.0 - float((resid**2).sum()) / syy if syy > 0 else nan
    if n < 3:
        return {"intercept": intercept, "slope": slope, "slope_se": nan, "p_value": nan,
                "r2": r2, "n": n}  # fmt: skip
    se = math.sqrt(float((resid**2).sum()) / (n - 2) / sxx)
    p = t_two_sided_p(slope / se, n - 2) if se > 0 else 0.0
    return {"intercept": intercept, "slope": slope, "slope_se": se, "p_value": p, "r2": r2, "n": n}


def change(obs: pd.DataFrame, start: int, end: int, *, alpha: float = 0.05) -> pd.DataFrame:
    """Return each series' change from ``start`` to ``end`` with its z-test.

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS`. ``change = value_end - value_start`` (percentage points for
        rates); ``se = sqrt(se_start^2 + se_end^2)``, which assumes the two years' samples
        independent (the EU-LFS rotation overlaps them, which makes the true SE of a change
        smaller: the test is conservative); ``z = change / se``, ``p_value`` two-sided normal,
        ``significant`` when ``p_value < alpha``; all empty for published cells without SEs.
        ``break_between`` when the series breaks in ``(start, end]``: the change then mixes
        two methods and should not be read as a change.
    """
    if end <= start:
        raise UsageError("the end year must come after the start year", value=(start, end))
    df = prepare(obs, "change between two years")
    df = df[df["time"].between(start, end)]
    brk = df[(df["time"] > start) & _has_break(df["flag"])].groupby(SERIES).size().rename("nb")
    a = df[df["time"] == start][[*SERIES, "value", "se"]]
    b = df[df["time"] == end][[*SERIES, "value", "se"]]
    m = a.merge(b, on=SERIES, suffixes=("_start", "_end"))
    m = m.merge(brk, left_on=SERIES, right_index=True, how="left")
    m["start"], m["end"] = start, end
    m["change"] = m["value_end"] - m["value_start"]
    m["se"] = np.sqrt(m["se_start"] ** 2 + m["se_end"] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        m["z"] = m["change"] / m["se"]
    m["p_value"] = normal_two_sided_p(m["z"].to_numpy())
    m["significant"] = (m["p_value"] < alpha).where(m["p_value"].notna())
    m["break_between"] = m["nb"].fillna(0) > 0
    return m[CHANGE_COLUMNS].sort_values(SERIES).reset_index(drop=True)


def trend(obs: pd.DataFrame, start: int | None = None, end: int | None = None) -> pd.DataFrame:
    """Return each series' OLS linear trend (per year) over ``[start, end]``.

    The trend is fitted on the latest segment inside the period (from the last break on);
    ``first_year`` says where that segment starts and ``break_in_period`` whether earlier
    years were left out for a break. A series needs two years for a slope and three for
    its SE and p-value (Student's t on ``n - 2`` df, the SEs of the points unused: the
    residual scatter measures the noise around the trend).

    Returns
    -------
    pandas.DataFrame
        :data:`TREND_COLUMNS`, ``slope`` in the indicator's unit per year,
        ``fitted_last`` the trend line's value in ``last_year``.
    """
    df = prepare(obs, "trend")
    df = df[df["value"].notna()]
    if start is not None:
        df = df[df["time"] >= start]
    if end is not None:
        df = df[df["time"] <= end]
    # one integer id per series: every grouping below is on it, not on eight columns
    sid = df.groupby(SERIES, sort=True, dropna=False).ngroup().to_numpy()
    df = df.assign(_sid=sid).sort_values(["_sid", "time"])
    brk = _has_break(df["flag"]).astype(int)
    seg = brk.groupby(df["_sid"]).cumsum()
    last_seg = seg.groupby(df["_sid"]).transform("max")
    broken = (last_seg > seg.groupby(df["_sid"]).transform("min")).groupby(df["_sid"]).any()
    cur = df[seg == last_seg]
    g = cur.groupby("_sid", sort=True)
    t = cur["time"].astype(float)
    v = cur["value"].astype(float)
    tm = g["time"].transform("mean")
    vm = g["value"].transform("mean")
    gid = cur["_sid"]
    stats = pd.DataFrame(
        {
            "sxx": ((t - tm) ** 2).groupby(gid).sum(),
            "sxy": ((t - tm) * (v - vm)).groupby(gid).sum(),
            "syy": ((v - vm) ** 2).groupby(gid).sum(),
            "n_years": g.size(),
            "first_year": g["time"].min(),
            "last_year": g["time"].max(),
            "mean_time": g["time"].mean(),
            "mean_value": g["value"].mean(),
        }
    )
    stats["break_in_period"] = broken.reindex(stats.index).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = stats["sxy"] / stats["sxx"]
        rss = (stats["syy"] - slope * stats["sxy"]).clip(lower=0)
        dof = stats["n_years"] - 2
        se = (rss / dof / stats["sxx"]).pow(0.5).where(dof > 0)
    stats["slope"] = slope.where(stats["sxx"] > 0)
    stats["slope_se"] = se
    stats["fitted_last"] = stats["mean_value"] + stats["slope"] * (
        stats["last_year"] - stats["mean_time"]
    )
    stats["p_value"] = [
        t_two_sided_p(s / e, d) if e > 0 else (0.0 if e == 0 else math.nan)
        for s, e, d in zip(stats["slope"], stats["slope_se"], dof, strict=True)
    ]
    keys = cur.drop_duplicates("_sid").set_index("_sid")[SERIES]
    out = keys.join(stats)
    return out[TREND_COLUMNS].reset_index(drop=True)


def keys_of(df: pd.DataFrame) -> list[pd.Series]:
    """Return the series-key columns of ``df`` as grouping arrays."""
    return [df[c] for c in SERIES]


def _countries(obs: pd.DataFrame, what: str) -> pd.DataFrame:
    df = prepare(obs, what)
    return df[is_country(df["geo"]) & df["value"].notna()]


def beta_convergence(
    obs: pd.DataFrame, start: int, end: int, *, log: bool = False, alpha: float = 0.05
) -> pd.DataFrame:
    """Return the beta-convergence regression across countries, one row per comparison set.

    For each indicator, group, sex, age, source (and ``compare_to``: gaps converge too),
    the average yearly change of each country, ``(x_end - x_start) / (end - start)``
    (with ``log=True`` the growth rate ``(ln x_end - ln x_start) / (end - start)`` and
    ``ln x_start``), is regressed by OLS on its starting level: ``beta < 0`` means the
    countries that started lower moved up faster (absolute beta-convergence, Barro and
    Sala-i-Martin 1992). A country whose series breaks in ``(start, end]`` is left out
    (``n_left_out_breaks``). ``speed`` is the implied rate ``-ln(1 + beta T) / T`` for
    the log form (Barro and Sala-i-Martin, *Economic Growth*, 2nd ed. 2004, ch. 11), NaN
    otherwise. ``converging`` when ``beta < 0`` with ``p_value < alpha``. Aggregates
    (``EU27_2020``, ``EA20``, …) are not countries and are left out.
    """
    if end <= start:
        raise UsageError("the end year must come after the start year", value=(start, end))
    df = _countries(obs, "beta-convergence")
    per = change(df, start, end)
    span = end - start
    records = []
    for key, g in per.groupby(CROSS, sort=True):
        ok = g[~g["break_between"]]
        x0 = ok["value_start"].to_numpy(float)
        x1 = ok["value_end"].to_numpy(float)
        if log:
            with np.errstate(divide="ignore", invalid="ignore"):
                keep = (x0 > 0) & (x1 > 0)
                x, y = np.log(x0[keep]), (np.log(x1[keep]) - np.log(x0[keep])) / span
        else:
            x, y = x0, (x1 - x0) / span
        fit = ols(x, y)
        b = fit["slope"]
        speed = -math.log(1 + b * span) / span if log and 1 + b * span > 0 else math.nan
        records.append(
            (*key, start, end, log, fit["n"], int(g["break_between"].sum()), fit["intercept"],
             b, fit["slope_se"], fit["p_value"], fit["r2"], speed,
             bool(b < 0 and fit["p_value"] < alpha))
        )  # fmt: skip
    return pd.DataFrame.from_records(records, columns=BETA_COLUMNS)


def sigma_convergence(
    obs: pd.DataFrame, start: int | None = None, end: int | None = None, *, balanced: bool = True
) -> pd.DataFrame:
    """Return the dispersion across countries per comparison set and year.

    ``sd`` is the sample standard deviation across countries (``ddof = 1``), ``cv`` =
    ``sd / |mean|``; sigma-convergence is a falling dispersion over time (Barro and
    Sala-i-Martin 1992; Sala-i-Martin 1996), summarised by the OLS slope of ``sd`` on the
    year (``sd_slope``, with its p-value, repeated on every row of the set). With
    ``balanced`` only the countries observed in every year of the period are counted, so
    that a country entering the data does not move the dispersion. ``n_breaks`` counts the
    countries whose series breaks that year.
    """
    df = _countries(obs, "sigma-convergence")
    if start is not None:
        df = df[df["time"] >= start]
    if end is not None:
        df = df[df["time"] <= end]
    if balanced and not df.empty:
        years = df.groupby(CROSS)["time"].transform("nunique")
        seen = df.groupby([*CROSS, "geo"])["time"].transform("nunique")
        df = df[seen == years]
    df = df.assign(_b=_has_break(df["flag"]).astype(int))
    g = df.groupby([*CROSS, "time"], sort=True)
    out = pd.DataFrame(
        {
            "n": g.size(),
            "mean": g["value"].mean(),
            "sd": g["value"].std(ddof=1),
            "n_breaks": g["_b"].sum(),
        }
    ).reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cv"] = out["sd"] / out["mean"].abs()
    slopes = []
    for key, s in out.groupby(CROSS, sort=False):
        fit = ols(s["time"].to_numpy(float), s["sd"].to_numpy(float))
        slopes.append((*key, fit["slope"], fit["p_value"]))
    sl = pd.DataFrame.from_records(slopes, columns=[*CROSS, "sd_slope", "sd_slope_p"])
    out = (
        out.merge(sl, on=CROSS, how="left")
        if not out.empty
        else out.assign(sd_slope=[], sd_slope_p=[])
    )
    return out[SIGMA_COLUMNS].reset_index(drop=True)
