"""Grouped weighted totals in the engine: the only per-record work of an estimate.

Everything the estimators need is a sum, computed by Ibis on the chosen backend
(DuckDB, Spark) in grouped passes, never by a Python loop over domains:

* ``Y``, ``X``: weighted totals of the numerator and denominator indicators;
* ``YY``, ``XY``, ``XX``: sums over PSUs of the products of PSU totals, per stratum,
  from which Taylor linearisation variances follow without a second pass;
* ``N``, ``M``: unweighted counts of the denominator and of records left out for a
  missing variable;
* ``Yr``, ``Xr``: replicate-weighted totals.

Without PSUs each record is its own PSU, so the products are per-record sums and every
margin is a sum of fine cells (computed afterwards on the small table). With PSUs the
products need PSU totals for each margin, so the engine groups once per level set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from zaragoza.catalog.schema import Indicator
from zaragoza.estimate.conditions import compile_condition
from zaragoza.estimate.design import Design
from zaragoza.estimate.domains import Dimension, LevelSet

__all__ = ["GapSpec", "IndicatorColumns", "indicator_columns", "stratum_sizes", "sufficient_totals"]

BASE_KEYS = ("geo", "time", "strata")


@dataclass(frozen=True)
class GapSpec:
    """A gap request: groups of ``dimension`` minus its ``reference`` group."""

    dimension: str
    reference: str = "NAT"


@dataclass(frozen=True)
class IndicatorColumns:
    """Record-level 0/1 columns of one indicator: numerator, denominator, missing."""

    y: str
    x: str
    m: str


def indicator_columns(
    t: ir.Table, indicators: Sequence[Indicator]
) -> tuple[ir.Table, list[IndicatorColumns]]:
    """Return ``t`` with ``y``/``x``/``m`` indicator columns for each definition.

    ``x`` = the record is in the denominator population; ``y`` = also in the numerator;
    ``m`` = its membership cannot be determined because a variable it needs is missing
    (SQL's three-valued logic decides what "needs" means: see ``conditions``).
    """
    new: dict[str, ir.Value] = {}
    cols = []
    for i, ind in enumerate(indicators):
        band = ind.population.age
        pop = t.age >= band.min if band.max is None else t.age.between(band.min, band.max)
        for cond in (ind.population.filter, ind.denominator):
            if cond is not None:
                pop = pop & compile_condition(t, cond)
        # As 1/0/NULL integers: Spark's SQL parser rejects "x IN (...) IS NULL".
        pop_i = pop.cast("int8")
        num_i = compile_condition(t, ind.numerator).cast("int8")
        inpop = pop_i.fill_null(0) == 1
        known = inpop & num_i.notnull()
        c = IndicatorColumns(f"y{i}", f"x{i}", f"m{i}")
        new[c.x] = known.cast("int8")
        new[c.y] = (known & (num_i.fill_null(0) == 1)).cast("int8")
        new[c.m] = (pop_i.isnull() | (inpop & num_i.isnull())).cast("int8")
        cols.append(c)
    return t.mutate(**new), cols


def _fine_keys(t: ir.Table, dims: Sequence[Dimension], design: Design) -> ir.Table:
    extra: dict[str, ir.Value] = {}
    if not design.strata:
        extra["strata"] = ibis.literal("")
    if any(d.column == "region" for d in dims):
        extra["region"] = t.region.fill_null("")
    return t.mutate(**extra) if extra else t


def _level_value(t: ir.Table, dim: Dimension, level: str) -> ir.Value:
    col = t[dim.column]
    if level == "fine":
        return col
    if level == "mid":
        return col.isin(["EU27_2020_FOR", "NEU27_2020_FOR"]).ifelse("FOR", col)
    return ibis.literal(dim.total)


def sufficient_totals(
    t: ir.Table,
    cols: Sequence[IndicatorColumns],
    dims: Sequence[Dimension],
    design: Design,
    sets: Sequence[LevelSet],
    gap: GapSpec | None,
) -> tuple[pd.DataFrame, bool]:
    """Return the sums per (geo, time, stratum, cell), and whether margins are included.

    The frame has one row per stratum and cell and, per indicator ``i``, the columns
    ``Y{i} X{i} YY{i} XY{i} XX{i} N{i} M{i}`` (and ``Yr{i}_{r} Xr{i}_{r}`` with
    replicate weights). With PSUs (and no replicate weights) every level set is
    computed here and ``GY{i} GX{i} HY{i} HX{i}`` hold the PSU cross-products of each
    group with the gap's reference group; otherwise only fine cells are returned and
    margins are sums of them.
    """
    t = _fine_keys(t, dims, design)
    keys = [*BASE_KEYS, *(d.column for d in dims)]
    clustered = design.psu and design.replicates is None
    if not clustered:
        t = t.mutate(ww=t.w * t.w)
        aggs: dict[str, ir.Scalar] = {}
        for i, c in enumerate(cols):
            y, x = t[c.y], t[c.x]
            aggs[f"Y{i}"] = (t.w * y).sum()
            aggs[f"X{i}"] = (t.w * x).sum()
            # y and x are 0/1 with y <= x, so y*y = x*y = y and x*x = x
            aggs[f"YY{i}"] = (t.ww * y).sum()
            aggs[f"XX{i}"] = (t.ww * x).sum()
            aggs[f"N{i}"] = x.sum()
            aggs[f"M{i}"] = t[c.m].sum()
            if design.replicates is not None:
                for r in range(design.replicates.n):
                    aggs[f"Yr{i}_{r}"] = (t[f"r{r}"] * y).sum()
                    aggs[f"Xr{i}_{r}"] = (t[f"r{r}"] * x).sum()
        out = t.group_by(keys).aggregate(**aggs).to_pandas()
        for i in range(len(cols)):
            out[f"XY{i}"] = out[f"YY{i}"]
        return out, False

    # Clustered: PSU totals per fine cell, then per level set the products of PSU totals.
    a_aggs: dict[str, ir.Scalar] = {}
    for i, c in enumerate(cols):
        a_aggs[f"Y{i}"] = (t.w * t[c.y]).sum()
        a_aggs[f"X{i}"] = (t.w * t[c.x]).sum()
        a_aggs[f"N{i}"] = t[c.x].sum()
        a_aggs[f"M{i}"] = t[c.m].sum()
    # One expression: Ibis compiles the reused stage as a common table expression, which
    # the engine materialises once (DuckDB does so for CTEs referenced more than once).
    stage_a = t.group_by([*keys, "psu"]).aggregate(**a_aggs)
    return _level_set_products(stage_a, keys, len(cols), sets, gap), True


def _level_set_products(
    stage_a: ir.Table, keys: list[str], n: int, sets: Sequence[LevelSet], gap: GapSpec | None
) -> pd.DataFrame:
    """Per level set, PSU totals and their products, summed per stratum and cell."""
    parts = []
    for ls in sets:
        mapped = stage_a.mutate(**{d.column: _level_value(stage_a, d, lvl) for d, lvl in ls})
        psu_tot = mapped.group_by([*keys, "psu"]).aggregate(
            **{f"{s}{i}": mapped[f"{s}{i}"].sum() for i in range(n) for s in "YXNM"}
        )
        sq: dict[str, ir.Scalar] = {}
        for i in range(n):
            y, x = psu_tot[f"Y{i}"], psu_tot[f"X{i}"]
            sq |= {
                f"Y{i}": y.sum(),
                f"X{i}": x.sum(),
                f"YY{i}": (y * y).sum(),
                f"XY{i}": (x * y).sum(),
                f"XX{i}": (x * x).sum(),
                f"N{i}": psu_tot[f"N{i}"].sum(),
                f"M{i}": psu_tot[f"M{i}"].sum(),
            }
        part = psu_tot.group_by(keys).aggregate(**sq)
        gap_level = {d.name: lvl for d, lvl in ls}.get(gap.dimension) if gap else None
        if gap is not None and gap_level in ("fine", "mid"):
            other = [k for k in keys if k != gap.dimension]
            ref = psu_tot.filter(psu_tot[gap.dimension] == gap.reference)
            grp = psu_tot.filter(psu_tot[gap.dimension] != gap.reference)
            ref = ref.select(
                *other, "psu", *(ref[f"{s}{i}"].name(f"ref_{s}{i}") for i in range(n) for s in "YX")
            )
            j = grp.join(ref, [*other, "psu"])
            cross: dict[str, ir.Scalar] = {}
            for i in range(n):
                cross |= {
                    f"GY{i}": (j[f"Y{i}"] * j[f"ref_Y{i}"]).sum(),
                    f"GX{i}": (j[f"Y{i}"] * j[f"ref_X{i}"]).sum(),
                    f"HY{i}": (j[f"X{i}"] * j[f"ref_Y{i}"]).sum(),
                    f"HX{i}": (j[f"X{i}"] * j[f"ref_X{i}"]).sum(),
                }
            cr = j.group_by(keys).aggregate(**cross)
            part = part.left_join(cr, keys).select(
                *keys,
                *(c for c in part.columns if c not in keys),
                *(cr[c] for c in cr.columns if c not in keys),
            )
        else:
            part = part.mutate(
                **{f"{s}{i}": ibis.literal(0.0) for i in range(n) for s in ("GY", "GX", "HY", "HX")}
            )
        part = part.mutate(_set=ibis.literal(_set_name(ls)))
        parts.append(part)
    union = parts[0]
    for p in parts[1:]:
        union = union.union(p, distinct=False)
    out: pd.DataFrame = union.to_pandas()
    for i in range(n):
        for s in ("GY", "GX", "HY", "HX"):
            out[f"{s}{i}"] = out[f"{s}{i}"].fillna(0.0).astype(float)
    return out


def _set_name(ls: LevelSet) -> str:
    return ",".join(f"{d.name}={lvl}" for d, lvl in ls)


def stratum_sizes(t: ir.Table, design: Design) -> pd.DataFrame:
    """Return the number of PSUs ``n_h`` in each (geo, time, stratum) of the full design."""
    strata = t.strata if design.strata else ibis.literal("")
    t = t.mutate(strata=strata)
    if design.psu:
        agg = t.group_by(list(BASE_KEYS)).aggregate(n_h=t.psu.nunique())
    else:
        agg = t.group_by(list(BASE_KEYS)).aggregate(n_h=t.count())
    sizes: pd.DataFrame = agg.to_pandas()
    return sizes
