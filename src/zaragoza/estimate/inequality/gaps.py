"""Gaps between a group and the reference group (``--gap citizen=NAT``) for EU-SILC.

A gap ``theta_g - theta_0`` of two disjoint cells of one level set has the linearised
values of ``g`` on ``g``'s records and minus those of the reference on its records, and
the national part (threshold, national median) with the difference of the two cells'
factors. Its variance is then the design variance of that one linearised total, made
by the same grouped sums as a cell's (``linearised``), so the covariance of the two
cells (PSUs holding members of both, the shared threshold) is counted. With replicate
weights the gap is recomputed in each replicate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["gap_pairs", "gap_records"]


def gap_pairs(keys: pd.DataFrame, column: str, reference: str) -> tuple[np.ndarray, np.ndarray]:
    """Cells of a level set and their reference cell: same keys, ``column`` = reference.

    ``keys`` has one row per cell (``_c`` and the breakdown columns). Cells of the
    reference itself and the margin ``TOTAL`` have no gap.
    """
    others = [c for c in keys.columns if c != column]
    cells = keys.assign(_cell=np.arange(len(keys)))
    ref = cells[cells[column] == reference][[*others, "_cell"]]
    grp = cells[~cells[column].isin([reference, "TOTAL", "T", ""])]
    pair = grp.merge(ref, on=others, suffixes=("", "_ref"))
    return pair["_cell"].to_numpy(), pair["_cell_ref"].to_numpy()


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated ``range(s, s + n)`` for each start and length, vectorised."""
    total = int(lengths.sum())
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    out: np.ndarray = offsets + np.arange(total)
    return out


def gap_records(
    records: np.ndarray,
    group: np.ndarray,
    u: np.ndarray,
    n_cells: int,
    cell: np.ndarray,
    ref: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Records, gap index and linearised values of each gap ``cell[k] - ref[k]``.

    A reference cell's records appear once per gap that uses it (with ``-u``).
    """
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group, minlength=n_cells)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    k = np.arange(len(cell))
    pos_g = _ranges(starts[cell], counts[cell])
    pos_r = _ranges(starts[ref], counts[ref])
    rec = np.concatenate([records[order][pos_g], records[order][pos_r]])
    gap = np.concatenate([np.repeat(k, counts[cell]), np.repeat(k, counts[ref])])
    val = np.concatenate([u[order][pos_g], -u[order][pos_r]])
    return rec, gap, val
