"""The PSU sums made in this process (``estimate.clusters``): its parts alone.

The sums themselves are checked against R ``survey`` (``test_reference_survey``) and
against the backend's own query (``test_totals``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pyarrow as pa
import pytest

from zaragoza.estimate.clusters import _ahead, _psu_starts


def _batches(n: int, fail_at: int | None = None) -> Iterator[pa.RecordBatch]:
    for i in range(n):
        if i == fail_at:
            raise OSError("the disk went away")
        yield pa.record_batch({"i": [i]})


def _fetchers() -> int:
    return sum(t.name == "psu-batches" for t in threading.enumerate())


def test_batches_fetched_ahead_arrive_all_in_order() -> None:
    assert [b["i"][0].as_py() for b in _ahead(_batches(7))] == list(range(7))
    assert _fetchers() == 0


def test_an_error_while_fetching_reaches_the_reader() -> None:
    got: list[int] = []
    with pytest.raises(OSError, match="the disk went away"):
        got.extend(b["i"][0].as_py() for b in _ahead(_batches(7, fail_at=4)))
    assert got == [0, 1, 2, 3]
    assert _fetchers() == 0


def test_a_reader_that_stops_early_stops_the_fetcher() -> None:
    reader = _ahead(_batches(1000), depth=1)
    assert next(reader)["i"][0].as_py() == 0
    reader.close()  # as when the summing fails
    assert _fetchers() == 0


def test_psu_starts_where_stratum_or_psu_changes() -> None:
    chunk = pa.table(
        {
            "_sid": [0, 0, 0, 1, 1, 1, 1],
            "psu": ["a", "a", "b", "b", "b", "c", "c"],
        }
    )
    # a PSU code met again in the next stratum is another PSU
    assert _psu_starts(chunk).tolist() == [0, 2, 3, 5]
