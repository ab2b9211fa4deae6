"""Every option of ``zaragoza estimate`` is honoured or refused, on every survey.

Before the one request and design, ``--weight``, ``--backend spark``,
``--reliability-limits`` and ``--memory-limit`` were dropped without a word on EU-SILC
input, and an unknown replicate method or lonely-PSU rule fell through to a default in
the library.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.errors import ParameterError
from zaragoza.pipeline import estimate_files

runner = CliRunner()
SILC = Path(__file__).parents[2] / "src" / "zaragoza" / "data" / "example_silc.csv.gz"
ARGS = ["--strata", "DB050", "--psu", "DB060", "--indicators", "at_risk_of_poverty_rate"]


def said(res: object) -> str:
    return " ".join(res.output.split())  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def silc_with_weight(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The EU-SILC example, and a copy whose RB050 is replaced by another weight, MYW,
    kept beside the original RB050 in a second copy under its own name."""
    df = pd.read_csv(SILC, dtype=str, keep_default_na=False)
    other = (df["RB050"].astype(float) * (1 + np.arange(len(df)) % 3)).map(repr)
    folder = tmp_path_factory.mktemp("silc")
    named = folder / "named.csv"
    df.assign(MYW=other).to_csv(named, index=False)
    replaced = folder / "replaced.csv"
    df.assign(RB050=other).to_csv(replaced, index=False)
    return named, replaced


def test_silc_weight_is_honoured(silc_with_weight: tuple[Path, Path], tmp_path: Path) -> None:
    named, replaced = silc_with_weight
    outs = []
    for i, (path, extra) in enumerate([(named, ["--weight", "MYW"]), (replaced, []), (named, [])]):
        out = tmp_path / f"o{i}.csv"
        res = runner.invoke(app, ["estimate", str(path), *ARGS, *extra, "--out", str(out)])
        assert res.exit_code == 0, res.output
        outs.append(pd.read_csv(out))
    with_weight, same_weights_as_rb050, default = outs
    pd.testing.assert_frame_equal(with_weight, same_weights_as_rb050)
    assert not np.allclose(with_weight["value"], default["value"])


def test_silc_weight_column_must_exist(silc_with_weight: tuple[Path, Path]) -> None:
    named, _ = silc_with_weight
    res = runner.invoke(app, ["estimate", str(named), *ARGS, "--weight", "NOPE"])
    assert res.exit_code == 2
    assert "missing column NOPE" in said(res)


def test_silc_refuses_spark(silc_with_weight: tuple[Path, Path]) -> None:
    named, _ = silc_with_weight
    res = runner.invoke(app, ["estimate", str(named), *ARGS, "--backend", "spark"])
    assert res.exit_code == 2
    assert "invalid --backend (value 'spark'). Valid: duckdb for EU-SILC input" in said(res)


def test_silc_refuses_eu_lfs_limits(silc_with_weight: tuple[Path, Path], tmp_path: Path) -> None:
    named, _ = silc_with_weight
    limits = tmp_path / "limits.csv"
    limits.write_text("geo,limit_a,limit_b\nAT,1000,2000\n")
    res = runner.invoke(app, ["estimate", str(named), *ARGS, "--reliability-limits", str(limits)])
    assert res.exit_code == 2
    assert "invalid --reliability-limits" in said(res)
    assert "EU-LFS input only" in said(res)


