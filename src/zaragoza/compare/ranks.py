"""Rankings of countries with their uncertainty: rank intervals and ties.

Within each comparison set (one indicator, group, sex, age, source and year, across
countries) units are ranked 1 = best (highest value by default). With standard errors
the rank is uncertain and is reported as an interval:

* ``simulation``: each estimate is drawn from ``N(value, se^2)`` independently,
  ``draws`` times with a fixed seed, the draws ranked, and the interval is the central
  ``level`` range of each unit's simulated ranks (as in Marshall and Spiegelhalter,
  BMJ 316, 1998, for league tables of institutions);
* ``analytic``: from pairwise z-tests of ``value_i - value_j`` with SE
  ``sqrt(se_i^2 + se_j^2)``: a unit cannot rank above the units significantly better
  than it nor below those significantly worse; with ``joint=True`` a Bonferroni
  correction over the ``n(n-1)/2`` pairs makes the intervals hold jointly, in the
  spirit of the joint confidence regions for rankings of Klein, Wright and Wieczorek
  (JRSS C 69, 2020).

Units that no test tells apart are *indistinguishable* (``n_indistinguishable``). A
set in which any unit lacks an SE (published figures) gets plain ranks, ties sharing
the best rank, with ``rank_method = plain`` saying the ranking ignores sampling error.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from zaragoza.catalog.codes import EU27_2020
from zaragoza.compare._frame import SERIES, is_country, prepare
from zaragoza.compare._stats import normal_quantile
from zaragoza.errors import UsageError

__all__ = ["RANK_COLUMNS", "analytic_rank_intervals", "rank_draws", "rank_intervals"]

#: A comparison set: the series keys without ``geo``, and the year.
SET = [*(c for c in SERIES if c != "geo"), "time"]
RANK_COLUMNS = [
    *SET, "geo", "value", "se", "n_units", "rank", "rank_lo", "rank_hi", "rank_median",
    "n_indistinguishable", "rank_method",
]  # fmt: skip
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def rank_draws(
    values: FloatArray,
    ses: FloatArray,
    *,
    draws: int = 1000,
    seed: int = 20261125,
    higher_is_better: bool = True,
) -> IntArray:
    """Return a ``draws x n`` matrix of simulated ranks (1 = best).

    Each draw takes ``value_i + se_i * e_i`` with independent standard normal ``e_i``
    (NumPy's PCG64 generator, ``seed``) and ranks the ``n`` results; exact ties, which
    have probability zero, go to the earlier unit.
    """
    rng = np.random.default_rng(seed)
    sims = values[None, :] + ses[None, :] * rng.standard_normal((draws, len(values)))
    order = np.argsort(-sims if higher_is_better else sims, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, len(values) + 1)[None, :], axis=1)
    return ranks.astype(np.int64)


def _significance(
    values: FloatArray, ses: FloatArray, alpha: float, joint: bool, higher_is_better: bool
) -> npt.NDArray[np.bool_]:
    """``better[i, j]``: unit i is significantly better than unit j."""
    n = len(values)
    pairs = max(n * (n - 1) // 2, 1)
    q = normal_quantile(1 - (alpha / pairs if joint else alpha) / 2)
    diff = values[:, None] - values[None, :]
    se = np.sqrt(ses[:, None] ** 2 + ses[None, :] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = diff / se
    z = z if higher_is_better else -z
    return np.asarray(z > q)


def _batch_analytic(
    v: FloatArray, s: FloatArray, alpha: float, joint: bool, higher_is_better: bool
) -> tuple[IntArray, IntArray, IntArray]:
    """:func:`analytic_rank_intervals` on many sets of one size at once (sets x n)."""
    n = v.shape[1]
    pairs = max(n * (n - 1) // 2, 1)
    q = normal_quantile(1 - (alpha / pairs if joint else alpha) / 2)
    diff = v[:, :, None] - v[:, None, :]
    se = np.sqrt(s[:, :, None] ** 2 + s[:, None, :] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = diff / se
    better = (z if higher_is_better else -z) > q
    worse_than = better.sum(axis=1)  # how many are significantly better than unit j
    beats = better.sum(axis=2)
    return (
        (1 + worse_than).astype(np.int64),
        (n - beats).astype(np.int64),
        (n - 1 - worse_than - beats).astype(np.int64),
    )


def analytic_rank_intervals(
    values: FloatArray,
    ses: FloatArray,
    *,
    alpha: float = 0.05,
    joint: bool = False,
    higher_is_better: bool = True,
) -> tuple[IntArray, IntArray, IntArray]:
    """Return ``(rank_lo, rank_hi, n_indistinguishable)`` from pairwise z-tests.

    ``rank_lo = 1 + #{j significantly better than i}``; ``rank_hi = n - #{j significantly
    worse than i}``; the others are indistinguishable from ``i`` at level ``alpha``
    (two-sided; Bonferroni-corrected over the pairs with ``joint``).
    """
    better = _significance(values, ses, alpha, joint, higher_is_better)
    n = len(values)
    lo = 1 + better.sum(axis=0)
    hi = n - better.sum(axis=1)
    indist = n - 1 - better.sum(axis=0) - better.sum(axis=1)
    return lo.astype(np.int64), hi.astype(np.int64), indist.astype(np.int64)


def rank_intervals(
    obs: pd.DataFrame,
    *,
    method: Literal["simulation", "analytic"] = "simulation",
    draws: int = 1000,
    seed: int = 20261125,
    level: float = 0.90,
    alpha: float = 0.05,
    joint: bool = False,
    higher_is_better: bool | None = None,
    countries_only: bool = True,
    eu_apart: bool = False,
) -> pd.DataFrame:
    """Return each unit's rank and rank interval within its comparison set.

    Parameters
    ----------
    obs
        Level observations with the warehouse's columns (gap rows are ranked as their
        own sets, by ``compare_to``).
    method
        ``simulation`` (interval = central ``level`` range of the simulated ranks, plus
        their median) or ``analytic`` (pairwise z-tests at ``alpha``).
    draws, seed
        Simulation size and seed (the same seed gives the same intervals).
    level
        Coverage of the simulated interval (0.90: the 5th to the 95th percentile).
    alpha, joint
        Level of the pairwise tests that count indistinguishable units (and make the
        analytic interval); ``joint`` applies Bonferroni over the pairs.
    higher_is_better
        Rank 1 goes to the highest value (``False``: to the lowest, e.g. unemployment);
        ``None`` (the default): as each indicator's catalogue entry says (``better``).
    eu_apart
        Rank the EU member states (EU27_2020) among themselves and the other countries
        among themselves: the set of a unit is then also said in ``rank_group``.
    countries_only
        Leave out aggregates (``EU27_2020``, ``EA20``, …).

    Returns
    -------
    pandas.DataFrame
        :data:`RANK_COLUMNS`: ``rank`` is the point rank by value (ties share the best
        rank), ``rank_lo``/``rank_hi`` the interval, ``rank_median`` the simulated median
        (NaN for ``analytic``), ``rank_method`` ``simulation``, ``analytic`` or ``plain``.
    """
    if not 0 < level < 1 or not 0 < alpha < 1:
        raise UsageError("level and alpha must lie strictly between 0 and 1", value=(level, alpha))
    if draws < 10:
        raise UsageError("too few draws for a rank interval", value=draws, hint="Use 1000")
    df = prepare(obs, "ranks")
    df = df[df["value"].notna()]
    if countries_only:
        df = df[is_country(df["geo"])]
    if higher_is_better is None:
        directions = _directions(df["indicator"].unique())
        parts = [
            rank_intervals(
                df[df["indicator"] == ind], method=method, draws=draws, seed=seed,
                level=level, alpha=alpha, joint=joint, higher_is_better=higher,
                countries_only=countries_only, eu_apart=eu_apart,
            )
            for ind, higher in directions.items()
        ]  # fmt: skip
        columns = [*RANK_COLUMNS, "rank_group"] if eu_apart else RANK_COLUMNS
        if not parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return pd.concat(parts, ignore_index=True)
    df = df.assign(rank_group=np.where(df["geo"].isin(EU27_2020), "EU", "other"))
    group = ["rank_group"] if eu_apart else []
    sets_of = [*SET, *group]
    df = df.sort_values([*sets_of, "geo"]).reset_index(drop=True)
    keys = [df[c] for c in sets_of]
    df["n_units"] = df.groupby(keys)["value"].transform("size")
    df["rank"] = df.groupby(keys)["value"].rank(method="min", ascending=not higher_is_better)
    plain = df["se"].isna() | (df["se"] <= 0)
    has_plain = plain.groupby(keys).transform("any")
    rank_lo = df["rank"].to_numpy(float).copy()
    rank_hi = rank_lo.copy()
    median = np.full(len(df), np.nan)
    indist = np.full(len(df), np.nan)
    how = np.full(len(df), "plain", dtype=object)
    values = df["value"].to_numpy(float)
    ses = df["se"].to_numpy(float)
    q_lo, q_hi = (1 - level) / 2, (1 + level) / 2
    uncertain = np.flatnonzero(~has_plain.to_numpy())
    sets = df.iloc[uncertain].groupby(sets_of, sort=False).indices
    by_size: dict[int, list[npt.NDArray[np.intp]]] = {}
    for pos in sets.values():
        by_size.setdefault(len(pos), []).append(uncertain[pos])
    # sets of one size are done together; each set sees the same standard normal draws
    # as rank_draws(seed) on it alone, so a set's interval does not depend on the others
    for n, members in by_size.items():
        idx = np.vstack(members)  # sets x n
        v, s = values[idx], ses[idx]
        lo, hi, indist[idx] = _batch_analytic(v, s, alpha, joint, higher_is_better)
        if method == "analytic":
            rank_lo[idx], rank_hi[idx], how[idx] = lo, hi, "analytic"
            continue
        eps = np.random.default_rng(seed).standard_normal((draws, n))
        sims = v[None, :, :] + s[None, :, :] * eps[:, None, :]
        order = np.argsort(-sims if higher_is_better else sims, axis=2, kind="stable")
        r = np.empty_like(order)
        np.put_along_axis(r, order, np.arange(1, n + 1)[None, None, :], axis=2)
        rank_lo[idx] = np.quantile(r, q_lo, axis=0, method="lower")
        rank_hi[idx] = np.quantile(r, q_hi, axis=0, method="higher")
        median[idx] = np.median(r, axis=0)
        how[idx] = "simulation"
    df["rank_lo"], df["rank_hi"], df["rank_median"] = rank_lo, rank_hi, median
    df["n_indistinguishable"], df["rank_method"] = indist, how
    for c in ("rank", "rank_lo", "rank_hi"):
        df[c] = df[c].astype(int)
    return df[[*RANK_COLUMNS, *group]]


def _directions(indicators: npt.ArrayLike) -> dict[str, bool]:
    """Whether higher is better, per indicator, from the catalogue (higher if unknown)."""
    from zaragoza.catalog.loader import load_catalog

    cat = load_catalog()
    return {
        str(i): cat.indicators[str(i)].better == "higher" if str(i) in cat.indicators else True
        for i in np.asarray(indicators)
    }
