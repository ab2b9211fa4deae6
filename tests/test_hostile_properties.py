"""Property: any number, finite or not, gives either a clear error or the right answer.

Hypothesis draws weights for `zaragoza estimate` and values for `warehouse load` from every
kind of float (NaN, infinities, zero, negative, huge, subnormal) and checks that the result
is never a silent change: either the input is refused naming the column and row, or the
numbers equal an independent computation (estimate) or the numbers given (load).
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zaragoza.errors import InputError, ValidationError
from zaragoza.pipeline import estimate_files
from zaragoza.warehouse.loads import load_observation_files
from zaragoza.warehouse.store import Warehouse

WEIGHTS = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.sampled_from(
    [math.nan, math.inf, -math.inf, 0.0, -1.0, 1e-300, 1e300]
)
CHECKS = settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


def _records(weights: list[float]) -> pd.DataFrame:
    n = len(weights)
    return pd.DataFrame(
        {
            "COUNTRY": "AT",
            "YEAR": "2023",
            "COEFF": [repr(w) for w in weights],
            "SEX": ["1" if i % 2 else "2" for i in range(n)],
            "AGE": "40",
            "NATIONAL": "AT",
            "ILOSTAT": ["1" if i % 3 else "3" for i in range(n)],
        }
    )


@CHECKS
@given(st.lists(WEIGHTS, min_size=4, max_size=12))
def test_estimate_refuses_or_is_right(weights: list[float]) -> None:
    df = _records(weights)
    valid = [math.isfinite(w) and w > 0 for w in weights]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lfs.csv"
        df.to_csv(path, index=False)
        if not all(valid):
            with pytest.raises(ValidationError) as exc:
                estimate_files([path], ["employment_rate"])
            (problem,) = exc.value.problems
            assert problem.column == "COEFF"
            assert problem.row == valid.index(False) + 1
            return
        run = estimate_files([path], ["employment_rate"])
    obs = run.observations
    total = obs[(obs["citizen"] == "TOTAL") & (obs["sex"] == "T")]["value"].item()
    w = np.array(weights)
    employed = np.array([i % 3 != 0 for i in range(len(weights))])
    expected = 100 * w[employed].sum() / w.sum()
    if math.isfinite(expected):
        assert math.isclose(total, expected, rel_tol=1e-9, abs_tol=1e-9)


NUMBERS = st.floats(allow_nan=True, allow_infinity=True, width=64)


@CHECKS
@given(st.lists(NUMBERS, min_size=1, max_size=6), st.lists(NUMBERS, min_size=1, max_size=6))
def test_load_refuses_or_keeps_the_numbers(values: list[float], ses: list[float]) -> None:
    n = min(len(values), len(ses))
    values, ses = values[:n], ses[:n]
    df = pd.DataFrame(
        {
            "indicator": "employment_rate", "geo": "AT", "time": 2000 + np.arange(n),
            "citizen": "TOTAL", "c_birth": "TOTAL", "sex": "T", "age": "Y20-64",
            "compare_to": "", "value": [repr(v) for v in values], "se": [repr(s) for s in ses],
            "ci_lo": "", "ci_hi": "", "cv": "", "n": 10, "n_missing": 0, "flag": "",
        }
    )  # fmt: skip
    bad_value = [not math.isfinite(v) for v in values]
    bad_se = [not math.isfinite(s) or s < 0 for s in ses]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "obs.csv"
        df.to_csv(path, index=False)
        with Warehouse(Path(tmp) / "w.duckdb") as wh:
            if any(bad_value) or any(bad_se):
                with pytest.raises(InputError) as exc:
                    load_observation_files(wh, [path], source="computed", synthetic=False)
                assert exc.value.column in ("value", "se")
                assert wh.observations().empty
                return
            load_observation_files(wh, [path], source="computed", synthetic=False)
            stored = wh.observations().sort_values("time")
    assert stored["value"].tolist() == values
    assert stored["se"].tolist() == ses
