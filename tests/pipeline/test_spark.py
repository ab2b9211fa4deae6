"""Spark for real: the files read by Spark itself, validated there, on the user's cluster.

The cluster tests run on the standalone cluster ``.ci/run`` starts on loopback (a master
and two workers, ``ZARAGOZA_TEST_SPARK_MASTER``); the master-choice tests need no Spark.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.errors import ValidationError
from zaragoza.pipeline import estimate_files
from zaragoza.pipeline.spark import spark_master

runner = CliRunner()
IDS = ["employment_rate", "temporary_employment_share"]
GOLDEN = Path(__file__).parents[1] / "reference" / "lfs_golden.csv"


def test_the_master_comes_from_the_option_the_environment_or_spark_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SPARK_MASTER", raising=False)
    monkeypatch.delenv("SPARK_HOME", raising=False)
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    assert spark_master(None) is None  # local mode (or SPARK_REMOTE)
    (tmp_path / "spark-defaults.conf").write_text(
        "# the cluster's defaults\nspark.master   spark://conf-host:7077\n"
    )
    assert spark_master(None) == "spark://conf-host:7077"
    monkeypatch.setenv("SPARK_MASTER", "spark://env-host:7077")
    assert spark_master(None) == "spark://env-host:7077"
    assert spark_master("yarn") == "yarn"


@pytest.mark.spark
def test_validation_on_spark_names_column_value_and_count(
    tmp_path: Path, spark_cluster: str
) -> None:
    df = pd.read_csv(GOLDEN, dtype=str, keep_default_na=False)
    df.loc[2, "COEFF"] = "nan"
    df.loc[[7, 9], "SEX"] = "3"
    path = tmp_path / "lfs.csv"
    df.to_csv(path, index=False)
    with pytest.raises(ValidationError) as exc:
        estimate_files([path], IDS, backend="spark", spark_master=spark_cluster)
    found = {(p.rule, p.column, p.value, p.count, p.row) for p in exc.value.problems}
    assert ("missing, non-finite or non-positive weight", "COEFF", "nan", 1, None) in found
    assert ("unknown code", "SEX", "3", 2, None) in found
    assert all(p.file == str(path) for p in exc.value.problems)


@pytest.mark.spark
def test_spark_reads_csv_gz_and_parquet_folders(tmp_path: Path, spark_cluster: str) -> None:
    df = pd.read_csv(GOLDEN, dtype=str, keep_default_na=False)
    gz = tmp_path / "lfs.csv.gz"
    df.to_csv(gz, index=False, compression="gzip", quoting=csv.QUOTE_MINIMAL)
    folder = tmp_path / "parquet"
    folder.mkdir()
    half = len(df) // 2
    df.iloc[:half].to_parquet(folder / "part-0.parquet")
    df.iloc[half:].to_parquet(folder / "part-1.parquet")
    kw = {"by": ["citizen"], "strata": "STRATUM", "psu": "PSU", "lonely_psu": "adjust"}
    duck = estimate_files([GOLDEN], IDS, **kw).observations  # type: ignore[arg-type]
    for source in (gz, folder):
        spark = estimate_files(
            [source], IDS, backend="spark", spark_master=spark_cluster, **kw
        ).observations  # type: ignore[arg-type]
        assert spark[["indicator", "geo", "citizen", "n"]].equals(
            duck[["indicator", "geo", "citizen", "n"]]
        )
        assert (spark["value"] - duck["value"]).abs().max() < 1e-9
        assert (spark["se"] - duck["se"]).abs().max() < 1e-9


@pytest.mark.spark
def test_cli_runs_on_the_cluster(tmp_path: Path, spark_cluster: str) -> None:
    out = tmp_path / "o.csv"
    res = runner.invoke(
        app,
        ["estimate", str(GOLDEN), "--indicators", "employment_rate", "--by", "sex",
         "--backend", "spark", "--spark-master", spark_cluster, "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out)) > 0
    res = runner.invoke(
        app, ["estimate", str(GOLDEN), "--spark-master", spark_cluster, "--out", str(out)]
    )
    assert res.exit_code == 2
    assert "invalid --spark-master" in " ".join(res.output.split())
