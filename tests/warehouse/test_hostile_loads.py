"""Hostile and careless loads: a bad cell is refused by name, and nothing is lost.

Cases found by loading malformed copies of `zaragoza estimate` output: non-finite values,
negative SEs and counts, fractional and huge counts, years out of range, arbitrary flag
text, truncated files, multi-file loads with one bad file, superseded files loaded again
and loads killed inside their transaction.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.errors import InputError, UsageError
from zaragoza.observations import normalise_flag
from zaragoza.warehouse.loads import load_observation_files, read_observation_file
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader
from zaragoza.warehouse.store import Warehouse

runner = CliRunner()


@pytest.fixture(scope="module")
def estimates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("est") / "est.csv"
    res = runner.invoke(
        app,
        ["estimate", "--indicators", "employment_rate,unemployment_rate", "--by", "citizen",
         "--gap", "citizen=NAT", "--out", str(out)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return out


def snapshot(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Warehouse(path, read_only=True) as wh:
        return wh.observations(), wh.runs()


def load(paths: list[Path], wh_path: Path, *extra: str) -> object:
    args = ["warehouse", "load", *map(str, paths), "--source", "computed"]
    return runner.invoke(app, [*args, *extra, "--warehouse", str(wh_path)])


def said(res: object) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(res.output.split())  # type: ignore[attr-defined]


def edited(estimates: Path, path: Path, column: str, value: str, row: int = 4) -> Path:
    """A copy of the estimates, text for text, with one cell changed (row counted from 1)."""
    lines = estimates.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[row].split(",")
    cells[header.index(column)] = value
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("value", "inf", "a finite number"),
        ("value", "-Infinity", "a finite number"),
        ("value", "nan", "a finite number"),
        ("value", "abc", "a finite number"),
        ("se", "-0.5", "zero or more"),
        ("cv", "-1", "zero or more"),
        ("ci_lo", "1e300", "not above ci_hi"),
        ("n", "-3", "whole number of zero or more"),
        ("n", "2.5", "whole number of zero or more"),
        ("n", "1e30", "whole number of zero or more"),
        ("n_missing", "inf", "whole number of zero or more"),
        ("time", "99999999999", "a year from 1900 to 2100"),
        ("time", "1066", "a year from 1900 to 2100"),
        ("flag", "<script>", "Eurostat's flag letters"),
        ("flag", "x", "Eurostat's flag letters"),
    ],
)
def test_a_bad_cell_is_refused_by_name_and_nothing_changes(
    tmp_path: Path, estimates: Path, column: str, value: str, expected: str
) -> None:
    wh_path = tmp_path / "w.duckdb"
    assert load([estimates], wh_path).exit_code == 0  # type: ignore[attr-defined]
    before = snapshot(wh_path)
    bad = edited(estimates, tmp_path / "bad.csv", column, value)
    res = load([bad], wh_path)
    assert res.exit_code == 2, res.output  # type: ignore[attr-defined]
    out = said(res)
    assert f"column {column}, row 4, value '{value}'" in out
    assert expected in out
    assert "Traceback" not in out
    after = snapshot(wh_path)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])


def test_nan_in_a_parquet_file_is_refused_not_taken_as_missing(
    tmp_path: Path, estimates: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    df = pd.read_csv(estimates, keep_default_na=False, na_values=[""])
    table = pa.Table.from_pandas(df)  # missing values become nulls
    values = [None if pd.isna(v) else float(v) for v in df["value"]]
    values[2] = float("nan")  # and this one a NaN, as a NumPy-based writer leaves it
    table = table.set_column(table.schema.get_field_index("value"), "value", pa.array(values))
    path = tmp_path / "est.parquet"
    pq.write_table(table, path)
    assert read_observation_file(path).column("value")[2].as_py() == "nan"
    with Warehouse(tmp_path / "w.duckdb") as wh, pytest.raises(InputError, match="row 3"):
        load_observation_files(wh, [path], source="computed")


def test_a_truncated_file_is_refused(tmp_path: Path, estimates: Path) -> None:
    text = estimates.read_text()
    partial = tmp_path / "partial.csv"
    partial.write_text(text[: len(text) - 40] + "\n")  # a partial last row
    with pytest.raises(InputError, match=r"field\(s\), the header 18"):
        read_observation_file(partial)
    cut = tmp_path / "cut.csv"
    cut.write_text(text[:-3])  # cut inside the last field: no line break at the end
    with pytest.raises(InputError, match="may be truncated"):
        read_observation_file(cut)


def test_flags_are_normalised_and_a_capital_c_is_confidential(
    tmp_path: Path, estimates: Path
) -> None:
    assert normalise_flag(" U b ") == "bu"
    assert normalise_flag("uu:") == ":u"
    assert normalise_flag("C") == "c"
    assert normalise_flag("<script>") is None
    path = edited(estimates, tmp_path / "c.csv", "flag", "C", row=1)
    wh_path = tmp_path / "w.duckdb"
    assert load([path], wh_path).exit_code == 0  # type: ignore[attr-defined]
    stored, _ = snapshot(wh_path)
    first = pd.read_csv(estimates, nrows=1)
    row = stored[(stored["geo"] == first["geo"][0]) & (stored["citizen"] == first["citizen"][0])]
    row = row[(row["indicator"] == first["indicator"][0]) & (row["compare_to"] == "")]
    assert row["flag"].tolist() == ["c"]
    shown = WarehouseReader(wh_path).observations(
        ObservationFilter(indicator=(first["indicator"][0],), geo=(first["geo"][0],))
    )
    hidden = shown[shown["flag"].str.contains("c")]
    assert len(hidden) >= 1
    assert hidden[["value", "se", "ci_lo", "ci_hi", "cv", "n"]].isna().all().all()


def test_several_files_are_one_transaction(tmp_path: Path, estimates: Path) -> None:
    wh_path = tmp_path / "w.duckdb"
    good = estimates
    bad = edited(estimates, tmp_path / "bad.csv", "se", "-1")
    res = load([good, bad], wh_path)
    assert res.exit_code == 2  # type: ignore[attr-defined]
    obs, runs = snapshot(wh_path)
    assert obs.empty
    assert runs.empty
    other = edited(estimates, tmp_path / "other.csv", "age", "Y15-64")
    res = load([good, other], wh_path)
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "2 loads in one transaction" in said(res)
    assert len(snapshot(wh_path)[1]) == 2


def test_a_superseded_file_is_refused_then_reloaded_with_force(
    tmp_path: Path, estimates: Path
) -> None:
    wh_path = tmp_path / "w.duckdb"
    a = estimates
    df = pd.read_csv(a, keep_default_na=False, na_values=[""])
    b = tmp_path / "b.csv"
    df.assign(value=df["value"] + 1).to_csv(b, index=False)
    assert load([a], wh_path).exit_code == 0  # type: ignore[attr-defined]
    again = load([a], wh_path)
    assert "already loaded" in said(again)
    assert load([b], wh_path).exit_code == 0  # type: ignore[attr-defined]
    res = load([a], wh_path)
    assert res.exit_code == 2  # type: ignore[attr-defined]
    assert "later loads have replaced" in said(res)
    assert "--force" in said(res)
    res = load([a], wh_path, "--force")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    obs, runs = snapshot(wh_path)
    merged = obs.merge(df, on=["indicator", "geo", "time", "citizen", "sex", "compare_to"])
    assert np.allclose(merged["value_x"], merged["value_y"], equal_nan=True)
    assert len(runs) == 3
    assert "already loaded" in said(load([a], wh_path))


def test_a_killed_load_gives_its_space_back(tmp_path: Path) -> None:
    """A load killed inside its transaction leaves the contents and, next time, the size."""
    wh_path = tmp_path / "w.duckdb"
    big = tmp_path / "big.parquet"
    n = 400_000
    pd.DataFrame(
        {
            "indicator": "employment_rate", "geo": "AT", "time": 2000 + np.arange(n) % 20,
            "citizen": "TOTAL", "c_birth": "TOTAL", "sex": "T",
            "age": [f"Y{i}" for i in range(n)], "compare_to": "", "value": 1.5,
            "se": 0.1, "ci_lo": 1.3, "ci_hi": 1.7, "cv": 6.7, "n": 10, "n_missing": 0,
            "flag": "",
        }
    ).to_parquet(big)  # fmt: skip
    with Warehouse(wh_path) as wh:
        wh.load(
            pd.read_parquet(big).head(1000),
            source="computed",
            kind="file",
            inputs=[],
            options={},
        )
    size = wh_path.stat().st_size
    before = snapshot(wh_path)
    script = textwrap.dedent(f"""
        import os, signal
        from zaragoza.warehouse.loads import read_observation_file
        from zaragoza.warehouse.store import Warehouse
        df = read_observation_file({str(big)!r})
        wh = Warehouse({str(wh_path)!r})
        wh.load(df, source="computed", kind="file", inputs=[{{"kill": 1}}], options={{}},
                before_commit=lambda: os.kill(os.getpid(), signal.SIGKILL))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    grown = wh_path.stat().st_size
    assert grown > 2 * size, (size, grown)  # the killed load's blocks are in the file
    with Warehouse(wh_path):  # opening it for writing gives the space back
        pass
    assert wh_path.stat().st_size < 2 * size
    after = snapshot(wh_path)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])
    res = runner.invoke(app, ["warehouse", "compact", "--warehouse", str(wh_path)])
    assert res.exit_code == 0, res.output
    assert "MB ->" in said(res)


