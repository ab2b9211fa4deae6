"""Reliability flags: the rules file and the EU-LFS publication limits, by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zaragoza.errors import CatalogError
from zaragoza.estimate.flags import ReliabilityRules, apply_flags, load_limits, load_rules


def _cells(**cols: list[object]) -> pd.DataFrame:
    base = {"geo": ["AT"] * 4, "n": [10, 30, 60, 60], "cv": [5.0, 5.0, 5.0, 40.0],
            "Y": [1.0] * 4, "X": [1.0] * 4, "n_missing": [0] * 4}  # fmt: skip
    return pd.DataFrame(base | cols)


def test_eu_silc_rule_by_hand() -> None:
    """EU-SILC: fewer than 20 observations not published, fewer than 50 low reliability."""
    flags = apply_flags(_cells(), pd.Series(["EU-SILC"] * 4), load_rules())
    assert flags.tolist()[:3] == ["c", "u", ""]


def test_eu_lfs_default_n_and_cv() -> None:
    """Without limits: n < 20 or CV > 33.3 % not published; n < 50 or CV > 16.6 % low."""
    flags = apply_flags(_cells(), pd.Series(["EU-LFS"] * 4), load_rules())
    assert flags.tolist() == ["c", "u", "", "c"]


def test_eu_lfs_limits_on_weighted_estimates(tmp_path: Path) -> None:
    path = tmp_path / "limits.csv"
    path.write_text("geo,limit_a,limit_b\nAT,1000,3000\n")
    rules = load_rules()
    rules = ReliabilityRules(rules.surveys, load_limits(path))
    cells = _cells(Y=[500.0, 2000.0, 5000.0, 5000.0], X=[9000.0, 9000.0, 9000.0, 2500.0])
    flags = apply_flags(cells, pd.Series(["EU-LFS"] * 4), rules)
    # the smaller of numerator and denominator decides
    assert flags.tolist() == ["c", "u", "", "u"]


@pytest.mark.parametrize("bad", ["nan,3000", "1000,inf", "x,3000", "4000,3000"])
def test_bad_limits_are_refused(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "limits.csv"
    path.write_text(f"geo,limit_a,limit_b\nAT,{bad}\n")
    with pytest.raises(CatalogError):
        load_limits(path)


def test_a_missing_limits_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read the reliability limits"):
        load_limits(tmp_path / "none.csv")


def test_an_unknown_survey_has_no_rules() -> None:
    with pytest.raises(CatalogError, match="no reliability rules"):
        apply_flags(_cells(), pd.Series(["EU-XX"] * 4), load_rules())
