"""Any float, finite or not, as a weight, an option score or a number answer: a clear
error naming the field (or question), or the right score."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zaragoza.errors import CatalogError, InputError
from zaragoza.frameworks import score_assessment

from .conftest import build, choice, dim, framework, std

FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.sampled_from(
    [math.nan, math.inf, -math.inf, 0.0, -1.0, 1e-300, 1e300, 100.0, 100.0000001]
)
CHECKS = settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


@CHECKS
@given(FLOATS)
def test_a_weight_is_refused_or_used(weight: float) -> None:
    # q1 = 100 with the drawn weight, q2 = 0 with weight 1: standard = 100 w / (w + 1)
    raw = framework([dim("D", std("S", choice("q1", 100, 0, weight=weight), choice("q2", 100, 0)))],
                    aggregation="weighted")  # fmt: skip
    if not (math.isfinite(weight) and weight > 0):
        with pytest.raises(CatalogError) as err:
            build(raw)
        assert err.value.column == "dimensions[0].standards[0].questions[0].weight"
        return
    s = score_assessment(build(raw), {"q1": "o0", "q2": "o1"}).node("S")
    assert s.score == pytest.approx(100 * weight / (weight + 1))


@CHECKS
@given(FLOATS)
def test_an_option_score_is_refused_or_used(score: float) -> None:
    raw = framework([dim("D", std("S", choice("q1", score, 0)))])
    if not (math.isfinite(score) and 0 <= score <= 100):
        with pytest.raises(CatalogError) as err:
            build(raw)
        assert err.value.column == "dimensions[0].standards[0].questions[0].options[0].score"
        return
    assert score_assessment(build(raw), {"q1": "o0"}).overall.score == score


@CHECKS
@given(FLOATS)
def test_a_number_answer_is_refused_or_scored(value: float) -> None:
    q = {"id": "n", "text": "A number", "type": "number", "number": {"min": 0, "max": 50}}
    fw = build(framework([dim("D", std("S", q))]))
    if not math.isfinite(value):
        with pytest.raises(InputError) as err:
            score_assessment(fw, {"n": value})
        assert err.value.column == "n"
        assert "0 to 50" in (err.value.hint or "")
        return
    expected = 100 * min(max(value, 0), 50) / 50
    assert score_assessment(fw, {"n": value}).overall.score == pytest.approx(expected)
