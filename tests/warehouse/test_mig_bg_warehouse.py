"""The migrant background in the warehouse: PISA estimates loaded like any other, the cell
key with ``mig_bg``, and warehouses of schema version 1 read and migrated."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.errors import InputError
from zaragoza.sources.synthetic_pisa import write_pisa
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader
from zaragoza.warehouse.store import SCHEMA_VERSION, Warehouse, sandboxed

runner = CliRunner()

#: The tables of schema version 1, as its warehouses were written (no ``mig_bg``).
V1_DDL = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY, content_key VARCHAR NOT NULL UNIQUE, kind VARCHAR NOT NULL,
    source VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL, code_version VARCHAR NOT NULL,
    catalog_version VARCHAR, inputs JSON NOT NULL, options JSON NOT NULL,
    rows_added BIGINT NOT NULL, rows_replaced BIGINT NOT NULL
);
CREATE TABLE observations (
    indicator VARCHAR NOT NULL, geo VARCHAR NOT NULL, time INTEGER NOT NULL,
    citizen VARCHAR NOT NULL, c_birth VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    age VARCHAR NOT NULL, compare_to VARCHAR NOT NULL,
    value DOUBLE, se DOUBLE, ci_lo DOUBLE, ci_hi DOUBLE, cv DOUBLE,
    n BIGINT, n_missing BIGINT, flag VARCHAR NOT NULL,
    source VARCHAR NOT NULL, run_id VARCHAR NOT NULL,
    PRIMARY KEY (indicator, geo, time, citizen, c_birth, sex, age, compare_to, source)
);
CREATE TABLE suppressed (
    indicator VARCHAR NOT NULL, geo VARCHAR NOT NULL, time INTEGER NOT NULL,
    citizen VARCHAR NOT NULL, c_birth VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    age VARCHAR NOT NULL, compare_to VARCHAR NOT NULL, source VARCHAR NOT NULL,
    PRIMARY KEY (indicator, geo, time, citizen, c_birth, sex, age, compare_to, source)
);
INSERT INTO meta VALUES ('schema_version', '1'), ('disclosure', '1');
INSERT INTO runs VALUES ('r1', 'k1', 'estimate', 'computed', TIMESTAMP '2026-01-01 00:00:00',
    '0.1', NULL, '[]', '{}', 5, 0);
INSERT INTO observations VALUES
    ('employment_rate', 'AT', 2023, 'TOTAL', 'TOTAL', 'T', 'Y20-64', '', 75.1, 0.5, 74.1,
     76.1, 0.67, 5420, 0, '', 'computed', 'r1'),
    ('employment_rate', 'AT', 2023, 'NAT', 'TOTAL', 'T', 'Y20-64', '', 76.2, 0.5, 75.2,
     77.2, 0.66, 5000, 0, '', 'computed', 'r1'),
    ('employment_rate', 'AT', 2023, 'FOR', 'TOTAL', 'T', 'Y20-64', '', 61.0, 2.4, 56.3,
     65.7, 3.9, 420, 0, '', 'computed', 'r1'),
    ('employment_rate', 'AT', 2023, 'NEU27_2020_FOR', 'TOTAL', 'T', 'Y20-64', '', 60.1, 2.5,
     55.2, 65.0, 4.2, 400, 0, 'u', 'computed', 'r1'),
    ('employment_rate', 'AT', 2023, 'EU27_2020_FOR', 'TOTAL', 'T', 'Y20-64', '', 70.0, 3.0,
     64.1, 75.9, 4.3, 20, 0, 'c', 'computed', 'r1');
INSERT INTO suppressed VALUES
    ('employment_rate', 'AT', 2023, 'NEU27_2020_FOR', 'TOTAL', 'T', 'Y20-64', '', 'computed');
"""


