"""PSU totals and the sums of their products, made in this process from sorted records.

Taylor linearisation with PSUs needs, per stratum ``h`` and pair of fine cells
``(d, d')`` found in a common PSU, the sums over PSUs ``sum_j A_dj B_d'j`` of the
products of PSU totals ``A_dj = sum_{i in j, d} w_i a_i`` (Wolter, *Introduction to
Variance Estimation*, 2nd ed., section 6.4; ``totals.Totals``). Made by SQL, these are
an aggregate of every summed column into each PSU x cell (3 million groups of 39 sums
for the 22 EU-LFS indicators at 10M records) and that aggregate joined with itself
within each PSU: most of the time and memory of a clustered estimate on DuckDB.

Here DuckDB only sorts the records by stratum, PSU and cell and hands over, per
record, the stratum's number, the PSU code, the cell's number, the number of its vector
of indicator columns (``totals.looked_up_columns``: a few thousand distinct 0/1
vectors) and its weight. A PSU x cell total is then a sparse (totals x vectors) matrix
of weights times the matrix of vectors, and a stratum's sums of products for every
pair of cells one matrix product ``X_h^T X_h`` of its PSUs' totals laid side by side,
cell after cell (pair by pair of cells where a stratum has many). This runs chunk by
chunk as the sorted records arrive, so that this process holds one chunk's records and
totals, never all of them. A PSU is never split between two chunks: the rows of the
last PSU of a chunk wait for the next.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from queue import Empty, Full, Queue
from threading import Event, Thread

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from zaragoza.estimate.limits import memory_limit

__all__ = ["PATTERN_ID", "PsuSums", "pattern_vectors", "psu_sums_here", "sort_slices"]

#: The column of a looked-up pattern table numbering the distinct vectors of its
#: indicator columns.
PATTERN_ID = "_v"

#: Cells (records x (summed columns + 2)) of one chunk: about 400,000 records for the
#: 39 columns of the 22 EU-LFS indicators, whose PSU x cell totals take some 8 bytes a
#: cell for a third as many rows.
_CHUNK_CELLS = 2**24


@dataclass(frozen=True)
class PsuSums:
    """What the records give through their PSU totals (see ``totals._psu_sums``).

    ``pairs``: per stratum and pair of cells ``d <= d'`` (the right cell's keys with
    ``suffix``), ``P_{a}_{b}`` for each product asked; ``cells``: per stratum and cell,
    the sums ``S_{a}`` of its PSU totals and its number of records ``_n``; ``n_h``: the
    PSUs of each stratum.
    """

    pairs: pd.DataFrame
    cells: pd.DataFrame
    n_h: pd.DataFrame


def pattern_vectors(t: ir.Table, names: Sequence[str]) -> np.ndarray | None:
    """The distinct vectors of the columns ``names`` numbered by ``PATTERN_ID`` in the
    pattern table joined into ``t`` (row ``v`` is vector ``v``), or ``None`` where ``t``
    holds no such table (columns evaluated record by record, another backend)."""
    found = [
        node
        for node in t.op().find(ops.InMemoryTable)
        if PATTERN_ID in node.schema and all(n in node.schema for n in names)
    ]
    if len(found) != 1:
        return None
    table = found[0].data.to_pyarrow(found[0].schema)
    ids, first = np.unique(table[PATTERN_ID].to_numpy(), return_index=True)
    if not np.array_equal(ids, np.arange(len(ids))):
        raise RuntimeError("pattern vectors are not numbered 0 to n - 1")
    # one row of each vector (``first``, in the order of their numbers)
    one = table.take(first)
    return np.column_stack([one[n].to_numpy().astype(np.float64) for n in names])


def psu_sums_here(
    t: ir.Table,
    keys: Sequence[str],
    base: Sequence[str],
    names: Sequence[str],
    products: Sequence[tuple[str, str]],
    vectors: np.ndarray,
    cells: pd.DataFrame,
    suffix: str,
    records: int,
    plain: ir.Table | None = None,
) -> PsuSums:
    """Sum the records ``t`` into ``PsuSums``: ``keys`` are the stratum's ``base`` keys
    then the cell's, ``names`` the summed columns (``vectors``' columns, looked up by
    ``PATTERN_ID``), ``products`` the pairs of them whose products are summed, and
    ``cells`` a frame holding every cell's keys (the counts of each cell), ``records``
    their number (``sort_slices``). ``plain``, the same records before the look-up's
    join, lets the strata and their PSUs be counted without that join."""
    base = list(base)
    cell_keys = list(keys[len(base) :])
    source = t if plain is None else plain
    strata = (
        source.group_by(base)
        .aggregate(n_h=source.psu.nunique())
        .order_by(base)
        .to_pandas()
        .assign(_sid=lambda f: np.arange(len(f), dtype=np.int64))
    )
    j = t.join(ibis.memtable(strata[[*base, "_sid"]]), base)
    if cell_keys:
        cell_frame = cells[cell_keys].drop_duplicates(ignore_index=True)
        cell_frame = cell_frame.sort_values(cell_keys, kind="stable", ignore_index=True)
        cell_frame["_cid"] = np.arange(len(cell_frame), dtype=np.int64)
        j = j.join(ibis.memtable(cell_frame), cell_keys)
        cid: ir.Value = j._cid
    else:
        cell_frame = pd.DataFrame({"_cid": [0]})
        cid = ibis.literal(0, type="int64")
    # the narrowest integers that hold them: the sort moves fewer bytes
    ordered = j.select(
        _sid=j._sid.cast("int32"), psu=j.psu, _cid=cid.cast("int32"), _v=j[PATTERN_ID], w=j.w
    )
    acc = _Products(len(strata))
    slices = sort_slices(t, records)
    for k in range(slices):
        part = ordered if slices == 1 else ordered.filter((ordered.psu.hash() % slices).abs() == k)
        # by a hash of the PSU before the PSU itself: the same order of strata and
        # cells, PSUs in another order but each one's rows together, sorted faster
        # (about 1 s less at 10M records) than by the text alone
        _add_sorted(
            part.order_by(["_sid", part.psu.hash(), "psu", "_cid"]), vectors, acc, len(names)
        )
    if not np.array_equal(acc.psus, strata["n_h"].to_numpy()):
        raise RuntimeError("the PSUs summed are not the PSUs counted in each stratum")
    return _frames(acc, strata[base], cell_frame, cell_keys, names, products, suffix)


#: Bytes a record may take in DuckDB's sort: an upper bound from the whole process's
#: peak of 1.5 GB at 10M records; and the share of the memory limit one sort may take,
#: the look-up's tables and the summed records being held beside it.
_SORT_BYTES_PER_RECORD = 100
_SORT_SHARE = 0.6


def sort_slices(t: ir.Table, records: int) -> int:
    """Into how many slices of PSUs (by a hash of their code, as ``totals.psu_slices``)
    the records are sorted, one sort each: more than one only where one sort of all
    the records would need more than 60% of DuckDB's memory limit (``--memory-limit``):
    one sort of 100M records ran out of memory within 4GB, spilling or not. Each slice
    reads the records again; a PSU lies in one slice whole."""
    limit = memory_limit(t._find_backend())
    if limit is None or records == 0:
        return 1
    return max(1, math.ceil(records * _SORT_BYTES_PER_RECORD / (_SORT_SHARE * limit)))


def _add_sorted(ordered: ir.Table, vectors: np.ndarray, acc: _Products, columns: int) -> None:
    """Add into ``acc`` the PSU totals of the records ``ordered`` (sorted by stratum,
    PSU and cell), chunk by chunk as DuckDB hands them over."""
    rows = max(1, _CHUNK_CELLS // (columns + 2))
    waiting: list[pa.RecordBatch] = []
    # Ibis's own batches call a cursor method DuckDB 2 no longer has
    reader = ordered._find_backend()._to_duckdb_relation(ordered).to_arrow_reader(rows)
    for batch in _ahead(reader):
        waiting.append(batch)
        if sum(b.num_rows for b in waiting) < rows:
            continue
        chunk = pa.Table.from_batches(waiting).combine_chunks()
        first = _psu_starts(chunk)
        # the last PSU may go on in the next batch: it waits
        cut = int(first[-1])
        if cut == 0:
            continue
        _add_chunk(chunk.slice(0, cut), first[:-1], vectors, acc)
        waiting = chunk.slice(cut).to_batches()
    if waiting:
        chunk = pa.Table.from_batches(waiting).combine_chunks()
        if chunk.num_rows:
            _add_chunk(chunk, _psu_starts(chunk), vectors, acc)


def _ahead(batches: Iterable[pa.RecordBatch], depth: int = 2) -> Iterator[pa.RecordBatch]:
    """``batches``, fetched by another thread up to ``depth`` ahead: DuckDB makes the
    next while this process sums the last (both release the interpreter's lock)."""
    queue: Queue[pa.RecordBatch | BaseException | None] = Queue(maxsize=depth)
    stop = Event()

    def fetch() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        queue.put(batch, timeout=0.1)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
        except BaseException as error:  # handed to the reader, raised there
            queue.put(error)
        queue.put(None)

    worker = Thread(target=fetch, name="psu-batches", daemon=True)
    worker.start()
    try:
        while (item := queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # let the fetcher see the stop and leave
            with suppress(Empty):
                queue.get(timeout=0.1)
        worker.join()


def _psu_starts(chunk: pa.Table) -> np.ndarray:
    """The rows of ``chunk`` (sorted by stratum then PSU) where a PSU begins."""
    sid = chunk["_sid"].to_numpy()
    psu = chunk["psu"]
    new = np.ones(len(sid), dtype=bool)
    if len(sid) > 1:
        other = pc.not_equal(psu.slice(1), psu.slice(0, len(sid) - 1))
        new[1:] = (sid[1:] != sid[:-1]) | other.to_numpy(zero_copy_only=False)
    return np.flatnonzero(new)


class _Products:
    """Sums of the products of PSU totals, per stratum and pair of cells ``d <= d'``:
    ``(k + 2) x (k + 2)`` blocks, the ``k`` summed columns then ones (whose products
    with a cell's totals add them up, and with each other count the PSUs holding both
    cells) and the records each total adds up."""

    def __init__(self, strata: int) -> None:
        self.sums: dict[tuple[int, int, int], np.ndarray] = {}
        self.psus = np.zeros(strata, dtype=np.int64)

    def add(self, key: tuple[int, int, int], block: np.ndarray) -> None:
        held = self.sums.get(key)
        if held is None:
            self.sums[key] = block.copy()
        else:
            held += block


def _add_chunk(chunk: pa.Table, first: np.ndarray, vectors: np.ndarray, acc: _Products) -> None:
    """Add the PSU totals of ``chunk`` (whole PSUs, sorted by stratum, PSU and cell;
    ``first``: the rows where each PSU begins) into ``acc``."""
    from scipy import sparse  # imported here: only clustered designs pay for it

    n = chunk.num_rows
    psu_of = np.zeros(n, dtype=np.int64)
    psu_of[first[1:]] = 1
    psu_of = np.cumsum(psu_of)
    sid = chunk["_sid"].to_numpy()
    cid = chunk["_cid"].to_numpy()
    new = np.ones(n, dtype=bool)
    new[1:] = (psu_of[1:] != psu_of[:-1]) | (cid[1:] != cid[:-1])
    starts = np.flatnonzero(new)
    bounds = np.append(starts, n)
    np.add.at(acc.psus, sid[first], 1)
    k = vectors.shape[1]
    width = k + 2
    # a PSU x cell total is the sum of its records' weights times their pattern's
    # vector: a sparse (totals x patterns) matrix of weights times the vectors
    weights = sparse.csr_matrix(
        (chunk["w"].to_numpy(), chunk["_v"].to_numpy(), bounds),
        shape=(len(starts), vectors.shape[0]),
    )
    totals = np.empty((len(starts), width))
    totals[:, :k] = weights @ vectors
    totals[:, k] = 1.0
    totals[:, k + 1] = np.diff(bounds)
    g_psu, g_cell, g_stratum = psu_of[starts], cid[starts], sid[starts]
    edges = np.flatnonzero(np.diff(g_stratum)) + 1
    for lo, hi in zip(np.r_[0, edges], np.r_[edges, len(starts)], strict=True):
        # one stratum: a row per PSU holding its totals of each cell side by side
        here = np.unique(g_cell[lo:hi])
        at = np.searchsorted(here, g_cell[lo:hi])
        psu = g_psu[lo:hi] - g_psu[lo]
        wide = np.zeros((int(psu[-1]) + 1, len(here), width))
        wide[psu, at] = totals[lo:hi]
        h = int(g_stratum[lo])
        if len(here) <= _WIDE_CELLS:
            _add_all_pairs(acc, h, here, wide, k)
        else:
            _add_each_pair(acc, h, here, wide, k)


#: Most cells in a stratum for one product of the whole side-by-side matrix: its work
#: grows with the square of the cells, while PSUs hold a few (3.2 of 6 in the synthetic
#: files); beyond, each pair of cells is multiplied over the PSUs holding both.
_WIDE_CELLS = 8


def _add_all_pairs(acc: _Products, h: int, here: np.ndarray, wide: np.ndarray, k: int) -> None:
    """Every pair of cells' sums of products in stratum ``h`` as one matrix product of
    ``wide`` (PSU x cell x column) with itself."""
    flat = wide.reshape(len(wide), -1)
    width = wide.shape[2]
    product = (flat.T @ flat).reshape(len(here), width, len(here), width)
    for i, d in enumerate(here):
        for j in range(i, len(here)):
            # only pairs found together in some PSU, as a join would find them
            if product[i, k, j, k] > 0:
                acc.add((h, int(d), int(here[j])), product[i, :, j, :])


def _add_each_pair(acc: _Products, h: int, here: np.ndarray, wide: np.ndarray, k: int) -> None:
    """The same sums pair by pair of cells, each over the PSUs holding both: the work of
    the pairs found together, not of every pair."""
    holds = wide[:, :, k] > 0  # the ones column: the PSU has records of the cell
    for i, d in enumerate(here):
        rows = np.flatnonzero(holds[:, i])
        left = wide[rows, i]
        for j in range(i, len(here)):
            both = holds[rows, j]
            if both.any():
                block = left[both].T @ wide[rows[both], j]
                acc.add((h, int(d), int(here[j])), block)


def _frames(
    acc: _Products,
    strata: pd.DataFrame,
    cell_frame: pd.DataFrame,
    cell_keys: list[str],
    names: Sequence[str],
    products: Sequence[tuple[str, str]],
    suffix: str,
) -> PsuSums:
    """``acc``'s blocks as ``PsuSums``' frames, keyed by the strata's and cells' keys."""
    keys = sorted(acc.sums)
    width = len(names) + 2
    stack = np.stack([acc.sums[k] for k in keys]) if keys else np.empty((0, width, width))
    h, d, d2 = np.array(keys, dtype=np.int64).reshape(-1, 3).T
    where = {name: i for i, name in enumerate(names)}
    ones, count = len(names), len(names) + 1
    frame: dict[str, object] = {c: strata[c].to_numpy()[h] for c in strata.columns}
    for c in cell_keys:
        frame[c] = cell_frame[c].to_numpy()[d]
    for c in cell_keys:
        frame[c + suffix] = cell_frame[c].to_numpy()[d2]
    for a, b in products:
        frame[f"P_{a}_{b}"] = stack[:, where[a], where[b]]
    pairs = pd.DataFrame(frame)
    diag = d == d2
    cells: dict[str, object] = {c: strata[c].to_numpy()[h[diag]] for c in strata.columns}
    for c in cell_keys:
        cells[c] = cell_frame[c].to_numpy()[d[diag]]
    for name in names:
        cells[f"S_{name}"] = stack[diag, ones, where[name]]
    cells["_n"] = stack[diag, ones, count]
    return PsuSums(pairs, pd.DataFrame(cells), strata.assign(n_h=acc.psus))
