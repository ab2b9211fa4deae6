"""`zaragoza init` and `zaragoza validate`: the embedded default and computed-vs-published."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.compare.validation import compare_published
from zaragoza.warehouse.store import Warehouse

runner = CliRunner()


@pytest.fixture(scope="module")
def default_wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wh") / "w.duckdb"
    res = runner.invoke(app, ["init", "--warehouse", str(path)])
    assert res.exit_code == 0, res.output
    return path


def test_init_builds_published_and_computed(default_wh: Path, tmp_path: Path) -> None:
    with Warehouse(default_wh, read_only=True) as wh:
        summary = wh.summary()
        runs = wh.runs()
    assert set(summary["source"]) == {"computed", "published"}
    # published; EU-LFS and EU-SILC examples by citizen and c_birth; the PISA example
    assert len(runs) == 6
    computed = summary[summary.source == "computed"]
    # every EU-LFS, every computable EU-SILC and every PISA indicator
    assert len(computed) == 22 + 17 + 9
    res = runner.invoke(app, ["init", "--warehouse", str(default_wh)])
    assert res.exit_code == 2
    assert "exists already" in res.output
    assert not list(default_wh.parent.glob(".*building"))


def test_validate_compares_cell_by_cell(default_wh: Path, tmp_path: Path) -> None:
    with Warehouse(default_wh, read_only=True) as wh:
        report = compare_published(wh)
        obs = wh.observations(indicator=["employment_rate"], geo=["AT"], time=[2023])
    row = report[
        (report.indicator == "employment_rate")
        & (report.geo == "AT")
        & (report.citizen == "NAT")
        & (report.sex == "T")
    ].iloc[0]
    cell = obs[(obs.citizen == "NAT") & (obs.sex == "T") & (obs.c_birth == "TOTAL")]
    comp = cell[cell.source == "computed"].iloc[0]
    pub = cell[cell.source == "published"].iloc[0]
    assert row.computed == comp.value
    assert row.published == pub.value
    assert row.difference == pytest.approx(pub.value - comp.value)
    assert row.z == pytest.approx((pub.value - comp.value) / comp.se)
    assert row.outside_ci == (not comp.ci_lo <= pub.value <= comp.ci_hi)
    # only cells published for the example's countries and year are compared
    assert set(report.geo) == {"AT", "EL", "SE"}
    assert set(report.time) == {2023}
    assert (report.indicator == "naturalisation_rate").sum() == 0
    # the EU-SILC example's medians against ilc_di15: 3 countries x NAT/FOR/EU/non-EU
    assert (report.indicator == "median_equivalised_income").sum() == 12
    out = tmp_path / "report.csv"
    res = runner.invoke(app, ["validate", "--warehouse", str(default_wh), "--out", str(out)])
    assert res.exit_code == 0, res.output
    written = pd.read_csv(out)
    assert len(written) == len(report)
    n_out = int(report["outside_ci"].sum())
    assert f"{n_out:,} of {int(report.published.notna().sum()):,} published values" in (res.output)
    assert np.isfinite(written["z"].dropna()).all()
