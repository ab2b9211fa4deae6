"""The variance algebra on small hand-made totals: lonely PSUs and replicate weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zaragoza.errors import DesignError
from zaragoza.estimate.design import Design, Replicates
from zaragoza.estimate.variance import _scale_factor, replicate_variance


def _where(n: int) -> pd.DataFrame:
    return pd.DataFrame({"geo": ["AT"] * n, "time": [2023] * n, "strata": list("abcd"[:n])})


@pytest.mark.parametrize(
    ("rule", "lonely_factor"),
    [("adjust", 1.0), ("remove", 0.0), ("certainty", 0.0)],
)
def test_lonely_psu_rules_as_in_r_survey(rule: str, lonely_factor: float) -> None:
    """n_h/(n_h-1) for ordinary strata; a lonely PSU follows the rule (R's meanings)."""
    n_h = pd.Series([1, 2, 4])
    f = _scale_factor(n_h, Design(lonely_psu=rule), _where(3))  # type: ignore[arg-type]
    assert f.tolist() == [lonely_factor, 2.0, 4 / 3]


def test_lonely_psu_fail_counts_the_strata() -> None:
    with pytest.raises(DesignError, match="1 of 3 strata have only one PSU"):
        _scale_factor(pd.Series([1, 2, 4]), Design(lonely_psu="fail"), _where(3))


def test_replicate_variance_by_hand() -> None:
    """scale * sum_r rscale_r (theta_r - theta)^2, an undefined replicate left out."""
    reps = Replicates.build("jkn", 3, rscales=[0.5, 1.0, 2.0])
    design = Design(replicates=reps)
    theta = np.array([[1.0, 3.0, np.nan], [2.0, 2.0, 2.0]])
    full = np.array([2.0, 2.0])
    got = replicate_variance(theta, full, design)
    assert got.tolist() == [0.5 * 1 + 1.0 * 1, 0.0]
    boot = Design(replicates=Replicates.build("bootstrap", 3))
    got = replicate_variance(np.array([[1.0, 2.0, 3.0]]), np.array([2.0]), boot)
    assert got.tolist() == pytest.approx([(1 + 0 + 1) / 2])
