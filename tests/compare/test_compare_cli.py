"""`zaragoza compare …` commands on the embedded default warehouse."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from zaragoza.cli.compare import compare_app
from zaragoza.compare.gaps import GAP_COLUMNS
from zaragoza.compare.ranks import RANK_COLUMNS
from zaragoza.compare.targets import TARGET_COLUMNS
from zaragoza.compare.uncertainty import UNCERTAINTY_COLUMNS

runner = CliRunner()
POLICY = Path(__file__).resolve().parents[1] / "data" / "policy"


def _csv(args: list[str]) -> pd.DataFrame:
    res = runner.invoke(compare_app, args)
    assert res.exit_code == 0, res.output
    return pd.read_csv(io.StringIO(res.stdout), keep_default_na=False, na_values=[""])


def test_targets_to_file(default_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "targets.csv"
    res = runner.invoke(compare_app, ["targets", "--warehouse", str(default_warehouse),
                                      "--indicator", "employment_rate", "--time", "2023",
                                      "--out", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(df.columns) == TARGET_COLUMNS
    assert set(df["time"]) == {2023}
    assert set(df["target"]) == {"europe2020_employment", "eu2030_employment"}
    at = df[(df.geo == "AT") & (df.citizen == "NEU27_2020_FOR") & (df.sex == "T")
            & (df.target == "eu2030_employment") & (df.source == "published")]  # fmt: skip
    assert at["distance"].iloc[0] == pytest.approx(62.9 - 78)


def test_gaps_ranks_trends_index(default_warehouse: Path) -> None:
    wh = ["--warehouse", str(default_warehouse)]
    g = _csv(["gaps", *wh, "--indicator", "employment_rate", "--geo", "AT", "--time", "2023",
              "--kind", "migrant_native"])  # fmt: skip
    assert list(g.columns) == GAP_COLUMNS
    assert set(g["gap"]) == {"migrant_native"}
    r = _csv(["ranks", *wh, "--indicator", "unemployment_rate", "--time", "2023",
              "--lower-is-better", "--source", "computed"])  # fmt: skip
    assert list(r.columns) == RANK_COLUMNS
    assert set(r["rank_method"]) == {"simulation"}
    t = _csv(["trends", *wh, "--indicator", "employment_rate", "--what", "beta",
              "--start", "2021", "--end", "2024"])  # fmt: skip
    assert (t["n"] > 10).any()
    on_gaps = _csv(["trends", *wh, "--indicator", "employment_rate", "--what", "beta",
                    "--start", "2021", "--end", "2024", "--on-gaps"])  # fmt: skip
    assert set(on_gaps["compare_to"]) == {"NAT"}
    s = _csv(["trends", *wh, "--indicator", "employment_rate", "--what", "sigma"])
    assert {"sd", "cv", "sd_slope"} <= set(s.columns)
    i = _csv(["index", *wh, "--time", "2023", "--draws", "50"])
    assert list(i.columns) == UNCERTAINTY_COLUMNS
    plain = _csv(["index", *wh, "--time", "2023", "--normalisation", "zscore"])
    assert {"indicator", "dimension", "index"} == set(plain["kind"])


def test_policy_scores_and_correlation(default_warehouse: Path) -> None:
    base = [
        "policy",
        str(POLICY / "mipex_shaped.csv"),
        "--framework",
        str(POLICY / "framework.yaml"),
    ]
    scores = _csv(base)
    assert set(scores["geo"]) == {"AT", "EL", "SE", "ES"}
    corr = _csv([*base, "--correlate", "employment_rate", "--warehouse", str(default_warehouse),
                 "--time", "2019"])  # fmt: skip
    assert set(corr["n"]) == {4}
    assert set(corr["outcome_time"].astype(str)) == {"2019"}


def test_registers_on_the_main_command(default_warehouse: Path) -> None:
    import typer

    app = typer.Typer()
    app.add_typer(compare_app, name="compare")
    res = runner.invoke(app, ["compare", "gaps", "--warehouse", str(default_warehouse),
                              "--indicator", "employment_rate", "--geo", "SE", "--time", "2023",
                              "--source", "computed"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "design" in res.stdout


def test_errors_are_one_clear_line(default_warehouse: Path, tmp_path: Path) -> None:
    res = runner.invoke(compare_app, ["trends", "--what", "change", "--warehouse",
                                      str(default_warehouse)])  # fmt: skip
    assert res.exit_code == 2
    assert "needs --start and --end" in res.output
    res = runner.invoke(compare_app, ["targets", "--warehouse", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 2
    assert "warehouse not found" in res.output
    res = runner.invoke(compare_app, ["index", "--time", "2023", "--weighting", "magic",
                                      "--warehouse", str(default_warehouse)])  # fmt: skip
    assert res.exit_code == 2
    assert "unknown weighting" in res.output
