"""Hostile and careless microdata: every malformed file gets a clear error, never a number.

Each case was found by feeding `zaragoza estimate` malformed copies of the bundled example
(non-finite weights, repeated columns, ragged or truncated rows, files without records);
before, several of them gave exit 0 and a wrong estimate.
"""

from __future__ import annotations

import csv
import gzip
import math
from pathlib import Path

import pandas as pd
import pytest
from test_silc_input import udb
from typer.testing import CliRunner

from zaragoza.cli import app, example_file
from zaragoza.errors import DesignError, InputError, UsageError, ValidationError
from zaragoza.pipeline import estimate_files
from zaragoza.sources.silc import SilcSpec, prepare_silc

runner = CliRunner()


@pytest.fixture(scope="module")
def example() -> tuple[list[str], list[list[str]]]:
    """The first 3,000 records of the bundled synthetic example, as text."""
    with gzip.open(example_file(), "rt", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:3001]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def run(path: Path, **kw: object) -> object:
    return estimate_files([path], ["employment_rate"], **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["NaN", "nan", "inf", "-inf", "Infinity", "1e999"])
def test_non_finite_weight_is_refused(
    tmp_path: Path, example: tuple[list[str], list[list[str]]], bad: str
) -> None:
    header, rows = example
    rows = [list(r) for r in rows]
    rows[10][header.index("COEFF")] = bad
    path = write(tmp_path / "lfs.csv", header, rows)
    with pytest.raises(ValidationError) as exc:
        run(path)
    (p,) = exc.value.problems
    assert (p.column, p.row, p.value) == ("COEFF", 11, bad)
    assert p.rule == "missing, non-finite or non-positive weight"
    assert "positive finite number" in p.expected


def test_nan_weight_in_the_bundled_example_exits_2_without_output(
    tmp_path: Path, example: tuple[list[str], list[list[str]]]
) -> None:
    """The finding: one NaN in COEFF gave exit 0 and a TOTAL employment rate of 68.5."""
    header, rows = example
    rows = [list(r) for r in rows]
    rows[10][header.index("COEFF")] = "NaN"
    path = write(tmp_path / "lfs.csv", header, rows)
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["estimate", str(path), "--out", str(out)])
    assert res.exit_code == 2
    assert "column COEFF, row 11" in res.output
    assert not out.exists()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_weight_in_parquet_is_refused(
    tmp_path: Path, example: tuple[list[str], list[list[str]]], bad: float
) -> None:
    header, rows = example
    df = pd.DataFrame(rows, columns=header)
    df["COEFF"] = df["COEFF"].astype(float)
    df.loc[4, "COEFF"] = bad
    path = tmp_path / "lfs.parquet"
    df.to_parquet(path)
    with pytest.raises(ValidationError) as exc:
        run(path)
    (p,) = exc.value.problems
    assert (p.column, p.row) == ("COEFF", 5)


def test_non_finite_replicate_weight_is_refused(tmp_path: Path) -> None:
    from test_validation import rows_with
    from test_validation import write as write_rows

    path = write_rows(tmp_path / "lfs.csv", rows_with(RW1="inf"))
    with pytest.raises(ValidationError, match="RW1, row 3: missing, non-finite"):
        run(path, replicate_weights=r"RW\d", replicate_method="bootstrap")


def test_non_finite_replicate_scale_is_refused(tmp_path: Path) -> None:
    from test_validation import rows_with
    from test_validation import write as write_rows

    path = write_rows(tmp_path / "lfs.csv", rows_with())
    with pytest.raises(UsageError, match=r"invalid replicate_scale \(value nan\). Valid: a finite"):
        run(
            path,
            replicate_weights=r"RW\d",
            replicate_method="bootstrap",
            replicate_scale=float("nan"),
        )


def test_silc_non_finite_weight_and_income_are_refused(tmp_path: Path) -> None:
    files = udb(tmp_path, r0={"RB050": "nan"}, h1={"HY020": "inf"})
    with pytest.raises(ValidationError) as exc:
        prepare_silc(files, SilcSpec())
    found = {(p.rule, p.column, p.value) for p in exc.value.problems}
    assert ("missing, non-finite or non-positive weight", "RB050", "nan") in found
    assert ("income is not a finite number", "HY020", "inf") in found


