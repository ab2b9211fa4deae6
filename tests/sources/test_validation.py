"""Input validation: every rule reports file, column, row, value and what is valid."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from zaragoza.errors import InputError, ValidationError
from zaragoza.pipeline import estimate_files

HEADER = [
    "COUNTRY",
    "YEAR",
    "COEFF",
    "SEX",
    "AGE",
    "NATIONAL",
    "COUNTRYB",
    "ILOSTAT",
    "STAPRO",
    "TEMP",
    "ISCO1D",
    "HATLEVEL",
    "EDUC4WN",
    "REGION",
    "STRATUM",
    "PSU",
    "RW1",
    "RW2",
]
GOOD = {
    "COUNTRY": "AT",
    "YEAR": "2023",
    "COEFF": "120.5",
    "SEX": "1",
    "AGE": "34",
    "NATIONAL": "AT",
    "COUNTRYB": "AT",
    "ILOSTAT": "1",
    "STAPRO": "3",
    "TEMP": "1",
    "ISCO1D": "4",
    "HATLEVEL": "500",
    "EDUC4WN": "2",
    "REGION": "AT13",
    "STRATUM": "S1",
    "PSU": "P1",
    "RW1": "100",
    "RW2": "140",
}


def write(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, header, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    return path


def rows_with(n: int = 30, **bad: str) -> list[dict[str, str]]:
    """``n`` valid rows (alternating PSUs), with row 3 changed to ``bad``."""
    rows = [dict(GOOD, PSU=f"P{i % 2}", SEX=str(1 + i % 2)) for i in range(n)]
    rows[2] = dict(rows[2], **bad)
    return rows


def run(path: Path, **kw: object) -> object:
    return estimate_files([path], ["employment_rate", "temporary_employment_share"], **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("column", "value", "rule", "expected"),
    [
        ("COUNTRY", "XX", "unknown country code", "Eurostat geo code"),
        ("COUNTRY", "", "unknown country code", "Eurostat geo code"),
        ("YEAR", "1950", "year out of range", "from 1983 to 2100"),
        ("AGE", "130", "age out of range", "from 0 to 120"),
        ("AGE", "-1", "age out of range", "from 0 to 120"),
        ("AGE", "thirty", "age out of range", "integer"),
        ("AGE", "34.5", "age out of range", "integer"),
        ("SEX", "3", "unknown code", "1 (male) or 2 (female)"),
        ("COEFF", "", "missing, non-finite or non-positive weight", "positive finite number"),
        ("COEFF", "0", "missing, non-finite or non-positive weight", "positive finite number"),
        ("COEFF", "-3", "missing, non-finite or non-positive weight", "positive finite number"),
        ("NATIONAL", "ZZZ", "unknown code", "country code"),
        ("COUNTRYB", "12", "unknown code", "country code"),
        ("ILOSTAT", "7", "unknown code", "one of 1, 2, 3, 4"),
        ("STAPRO", "x", "unknown code", "one of 1, 2, 3, 4"),
        ("TEMP", "3", "unknown code", "one of 1, 2"),
        ("HATLEVEL", "350", "unknown code", "300, 302"),
        ("EDUC4WN", "9", "unknown code", "one of 1, 2"),
        ("ISCO1D", "10", "unknown code", "one of 0, 1"),
    ],
)
def test_each_rule_names_file_column_row_value(
    tmp_path: Path, column: str, value: str, rule: str, expected: str
) -> None:
    path = write(tmp_path / "lfs.csv", rows_with(**{column: value}))
    with pytest.raises(ValidationError) as exc:
        run(path)
    (p,) = exc.value.problems
    assert (p.file, p.column, p.row, p.rule) == (str(path), column, 3, rule)
    assert p.value == (value or None)
    assert expected in p.expected
    assert f"column {column}, row 3" in exc.value.message


def test_design_columns_missing_values(tmp_path: Path) -> None:
    path = write(tmp_path / "lfs.csv", rows_with(STRATUM="", PSU=""))
    with pytest.raises(ValidationError) as exc:
        run(path, strata="STRATUM", psu="PSU")
    assert {(p.column, p.rule) for p in exc.value.problems} == {
        ("STRATUM", "missing stratum"),
        ("PSU", "missing PSU"),
    }


def test_replicate_weight_negative(tmp_path: Path) -> None:
    path = write(tmp_path / "lfs.csv", rows_with(RW2="-1"))
    with pytest.raises(ValidationError, match="RW2, row 3"):
        run(path, replicate_weights=r"RW\d", replicate_method="bootstrap")


def test_region_outside_country(tmp_path: Path) -> None:
    path = write(tmp_path / "lfs.csv", rows_with(REGION="DE21"))
    with pytest.raises(ValidationError, match="region outside the reporting country"):
        run(path, by=["geo"])


def test_missing_columns_are_all_reported(tmp_path: Path) -> None:
    header = [h for h in HEADER if h not in ("AGE", "COEFF", "TEMP")]
    path = write(tmp_path / "lfs.csv", rows_with(), header)
    with pytest.raises(ValidationError) as exc:
        run(path, strata="NOPE")
    assert {p.column for p in exc.value.problems} == {"AGE", "COEFF", "TEMP", "NOPE"}
    assert all(p.rule == "missing column" for p in exc.value.problems)


def test_every_problem_reported_at_once_across_files(tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", rows_with(AGE="200"))
    rows = rows_with(SEX="0")
    rows[9] = dict(rows[9], AGE="-5")
    b = write(tmp_path / "b.csv", rows)
    with pytest.raises(ValidationError) as exc:
        estimate_files([a, b], ["employment_rate"])
    got = {(Path(p.file).name, p.column, p.row, p.value) for p in exc.value.problems}
    assert got == {("a.csv", "AGE", 3, "200"), ("b.csv", "AGE", 10, "-5"), ("b.csv", "SEX", 3, "0")}


def test_problem_count_and_first_row(tmp_path: Path) -> None:
    rows = rows_with()
    for i in (4, 7, 11):
        rows[i] = dict(rows[i], ILOSTAT="9")
    path = write(tmp_path / "lfs.csv", rows)
    with pytest.raises(ValidationError) as exc:
        run(path)
    (p,) = exc.value.problems
    assert (p.row, p.count) == (5, 3)
    assert "and 2 more rows" in exc.value.message


def test_drop_invalid_counts_dropped_rows(tmp_path: Path) -> None:
    rows = rows_with(AGE="500")
    rows[5] = dict(rows[5], COEFF="-1")
    path = write(tmp_path / "lfs.csv", rows)
    res = run(path, drop_invalid=True)
    assert res.n_rows == 30  # type: ignore[attr-defined]
    assert res.n_dropped == 2  # type: ignore[attr-defined]
    assert res.dropped_by_rule == {  # type: ignore[attr-defined]
        "age out of range (AGE)": 1,
        "missing, non-finite or non-positive weight (COEFF)": 1,
    }
    total = res.observations  # type: ignore[attr-defined]
    assert total.loc[total["indicator"] == "employment_rate", "n"].iloc[0] == 28


def test_blank_codes_are_missing_not_invalid(tmp_path: Path) -> None:
    rows = rows_with(ILOSTAT="", NATIONAL="")
    res = run(write(tmp_path / "lfs.csv", rows))
    obs = res.observations  # type: ignore[attr-defined]
    emp = obs[obs["indicator"] == "employment_rate"].iloc[0]
    assert (emp["n"], emp["n_missing"]) == (29, 1)


def test_malformed_csv_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text('COUNTRY,YEAR\n"AT,2023\n')
    with pytest.raises(InputError, match=r"broken\.csv"):
        estimate_files([path], ["employment_rate"])


def test_unsupported_and_absent_files(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_text("")
    with pytest.raises(InputError, match=r"unsupported file type .\.xlsx."):
        estimate_files([tmp_path / "x.xlsx"], ["employment_rate"])
    with pytest.raises(InputError, match="file not found"):
        estimate_files([tmp_path / "nope.csv"], ["employment_rate"])
