"""Shared selection helpers: which observation rows a comparison reads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from zaragoza.errors import InputError, UsageError
from zaragoza.observations import SURVEY_SOURCES

PROFILES = "profiles"

__all__ = [
    "CELL",
    "SERIES",
    "is_country",
    "level_rows",
    "load_observations",
    "prepare",
    "require_columns",
]

#: Columns that identify one observation cell (with ``source``).
CELL = ["indicator", "geo", "time", "citizen", "c_birth", "sex", "age"]
#: Columns that identify one time series: a cell without ``time``, with its source and
#: ``compare_to`` (a gap row's series is the gap's).
SERIES = ["indicator", "source", "geo", "citizen", "c_birth", "sex", "age", "compare_to"]


def is_country(geo: pd.Series) -> pd.Series:
    """Return a mask of country codes (two letters), leaving out EU/EA aggregates."""
    g = geo.astype(str)
    return (g.str.len() == 2) & ~g.isin(["EU", "EA"])


def require_columns(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise :class:`InputError` naming the first column ``df`` lacks."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(
            f"{what}: the observations lack a column",
            column=missing[0],
            hint=f"Expected the warehouse's columns: {', '.join(columns)}",
        )


_OPTIONAL: dict[str, str | float] = {
    "compare_to": "",
    "flag": "",
    "source": "data",
    "se": float("nan"),
    "age": "TOTAL",
}


def prepare(obs: pd.DataFrame, what: str, needed: Sequence[str] = ()) -> pd.DataFrame:
    """Return a copy of ``obs`` with the columns a comparison reads.

    ``indicator, geo, time, citizen, c_birth, sex, value`` and ``needed`` must be present
    (:class:`InputError` otherwise); ``compare_to``, ``flag``, ``source``, ``se`` and
    ``age`` are filled with their neutral value (empty, empty, ``data``, NaN, ``TOTAL``)
    when absent, so a small hand-made frame can be compared like the warehouse's rows.
    Comparisons are of migrant groups by citizenship and country of birth: rows of PISA's
    migrant background other than ``TOTAL`` (``mig_bg``) are left out.
    """
    base = ["indicator", "geo", "time", "citizen", "c_birth", "sex", "value", *needed]
    require_columns(obs, base, what)
    if "mig_bg" in obs.columns and (obs["mig_bg"] != "TOTAL").any():
        obs = obs[obs["mig_bg"] == "TOTAL"]
    if _ready(obs):
        # already in shape (e.g. from load_observations): every comparison builds new
        # frames from it and never writes into it, so a copy would only cost time
        return obs
    out = obs.copy()
    for col, default in _OPTIONAL.items():
        if col not in out.columns:
            out[col] = default
        elif isinstance(default, str):
            out[col] = out[col].fillna(default).astype(str)
    out["value"] = out["value"].astype(float)
    out["se"] = out["se"].astype(float)
    return out


def _ready(obs: pd.DataFrame) -> bool:
    if not set(_OPTIONAL) <= set(obs.columns):
        return False
    if obs["value"].dtype != "float64" or obs["se"].dtype != "float64":
        return False
    return not any(obs[c].isna().any() for c, d in _OPTIONAL.items() if isinstance(d, str))


def level_rows(obs: pd.DataFrame) -> pd.DataFrame:
    """Return the rows that are levels (not gap rows) and have a value."""
    compare_to = obs["compare_to"].fillna("") if "compare_to" in obs else ""
    return obs[(compare_to == "") & obs["value"].notna()]


def load_observations(
    warehouse: str | Path,
    *,
    indicator: Sequence[str] = (),
    geo: Sequence[str] = (),
    time: Sequence[int] = (),
    source: Sequence[str] = (),
) -> pd.DataFrame:
    """Return the warehouse's observation rows, filtered, suppressed cells blanked.

    Survey figures only (``computed`` and ``published``; asking for ``profiles`` is an
    error). Reads through :class:`zaragoza.warehouse.store.Warehouse` on a read-only connection;
    a cell flagged ``c`` (confidential) loses its value and SE, as the public reader does.
    """
    from zaragoza.warehouse.store import Warehouse

    path = Path(warehouse)
    if not path.exists():
        raise InputError(
            "warehouse not found",
            file=str(path),
            hint="Build it with `zaragoza init --warehouse FILE`",
        )
    if PROFILES in source:
        raise UsageError(
            "comparisons are of survey figures: the skills profiles (source profiles) "
            "describe those profiled, not a population",
            value=PROFILES,
            hint="Use source computed or published",
        )
    with Warehouse(path, read_only=True) as wh:
        obs = wh.observations(
            indicator=indicator, geo=geo, time=time, source=source or SURVEY_SOURCES
        )
    obs["compare_to"] = obs["compare_to"].fillna("")
    obs["flag"] = obs["flag"].fillna("")
    hidden = obs["flag"].str.contains("c", regex=False)
    obs.loc[hidden, ["value", "se", "ci_lo", "ci_hi", "cv"]] = float("nan")
    return obs
