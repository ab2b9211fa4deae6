"""Plausible values: estimates made once per plausible value and pooled by Rubin's rules.

Large-scale assessments (PISA, TIMSS, PIAAC) do not measure a student's proficiency
directly: they give ``M`` *plausible values* per domain, random draws from the posterior
distribution of that proficiency (OECD, *PISA Data Analysis Manual*, 2nd ed., 2009,
chapters 6 and 8). A statistic is computed ``M`` times, once with each plausible value
(each time with its sampling variance from the replicate weights), and the ``M``
results are combined by Rubin's rules (Rubin 1987, *Multiple Imputation for
Nonresponse in Surveys*)::

    estimate = mean_m theta_m
    U        = mean_m V_m                      (sampling variance)
    B        = sum_m (theta_m - estimate)^2 / (M - 1)   (imputation variance)
    variance = U + (1 + 1/M) B

as R ``mitools::MIcombine`` does, and as the OECD's own macros do with all plausible
values. A gap is pooled the same way from its ``M`` per-value differences, so the
difference is taken within each plausible value, then combined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from zaragoza.errors import ParameterError

__all__ = ["PlausibleValues", "pool"]


@dataclass(frozen=True)
class PlausibleValues:
    """The plausible-value columns of each domain: ``{"READ": ("PV1READ", ...), ...}``.

    Every domain has the same number ``M`` of plausible values, at least two (with one
    there is no imputation variance to estimate).
    """

    domains: tuple[tuple[str, tuple[str, ...]], ...]

    def __post_init__(self) -> None:
        if not self.domains:
            raise ParameterError("plausible_values", "none", "one domain or more")
        counts = {d: len(cols) for d, cols in self.domains}
        if len(set(counts.values())) != 1:
            detail = ", ".join(f"{d}: {n}" for d, n in counts.items())
            raise ParameterError(
                "plausible_values", detail, "the same number of plausible values in every domain"
            )
        if self.m < 2:
            raise ParameterError("plausible_values", self.m, "2 plausible values or more")

    @classmethod
    def of(cls, domains: Mapping[str, Sequence[str]]) -> PlausibleValues:
        return cls(tuple((d, tuple(cols)) for d, cols in domains.items()))

    @property
    def m(self) -> int:
        """The number of plausible values per domain."""
        return len(self.domains[0][1])

    def columns(self, domain: str) -> tuple[str, ...]:
        for d, cols in self.domains:
            if d == domain:
                return cols
        raise ParameterError("domain", domain, [d for d, _ in self.domains])

    def describe(self) -> dict[str, Any]:
        return {"m": self.m, "domains": {d: list(cols) for d, cols in self.domains}}


def pool(per_value: pd.DataFrame, keys: Sequence[str], m: int, *, pv: str = "pv") -> pd.DataFrame:
    """Pool ``R`` (estimate) and ``V`` (sampling variance) over the plausible values.

    ``per_value`` has one row per cell ``keys`` and plausible value ``pv``. A cell must
    have all ``m`` values: a cell missing in one plausible value (no student of the
    domain with that value's estimate defined) is pooled from none and left empty.
    Returns one row per cell with ``R`` (the mean), ``V`` (Rubin's total variance),
    ``U`` and ``B`` (its two parts).
    """
    keys = list(keys)
    g = per_value.groupby(keys, sort=False, dropna=False)
    out = g.agg(R=("R", "mean"), U=("V", "mean"), B=("R", "var"), count=(pv, "size")).reset_index()
    out["V"] = out["U"] + (1 + 1 / m) * out["B"]
    incomplete = out["count"] != m
    out.loc[incomplete, ["R", "U", "B", "V"]] = np.nan
    return out.drop(columns="count")