def test_a_failed_load_in_process_gives_its_space_back(tmp_path: Path) -> None:
    wh_path = tmp_path / "w.duckdb"
    n = 300_000
    df = pd.DataFrame(
        {
            "indicator": "employment_rate", "geo": "AT", "time": 2000,
            "citizen": "TOTAL", "c_birth": "TOTAL", "sex": "T",
            "age": [f"Y{i}" for i in range(n)], "compare_to": "", "value": 1.5,
            "se": 0.1, "ci_lo": 1.3, "ci_hi": 1.7, "cv": 6.7, "n": 10, "n_missing": 0,
            "flag": "",
        }
    )  # fmt: skip
    with Warehouse(wh_path) as wh:
        wh.load(df.head(10), source="computed", kind="file", inputs=[], options={})
    size = wh_path.stat().st_size

    def boom() -> None:
        raise RuntimeError("disk full")

    with Warehouse(wh_path) as wh, pytest.raises(RuntimeError):
        wh.load(df, source="computed", kind="file", inputs=[1], options={}, before_commit=boom)
    assert wh_path.stat().st_size < 2 * size
    assert len(snapshot(wh_path)[0]) == 10


def test_library_refuses_superseded_content(tmp_path: Path, estimates: Path) -> None:
    df = pd.read_csv(estimates, keep_default_na=False, na_values=[""])
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.load(df, source="computed", kind="file", inputs=[{"a": 1}], options={})
        wh.load(df.assign(value=0.0), source="computed", kind="file", inputs=[{"b": 1}], options={})
        with pytest.raises(UsageError, match="later loads have replaced"):
            wh.load(df, source="computed", kind="file", inputs=[{"a": 1}], options={})
        res = wh.load(df, source="computed", kind="file", inputs=[{"a": 1}], options={}, force=True)
        assert res.replaced == len(df)


