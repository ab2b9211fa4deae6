"""The skills profiles' aggregates in the warehouse: a third source, loaded as a snapshot.

The cells come from :func:`zaragoza.skills.aggregate.aggregate` on synthetic profiles
(no database needed); what is checked is what the warehouse and its reader make of them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zaragoza.compare._frame import load_observations
from zaragoza.disclosure import recoverable
from zaragoza.errors import UsageError
from zaragoza.observations import CELL_KEY, PUBLIC_COLUMNS, confidential
from zaragoza.skills.aggregate import aggregate, observations
from zaragoza.skills.synthetic import synthetic_profiles
from zaragoza.warehouse.loads import load_profiles
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader
from zaragoza.warehouse.store import Warehouse


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    """The warehouse rows of 300 synthetic profiles by citizenship and sex."""
    return observations(aggregate(synthetic_profiles(300), by=("citizen", "sex")))


def _load(wh: Warehouse, rows: pd.DataFrame, by: tuple[str, ...] = ("citizen", "sex")) -> object:
    return load_profiles(wh, rows, by=by, threshold=10, profiles=300, synthetic_profiles=300)


def _computed_levels() -> pd.DataFrame:
    """A small computed table with one confidential cell, whose secondary suppression the
    warehouse works out (NAT + FOR = TOTAL, so hiding FOR alone reveals nothing)."""
    base = dict.fromkeys(PUBLIC_COLUMNS, "")
    rows = []
    for citizen, value, n, flag in (
        ("TOTAL", 70.0, 500, ""), ("NAT", 72.0, 480, ""), ("FOR", 40.0, 20, "c"),
    ):  # fmt: skip
        rows.append(
            base | {
                "indicator": "overqualification_rate", "geo": "AT", "time": 2026,
                "citizen": citizen, "c_birth": "TOTAL", "mig_bg": "TOTAL", "sex": "T",
                "age": "Y20-64", "compare_to": "", "value": value, "se": 1.0,
                "ci_lo": value - 2, "ci_hi": value + 2, "cv": 0.01, "n": n,
                "n_missing": 0, "flag": flag, "source": "computed",
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=PUBLIC_COLUMNS)


def test_the_loaded_rows_are_the_aggregates_cells(tmp_path: Path, cells: pd.DataFrame) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        done = _load(wh, cells)
        stored = wh.observations(source=["profiles"])
        runs = wh.runs()
    assert (done.added, done.replaced, done.removed) == (len(cells), 0, 0)
    mine = cells.sort_values(CELL_KEY).reset_index(drop=True)
    got = stored.sort_values(CELL_KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        got[CELL_KEY].astype(str), mine[CELL_KEY].astype(str), check_dtype=False
    )
    np.testing.assert_allclose(got["value"].astype(float), mine["value"].astype(float))
    assert got["n"].astype("Float64").fillna(-1).tolist() == (
        mine["n"].astype("Float64").fillna(-1).tolist()
    )
    assert got["flag"].tolist() == mine["flag"].tolist()
    # no survey: no standard error, interval or CV on any profiles row
    assert got[["se", "ci_lo", "ci_hi", "cv"]].isna().all(axis=None)
    # the provenance: breakdowns, threshold, persons counted, synthetic; nothing personal
    run = runs[runs["kind"] == "skills-profiles"].iloc[0]
    assert run["source"] == "profiles"
    assert '"threshold": 10' in run["options"]
    assert '"synthetic": true' in run["options"]
    assert '"by": ["citizen", "sex"]' in run["options"]
    assert '"skills_profiles": 300' in run["inputs"]
    assert "Synthetic person" not in run["inputs"] + run["options"]


def test_suppressed_cells_stay_blank_and_are_synthetic_in_the_reader(
    tmp_path: Path, cells: pd.DataFrame
) -> None:
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        _load(wh, cells)
    read = WarehouseReader(path).observations(ObservationFilter(source=("profiles",)))
    hidden = confidential(read["flag"])
    assert hidden.sum() == confidential(cells["flag"]).sum() > 0
    assert read.loc[hidden, ["value", "n"]].isna().all(axis=None)
    assert read["synthetic"].all()
    assert WarehouseReader(path).synthetic_sources() == {"profiles"}


def test_a_rerun_changes_nothing_and_another_snapshot_replaces_the_whole_source(
    tmp_path: Path, cells: pd.DataFrame
) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        first = _load(wh, cells)
        again = _load(wh, cells)
        assert again.already_loaded
        assert again.run_id == first.run_id
        assert len(wh.runs()) == 1
        by_citizen = observations(aggregate(synthetic_profiles(300), by=("citizen",)))
        other = _load(wh, by_citizen, by=("citizen",))
        stored = wh.observations(source=["profiles"])
        # no row of the first snapshot is left beside the second: their suppression
        # patterns differ, and side by side they could reveal by subtraction
        assert len(stored) == len(by_citizen)
        assert set(stored["sex"]) == {"T"}
        assert other.removed == len(cells) - len(by_citizen)
        assert set(stored["run_id"]) == {other.run_id}
        # the first snapshot, loaded again, comes back whole
        back = _load(wh, cells)
        assert not back.already_loaded
        assert len(wh.observations(source=["profiles"])) == len(cells)


def test_profiles_rows_come_only_as_a_protected_snapshot(
    tmp_path: Path, cells: pd.DataFrame
) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        with pytest.raises(UsageError, match="only as a snapshot"):
            wh.load(cells, source="profiles", kind="file", inputs=[], options={})
        with pytest.raises(UsageError, match="only as a snapshot"):
            wh.load(cells, source=None, kind="file", inputs=[], options={})
        # a confidential cell with its value
        leaky = cells.copy()
        first = confidential(leaky["flag"]).idxmax()
        leaky.loc[first, "value"] = 50.0
        with pytest.raises(UsageError, match="holds a value"):
            _load(wh, leaky)
        # all but one hidden cell of a table published: that one follows by subtraction
        shown = cells.copy()
        hidden_of = shown[confidential(shown["flag"])].groupby("indicator").size()
        table = shown[shown["indicator"] == hidden_of.idxmax()]
        hidden = table[confidential(table["flag"])]
        assert len(hidden) >= 2, "the example should need secondary suppression"
        for i in hidden.index[1:]:
            shown.loc[i, ["flag", "value", "n"]] = ["", 5.0, 5]
        with pytest.raises(UsageError, match="could be rebuilt"):
            _load(wh, shown)
        assert wh.observations(source=["profiles"]).empty  # nothing was loaded


def test_the_computed_suppression_never_touches_profiles_rows(
    tmp_path: Path, cells: pd.DataFrame
) -> None:
    with Warehouse(tmp_path / "w.duckdb") as wh:
        _load(wh, cells)
        before = wh.observations(source=["profiles"])
        wh.load(
            _computed_levels(), source="computed", kind="file",
            inputs=[{"path": "levels.csv"}], options={},
        )  # fmt: skip
        after = wh.observations(source=["profiles"])
        suppressed = wh.con.execute("SELECT DISTINCT source FROM suppressed").fetchall()
    pd.testing.assert_frame_equal(before, after)
    assert suppressed == [("computed",)]  # FOR's partner is hidden, nothing of profiles


def test_comparisons_read_survey_figures_only(tmp_path: Path, cells: pd.DataFrame) -> None:
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        _load(wh, cells)
        wh.load(
            _computed_levels(), source="computed", kind="file",
            inputs=[{"path": "levels.csv"}], options={},
        )  # fmt: skip
    obs = load_observations(path, indicator=["overqualification_rate"])
    assert set(obs["source"]) == {"computed"}
    with pytest.raises(UsageError, match="survey figures"):
        load_observations(path, source=["profiles"])


def test_a_snapshot_a_handful_of_persons_from_an_earlier_one_is_refused(
    tmp_path: Path, cells: pd.DataFrame
) -> None:
    """Two more synthetic profiles (the first 300 are the same, one seed): cells that
    grow by one or two persons would give those two away beside the earlier download."""
    later = synthetic_profiles(302)
    naive = observations(aggregate(later, by=("citizen", "sex")))
    with Warehouse(tmp_path / "w.duckdb") as wh:
        first = _load(wh, cells)
        with pytest.raises(UsageError, match="fewer than 10 persons"):
            load_profiles(
                wh, naive, by=("citizen", "sex"), threshold=10, profiles=302,
                synthetic_profiles=302,
            )  # fmt: skip
        assert set(wh.observations(source=["profiles"])["run_id"]) == {first.run_id}
        earlier = wh.published_profiles()
        guarded = observations(aggregate(later, by=("citizen", "sex"), earlier=earlier))
        second = load_profiles(
            wh, guarded, by=("citizen", "sex"), threshold=10, profiles=302,
            synthetic_profiles=302,
        )  # fmt: skip
        kept = wh.con.execute(
            "SELECT run_id, count(*) FROM profiles_published GROUP BY run_id"
        ).fetchall()
    assert not second.already_loaded
    shown_first = int((~confidential(cells["flag"])).sum())
    assert dict(kept) == {
        first.run_id: shown_first,
        second.run_id: int((~confidential(guarded["flag"])).sum()),
    }
    # the cells the two snapshots both publish differ by 0 or by 10 persons or more
    key = [k for k in CELL_KEY if k != "source"]
    both = cells.merge(guarded, on=key, suffixes=("_1", "_2"))
    shown = both[~confidential(both["flag_1"]) & ~confidential(both["flag_2"])]
    gap = (shown["n_2"].astype(float) - shown["n_1"].astype(float)).abs()
    assert len(shown) > 0
    assert not ((gap > 0) & (gap < 10)).any()
    assert (gap == 0).any()  # most cells did not change and stay published
    # the table of differences, audited as the levels are: no hidden difference is
    # determined by the published ones
    delta = both.assign(
        n=both["n_2"].astype(float) - both["n_1"].astype(float), source="computed",
        flag=np.where(confidential(both["flag_1"]) | confidential(both["flag_2"]), "c", ""),
    )  # fmt: skip
    assert recoverable(delta, pd.Series(delta["flag"] == "c", index=delta.index)) == []


def test_a_warehouse_without_the_history_compares_with_its_snapshot(
    tmp_path: Path, cells: pd.DataFrame
) -> None:
    """A warehouse made before the counts were kept: the snapshot in place is what it
    published, so a handful of persons more is refused all the same."""
    naive = observations(aggregate(synthetic_profiles(302), by=("citizen", "sex")))
    with Warehouse(tmp_path / "w.duckdb") as wh:
        _load(wh, cells)
        wh.con.execute("DROP TABLE profiles_published")
        assert len(wh.published_profiles()) == int((~confidential(cells["flag"])).sum())
        with pytest.raises(UsageError, match="by subtraction"):
            load_profiles(
                wh, naive, by=("citizen", "sex"), threshold=10, profiles=302,
                synthetic_profiles=302,
            )  # fmt: skip
