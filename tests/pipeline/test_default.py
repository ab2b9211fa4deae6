"""The embedded default warehouse: made the same by one process or by worker processes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from zaragoza.cli.common import example_file
from zaragoza.errors import UsageError
from zaragoza.pipeline import build_default_warehouse
from zaragoza.pipeline.default import _workers

CELLS = (
    "SELECT indicator, geo, time, citizen, c_birth, mig_bg, sex, age, compare_to, source, "
    "flag, n, value, se FROM observations ORDER BY ALL"
)


@pytest.mark.slow
def test_workers_make_the_same_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    said: dict[str, list[str]] = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("ZARAGOZA_INIT_WORKERS", workers)
        said[workers] = []
        build_default_warehouse(
            tmp_path / f"w{workers}.duckdb", example_file(), progress=said[workers].append
        )
    one, two = (duckdb.connect(str(tmp_path / f"w{w}.duckdb"), read_only=True) for w in "12")
    a, b = one.sql(CELLS).df(), two.sql(CELLS).df()
    keys = [c for c in a.columns if c not in ("value", "se")]
    assert a[keys].equals(b[keys])
    # DuckDB's parallel sums may differ in their last bits from one run to the next
    assert (a["value"] - b["value"]).abs().max() < 1e-9
    assert (a["se"] - b["se"]).abs().max() < 1e-6
    hidden = "SELECT * FROM suppressed ORDER BY ALL"
    assert one.sql(hidden).fetchall() == two.sql(hidden).fetchall()
    assert len(one.sql(hidden).fetchall()) > 0  # the example has cells to protect
    assert "estimating 5 runs from the examples in this process" in said["1"]
    assert "estimating 5 runs from the examples in 2 worker processes" in said["2"]


@pytest.mark.parametrize("given", ["0", "two", "-1", "1.5"])
def test_a_bad_worker_count_is_refused(given: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZARAGOZA_INIT_WORKERS", given)
    with pytest.raises(UsageError, match="ZARAGOZA_INIT_WORKERS"):
        _workers(4)


def test_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZARAGOZA_INIT_WORKERS", "8")
    assert _workers(4) == 4  # never more than the runs
    monkeypatch.delenv("ZARAGOZA_INIT_WORKERS")
    assert 1 <= _workers(4) <= 4