def test_a_file_marked_synthetic_in_part_loads_as_two_runs(tmp_path: Path, estimates: Path) -> None:
    """A warehouse export holding real and synthetic figures loads back with only the
    synthetic rows in a synthetic run; a mark that is no boolean is refused by row."""
    from zaragoza.warehouse.reader import WarehouseReader

    df = pd.read_csv(estimates, keep_default_na=False, na_values=[""])
    df["synthetic"] = [i % 2 == 0 for i in range(len(df))]
    mixed = tmp_path / "mixed.csv"
    df.to_csv(mixed, index=False)
    wh_path = tmp_path / "w.duckdb"
    with Warehouse(wh_path) as wh:
        loaded = load_observation_files(wh, [mixed], source="published")
    assert [label for label, _ in loaded] == [
        f"{mixed} (rows not synthetic)",
        f"{mixed} (synthetic rows)",
    ]
    assert [res.added for _, res in loaded] == [len(df) // 2, len(df) - len(df) // 2]
    with Warehouse(wh_path) as wh:  # the same file again changes nothing
        again = load_observation_files(wh, [mixed], source="published")
    assert all(res.already_loaded for _, res in again)
    assert WarehouseReader(wh_path).synthetic_runs() == {loaded[1][1].run_id}
    df["synthetic"] = df["synthetic"].astype(object)
    df.loc[3, "synthetic"] = "maybe"
    bad = tmp_path / "bad.csv"
    df.to_csv(bad, index=False)
    with Warehouse(tmp_path / "w2.duckdb") as wh:
        with pytest.raises(InputError, match="synthetic mark") as exc:
            load_observation_files(wh, [bad], source="published")
        assert (exc.value.column, exc.value.row, exc.value.value) == ("synthetic", 4, "maybe")
        assert wh.observations().empty


def test_a_file_that_does_not_say_whether_it_is_synthetic_must_be_declared(
    tmp_path: Path, estimates: Path
) -> None:
    """A file without the ``synthetic`` column (an estimate file of an older release, or
    another tool's) could hold figures from synthetic records: loaded under a neutral
    name as published, nothing would say so. It is refused until the user declares it;
    the declaration is kept, and "not synthetic" cannot unmark a file's own marks."""
    df = pd.read_csv(estimates, keep_default_na=False, na_values=[""])
    assert df["synthetic"].all()  # the bundled example is synthetic, and says so
    old = tmp_path / "figures.csv"
    df.drop(columns="synthetic").to_csv(old, index=False)
    wh_path = tmp_path / "w.duckdb"
    args = ["warehouse", "load", str(old), "--source", "published", "--warehouse", str(wh_path)]
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    text = said(res)
    assert "does not say whether its figures come from synthetic records" in text
    assert "(--synthetic or --not-synthetic)" in text
    assert str(old) in text
    assert not wh_path.exists() or snapshot(wh_path)[0].empty

    res = runner.invoke(app, [*args, "--synthetic"])
    assert res.exit_code == 0, res.output
    reader = WarehouseReader(wh_path)
    runs = snapshot(wh_path)[1]
    assert reader.synthetic_runs() == set(runs["run_id"])
    assert len(snapshot(wh_path)[0]) == len(df)

    real = tmp_path / "real.duckdb"
    res = runner.invoke(app, [*args[:-1], str(real), "--not-synthetic"])
    assert res.exit_code == 0, res.output
    assert WarehouseReader(real).synthetic_runs() == frozenset()

    # the file's own marks stand against a contrary declaration, naming the first row
    res = runner.invoke(
        app, ["warehouse", "load", str(estimates), "--not-synthetic", "--warehouse", str(real)]
    )
    assert res.exit_code == 2
    assert "declared not synthetic" in said(res)
    assert "row 1" in said(res)
    assert len(snapshot(real)[0]) == len(df)  # nothing of the refused load is kept


def test_each_file_of_a_load_says_whether_it_is_synthetic_or_is_declared(
    tmp_path: Path, estimates: Path
) -> None:
    """The rule holds for every file of a command, not only the first: a file with the
    column followed by one without is refused whole. The declaration is recorded in the
    provenance and stands over the guess from names; it declares observation files
    only, so a command without any refuses it instead of ignoring it."""
    df = pd.read_csv(estimates, keep_default_na=False, na_values=[""])
    real_marks = tmp_path / "marked.csv"
    df.assign(synthetic=False).to_csv(real_marks, index=False)
    unmarked = tmp_path / "synthetic_figures.csv"  # a name that reads as synthetic
    df.drop(columns="synthetic").assign(value=df["value"] + 1).to_csv(unmarked, index=False)
    wh_path = tmp_path / "w.duckdb"
    res = load([real_marks, unmarked], wh_path)
    assert res.exit_code == 2  # type: ignore[attr-defined]
    assert "does not say whether" in said(res)
    assert str(unmarked) in said(res)
    assert not wh_path.exists() or snapshot(wh_path)[0].empty

    res = load([unmarked], wh_path, "--not-synthetic")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    runs = snapshot(wh_path)[1]
    assert runs["options"].astype(str).str.contains("declared_synthetic").all()
    # the caller's explicit word, not the file's name, decides
    assert WarehouseReader(wh_path).synthetic_runs() == frozenset()

    res = runner.invoke(
        app, ["warehouse", "load", "--bundled", "--synthetic", "--warehouse", str(wh_path)]
    )
    assert res.exit_code == 2
    assert "none is named" in said(res)
    assert len(snapshot(wh_path)[1]) == len(runs)  # nothing loaded
