"""Rank intervals checked by simulation and against exact normal probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from zaragoza.compare.ranks import (
    RANK_COLUMNS,
    analytic_rank_intervals,
    rank_draws,
    rank_intervals,
)
from zaragoza.errors import UsageError


def _set(values: list[float], ses: list[float] | None) -> pd.DataFrame:
    geos = [f"C{chr(65 + i)}" for i in range(len(values))]
    return pd.DataFrame(
        {
            "indicator": "employment_rate",
            "geo": geos,
            "time": 2023,
            "citizen": "FOR",
            "c_birth": "TOTAL",
            "sex": "T",
            "value": values,
            "se": ses if ses is not None else np.nan,
        }
    )


def test_two_units_rank_probability_is_the_normal_one() -> None:
    # P(A above B) = Phi((vA - vB) / sqrt(seA^2 + seB^2)) = Phi(2 / 2.5)
    r = rank_draws(np.array([50.0, 48.0]), np.array([2.0, 1.5]), draws=200_000, seed=1)
    p_first = float((r[:, 0] == 1).mean())
    exact = float(stats.norm.cdf(2 / 2.5))
    assert p_first == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / 200_000))


def test_simulated_intervals_match_an_independent_simulation() -> None:
    values = np.array([70.0, 69.0, 66.0, 60.0, 59.5, 50.0])
    ses = np.array([1.0, 1.2, 1.5, 1.0, 2.0, 0.5])
    res = rank_intervals(_set(list(values), list(ses)), draws=20_000, seed=7)
    rng = np.random.default_rng(99)
    sims = values + ses * rng.standard_normal((20_000, len(values)))
    ranks = (-sims).argsort(axis=1).argsort(axis=1) + 1
    assert res["rank_lo"].tolist() == np.quantile(ranks, 0.05, axis=0, method="lower").tolist()
    assert res["rank_hi"].tolist() == np.quantile(ranks, 0.95, axis=0, method="higher").tolist()
    assert res["rank_median"].tolist() == np.median(ranks, axis=0).tolist()
    assert res["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert set(res["rank_method"]) == {"simulation"}
    # the last unit is far below everyone: its rank is certain
    last = res.iloc[-1]
    assert (last.rank_lo, last.rank_hi, last.n_indistinguishable) == (6, 6, 0)


def test_same_seed_same_intervals() -> None:
    df = _set([70.0, 69.0, 68.0], [1.0, 1.0, 1.0])
    a = rank_intervals(df, seed=5)
    b = rank_intervals(df, seed=5)
    pd.testing.assert_frame_equal(a, b)


def test_analytic_intervals_from_pairwise_tests() -> None:
    values = np.array([70.0, 69.0, 60.0])
    ses = np.array([1.0, 1.0, 1.0])
    lo, hi, indist = analytic_rank_intervals(values, ses)
    # |70 - 69| / sqrt(2) = 0.71 < 1.96: the first two are tied; 60 is distinct
    assert lo.tolist() == [1, 1, 3]
    assert hi.tolist() == [2, 2, 3]
    assert indist.tolist() == [1, 1, 0]
    # Bonferroni over 3 pairs: critical value 2.394; a difference of 3.2 SE stays distinct
    lo2, hi2, _ = analytic_rank_intervals(np.array([10.0, 10 - 3.2 * np.sqrt(2)]),
                                          np.array([1.0, 1.0]), joint=True)  # fmt: skip
    assert (lo2.tolist(), hi2.tolist()) == ([1, 2], [1, 2])
    low_better = rank_intervals(_set([5.0, 9.0], [0.1, 0.1]), higher_is_better=False)
    assert low_better["rank"].tolist() == [1, 2]


def test_published_figures_get_plain_ranks(default_obs: pd.DataFrame) -> None:
    pub = default_obs[(default_obs.source == "published")
                      & (default_obs.indicator == "employment_rate")
                      & (default_obs.time == 2023) & (default_obs.citizen == "NAT")
                      & (default_obs.sex == "T")]  # fmt: skip
    res = rank_intervals(pub)
    assert list(res.columns) == RANK_COLUMNS
    assert set(res["rank_method"]) == {"plain"}
    assert (res["rank_lo"] == res["rank"]).all()
    assert not res["geo"].str.startswith(("EU", "EA")).any()
    top = res.sort_values("value", ascending=False).iloc[0]
    assert top["rank"] == 1
    ties = _set([70.0, 70.0, 65.0], None)
    assert rank_intervals(ties)["rank"].tolist() == [1, 1, 3]


def test_computed_cells_get_simulated_intervals(default_obs: pd.DataFrame) -> None:
    comp = default_obs[(default_obs.source == "computed")
                       & (default_obs.indicator == "employment_rate")
                       & (default_obs.compare_to == "")]  # fmt: skip
    res = rank_intervals(comp)
    assert set(res["rank_method"]) == {"simulation"}
    assert ((res["rank_lo"] <= res["rank"]) | (res["rank_hi"] >= res["rank"])).all()
    assert (res["n_units"] == 3).all()


def test_bad_options() -> None:
    with pytest.raises(UsageError, match="strictly between"):
        rank_intervals(_set([1.0], [1.0]), level=1.5)
    with pytest.raises(UsageError, match="too few draws"):
        rank_intervals(_set([1.0], [1.0]), draws=3)
