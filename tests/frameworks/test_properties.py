"""Aggregation against NumPy/SciPy, and the range's properties on random frameworks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]

from zaragoza.frameworks import aggregate, score_assessment

from .conftest import build, choice, dim, framework, std

scores = st.floats(min_value=0, max_value=100, allow_nan=False)
weights = st.floats(min_value=0.01, max_value=10, allow_nan=False)
pairs = st.lists(st.tuples(scores, weights), min_size=1, max_size=8)


@given(pairs)
def test_weighted_and_mean_match_numpy(values: list[tuple[float, float]]) -> None:
    s = np.array([v for v, _ in values])
    w = np.array([x for _, x in values])
    assert aggregate("weighted", values) == pytest.approx(np.average(s, weights=w))
    assert aggregate("mean", values) == pytest.approx(float(np.mean(s)))


@given(st.lists(st.tuples(st.floats(min_value=0.5, max_value=100), weights), min_size=1,
                max_size=8))  # fmt: skip
def test_geometric_matches_scipy(values: list[tuple[float, float]]) -> None:
    s = np.array([v for v, _ in values])
    w = np.array([x for _, x in values])
    assert aggregate("geometric", values) == pytest.approx(float(stats.gmean(s, weights=w)))


def test_missing_children_are_left_out() -> None:
    assert aggregate("weighted", [(None, 5.0), (40.0, 1.0), (80.0, 3.0)]) == pytest.approx(70)
    assert aggregate("mean", [(None, 1.0), (None, 1.0)]) is None
    assert aggregate("qualitative", [(50.0, 1.0)]) is None


@st.composite
def framework_and_answers(draw: Any) -> tuple[Any, dict[str, str | None]]:
    rule = draw(st.sampled_from(["mean", "weighted", "geometric"]))
    weighted = rule != "mean"
    dims, answers, k = [], {}, 0
    for d in range(draw(st.integers(1, 3))):
        stds = []
        for s in range(draw(st.integers(1, 3))):
            qs = []
            for _ in range(draw(st.integers(1, 3))):
                k += 1
                n = draw(st.integers(2, 4))
                opts = draw(st.lists(st.integers(0, 100), min_size=n, max_size=n))
                extra = {"weight": draw(st.sampled_from([1, 2, 0.5]))} if weighted else {}
                qs.append(choice(f"q{k}", *opts, **extra))
                answers[f"q{k}"] = draw(st.one_of(st.none(), st.sampled_from(
                    [f"o{i}" for i in range(n)])))  # fmt: skip
            stds.append(std(f"s{d}.{s}", *qs))
        dims.append(dim(f"d{d}", *stds))
    return build(framework(dims, aggregation=rule)), answers


@settings(max_examples=60, deadline=None)
@given(framework_and_answers())
def test_ranges_bound_every_completion(case: tuple[Any, dict[str, str | None]]) -> None:
    fw, answers = case
    nodes = score_assessment(fw, answers)
    for n in nodes:
        assert n.low is not None
        assert n.high is not None
        assert n.low <= n.high + 1e-9

    # filling every missing answer with its lowest / highest option gives low / high
    def fill(best: bool) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for _, _, q in fw.questions():
            if answers[q.id] is not None:
                out[q.id] = answers[q.id]
            else:
                pick = max if best else min
                out[q.id] = pick(q.options, key=lambda o: o.score).id
        return out

    low, high = score_assessment(fw, fill(False)), score_assessment(fw, fill(True))
    for n, lo, hi in zip(nodes, low, high, strict=True):
        assert n.low == pytest.approx(lo.score)
        assert n.high == pytest.approx(hi.score)
        assert lo.low == pytest.approx(lo.score)
        assert lo.high == pytest.approx(lo.score)
