"""The command line: the contract other tools rely on."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.observations import ESTIMATE_FILE_COLUMNS

runner = CliRunner()


def test_estimate_on_the_bundled_example(tmp_path: Path) -> None:
    out = tmp_path / "est.csv"
    res = runner.invoke(
        app, ["estimate", "--by", "citizen,sex", "--gap", "citizen=NAT", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(df.columns) == ESTIMATE_FILE_COLUMNS
    # the file itself says its figures come from synthetic records
    assert df["synthetic"].tolist() == [True] * len(df)
    assert set(df["geo"]) == {"AT", "EL", "SE"}
    assert set(df["citizen"]) == {"TOTAL", "NAT", "FOR", "EU27_2020_FOR", "NEU27_2020_FOR"}
    assert set(df["sex"]) == {"T", "M", "F"}
    assert set(df["c_birth"]) == {"TOTAL"}
    assert set(df["compare_to"].fillna("")) == {"", "NAT"}
    assert df["indicator"].nunique() == 22
    assert "bundled synthetic example" in res.output
    assert "linearisation" in res.output


def test_csv_to_stdout_and_parquet(tmp_path: Path) -> None:
    res = runner.invoke(app, ["estimate", "--indicators", "employment_rate"])
    assert res.exit_code == 0
    assert res.stdout.startswith(",".join(ESTIMATE_FILE_COLUMNS))
    out = tmp_path / "e.parquet"
    res = runner.invoke(app, ["estimate", "--indicators", "employment_rate", "--out", str(out)])
    assert res.exit_code == 0
    parquet = pd.read_parquet(out)
    assert list(parquet.columns) == ESTIMATE_FILE_COLUMNS
    assert parquet["synthetic"].all()


def test_errors_exit_2_and_leave_no_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("COUNTRY,YEAR,COEFF,SEX,AGE,ILOSTAT\nAT,2023,10,1,40,1\nAT,2023,10,5,40,1\n")
    out = tmp_path / "out.csv"
    res = runner.invoke(
        app, ["estimate", str(bad), "--indicators", "employment_rate", "--out", str(out)]
    )
    assert res.exit_code == 2
    assert "bad.csv, column SEX, row 2: unknown code: '5'" in res.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]
    res = runner.invoke(app, ["estimate", "--indicators", "nope"])
    assert res.exit_code == 2
    assert "unknown indicator 'nope'" in res.output
    res = runner.invoke(app, ["estimate", "--by", "region"])
    assert res.exit_code == 2
    assert "invalid --by (value 'region'). Valid: citizen, c_birth, sex, geo" in res.output
    res = runner.invoke(app, ["estimate", "--gap", "sex=M"])
    assert res.exit_code == 2
    assert "invalid --gap" in res.output


def test_catalog_list_and_show(tmp_path: Path) -> None:
    res = runner.invoke(app, ["catalog", "list"])
    assert res.exit_code == 0
    assert "overqualification_rate" in res.stdout
    res = runner.invoke(app, ["catalog", "show", "early_leavers"])
    assert res.exit_code == 0
    assert "age_code: Y18-24" in res.stdout
    assert "EDUC4WN" in res.stdout
    res = runner.invoke(app, ["catalog", "show", "nope"])
    assert res.exit_code == 2


def test_the_output_says_whether_its_records_are_synthetic(tmp_path: Path) -> None:
    """A file not known as synthetic gives ``synthetic`` false on every row; the same
    records named as the bundled examples are give true, on standard output too."""
    from zaragoza.cli.common import example_file

    records = tmp_path / "lfs_2023.csv.gz"
    records.write_bytes(example_file().read_bytes())
    out = tmp_path / "est.csv"
    res = runner.invoke(
        app, ["estimate", str(records), "--indicators", "employment_rate", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(df.columns) == ESTIMATE_FILE_COLUMNS
    assert not df["synthetic"].any()
    named = tmp_path / "example_lfs.csv.gz"
    named.write_bytes(records.read_bytes())
    res = runner.invoke(app, ["estimate", str(named), "--indicators", "employment_rate"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0].endswith(",synthetic")
    assert all(line.endswith(",True") for line in lines[1:])