@pytest.mark.parametrize("second", ["COEFF", "coeff"])
def test_a_repeated_column_is_refused(
    tmp_path: Path, example: tuple[list[str], list[list[str]]], second: str
) -> None:
    header, rows = example
    path = write(tmp_path / "lfs.csv", [*header, second], [[*r, "1"] for r in rows])
    with pytest.raises(InputError, match=f"column {second} appears twice"):
        run(path)


def test_a_repeated_column_in_parquet_is_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table([pa.array([1.0]), pa.array([2.0])], names=["COEFF", "coeff"])
    path = tmp_path / "dup.parquet"
    pq.write_table(table, path)
    with pytest.raises(InputError, match="appears twice"):
        run(path)


def test_a_header_without_records_is_an_error(
    tmp_path: Path, example: tuple[list[str], list[list[str]]]
) -> None:
    header, _ = example
    path = write(tmp_path / "lfs.csv", header, [])
    with pytest.raises(InputError, match="holds no records"):
        run(path)


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "lfs.csv"
    path.write_text("")
    with pytest.raises(InputError, match="the file is empty"):
        run(path)


def test_a_ragged_row_is_named(tmp_path: Path, example: tuple[list[str], list[list[str]]]) -> None:
    header, rows = example
    rows = [list(r) for r in rows]
    rows[49] = rows[49][:5]
    path = write(tmp_path / "lfs.csv", header, rows)
    with pytest.raises(InputError) as exc:
        run(path)
    assert (exc.value.file, exc.value.row) == (str(path), 50)
    assert "a row has 5 field(s), the header 19" in exc.value.message


def test_an_unterminated_quote_is_named(
    tmp_path: Path, example: tuple[list[str], list[list[str]]]
) -> None:
    header, rows = example
    path = write(tmp_path / "lfs.csv", header, rows)
    lines = path.read_text().splitlines()
    lines[50] = '"' + lines[50]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as exc:
        run(path)
    assert exc.value.row == 50
    assert "unterminated quote" in exc.value.message


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_a_truncated_file_is_an_error(
    tmp_path: Path, example: tuple[list[str], list[list[str]]], suffix: str
) -> None:
    """A copy cut short ends in a partial row: an error at that row, not one record fewer."""
    header, rows = example
    text = write(tmp_path / "full.csv", header, rows).read_text()
    cut = text[: len(text) - 37]
    path = tmp_path / f"lfs{suffix}"
    if suffix.endswith(".gz"):
        path.write_bytes(gzip.compress(cut.encode()))
    else:
        path.write_text(cut)
    with pytest.raises(InputError) as exc:
        run(path)
    assert exc.value.row == 3000
    assert "field(s), the header 19" in exc.value.message


def test_a_one_record_file_says_why_no_variance(
    tmp_path: Path, example: tuple[list[str], list[list[str]]]
) -> None:
    header, rows = example
    path = write(tmp_path / "lfs.csv", header, rows[:1])
    with pytest.raises(DesignError, match="1 of 1 strata have only one PSU") as exc:
        run(path, strata="STRATUM", psu="PSU")
    assert "two PSUs or more" in exc.value.message


def test_rows_breaking_two_rules_are_counted_once(
    tmp_path: Path, example: tuple[list[str], list[list[str]]]
) -> None:
    """3,000 records with two broken columns are 3,000 invalid rows, not 6,000."""
    header, rows = example
    df = pd.DataFrame(rows, columns=header)
    df["COEFF"] = "-1"
    df["SEX"] = "9"
    path = tmp_path / "lfs.parquet"
    df.to_parquet(path)
    with pytest.raises(ValidationError) as exc:
        run(path)
    assert len(exc.value.problems) == 2
    assert "2 problem(s) in 3,000 row(s)" in exc.value.message
