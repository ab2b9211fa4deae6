"""Readers: the same records from CSV, Parquet, SPSS, Stata and SAS give the same output."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from zaragoza.errors import InputError
from zaragoza.pipeline import estimate_files
from zaragoza.sources.synthetic import write_lfs

IDS = ["employment_rate", "overqualification_rate", "early_leavers"]


@pytest.fixture(scope="module")
def parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_lfs(tmp_path_factory.mktemp("lfs") / "lfs.parquet", 3000, seed=5)


def frame(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path)


def result(paths: list[Path], **kw: object) -> pd.DataFrame:
    return estimate_files(paths, IDS, by=["citizen", "sex"], **kw).observations  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".sav", ".dta", ".xpt"])
def test_formats_agree(parquet: Path, tmp_path: Path, suffix: str) -> None:
    df = frame(parquet)
    out = tmp_path / f"lfs{suffix}"
    if suffix.startswith(".csv"):
        df.to_csv(out, index=False)
    elif suffix == ".sav":
        pyreadstat.write_sav(df, str(out))
    elif suffix == ".dta":
        pyreadstat.write_dta(df, str(out))
    else:
        # SAS transport names are at most 8 characters: all EU-LFS names fit
        pyreadstat.write_xport(df, str(out))
    pd.testing.assert_frame_equal(result([out]), result([parquet]))


def test_many_files_stack(parquet: Path, tmp_path: Path) -> None:
    df = frame(parquet)
    a, b = tmp_path / "a.parquet", tmp_path / "b.csv"
    df[df["COUNTRY"] == "AT"].to_parquet(a)
    df[df["COUNTRY"] != "AT"].to_csv(b, index=False)
    pd.testing.assert_frame_equal(result([a, b]), result([parquet]))


def test_column_map_and_case(parquet: Path, tmp_path: Path) -> None:
    df = frame(parquet).rename(columns={"COEFF": "poids", "NATIONAL": "citizenship"})
    df.columns = [c.lower() for c in df.columns]
    path = tmp_path / "own.csv"
    df.to_csv(path, index=False)
    cmap = tmp_path / "map.yaml"
    cmap.write_text("COEFF: poids\nnational: Citizenship\n")
    pd.testing.assert_frame_equal(result([path], columns=cmap), result([parquet]))


def test_column_map_errors(parquet: Path, tmp_path: Path) -> None:
    bad = tmp_path / "map.yaml"
    bad.write_text("- COEFF\n")
    with pytest.raises(InputError, match="must be a mapping"):
        result([parquet], columns=bad)
    twice = tmp_path / "twice.yaml"
    twice.write_text("COEFF: AGE\nSEX: age\n")
    with pytest.raises(InputError, match="uses one of your columns twice"):
        result([parquet], columns=twice)


def test_weight_option(parquet: Path, tmp_path: Path) -> None:
    df = frame(parquet).rename(columns={"COEFF": "WEIGHT_Y"})
    path = tmp_path / "w.parquet"
    df.to_parquet(path)
    pd.testing.assert_frame_equal(result([path], weight="weight_y"), result([parquet]))
