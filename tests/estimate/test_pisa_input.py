"""PISA student files: recognised, validated with clear errors, reported by the OECD's rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from zaragoza.errors import ParameterError, ValidationError
from zaragoza.estimate.plausible import PlausibleValues, pool
from zaragoza.pipeline import estimate_files
from zaragoza.sources.synthetic_pisa import pisa_table

SMALL = {"countries": ("AUT",), "schools": 12, "students_per_school": 10, "plausible_values": 5}


def write(tmp_path: Path, table: pa.Table, name: str = "pisa.csv") -> Path:
    path = tmp_path / name
    pacsv.write_csv(table, path)
    return path


def test_a_missing_plausible_value_is_named(tmp_path: Path) -> None:
    t = pisa_table(**SMALL).drop_columns(["PV3MATH"])
    with pytest.raises(ValidationError, match="PV3MATH") as e:
        estimate_files([write(tmp_path, t)])
    assert "missing plausible value" in str(e.value)


def test_plausible_value_sets_of_unequal_length(tmp_path: Path) -> None:
    t = pisa_table(**SMALL).drop_columns(["PV5READ"])
    with pytest.raises(ValidationError, match="unequal length"):
        estimate_files([write(tmp_path, t)])


def test_replicate_weights_of_the_wrong_count(tmp_path: Path) -> None:
    t = pisa_table(**SMALL).drop_columns([f"W_FSTURWT{r}" for r in range(61, 81)])
    with pytest.raises(ValidationError, match=r"60 columns \(W_FSTURWT1..W_FSTURWT60\)"):
        estimate_files([write(tmp_path, t)])


def test_a_file_mixing_cycles(tmp_path: Path) -> None:
    t = pisa_table(**SMALL)
    cyc = np.where(np.arange(t.num_rows) % 2 == 0, "07MS", "08MS")
    t = t.set_column(t.schema.get_field_index("CYC"), "CYC", pa.array(cyc))
    with pytest.raises(ValidationError, match=r"a file mixing cycles.*07MS, 08MS"):
        estimate_files([write(tmp_path, t)])


def test_a_file_without_cyc_takes_the_year_given(tmp_path: Path) -> None:
    t = pisa_table(**SMALL).drop_columns(["CYC"])
    path = write(tmp_path, t)
    with pytest.raises(ValidationError, match=r"missing column.*CYC.*--time"):
        estimate_files([path], ["mean_score_reading"])
    obs = estimate_files([path], ["mean_score_reading"], time=2018).observations
    assert set(obs["time"]) == {2018}
    with_cyc = estimate_files([write(tmp_path, pisa_table(**SMALL), "c.csv")],
                              ["mean_score_reading"]).observations  # fmt: skip
    # the year is all --time changes: the same records give the same figures
    assert set(with_cyc["time"]) == {2022}
    cols = ["value", "se", "n"]
    pd.testing.assert_frame_equal(obs[cols], with_cyc[cols])


def test_a_year_given_must_be_the_files_cycle(tmp_path: Path) -> None:
    path = write(tmp_path, pisa_table(**SMALL))  # CYC 08MS: PISA 2022
    with pytest.raises(ValidationError, match=r"disagrees with the file's cycle.*--time 2018"):
        estimate_files([path], ["mean_score_reading"], time=2018)
    obs = estimate_files([path], ["mean_score_reading"], time=2022).observations
    assert set(obs["time"]) == {2022}


def test_a_year_given_does_not_hide_mixed_cycles(tmp_path: Path) -> None:
    t = pisa_table(**SMALL)
    cyc = np.where(np.arange(t.num_rows) % 2 == 0, "07MS", "08MS")
    t = t.set_column(t.schema.get_field_index("CYC"), "CYC", pa.array(cyc))
    with pytest.raises(ValidationError, match=r"a file mixing cycles"):
        estimate_files([write(tmp_path, t)], time=2022)


def test_time_is_refused_for_files_that_carry_their_year(tmp_path: Path) -> None:
    from zaragoza.sources.synthetic import write_lfs

    lfs = write_lfs(tmp_path / "lfs.parquet", 2000)
    with pytest.raises(ParameterError, match="PISA input without CYC only"):
        estimate_files([lfs], ["employment_rate"], time=2020)
    with pytest.raises(ParameterError, match="a year from 1900 to 2100"):
        estimate_files([lfs], ["employment_rate"], time=20)


def test_non_finite_weights_and_scores(tmp_path: Path) -> None:
    t = pisa_table(**SMALL)
    w = t["W_FSTUWT"].to_numpy().copy()
    w[3] = np.inf
    pv = t["PV2READ"].to_numpy().copy()
    pv[[0, 5]] = np.nan
    t = t.set_column(t.schema.get_field_index("W_FSTUWT"), "W_FSTUWT", pa.array(w))
    t = t.set_column(t.schema.get_field_index("PV2READ"), "PV2READ", pa.array(pv))
    with pytest.raises(ValidationError) as e:
        estimate_files([write(tmp_path, t)])
    text = str(e.value)
    assert "W_FSTUWT" in text
    assert "1 rows" in text
    assert "PV2READ" in text
    assert "2 rows" in text


def test_unknown_country(tmp_path: Path) -> None:
    t = pisa_table(**SMALL)
    t = t.set_column(0, "CNT", pa.array(["QAZ"] * t.num_rows))
    with pytest.raises(ValidationError, match=r"unknown country.*QAZ"):
        estimate_files([write(tmp_path, t)])


def test_options_the_pisa_design_does_not_take_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, pisa_table(**SMALL))
    for kw in ({"strata": "CNTSCHID"}, {"weight": "W_FSTURWT1"}, {"by": ["citizen"]},
               {"rules": "x.yaml"}, {"drop_invalid": True}):  # fmt: skip
        with pytest.raises(ParameterError):
            estimate_files([path], **kw)  # type: ignore[arg-type]


def test_lfs_input_refuses_mig_bg(tmp_path: Path) -> None:
    from zaragoza.sources.synthetic import write_lfs

    lfs = write_lfs(tmp_path / "lfs.parquet", 2000)
    with pytest.raises(ParameterError, match="PISA input only"):
        estimate_files([lfs], ["employment_rate"], by=["mig_bg"])


def test_small_cells_are_not_reported(tmp_path: Path) -> None:
    """Fewer than 30 students or 5 schools: value empty, flag ':' (and gaps with them)."""
    t = pisa_table(countries=("AUT",), schools=6, students_per_school=8, plausible_values=5)
    obs = estimate_files([write(tmp_path, t)], ["mean_score_reading"], by=["mig_bg", "sex"],
                         gap="mig_bg=NATIVE").observations  # fmt: skip
    first = obs[(obs["mig_bg"] == "FIRST_GEN") & (obs["compare_to"] == "")]
    assert (first["n"] < 30).all()
    assert (first["flag"] == ":").all()
    assert first["value"].isna().all()
    total = obs[(obs["mig_bg"] == "TOTAL") & (obs["sex"] == "T")]
    assert total["flag"].eq("").all()
    assert total["value"].notna().all()
    gaps = obs[(obs["compare_to"] == "NATIVE") & (obs["mig_bg"] == "FIRST_GEN")]
    assert gaps["value"].isna().all()


def test_rubin_pooling_by_hand() -> None:
    per = pd.DataFrame(
        {"cell": ["a"] * 3, "pv": ["1", "2", "3"], "R": [1.0, 2.0, 4.0], "V": [0.5, 0.7, 0.9]}
    )
    out = pool(per, ["cell"], 3).iloc[0]
    b = np.var([1.0, 2.0, 4.0], ddof=1)
    assert out["R"] == pytest.approx(7 / 3)
    assert out["V"] == pytest.approx(0.7 + (1 + 1 / 3) * b)


def test_plausible_values_need_equal_sets() -> None:
    with pytest.raises(ParameterError, match="same number"):
        PlausibleValues.of({"READ": ["PV1READ", "PV2READ"], "MATH": ["PV1MATH"]})


def test_the_command_takes_time_for_a_file_without_cyc(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zaragoza.cli import app

    path = write(tmp_path, pisa_table(**SMALL).drop_columns(["CYC"]))
    out = tmp_path / "out.csv"
    args = ["estimate", str(path), "--indicators", "mean_score_reading", "--out", str(out)]
    res = CliRunner().invoke(app, [*args, "--time", "2018"])
    assert res.exit_code == 0, res.output
    assert set(pd.read_csv(out)["time"]) == {2018}
    res = CliRunner().invoke(app, args)
    assert res.exit_code != 0
    assert "CYC" in res.output


@pytest.mark.parametrize(
    "raw",
    ["", " ", "1", "-1", " 1.5 ", "\t2\n", "\r7\r", "nan", "NaN", "inf", "-inf", "1e400",
     "infinity", "abc", "1,5", "0x10", "+3", ".5", "5.", "1e5", " - 1", "\u00a01", "1 2"],
)  # fmt: skip
def test_duckdb_parses_numbers_as_the_engine_does(raw: str) -> None:
    # the PISA reader casts DuckDB's text as it is (no trimming): it must read every
    # value as ``number`` does, blanks, NaN and infinity included
    import duckdb
    import ibis

    from zaragoza.sources.lfs import number
    from zaragoza.sources.pisa import _parsed

    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT ?::VARCHAR AS x", [raw])
    t = ibis.duckdb.from_connection(con).table("t")
    got = t.select(a=_parsed(t, "x"), b=number(t, "x")).to_pandas().iloc[0]
    assert (pd.isna(got["a"]) and pd.isna(got["b"])) or got["a"] == got["b"]
