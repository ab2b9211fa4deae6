"""EU-SILC input: recognising, linking and validating D/H/P/R, PUF and merged files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from zaragoza.errors import InputError, ValidationError
from zaragoza.sources.silc import NO_REGISTER_NOTE, SilcSpec, classify_columns, prepare_silc

PUF = Path(__file__).parents[1] / "data" / "eusilc_puf"
PUF_FILES = [PUF / "BE_2013p_EUSILC.csv.gz", PUF / "BE_2013h_EUSILC.csv.gz"]


def write(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def udb(tmp_path: Path, **change: dict[str, object]) -> list[Path]:
    """A tiny UDB-shaped set: D, H, R and P files of two households in AT 2020."""
    d = [
        {"DB020": "AT", "DB010": 2020, "DB030": 1, "DB040": "AT13", "DB090": 100},
        {"DB020": "AT", "DB010": 2020, "DB030": 2, "DB040": "AT13", "DB090": 150},
    ]
    h = [
        {"HB020": "AT", "HB010": 2020, "HB030": 1, "HY020": 30000},
        {"HB020": "AT", "HB010": 2020, "HB030": 2, "HY020": -500},
    ]
    r = [
        {
            "RB020": "AT",
            "RB010": 2020,
            "RB030": 101,
            "RX030": 1,
            "RB050": 100,
            "RB090": 1,
            "RX020": 40,
        },
        {
            "RB020": "AT",
            "RB010": 2020,
            "RB030": 102,
            "RX030": 1,
            "RB050": 100,
            "RB090": 2,
            "RX020": 38,
        },
        {
            "RB020": "AT",
            "RB010": 2020,
            "RB030": 103,
            "RX030": 1,
            "RB050": 100,
            "RB090": 2,
            "RX020": 10,
        },
        {
            "RB020": "AT",
            "RB010": 2020,
            "RB030": 201,
            "RX030": 2,
            "RB050": 150,
            "RB090": 1,
            "RX020": 70,
        },
    ]
    p = [
        {"PB020": "AT", "PB010": 2020, "PB030": 101, "PB040": 100, "PB220A": "AT", "PB210": "AT"},
        {"PB020": "AT", "PB010": 2020, "PB030": 102, "PB040": 100, "PB220A": "DE", "PB210": "TR"},
        {"PB020": "AT", "PB010": 2020, "PB030": 201, "PB040": 150, "PB220A": "OTH", "PB210": "EU"},
    ]
    files = {"d": d, "h": h, "r": r, "p": p}
    for key, edits in change.items():
        kind, idx = key[0], int(key[1:])
        files[kind][idx] = dict(files[kind][idx], **edits)
    return [write(tmp_path / f"{k}.csv", rows) for k, rows in files.items()]


def records(prep: object) -> list[dict[str, object]]:
    con = prep.con  # type: ignore[attr-defined]
    cur = con.execute(f"SELECT * FROM {prep.view} ORDER BY hh, age DESC")  # type: ignore[attr-defined]
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_kinds_are_recognised_by_their_id_columns() -> None:
    assert classify_columns(["DB030", "DB090"]) == "D"
    assert classify_columns(["HB030", "HY020"]) == "H"
    assert classify_columns(["RB030", "RB050"]) == "R"
    assert classify_columns(["PB030", "PB040"]) == "P"
    assert classify_columns(["RB030", "DB030", "HX090"]) == "M"
    assert classify_columns(["X"]) == "?"


def test_udb_files_are_linked_with_groups_and_oecd_scale(tmp_path: Path) -> None:
    prep = prepare_silc(udb(tmp_path), SilcSpec(regions=True))
    rows = records(prep)
    assert prep.full_population
    assert prep.notes == []
    assert len(rows) == 4
    first = rows[0]
    # household 1: two adults and a child of 10 -> 1 + 0.5 + 0.3 = 1.8
    assert first["inc"] == pytest.approx(30000 / 1.8)
    assert [r["citizen"] for r in rows[:3]] == ["NAT", "EU27_2020_FOR", "UNK"]
    assert [r["c_birth"] for r in rows[:3]] == ["NAT", "NEU27_2020_FOR", "UNK"]
    assert rows[3]["citizen"] == "NEU27_2020_FOR"
    assert rows[3]["c_birth"] == "EU27_2020_FOR"
    # a negative income is valid (Eurostat keeps it)
    assert rows[3]["inc"] == pytest.approx(-500.0)
    assert {r["region"] for r in rows} == {"AT13"}
    assert rows[0]["w"] == 100
    assert rows[0]["w16"] == 100


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    files = udb(
        tmp_path,
        r1={"RB030": 101},  # duplicate person id
        r3={"RX030": 9},  # person whose household is absent
        r0={"RB050": ""},  # missing weight
        h0={"HY020": "abc"},  # income that is not a number
    )
    with pytest.raises(ValidationError) as err:
        prepare_silc(files, SilcSpec())
    rules = {(p.rule, p.column) for p in err.value.problems}
    assert ("duplicate id", "RB030") in rules
    assert ("person without a household", "RX030") in rules
    assert ("household without persons", "HB030") in rules
    assert ("missing, non-finite or non-positive weight", "RB050") in rules
    assert ("income is not a finite number", "HY020") in rules
    dup = next(p for p in err.value.problems if p.rule == "duplicate id")
    assert dup.file.endswith("r.csv")
    assert dup.row == 1
    assert dup.count == 2
    text = err.value.message
    assert "row" in text
    assert "expected" in text


def test_drop_invalid_leaves_the_persons_out(tmp_path: Path) -> None:
    files = udb(tmp_path, r3={"RX030": 9})
    prep = prepare_silc(files, SilcSpec(), drop_invalid=True)
    assert prep.n_rows == 4
    assert prep.n_dropped == 1
    assert prep.dropped_by_rule == {
        "person without a household (RX030)": 1,
        "household without persons (HB030)": 1,
    }


def test_missing_income_is_item_non_response_not_an_error(tmp_path: Path) -> None:
    prep = prepare_silc(udb(tmp_path, h0={"HY020": "NA"}), SilcSpec())
    incomes = [r["inc"] for r in records(prep)]
    assert incomes[:3] == [None, None, None]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    files = udb(tmp_path)
    with pytest.raises(ValidationError) as err:
        prepare_silc(files, SilcSpec(variables=frozenset({"PH010", "SMD"})))
    cols = {p.column for p in err.value.problems}
    assert {"PH010", "HS040", "HS110", "HH050"} <= cols
    assert all(p.rule == "missing column" for p in err.value.problems)


def test_not_silc_and_no_person_file(tmp_path: Path) -> None:
    other = write(tmp_path / "x.csv", [{"A": 1}])
    with pytest.raises(InputError, match="not an EU-SILC file"):
        prepare_silc([other], SilcSpec())
    d = udb(tmp_path)[0]
    with pytest.raises(InputError, match="no person file"):
        prepare_silc([d], SilcSpec())


def test_belgian_public_use_file() -> None:
    """Eurostat's synthetic PUF: persons 16+ (P) and households (H), linked by id."""
    with pytest.raises(ValidationError) as err:
        prepare_silc(PUF_FILES, SilcSpec())
    assert [(p.rule, p.column, p.count) for p in err.value.problems] == [
        ("duplicate id", "PB030", 6)
    ]
    prep = prepare_silc(
        PUF_FILES, SilcSpec(variables=frozenset({"SMD", "HCOB", "PH010"})), drop_invalid=True
    )
    assert (prep.n_rows, prep.n_dropped) == (11572, 6)
    assert not prep.full_population
    assert prep.notes == [NO_REGISTER_NOTE]
    con = prep.con
    got = con.execute(
        "SELECT citizen, count(*), count(inc), count(w16) FROM silc_records GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert got == [
        ("EU27_2020_FOR", 780, 780, 780),
        ("NAT", 10163, 10163, 10163),
        ("NEU27_2020_FOR", 460, 460, 460),
        ("UNK", 163, 163, 163),
    ]
    assert con.execute("SELECT min(age) FROM silc_records").fetchall() == [(16.0,)]
    # income = HY020 / HX050 of the person's household (PX030 = HB030)
    one = con.execute("SELECT inc FROM silc_records WHERE hh = 'BE|2013|22'").fetchall()
    assert one == [(8201.0,)]
