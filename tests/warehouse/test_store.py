"""The warehouse: atomic, idempotent loads with provenance; queries and exports."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from zaragoza.cli import app, example_file
from zaragoza.errors import InputError, UsageError
from zaragoza.pipeline import estimate_files, store_run
from zaragoza.warehouse.store import Warehouse

runner = CliRunner()
IDS = ["employment_rate", "unemployment_rate"]


@pytest.fixture(scope="module")
def estimates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("est") / "est.csv"
    res = runner.invoke(
        app,
        [
            "estimate",
            "--indicators",
            ",".join(IDS),
            "--by",
            "citizen",
            "--gap",
            "citizen=NAT",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    return out


def snapshot(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    with Warehouse(path, read_only=True) as wh:
        return wh.observations(), wh.runs()


def test_estimate_into_the_warehouse_with_provenance(tmp_path: Path) -> None:
    run = estimate_files([example_file()], IDS, by=["sex"])
    with Warehouse(tmp_path / "w.duckdb") as wh:
        first = store_run(run, wh)
        again = store_run(run, wh)
        obs, runs = wh.observations(), wh.runs()
    assert (first.added, first.replaced, first.already_loaded) == (len(run.observations), 0, False)
    assert again.already_loaded
    assert again.run_id == first.run_id
    assert len(runs) == 1
    inputs = json.loads(runs.loc[0, "inputs"])
    assert inputs[0]["path"].endswith("example_lfs.csv.gz")
    assert len(inputs[0]["sha256"]) == 64
    options = json.loads(runs.loc[0, "options"])
    assert options["indicators"] == IDS
    assert options["variance"] == "linearisation"
    assert set(obs["source"]) == {"computed"}
    assert set(obs["run_id"]) == {first.run_id}
    ours = (
        obs.drop(columns=["source", "run_id"])
        .sort_values(["indicator", "geo", "sex"])
        .reset_index(drop=True)
    )
    theirs = run.observations.sort_values(["indicator", "geo", "sex"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)


def test_same_file_twice_changes_nothing_and_new_content_replaces(
    tmp_path: Path, estimates: Path
) -> None:
    wh_path = tmp_path / "w.duckdb"
    for _ in range(2):
        res = runner.invoke(
            app,
            [
                "warehouse",
                "load",
                str(estimates),
                "--source",
                "computed",
                "--warehouse",
                str(wh_path),
            ],
        )
        assert res.exit_code == 0, res.output
    obs, runs = snapshot(wh_path)
    assert len(runs) == 1
    assert "nothing changed" in res.output
    changed = pd.read_csv(estimates, keep_default_na=False, na_values=[""])
    changed["value"] = changed["value"] + 1
    other = tmp_path / "changed.csv"
    changed.to_csv(other, index=False)
    res = runner.invoke(
        app, ["warehouse", "load", str(other), "--source", "computed", "--warehouse", str(wh_path)]
    )
    assert res.exit_code == 0
    obs2, runs2 = snapshot(wh_path)
    assert len(runs2) == 2
    assert len(obs2) == len(obs)
    assert int(runs2.loc[1, "rows_replaced"]) == len(obs)
    assert obs2["value"].sum() == pytest.approx(obs["value"].sum() + obs["value"].notna().sum())


def test_published_and_computed_side_by_side(tmp_path: Path, estimates: Path) -> None:
    wh_path = tmp_path / "w.duckdb"
    for source in ("computed", "published"):
        res = runner.invoke(
            app,
            ["warehouse", "load", str(estimates), "--source", source, "--warehouse", str(wh_path)],
        )
        assert res.exit_code == 0
    out = tmp_path / "pub.csv"
    res = runner.invoke(
        app,
        [
            "warehouse",
            "export",
            "--out",
            str(out),
            "--source",
            "published",
            "--geo",
            "AT,SE",
            "--time",
            "2023",
            "--indicator",
            "employment_rate",
            "--warehouse",
            str(wh_path),
        ],
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, keep_default_na=False, na_values=[""])
    src = pd.read_csv(estimates, keep_default_na=False, na_values=[""])
    want = src[(src.indicator == "employment_rate") & src.geo.isin(["AT", "SE"])]
    # the estimates say they come from the synthetic example; so does the export
    assert list(df.columns) == [*src.columns[:-1], "source", "synthetic"]
    assert df["synthetic"].all()
    assert len(df) == len(want)
    assert set(df.source) == {"published"}
    key = ["indicator", "geo", "citizen", "sex", "compare_to"]
    m = df.merge(want, on=key, suffixes=("", "_src"))
    assert (m["value"] - m["value_src"]).abs().max() < 1e-8


def test_a_failed_load_leaves_the_warehouse_as_it_was(tmp_path: Path, estimates: Path) -> None:
    wh_path = tmp_path / "w.duckdb"
    runner.invoke(
        app,
        ["warehouse", "load", str(estimates), "--source", "computed", "--warehouse", str(wh_path)],
    )
    before = snapshot(wh_path)
    changed = pd.read_csv(estimates, keep_default_na=False, na_values=[""])
    changed["value"] = 0.0

    def boom() -> None:
        raise RuntimeError("disk full")

    with Warehouse(wh_path) as wh, pytest.raises(RuntimeError, match="disk full"):
        wh.load(
            changed,
            source="computed",
            kind="file",
            inputs=[{"x": 1}],
            options={},
            before_commit=boom,
        )
    after = snapshot(wh_path)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])


def test_a_killed_load_leaves_the_warehouse_as_it_was(tmp_path: Path, estimates: Path) -> None:
    wh_path = tmp_path / "w.duckdb"
    runner.invoke(
        app,
        ["warehouse", "load", str(estimates), "--source", "computed", "--warehouse", str(wh_path)],
    )
    before = snapshot(wh_path)
    script = textwrap.dedent(f"""
        import os, signal
        import pandas as pd
        from zaragoza.warehouse.store import Warehouse
        df = pd.read_csv({str(estimates)!r}, keep_default_na=False, na_values=[""])
        df["value"] = -1.0
        wh = Warehouse({str(wh_path)!r})
        wh.load(df, source="computed", kind="file", inputs=[{{"kill": 1}}], options={{}},
                before_commit=lambda: os.kill(os.getpid(), signal.SIGKILL))
    """)
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    after = snapshot(wh_path)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])


def test_bad_observation_files(tmp_path: Path, estimates: Path) -> None:
    df = pd.read_csv(estimates, keep_default_na=False, na_values=[""])
    bad = df.copy()
    bad.loc[4, "sex"] = "X"
    with Warehouse(tmp_path / "w.duckdb") as wh:
        with pytest.raises(InputError, match=r"column sex, row 5, value 'X'"):
            wh.load(bad, source="computed", kind="file", inputs=[], options={}, origin="b.csv")
        with pytest.raises(InputError, match="missing column"):
            wh.load(df.drop(columns="se"), source="computed", kind="file", inputs=[], options={})
        with pytest.raises(InputError, match="the same cell appears twice"):
            wh.load(
                pd.concat([df, df.head(1)]), source="computed", kind="file", inputs=[], options={}
            )
        with pytest.raises(UsageError, match="unknown source"):
            wh.load(df, source="guessed", kind="file", inputs=[], options={})
        with pytest.raises(UsageError, match="do not say their source"):
            wh.load(df, source=None, kind="file", inputs=[], options={})
        odd = df.assign(source="computed")
        odd.loc[2, "source"] = "guessed"
        with pytest.raises(InputError, match=r"column source, row 3, value 'guessed'"):
            wh.load(odd, source=None, kind="file", inputs=[], options={}, origin="o.csv")
        assert wh.observations().empty


def test_query_is_read_only_and_missing_warehouse_is_clear(tmp_path: Path, estimates: Path) -> None:
    wh_path = tmp_path / "w.duckdb"
    runner.invoke(
        app,
        ["warehouse", "load", str(estimates), "--source", "computed", "--warehouse", str(wh_path)],
    )
    res = runner.invoke(
        app,
        ["warehouse", "query", "--sql", "DELETE FROM observations", "--warehouse", str(wh_path)],
    )
    assert res.exit_code == 2
    assert "read-only" in res.output
    res = runner.invoke(
        app,
        [
            "warehouse",
            "query",
            "--sql",
            "SELECT count(*) AS n FROM observations",
            "--warehouse",
            str(wh_path),
        ],
    )
    assert res.exit_code == 0
    assert res.stdout.splitlines()[1] == str(len(pd.read_csv(estimates)))
    res = runner.invoke(app, ["warehouse", "list", "--warehouse", str(tmp_path / "no.duckdb")])
    assert res.exit_code == 2
    assert "warehouse not found" in res.output


def test_an_export_loads_back_as_it_was(tmp_path: Path, estimates: Path) -> None:
    first = tmp_path / "w.duckdb"
    for source in ("computed", "published"):
        res = runner.invoke(
            app,
            ["warehouse", "load", str(estimates), "--source", source, "--warehouse", str(first)],
        )
        assert res.exit_code == 0, res.output
    out = tmp_path / "all.parquet"
    res = runner.invoke(app, ["warehouse", "export", "--out", str(out), "--warehouse", str(first)])
    assert res.exit_code == 0, res.output
    second = tmp_path / "again.duckdb"
    res = runner.invoke(app, ["warehouse", "load", str(out), "--warehouse", str(second)])
    assert res.exit_code == 0, res.output
    before, after = snapshot(first)[0], snapshot(second)[0]
    cols = [c for c in before.columns if c != "run_id"]
    pd.testing.assert_frame_equal(after[cols], before[cols])
    assert set(after["source"]) == {"computed", "published"}