def v1_warehouse(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute(V1_DDL)
    con.close()
    return path


@pytest.fixture(scope="module")
def pisa_estimates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pisa")
    data = write_pisa(folder / "students.parquet", countries=("AUT", "SWE"), schools=24,
                      students_per_school=15, plausible_values=5)  # fmt: skip
    out = folder / "pisa.csv"
    res = runner.invoke(app, ["estimate", str(data), "--indicators", "mean_score_reading,"
                              "low_achievers_maths", "--by", "mig_bg,sex", "--gap",
                              "mig_bg=NATIVE", "--out", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    return out


def test_pisa_estimates_load_and_export_with_their_migrant_background(
    tmp_path: Path, pisa_estimates: Path
) -> None:
    written = pd.read_csv(pisa_estimates, keep_default_na=False)
    wh = tmp_path / "w.duckdb"
    res = runner.invoke(app, ["warehouse", "load", str(pisa_estimates), "--source", "computed",
                              "--warehouse", str(wh)])  # fmt: skip
    assert res.exit_code == 0, res.output
    with Warehouse(wh, read_only=True) as w:
        stored = w.observations()
    assert len(stored) == len(written)
    assert sorted(stored["mig_bg"].unique()) == sorted(written["mig_bg"].unique())
    assert set(stored["compare_to"]) == {"", "NATIVE"}
    key = ["indicator", "geo", "mig_bg", "sex", "compare_to"]
    both = written.merge(stored, on=key, suffixes=("", "_wh"))
    assert len(both) == len(written)  # one stored cell per written cell
    values = both["value"].replace("", float("nan")).astype(float)
    assert ((values - both["value_wh"]).abs().fillna(0) < 1e-9).all()
    # the export loads back as it was
    out = tmp_path / "all.parquet"
    res = runner.invoke(app, ["warehouse", "export", "--out", str(out), "--warehouse", str(wh)])
    assert res.exit_code == 0, res.output
    again = tmp_path / "again.duckdb"
    res = runner.invoke(app, ["warehouse", "load", str(out), "--warehouse", str(again)])
    assert res.exit_code == 0, res.output
    with Warehouse(again, read_only=True) as w:
        back = w.observations()
    cols = [c for c in stored.columns if c != "run_id"]
    pd.testing.assert_frame_equal(back[cols], stored[cols])
    # the reader filters on it
    sel = WarehouseReader(wh).observations(ObservationFilter(mig_bg=("FIRST_GEN",)))
    assert len(sel) > 0
    assert set(sel["mig_bg"]) == {"FIRST_GEN"}


def test_estimate_into_the_warehouse_marks_the_synthetic_pisa_file(tmp_path: Path) -> None:
    data = write_pisa(tmp_path / "students.parquet", countries=("AUT",), schools=12,
                      students_per_school=10, plausible_values=5)  # fmt: skip
    wh = tmp_path / "w.duckdb"
    res = runner.invoke(app, ["estimate", str(data), "--indicators", "mean_score_maths",
                              "--by", "mig_bg", "--warehouse", str(wh)])  # fmt: skip
    assert res.exit_code == 0, res.output
    cells = WarehouseReader(wh).observations(ObservationFilter(compare_to=()))
    assert set(cells["mig_bg"]) == {"TOTAL", "NATIVE", "IMMIGRANT", "SECOND_GEN", "FIRST_GEN"}
    assert cells["synthetic"].all()  # the Parquet file's metadata says synthetic


def test_the_migrant_background_is_part_of_the_cell_key(tmp_path: Path) -> None:
    row = {"indicator": "mean_score_reading", "geo": "AT", "time": 2022, "citizen": "TOTAL",
           "c_birth": "TOTAL", "sex": "T", "age": "Y15", "compare_to": "", "value": 480.0,
           "se": 3.0, "ci_lo": 474.1, "ci_hi": 485.9, "cv": 0.6, "n": 900, "n_missing": 0,
           "flag": ""}  # fmt: skip
    df = pd.DataFrame([{**row, "mig_bg": m} for m in ("TOTAL", "NATIVE")])
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.load(df, source="computed", kind="test", inputs=[], options={})
        assert len(wh.observations()) == 2
    twice = pd.DataFrame([{**row, "mig_bg": "NATIVE"}] * 2)
    bad = pd.DataFrame([{**row, "mig_bg": "MIGRANT"}])
    with Warehouse(tmp_path / "w2.duckdb") as wh:
        with pytest.raises(InputError, match="the same cell appears twice"):
            wh.load(twice, source="computed", kind="test", inputs=[], options={})
        with pytest.raises(InputError, match=r"mig_bg.*one of TOTAL, NATIVE"):
            wh.load(bad, source="computed", kind="test", inputs=[], options={})


def test_a_version_1_warehouse_is_read_as_it_is(tmp_path: Path) -> None:
    path = v1_warehouse(tmp_path / "old.duckdb")
    reader = WarehouseReader(path)
    cells = reader.observations(ObservationFilter(mig_bg=("TOTAL",)))
    assert len(cells) == 5
    assert set(cells["mig_bg"]) == {"TOTAL"}
    # its secondary suppression, read from its own table
    hidden = set(cells.loc[cells["flag"].str.contains("c"), "citizen"])
    assert hidden == {"EU27_2020_FOR", "NEU27_2020_FOR"}
    assert reader.count(ObservationFilter(mig_bg=("NATIVE",))) == 0
    assert reader.codes()["mig_bg"] == ["TOTAL"]
    # read-only: the file is left at version 1
    con = sandboxed(path)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [("1",)]
    con.close()


def test_a_version_1_warehouse_is_migrated_when_opened_for_writing(tmp_path: Path) -> None:
    path = v1_warehouse(tmp_path / "old.duckdb")
    with Warehouse(path) as wh:
        obs = wh.observations()
        meta = dict(wh.con.execute("SELECT key, value FROM meta").fetchall())
        hidden = wh.con.execute("SELECT mig_bg, citizen FROM suppressed ORDER BY 2").fetchall()
    assert meta["schema_version"] == SCHEMA_VERSION == "2"
    assert len(obs) == 5
    assert set(obs["mig_bg"]) == {"TOTAL"}
    assert obs.set_index("citizen").loc["NAT", "value"] == 76.2
    # the suppression was recomputed under the new key: the confidential cell's margins
    assert hidden == [("TOTAL", "NEU27_2020_FOR")]
    # opening it again changes nothing
    with Warehouse(path) as wh:
        assert wh.observations().equals(obs)
