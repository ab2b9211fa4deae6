"""Reliability flags from a rules file: Eurostat's publication rules as data.

* EU-SILC (Eurostat production rule): fewer than 20 observations or more than 50% item
  non-response: not published (flag ``c``); fewer than 50 or more than 20%: low
  reliability (``u``). Item non-response is computed per cell: the records of the
  cell's population whose value is missing, over all of them.
* EU-LFS: Eurostat's per-country limits A and B on weighted estimates, when the user
  supplies them (``--reliability-limits``, columns ``geo,limit_a,limit_b`` in the unit of
  the summed weights): below A not published, below B ``u``; for a rate the smaller of
  the weighted numerator and denominator decides. Otherwise the documented n/CV
  default of ``reliability.yaml``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, TypeAdapter

from zaragoza.catalog.datafile import read_yaml_data
from zaragoza.errors import CatalogError

__all__ = ["ReliabilityRules", "Thresholds", "apply_flags", "load_limits", "load_rules"]


class Thresholds(BaseModel):
    """A cell fails when any test holds: ``n`` below, CV above (percent), or item
    non-response above (percent of the cell's population: ``n_missing / (n +
    n_missing)``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    n_below: int | None = None
    cv_above: float | None = None
    missing_above: float | None = None


class SurveyRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    not_published: Thresholds
    low_reliability: Thresholds
    countries: dict[str, dict[str, Thresholds]] = {}


@dataclass(frozen=True)
class ReliabilityRules:
    surveys: dict[str, SurveyRules]
    limits: dict[str, tuple[float, float]] = field(default_factory=dict)


def load_rules(path: str | Path | None = None) -> ReliabilityRules:
    """Return the rules of ``path``, or the bundled ``reliability.yaml``."""
    src = (
        Path(path) if path else Path(str(resources.files("zaragoza.catalog") / "reliability.yaml"))
    )
    surveys = read_yaml_data(
        src,
        "reliability rules",
        TypeAdapter(dict[str, SurveyRules]).validate_python,
    )
    return ReliabilityRules(surveys)


def load_limits(path: str | Path) -> dict[str, tuple[float, float]]:
    """Return per-country publication limits A and B from a CSV file."""
    out = {}
    if not Path(path).is_file():
        raise CatalogError("cannot read the reliability limits: no such file", file=str(path))
    with Path(path).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"geo", "limit_a", "limit_b"}
        if not need <= set(reader.fieldnames or ()):
            raise CatalogError(
                "reliability limits need columns geo, limit_a, limit_b", file=str(path)
            )
        for i, row in enumerate(reader, start=1):
            try:
                a, b = float(row["limit_a"]), float(row["limit_b"])
                if not (math.isfinite(a) and math.isfinite(b)):
                    raise ValueError("not finite")
            except (TypeError, ValueError):
                raise CatalogError(
                    "limit is not a number",
                    file=str(path),
                    row=i,
                    value=row["limit_a"] + "/" + row["limit_b"],
                ) from None
            if a > b:
                raise CatalogError("limit_a must not exceed limit_b", file=str(path), row=i)
            out[row["geo"].strip().upper()] = (a, b)
    return out


def _country(geo: str) -> str:
    return geo[:2]


def apply_flags(df: pd.DataFrame, survey: pd.Series, rules: ReliabilityRules) -> pd.Series:
    """Return the flag of each cell (``c``, ``u`` or empty) from n, cv and weighted totals.

    ``df`` needs columns ``geo, n, cv, Y, X`` (and ``n_missing`` for a rule on item
    non-response); ``survey`` names each row's survey.
    """
    flag = pd.Series("", index=df.index, dtype=object)
    country = df["geo"].map(_country)
    for name in survey.unique():
        sr = rules.surveys.get(name)
        if sr is None:
            raise CatalogError(f"no reliability rules for survey {name!r}")
        rows = survey == name
        for geo in country[rows].unique():
            sel = rows & (country == geo)
            over = sr.countries.get(geo, {})
            np_t = over.get("not_published", sr.not_published)
            lr_t = over.get("low_reliability", sr.low_reliability)
            if name == "EU-LFS" and geo in rules.limits:
                a, b = rules.limits[geo]
                est = np.minimum(df.loc[sel, "Y"], df.loc[sel, "X"])
                flag[sel] = np.where(est < a, "c", np.where(est < b, "u", ""))
                continue
            flag[sel] = np.where(
                _fails(df[sel], np_t), "c", np.where(_fails(df[sel], lr_t), "u", "")
            )
    return flag


def _fails(df: pd.DataFrame, t: Thresholds) -> np.ndarray:
    out = np.zeros(len(df), dtype=bool)
    if t.n_below is not None:
        out |= df["n"].to_numpy() < t.n_below
    if t.cv_above is not None:
        out |= np.nan_to_num(df["cv"].to_numpy(dtype=float), nan=0.0) > t.cv_above
    if t.missing_above is not None and "n_missing" in df:
        n = df["n"].to_numpy(dtype=float)
        m = df["n_missing"].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(n + m > 0, 100 * m / (n + m), 0.0)
        out |= share > t.missing_above
    return out
