"""Properties of the comparison building blocks, for any input (Hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from zaragoza.compare.composite import aggregate, normalise
from zaragoza.compare.ranks import analytic_rank_intervals, rank_draws

finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)
positive = st.floats(min_value=0.01, max_value=50, allow_nan=False)


@given(arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(1, 5)), elements=finite))
def test_minmax_lies_in_0_100_and_keeps_order(x: np.ndarray) -> None:
    neg = np.zeros(x.shape[1], dtype=bool)
    y = normalise(x, "minmax", neg, np.full(x.shape[1], np.nan))
    assert ((y >= 0) & (y <= 100)).all()
    for j in range(x.shape[1]):
        order = np.argsort(x[:, j], kind="stable")
        assert (np.diff(y[order, j]) >= -1e-9).all()


@given(
    arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 5)), elements=positive),
    st.lists(positive, min_size=5, max_size=5),
)
def test_means_lie_between_min_and_max_and_geometric_below_arithmetic(
    x: np.ndarray, w: list[float]
) -> None:
    weights = np.array(w[: x.shape[1]])
    a = aggregate(x, weights, "arithmetic")
    g = aggregate(x, weights, "geometric")
    lo, hi = x.min(axis=1), x.max(axis=1)
    assert ((a >= lo - 1e-9) & (a <= hi + 1e-9)).all()
    assert ((g >= lo - 1e-9) & (g <= a + 1e-9)).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(finite, positive), min_size=2, max_size=8))
def test_rank_intervals_are_orderly(units: list[tuple[float, float]]) -> None:
    v = np.array([u[0] for u in units])
    s = np.array([u[1] for u in units])
    n = len(units)
    lo, hi, indist = analytic_rank_intervals(v, s)
    assert ((lo >= 1) & (lo <= hi) & (hi <= n)).all()
    assert ((indist >= 0) & (indist <= n - 1)).all()
    r = rank_draws(v, s, draws=50, seed=1)
    # every draw is a permutation of 1..n
    assert (np.sort(r, axis=1) == np.arange(1, n + 1)).all()