def test_silc_memory_limit_is_honoured(silc_with_weight: tuple[Path, Path], tmp_path: Path) -> None:
    named, _ = silc_with_weight
    res = runner.invoke(app, ["estimate", str(named), *ARGS, "--memory-limit", "lots"])
    assert res.exit_code == 2
    assert "invalid --memory-limit (value 'lots')" in said(res)
    out = tmp_path / "o.csv"
    res = runner.invoke(
        app, ["estimate", str(named), *ARGS, "--memory-limit", "500MB", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output


def test_lfs_refuses_the_silc_bootstrap() -> None:
    res = runner.invoke(app, ["estimate", "--bootstrap", "50"])
    assert res.exit_code == 2
    assert "invalid --bootstrap (value 50). Valid: EU-SILC input only" in said(res)


@pytest.mark.parametrize(
    ("flag", "value", "valid"),
    [
        ("--lonely-psu", "adjst", "fail, adjust, remove, certainty"),
        ("--replicate-method", "jkm", "bootstrap, jk1, jkn, brr, fay"),
        ("--survey", "lfs", "auto, eu-lfs, eu-silc"),
        ("--backend", "polars", "duckdb, spark"),
        ("--by", "age", "citizen, c_birth, sex, geo"),
        ("--gap", "sex=M", "citizen=NAT, c_birth=NAT"),
    ],
)
def test_an_unknown_value_names_the_flag_and_the_valid_ones(
    flag: str, value: str, valid: str
) -> None:
    args = ["estimate", flag, value]
    if flag == "--replicate-method":
        args += ["--replicate-weights", "RW\\d+"]
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    assert f"invalid {flag} (value '{value}'). Valid: {valid}" in said(res)


def test_the_library_names_parameters_not_flags() -> None:
    with pytest.raises(ParameterError, match=r"invalid lonely_psu \(value 'adjst'\)"):
        estimate_files(["x.csv"], ["employment_rate"], lonely_psu="adjst")
    with pytest.raises(ParameterError, match="invalid replicate_method"):
        estimate_files(["x.csv"], replicate_weights="RW", replicate_method="jkm")
    with pytest.raises(ParameterError, match="invalid spark_master"):
        estimate_files(["x.csv"], spark_master="spark://h:7077")
    with pytest.raises(ParameterError, match="invalid backnd"):
        estimate_files(["x.csv"], backnd="spark")


def test_spark_refuses_readstat_files(tmp_path: Path) -> None:
    from zaragoza.pipeline.spark import _kind

    with pytest.raises(ParameterError, match=r"CSV .* or Parquet input on Spark"):
        _kind(str(tmp_path / "lfs.sav"))
    assert _kind("hdfs://cluster/lfs/2023") == "parquet"
    assert _kind("s3a://bucket/lfs.csv.gz") == "csv"


def test_suppress_blanks_a_cd_flag(tmp_path: Path) -> None:
    """A confidential cell flagged ``cd`` (a partial AROPE) kept its value before."""
    out = tmp_path / "o.csv"
    with gzip.open(SILC, "rt") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    small = tmp_path / "small.csv"
    df.drop(columns=["HS011", "HS021", "HS031"]).iloc[::10].to_csv(small, index=False)
    res = runner.invoke(
        app,
        ["estimate", str(small), "--strata", "DB050", "--psu", "DB060", "--lonely-psu",
         "adjust", "--indicators", "arope_2020", "--by", "citizen,sex", "--suppress",
         "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, keep_default_na=False, na_values=[""])
    cd = got[got["flag"].str.contains("c") & got["flag"].str.contains("d")]
    assert len(cd) > 0
    assert cd[["value", "se", "ci_lo", "ci_hi", "cv", "n"]].isna().all().all()


def test_a_memory_limit_too_small_is_a_clear_error(tmp_path: Path) -> None:
    """DuckDB running out of memory within the user's limit: the limit named, the flags
    that would help, no traceback, and no output file."""
    out = tmp_path / "o.csv"
    design = ["--strata", "STRATUM", "--psu", "PSU"]
    res = runner.invoke(app, ["estimate", *design, "--memory-limit", "1MB", "--out", str(out)])
    assert res.exit_code == 2, res.output
    text = said(res)
    assert "DuckDB ran out of memory within its limit of 1MB" in text
    assert "(--memory-limit)" in text
    assert "(--backend)" in text
    assert "Traceback" not in text
    assert not out.exists()
