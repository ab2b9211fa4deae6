"""Text columns already clean are taken as they are: the same estimates as trimmed text.

The harmonisation trims and upper-cases every coded text column (country codes,
citizenship, strata, PSUs, NACE sections), NULL when blank. Validation finds the
columns in which that would change no value, and the engine's queries then read those
columns as they are. Whether a column is clean or not, the numbers must be the same.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zaragoza.pipeline import estimate_files
from zaragoza.sources import lfs
from zaragoza.sources.synthetic import write_lfs

TEXT = ["COUNTRY", "NATIONAL", "COUNTRYB", "REGION", "STRATUM", "PSU", "NACE1D"]
INDICATORS = [
    "employment_rate",
    "unemployment_rate",
    "temporary_employment_share",
    "public_sector_employment_share",
]


@pytest.fixture(scope="module")
def clean_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clean") / "lfs.parquet"
    return write_lfs(path, 4_000, countries=("AT", "EL"), years=(2023,), seed=7)


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str]]:
    seen: list[frozenset[str]] = []
    real = lfs._broken_rules

    def spy(*args: object, **kwargs: object) -> object:
        got = real(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(got[2])
        return got

    monkeypatch.setattr(lfs, "_broken_rules", spy)
    return seen


def _estimate(path: Path, **backend: str) -> pd.DataFrame:
    run = estimate_files(
        [path],
        INDICATORS,
        by=["geo", "citizen", "sex"],
        gap="citizen=NAT",
        strata="STRATUM",
        psu="PSU",
        **backend,  # type: ignore[arg-type]
    )
    return run.observations


def _messy(frame: pd.DataFrame, columns: list[str], rows: slice) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        part = out.loc[out.index[rows], c]
        out.loc[out.index[rows], c] = part.where(part.isna(), " " + part.str.lower() + "\t")
    return out


@pytest.mark.parametrize(
    ("columns", "rows"),
    [(TEXT, slice(None)), (["PSU"], slice(5, 6)), (["NATIONAL", "STRATUM"], slice(0, 100))],
    ids=["every text column", "one PSU code", "two columns, some rows"],
)
def test_messy_text_gives_the_numbers_of_clean_text(
    clean_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    columns: list[str],
    rows: slice,
) -> None:
    seen = _spy(monkeypatch)
    expected = _estimate(clean_file)
    frame = pd.read_parquet(clean_file)
    messy = tmp_path / "messy.parquet"
    _messy(frame, columns, rows).to_parquet(messy, index=False)
    got = _estimate(messy)
    # every text column of the synthetic file is clean; the changed ones no longer are
    assert seen[0] >= set(TEXT)
    assert seen[1] == seen[0] - set(columns)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12, atol=1e-12)


def test_a_blank_is_not_clean(
    clean_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A blank is NULL to the harmonisation, so a column holding one is not clean."""
    seen = _spy(monkeypatch)
    frame = pd.read_parquet(clean_file)
    frame.loc[frame.index[3], "NACE1D"] = "  "
    path = tmp_path / "blank.parquet"
    frame.to_parquet(path, index=False)
    _estimate(path)
    assert "NACE1D" not in seen[0]
    assert "COUNTRY" in seen[0]


@pytest.mark.spark
def test_messy_text_on_spark_gives_the_numbers_of_clean_text_on_duckdb(
    clean_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spark_cluster: str
) -> None:
    """On Spark too, clean columns are found by the cluster's own trimming and
    upper-casing (a blank NACE section included), and messy ones are harmonised."""
    seen = _spy(monkeypatch)
    expected = _estimate(clean_file)
    frame = _messy(pd.read_parquet(clean_file), ["NATIONAL", "PSU"], slice(0, 50))
    frame.loc[frame.index[3], "NACE1D"] = "  "
    messy = tmp_path / "messy.parquet"
    frame.to_parquet(messy, index=False)
    observations = _estimate(messy, backend="spark", spark_master=spark_cluster)
    assert seen[1] == seen[0] - {"NATIONAL", "PSU", "NACE1D"}
    # the blank NACE section is missing, not clean text: the other indicators' numbers
    key = ["indicator", "geo", "citizen", "sex", "compare_to"]
    others = [i for i in INDICATORS if i != "public_sector_employment_share"]
    got = observations.set_index(key).loc[others]
    want = expected.set_index(key).loc[others]
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=1e-12)
