"""From fine-cell sums to every published cell: margins and gap cross-products.

``totals`` returns sums per stratum and *fine* cell (own citizenship group, sex, region)
and, for the variance, sums over PSUs of products of fine cells' PSU totals. Every cell
of a level set is a union of fine cells ``D``, so its totals are sums over ``D`` and its
sum of squared PSU totals is the block sum over pairs in ``D x D``; a gap's
cross-products are the block sums over ``G x R`` (group by reference). All of this runs
on small frames (strata x cells), vectorised per level set.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from zaragoza.estimate.domains import Dimension, LevelSet
from zaragoza.estimate.totals import PAIR_SUFFIX, GapSpec, Totals

__all__ = ["stratum_cells"]


def _mapped(col: pd.Series, dim: Dimension, level: str) -> pd.Series:
    if level == "fine":
        return col
    if level == "mid":
        return col.where(~col.isin(dim.mid_members), dim.mid)
    return pd.Series(dim.total, index=col.index, dtype=object)


def _map_frame(df: pd.DataFrame, ls: LevelSet, suffix: str = "") -> pd.DataFrame:
    return df.assign(**{d.column + suffix: _mapped(df[d.column + suffix], d, lvl) for d, lvl in ls})


def _published(df: pd.DataFrame, ls: LevelSet) -> pd.DataFrame:
    """Drop cells of unknown group and the duplicates a ``mid`` level makes."""
    mask = pd.Series(True, index=df.index)
    for d, lvl in ls:
        if lvl == "fine":
            mask &= ~df[d.column].isin(["UNK", ""])
        elif lvl == "mid":
            mask &= df[d.column] == d.mid
    return df[mask]


def _block_sums(pairs: pd.DataFrame, keys: list[str], n: int) -> pd.DataFrame:
    cols = [f"{s}{i}" for i in range(n) for s in ("YY", "YX", "XX")]
    out = pairs.groupby(keys, as_index=False, sort=False)[cols].sum()
    return out.rename(columns={f"YX{i}": f"XY{i}" for i in range(n)})


def _gap_cross(pairs: pd.DataFrame, keys: list[str], gcol: str, ref: str, n: int) -> pd.DataFrame:
    """Per group cell: sums over PSUs of its totals times the reference cell's."""
    g2 = gcol + PAIR_SUFFIX
    # left in the group, right in the reference: Y_g*Y_0, Y_g*X_0, X_g*X_0
    a = pairs[(pairs[gcol] != ref) & (pairs[g2] == ref)]
    a = a.groupby(keys, as_index=False, sort=False)[
        [f"{s}{i}" for i in range(n) for s in ("YY", "YX", "XX")]
    ].sum()
    a = a.rename(
        columns={
            f"{s}{i}": f"{t}{i}"
            for i in range(n)
            for s, t in (("YY", "GY"), ("YX", "GX"), ("XX", "HX"))
        }
    )
    # left in the reference, right in the group: Y_0*X_g = X_g*Y_0
    b = pairs[(pairs[gcol] == ref) & (pairs[g2] != ref)].drop(columns=gcol)
    b = b.rename(columns={g2: gcol})
    b = b.groupby(keys, as_index=False, sort=False)[[f"YX{i}" for i in range(n)]].sum()
    b = b.rename(columns={f"YX{i}": f"HY{i}" for i in range(n)})
    return a.merge(b, on=keys, how="outer")


def stratum_cells(
    tot: Totals, dims: Sequence[Dimension], sets: Sequence[LevelSet], gap: GapSpec | None, n: int
) -> pd.DataFrame:
    """Return the sums of every published cell, per stratum, in wide form.

    Columns per indicator ``i``: ``Y X N M`` (and replicate totals) and, with
    linearisation, ``YY XY XX`` and the gap cross-products ``GY GX HY HX`` (zero for
    cells that are not a gap's group).
    """
    keys = tot.keys
    cross_cols = [f"{s}{i}" for i in range(n) for s in ("GY", "GX", "HY", "HX")]
    parts = []
    for ls in sets:
        lin = _map_frame(tot.linear, ls)
        value_cols = [c for c in lin.columns if c not in keys]
        cells = lin.groupby(keys, as_index=False, sort=False)[value_cols].sum()
        if tot.pairs is not None:
            p = _map_frame(_map_frame(tot.pairs, ls), ls, PAIR_SUFFIX)
            same = pd.Series(True, index=p.index)
            for d in dims:
                same &= p[d.column] == p[d.column + PAIR_SUFFIX]
            cells = cells.merge(_block_sums(p[same], keys, n), on=keys, how="left")
            level = {d.name: lvl for d, lvl in ls}.get(gap.dimension) if gap else None
            if gap is not None and level in ("fine", "mid"):
                gcol = next(d.column for d in dims if d.name == gap.dimension)
                others = pd.Series(True, index=p.index)
                for d in dims:
                    if d.column != gcol:
                        others &= p[d.column] == p[d.column + PAIR_SUFFIX]
                cross = _gap_cross(p[others], keys, gcol, gap.reference, n)
                cells = cells.merge(cross, on=keys, how="left")
            else:
                cells = cells.assign(**dict.fromkeys(cross_cols, 0.0))
            cells[cross_cols] = cells[cross_cols].fillna(0.0)
        parts.append(_published(cells, ls))
    return pd.concat(parts, ignore_index=True)
