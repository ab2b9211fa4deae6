"""Grouped weighted totals in the engine: the only per-record work of an estimate.

Everything the estimators need is a sum, computed by Ibis on the chosen backend
(DuckDB, Spark) in grouped passes, never by a Python loop over domains:

* ``Y``, ``X``: weighted totals of the numerator and denominator indicators;
* ``YY``, ``YX``, ``XX``: sums over PSUs of the products of PSU totals of pairs of
  fine cells, per stratum, from which Taylor linearisation variances of every margin
  and gap follow without a second pass;
* ``N``, ``M``: unweighted counts of the denominator and of records left out for a
  missing variable;
* ``Yr``, ``Xr``: replicate-weighted totals.

Margins (``FOR``, ``TOTAL``, ``T``, a region's country) are then sums of these small
tables, made in ``variance``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from zaragoza.catalog.schema import AgeBand, Indicator
from zaragoza.errors import CatalogError
from zaragoza.estimate.clusters import PATTERN_ID, pattern_vectors, psu_sums_here
from zaragoza.estimate.conditions import compile_condition
from zaragoza.estimate.design import Design
from zaragoza.estimate.domains import Dimension
from zaragoza.estimate.limits import memory_limit
from zaragoza.estimate.request import GapSpec
from zaragoza.sources.variables import VAR_PREFIX

__all__ = [
    "BASE_KEYS",
    "MAX_PATTERNS",
    "PAIR_SUFFIX",
    "Counts",
    "GapSpec",
    "IndicatorColumns",
    "Totals",
    "cell_counts",
    "held",
    "indicator_columns",
    "looked_up_columns",
    "psu_slices",
    "sufficient_totals",
    "summed_records",
]

BASE_KEYS = ("geo", "time", "strata")


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
        pop = _in_band(t, ind.population.age)
        for cond in (ind.population.filter, ind.denominator):
            if cond is not None:
                pop = pop & compile_condition(t, cond)
        # As 1/0/NULL integers: Spark's SQL parser rejects "x IN (...) IS NULL".
        pop_i = pop.cast("int8")
        if ind.numerator is None:
            raise CatalogError(
                f"indicator {ind.id!r} is known from published tables only",
                hint="It cannot be estimated from microdata; see `zaragoza catalog show`",
            )
        num_i = compile_condition(t, ind.numerator).cast("int8")
        inpop = pop_i.fill_null(0) == 1
        known = inpop & num_i.notnull()
        c = IndicatorColumns(f"y{i}", f"x{i}", f"m{i}")
        new[c.x] = known.cast("int8")
        new[c.y] = (known & (num_i.fill_null(0) == 1)).cast("int8")
        new[c.m] = (pop_i.isnull() | (inpop & num_i.isnull())).cast("int8")
        cols.append(c)
    return t.mutate(**new), cols


#: Most distinct patterns looked up: beyond, the table of patterns would approach the
#: records in size (a condition on a continuous variable), and each record's columns
#: are evaluated instead (about 600 bytes a pattern for the 22 EU-LFS indicators).
MAX_PATTERNS = 1_000_000


def looked_up_columns(
    t: ir.Table, indicators: Sequence[Indicator], patterns: ir.Table | None = None
) -> tuple[ir.Table, list[IndicatorColumns]]:
    """Return ``t`` with the columns of ``indicator_columns``, looked up rather than
    evaluated record by record.

    A record's ``y``/``x``/``m`` depend only on the variables the indicators read and on
    the age bands they test: the conditions are evaluated once for each distinct such
    pattern (about 220,000 in 10M synthetic EU-LFS records, far fewer in a survey's
    coded answers) and joined to the records, a NULL matching a NULL. This costs one
    pass over the records to find the patterns. With more than ``MAX_PATTERNS`` the
    columns are evaluated record by record, as ``indicator_columns`` does. ``patterns``,
    a table holding the same patterns (``summed_records`` of ``t``, made once), saves
    that pass.
    """
    bands = {_band_column(i.population.age): i.population.age for i in indicators}
    t = t.mutate(**{name: _in_band(t, band) for name, band in bands.items()})
    variables = sorted(VAR_PREFIX + v for v in set().union(*(i.variables() for i in indicators)))
    pattern = [*bands, *variables]
    source = t if patterns is None else patterns
    p, cols = indicator_columns(source.select(*pattern).distinct(), indicators)
    # as doubles, made once here: multiplying a weight by a small integer casts it
    # for every record, which took DuckDB about as long as the sums themselves
    p = p.mutate(**{k: p[k].cast("float64") for c in cols for k in (c.y, c.x)})
    # each pattern's vector of those columns numbered among the distinct vectors (a
    # few thousand among the 220,515 patterns of the 10M-record file): ``clusters``
    # sums the PSU totals by vector
    vector = [p[k] for k in dict.fromkeys(k for c in cols for k in (c.y, c.x))]
    p = p.mutate(**{PATTERN_ID: ibis.dense_rank().over(order_by=vector).cast("int32")})
    # fetched, so that the engine joins a table rather than re-deriving it per record
    # (DuckDB moves an expression's projections past the join)
    backend = t._find_backend()
    if backend.name != "duckdb":
        # measured on DuckDB only; Spark's memtables come from pandas, with NaN where
        # the records hold NULL, and NaN is not NULL to a join
        return indicator_columns(t, indicators)
    found = p.limit(MAX_PATTERNS + 1).to_pyarrow()
    limit = memory_limit(backend)
    held = _HELD_FACTOR * found.nbytes
    if found.num_rows > MAX_PATTERNS or (limit is not None and held > limit / 4):
        # a continuous variable (nothing to share), or a table too large for the
        # memory limit beside the PSU totals
        return indicator_columns(t, indicators)
    found, cols = _shared_columns(found, cols)
    p = ibis.memtable(found)
    p = p.rename({f"{k}_p": k for k in pattern})
    j = t.join(p, [t[k].identical_to(p[f"{k}_p"]) for k in pattern])
    return j.drop(*(f"{k}_p" for k in pattern)), cols


def _shared_columns(
    found: pa.Table, cols: Sequence[IndicatorColumns]
) -> tuple[pa.Table, list[IndicatorColumns]]:
    """The patterns ``found`` without the ``y``/``x`` columns equal to an earlier one,
    and the indicators' columns naming the one kept.

    A column equal to another on every pattern is equal on every record, so the PSU
    totals are summed once for both: indicators share denominators (the employment
    rates' population) and one's numerator may be another's denominator (the employed,
    in the temporary employment share). In the 22 EU-LFS indicators 44 columns are 39.
    """
    kept: list[str] = []
    same: dict[str, str] = {}
    for name in dict.fromkeys(k for c in cols for k in (c.y, c.x)):
        same[name] = next((k for k in kept if found[k].equals(found[name])), name)
        if same[name] == name:
            kept.append(name)
    found = found.drop_columns([k for k, v in same.items() if k != v])
    return found, [IndicatorColumns(same[c.y], same[c.x], c.m) for c in cols]


def _band_column(band: AgeBand) -> str:
    return f"_age{band.min}_{'' if band.max is None else band.max}"


def _in_band(t: ir.Table, band: AgeBand) -> ir.BooleanValue:
    """Whether a record's age is in ``band``: its own column in summed records."""
    name = _band_column(band)
    if name in t.columns:
        return t[name]
    return t.age >= band.min if band.max is None else t.age.between(band.min, band.max)


def summed_records(
    t: ir.Table, indicators: Sequence[Indicator], dims: Sequence[Dimension], design: Design
) -> ir.Table:
    """The records ``t`` summed over those alike in all that the totals read.

    Records of one fine cell and stratum that agree on every variable the indicators
    read, and on each age band they test, enter every total below the same way, so
    they are replaced by one row holding the sums of their weight ``w``, of its square
    ``ww`` and of each replicate weight ``r{k}``, and their number ``_n``. Every linear
    total and, without PSUs, every sum of squares is then a weighted sum over these
    rows: the same numbers, up to the order of the additions, from a table many times
    shorter, on which the indicators' conditions are evaluated (in the synthetic EU-LFS
    files, 10M records become about a million rows without strata). PSU totals need
    each PSU apart and are made from the records themselves.
    """
    t = _fine_keys(t, dims, design)
    keys = [*BASE_KEYS, *(d.column for d in dims)]
    bands = {_band_column(i.population.age): i.population.age for i in indicators}
    t = t.mutate(**{name: _in_band(t, band) for name, band in bands.items()})
    variables = sorted(VAR_PREFIX + v for v in set().union(*(i.variables() for i in indicators)))
    sums: dict[str, ir.Scalar] = {"w": t.w.sum(), "ww": (t.w * t.w).sum(), "_n": t.count()}
    if design.replicates is not None:
        sums |= {f"r{r}": t[f"r{r}"].sum() for r in range(design.replicates.n)}
    return t.group_by([*keys, *bands, *variables]).aggregate(**sums)


def _fine_keys(t: ir.Table, dims: Sequence[Dimension], design: Design) -> ir.Table:
    extra: dict[str, ir.Value] = {}
    if not design.strata:
        extra["strata"] = ibis.literal("")
    if any(d.column == "region" for d in dims):
        extra["region"] = t.region.fill_null("")
    return t.mutate(**extra) if extra else t


PAIR_SUFFIX = "_2"


@dataclass(frozen=True)
class Totals:
    """Grouped sums per (geo, time, stratum) and fine cell, from one request.

    ``linear`` has, per indicator ``i``, ``Y{i} X{i} N{i} M{i}`` (and ``Yr{i}_{r}
    Xr{i}_{r}`` with replicate weights). ``pairs`` has one row per stratum and *pair*
    of fine cells ``(d, d')`` found in a common PSU (the right cell's keys carry the
    suffix ``_2``) with ``YY{i} = sum_j Y_dj Y_d'j``, ``YX{i} = sum_j Y_dj X_d'j`` and
    ``XX{i} = sum_j X_dj X_d'j`` over the PSU totals ``Y_dj``, ``X_dj``. Every margin's
    sum of squared PSU totals is a block sum of ``pairs``, and so is every gap's sum
    of cross-products: one engine pass serves all domains. ``pairs`` is ``None`` with
    replicate weights, which need no PSU sums. ``n_h`` is the number of PSUs in each
    (geo, time, stratum) of the full design (empty with replicate weights).

    The counts ``N{i}``, ``M{i}`` are only ever added over strata; with PSUs a cell's
    counts over its whole country-year are carried by its first stratum's row.
    """

    linear: pd.DataFrame
    pairs: pd.DataFrame | None
    keys: list[str]
    n_h: pd.DataFrame


def sufficient_totals(
    t: ir.Table,
    cols: Sequence[IndicatorColumns],
    dims: Sequence[Dimension],
    design: Design,
    summed: ir.Table | None = None,
    summed_cols: Sequence[IndicatorColumns] | None = None,
    counts: Counts | None = None,
    plain: ir.Table | None = None,
) -> Totals:
    """Return the linear and pair sums of the records ``t`` (see ``Totals``).

    ``summed``, the same records as ``summed_records`` makes them (with their indicator
    columns ``summed_cols``, by default ``cols``), gives every sum that does not need
    the PSUs: the same totals, faster. With PSUs, ``counts`` (``cell_counts``) saves
    that pass when the caller has made them, and ``plain``, the records before a
    look-up's join (``looked_up_columns``), lets their strata's PSUs be counted without
    that join.

    Without PSUs each record is its own PSU holding one fine cell, so the pairs are the
    diagonal ``d = d'`` and their sums per-record sums: everything, the PSU counts
    included, comes from one grouped pass. With PSUs and looked-up indicator columns on
    DuckDB, the PSU totals, their products and each stratum's PSUs are made in this
    process from the records sorted by PSU (``clusters.psu_sums_here``). Otherwise PSU
    totals per fine cell are joined with themselves within each PSU (PSUs hold few fine
    cells, so the join stays near the size of the data), and the same query sums them
    into each cell's totals per stratum and counts each stratum's PSUs. Either way only
    the counts ``N``, ``M`` come from ``summed`` (made without strata: see ``Totals``),
    or from ``t``.
    """
    t = _fine_keys(t, dims, design)
    keys = [*BASE_KEYS, *(d.column for d in dims)]
    n = len(cols)
    # a row of the summed records stands for _n records, with sums of w, w*w and r{k}
    s = t if summed is None else _fine_keys(summed, dims, design)
    if "_n" not in s.columns:
        s = s.mutate(ww=s.w * s.w, _n=ibis.literal(1, type="int64"))
    if not design.psu or design.replicates is not None:
        aggs: dict[str, ir.Scalar] = {"_records": s._n.sum()}
        # indicators sharing a column (PISA's denominators: every student) share its sums:
        # each distinct (weight, column) sum is computed once and copied afterwards
        first: dict[tuple[str, str], str] = {}
        copies: dict[str, str] = {}

        def add(name: str, weight: str, column: str, value: ir.Scalar) -> None:
            key = (weight, column)
            if key in first:
                copies[name] = first[key]
            else:
                first[key] = name
                aggs[name] = value

        for i, c in enumerate(cols):
            y, x = s[c.y], s[c.x]
            add(f"Y{i}", "w", c.y, (s.w * y).sum())
            add(f"X{i}", "w", c.x, (s.w * x).sum())
            add(f"N{i}", "", c.x, (s._n * x).sum())
            add(f"M{i}", "", c.m, (s._n * s[c.m]).sum())
            if design.replicates is not None:
                for r in range(design.replicates.n):
                    add(f"Yr{i}_{r}", f"r{r}", c.y, (s[f"r{r}"] * y).sum())
                    add(f"Xr{i}_{r}", f"r{r}", c.x, (s[f"r{r}"] * x).sum())
            else:
                # y and x are 0/1 with y <= x, so y*y = y*x = y and x*x = x
                add(f"YY{i}", "ww", c.y, (s.ww * y).sum())
                add(f"XX{i}", "ww", c.x, (s.ww * x).sum())
        out: pd.DataFrame = s.group_by(keys).aggregate(**aggs).to_pandas()
        if copies:
            shared = pd.DataFrame({name: out[src] for name, src in copies.items()}, index=out.index)
            out = pd.concat([out, shared], axis=1)
        # each record its own PSU: a stratum has as many PSUs as records
        n_h = out.groupby(list(BASE_KEYS), as_index=False, sort=False).agg(n_h=("_records", "sum"))
        out = out.drop(columns="_records")
        if design.replicates is not None:
            return Totals(out, None, keys, pd.DataFrame())
        quad = [f"{s}{i}" for i in range(n) for s in ("YY", "XX")]
        pairs = out[[*keys, *quad]].copy()
        for k in keys[len(BASE_KEYS) :]:
            pairs[k + PAIR_SUFFIX] = pairs[k]
        for i in range(n):
            pairs[f"YX{i}"] = pairs[f"YY{i}"]
        return Totals(out.drop(columns=quad), pairs, keys, n_h)

    # with PSUs: N and M from the rows alike records make (no PSU needed), everything
    # else from the PSU totals
    if counts is None:
        counts = cell_counts(s, cols if summed is None else summed_cols or cols, dims, design)
    records = counts.records
    names, products = _summed_names(cols)
    pair_keys = [*keys, *(k + PAIR_SUFFIX for k in keys[len(BASE_KEYS) :])]
    vectors = pattern_vectors(t, names)
    if vectors is not None:
        # looked-up columns on DuckDB: the PSU totals and their products in this process
        here = psu_sums_here(
            t, keys, BASE_KEYS, names, _with_transposes(products), vectors, counts.cells,
            PAIR_SUFFIX, records, None if plain is None else _fine_keys(plain, dims, design),
        )  # fmt: skip
        pairs, cells, n_h = here.pairs, here.cells, here.n_h
    else:
        pairs, cells, n_h = _psu_sums_in_slices(t, keys, cols, records)
    n_h = n_h.astype({"n_h": "int64"})
    reached = int(cells.pop("_n").sum())
    if reached != records:  # a record lost on the way (a lookup's join) would bias all
        raise RuntimeError(f"{reached:,} of {records:,} records reached the PSU totals")
    cell_keys = keys[len(BASE_KEYS) :]
    diagonal = (pairs[cell_keys].to_numpy() == pairs[pair_keys[len(keys) :]].to_numpy()).all(1)
    if int(diagonal.sum()) != len(cells):  # a key the order cannot compare (NULL)
        raise RuntimeError(
            f"{int(diagonal.sum()):,} of {len(cells):,} cells paired with themselves"
        )
    pairs = _both_orders(pairs, cell_keys, products)
    linear = _with_counts(_per_indicator(cells, keys, cols, "YX"), counts.cells, keys, n)
    return Totals(linear, _per_indicator(pairs, pair_keys, cols, "P"), keys, n_h)


def _psu_sums_in_slices(
    t: ir.Table, keys: list[str], cols: Sequence[IndicatorColumns], records: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``_psu_sums`` of ``t`` made by the backend, in ``psu_slices`` slices of PSUs:
    the pairs, cells and strata parts of ``clusters.PsuSums``."""
    names, products = _summed_names(cols)
    slices = psu_slices(t, records, len(names))
    parts = [
        _psu_sums(
            t if slices == 1 else t.filter((t.psu.hash() % slices).abs() == k), keys, cols
        ).to_pandas()
        for k in range(slices)
    ]
    # a stratum's PSUs may fall in several slices: their sums add up
    got = pd.concat(parts, ignore_index=True) if slices > 1 else parts[0]
    part = got.pop("_part")
    pair_keys = [*keys, *(k + PAIR_SUFFIX for k in keys[len(BASE_KEYS) :])]
    prods = [f"P_{a}_{b}" for a, b in _with_transposes(products)]
    pairs = got.loc[part == _PAIRS, [*pair_keys, *prods]]
    cells = got.loc[part == _CELLS, [*keys, *(f"S_{k}" for k in names), "_n"]]
    n_h = got.loc[part == _STRATA, [*BASE_KEYS, "n_h"]]
    if slices > 1:
        pairs = pairs.groupby(pair_keys, as_index=False, sort=False).sum()
        cells = cells.groupby(keys, as_index=False, sort=False).sum()
        n_h = n_h.groupby(list(BASE_KEYS), as_index=False, sort=False).sum()
    return pairs, cells, n_h


@dataclass(frozen=True)
class Counts:
    """The unweighted counts ``N{i}``, ``M{i}`` of each fine cell over its country-year
    (``cells``, no stratum) and the number of records counted (``records``)."""

    cells: pd.DataFrame
    records: int


def cell_counts(
    s: ir.Table, cols: Sequence[IndicatorColumns], dims: Sequence[Dimension], design: Design
) -> Counts:
    """Count the records ``s`` (or the rows of ``summed_records``, each standing for its
    ``_n`` records) in each fine cell's denominator and left out for a missing value."""
    s = _fine_keys(s, dims, design)
    n = s._n if "_n" in s.columns else ibis.literal(1, type="int64")
    keys = ["geo", "time", *(d.column for d in dims)]
    aggs: dict[str, ir.Scalar] = {"_records": n.sum()}
    for i, c in enumerate(cols):
        aggs |= {f"N{i}": (n * s[c.x]).sum(), f"M{i}": (n * s[c.m]).sum()}
    got = s.group_by(keys).aggregate(**aggs).to_pandas()
    return Counts(got, int(got.pop("_records").sum()))


@contextmanager
def held(t: ir.Table) -> Iterator[ir.Table]:
    """``t`` made once and held by the backend while in use, for queries that read it
    several times (DuckDB: a temporary table, dropped on leaving); elsewhere ``t``."""
    backend = t._find_backend()
    if backend.name != "duckdb":
        yield t
        return
    name = ibis.util.gen_name("held")
    table = backend.create_table(name, t, temp=True)
    try:
        yield table
    finally:
        backend.con.execute(f'DROP TABLE IF EXISTS "{name}"')


def _with_counts(
    cells: pd.DataFrame, counts: pd.DataFrame, keys: list[str], n: int
) -> pd.DataFrame:
    """The linear sums per stratum ``cells`` with the counts ``N`` and ``M`` of each
    cell's country-year (``counts``), in the columns of ``Totals.linear``.

    The estimators only ever add counts over strata (a cell's ``n`` is its records'
    number, whatever their stratum), so each cell's counts are carried by its first
    stratum and the other strata hold zero.
    """
    count_keys = [k for k in keys if k != "strata"]
    cells = cells.sort_values(keys, kind="stable").reset_index(drop=True)
    first = ~cells.duplicated(count_keys)
    carried = cells.loc[first, count_keys].merge(counts, on=count_keys, how="left")
    names = [f"{s}{i}" for i in range(n) for s in "NM"]
    values = np.zeros((len(cells), len(names)))
    values[first.to_numpy()] = carried[names].fillna(0).to_numpy(dtype=float)
    out = pd.concat([cells, pd.DataFrame(values, columns=names, index=cells.index)], axis=1)
    order = [*keys, *(f"{s}{i}" for i in range(n) for s in "YXNM")]
    return out[order]


# the three parts of a PSU query's answer, told apart by its column ``_part``
_PAIRS, _CELLS, _STRATA = 0, 1, 2


def _summed_names(cols: Sequence[IndicatorColumns]) -> tuple[list[str], list[tuple[str, str]]]:
    """The distinct record columns whose PSU totals are summed, and the distinct pairs
    (left, right) whose products are: indicators sharing a column share its sums."""
    names = list(dict.fromkeys(k for c in cols for k in (c.y, c.x)))
    pairs = list(dict.fromkeys(p for c in cols for p in ((c.y, c.y), (c.y, c.x), (c.x, c.x))))
    return names, pairs


def _psu_sums(t: ir.Table, keys: Sequence[str], cols: Sequence[IndicatorColumns]) -> ir.Table:
    """Everything the records ``t`` give through their PSU totals, in one query.

    Three parts, stacked (``_part``): the sums over PSUs of products of PSU totals per
    stratum and pair of fine cells ``d <= d'`` found in a common PSU (``Totals.pairs``
    holds both orders: ``_both_orders``); the weighted totals of each fine cell and
    stratum, the sums of its PSU totals; and the number of PSUs ``n_h`` of each stratum.
    One query, so that the PSU totals are made once (DuckDB materialises them for their
    three consumers). Sums are named by the
    record columns they add up (``S_{column}``, products ``P_{left}_{right}``), each
    made once however many indicators read it; ``_per_indicator`` names them by
    indicator.
    """
    cell_keys = keys[len(BASE_KEYS) :]
    names, products = _summed_names(cols)
    sums = {f"S_{k}": (t.w * t[k]).sum() for k in names}
    psu = t.group_by([*keys, "psu"]).aggregate(**sums, _n=t.count())
    right = psu.select(
        *BASE_KEYS,
        "psu",
        *(psu[k].name(k + PAIR_SUFFIX) for k in cell_keys),
        *(psu[f"S_{k}"].name(f"S_{k}{PAIR_SUFFIX}") for k in names),
    )
    # one order of each pair: (d, d') with d <= d'; the other is the same sums, the two
    # sides of each product swapped (``_both_orders``)
    on: list[str | ir.BooleanValue] = [*BASE_KEYS, "psu"]
    if cell_keys:
        on.append(
            _not_after([psu[k] for k in cell_keys], [right[k + PAIR_SUFFIX] for k in cell_keys])
        )
    j = psu.join(right, on)
    prods = {
        f"P_{a}_{b}": (j[f"S_{a}"] * j[f"S_{b}{PAIR_SUFFIX}"]).sum()
        for a, b in _with_transposes(products)
    }
    pair_keys = [*keys, *(k + PAIR_SUFFIX for k in cell_keys)]
    pairs = j.group_by(pair_keys).aggregate(**prods)
    cells = psu.group_by(list(keys)).aggregate(**{k: psu[k].sum() for k in [*sums, "_n"]})
    strata = psu.group_by(list(BASE_KEYS)).aggregate(n_h=psu.psu.nunique().cast("float64"))
    # one schema for the three parts: each lacks the others' columns (NULL there)
    schema = {**pairs.schema(), **cells.schema(), **strata.schema()}

    def widened(part: ir.Table, kind: int) -> ir.Table:
        return part.select(
            *(part[c] if c in part.columns else ibis.null(ty).name(c) for c, ty in schema.items()),
            _part=ibis.literal(kind, type="int8"),
        )

    return widened(pairs, _PAIRS).union(widened(cells, _CELLS)).union(widened(strata, _STRATA))


def _not_after(a: Sequence[ir.Value], b: Sequence[ir.Value]) -> ir.BooleanValue:
    """Whether the key ``a`` comes before ``b`` or equals it, column by column."""
    if len(a) == 1:
        return a[0] <= b[0]
    return (a[0] < b[0]) | ((a[0] == b[0]) & _not_after(a[1:], b[1:]))


def _with_transposes(products: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """``products`` and each with its two sides swapped: a pair ``(d', d)``'s product
    ``(a, b)`` is the product ``(b, a)`` of the pair ``(d, d')``."""
    return list(dict.fromkeys([*products, *((b, a) for a, b in products)]))


def _both_orders(
    pairs: pd.DataFrame, cell_keys: Sequence[str], products: Sequence[tuple[str, str]]
) -> pd.DataFrame:
    """The pair sums of every ordered pair of fine cells, from ``pairs`` of ``d <= d'``.

    For ``d != d'`` the sums of ``(d', d)`` are those of ``(d, d')`` with each product's
    sides swapped, ``sum_j A_d'j B_dj = sum_j B_dj A_d'j``: the same numbers, made once.
    """
    left = list(cell_keys)
    right = [k + PAIR_SUFFIX for k in cell_keys]
    same = (pairs[left].to_numpy() == pairs[right].to_numpy()).all(axis=1)
    swap = {**dict(zip(left, right, strict=True)), **dict(zip(right, left, strict=True))}
    swap |= {f"P_{a}_{b}": f"P_{b}_{a}" for a, b in _with_transposes(products)}
    mirrored = pairs.loc[~same].rename(columns=swap)
    columns = [c for c in pairs.columns if not c.startswith("P_")]
    columns += [f"P_{a}_{b}" for a, b in products]
    both: pd.DataFrame = pd.concat([pairs[columns], mirrored[columns]], ignore_index=True)
    return both


def _per_indicator(
    frame: pd.DataFrame, keys: Sequence[str], cols: Sequence[IndicatorColumns], kinds: str
) -> pd.DataFrame:
    """``frame``'s keys and its sums by record column (``_psu_sums``) as the sums of
    each indicator: ``kinds`` ``"YX"`` for totals ``Y{i} X{i}``, ``"P"`` for products
    ``YY{i} YX{i} XX{i}``."""
    out: dict[str, pd.Series] = {k: frame[k] for k in keys}
    for i, c in enumerate(cols):
        if kinds == "P":
            for name, (a, b) in (("YY", (c.y, c.y)), ("YX", (c.y, c.x)), ("XX", (c.x, c.x))):
                out[f"{name}{i}"] = frame[f"P_{a}_{b}"]
        else:
            out |= {f"Y{i}": frame[f"S_{c.y}"], f"X{i}": frame[f"S_{c.x}"]}
    return pd.DataFrame(out, index=frame.index)


#: Bytes a PSU x fine cell row of the pair query may take in DuckDB's hash tables, per
#: sum (one double) and for its keys, and the rows assumed per record: each PSU x cell
#: total adds up at least three records (3.2 in the synthetic EU-LFS files, whose PSUs
#: hold 12; a household's members or more in the survey's own).
_ROW_BYTES_PER_SUM = 8
_ROW_BYTES_KEYS = 64
_ROWS_PER_RECORD = 1 / 3
# DuckDB spills what exceeds its limit to temporary files: a pair query needing about
# 1.4 times the limit ran within it, 3.7 s slower than unbounded, at 10M records and 2GB,
# while one needing 7 times the limit ran out of memory at 100M records and 4GB. Slices
# aim at 1.5 times the limit: no slicing (and no re-reading) where spilling is enough.
_SPILL_FACTOR = 1.5
# a table joined from this process: its copy in DuckDB and the join's hash table
_HELD_FACTOR = 3


def psu_slices(t: ir.Table, records: int, sums: int) -> int:
    """How many slices of PSUs the pair sums are made in, one query each.

    The pair query (PSU totals per fine cell, joined with themselves within each PSU)
    holds every PSU x cell row twice, in the aggregate and in the join's hash table. On
    DuckDB, when that would take more than 1.5 times its memory limit
    (``--memory-limit``, by default 80% of the machine's memory; what exceeds the limit
    is spilled to temporary files, which works up to about that), the PSUs are split by
    a hash of their code into slices that each fit, and the slices' sums are added:
    a PSU lies in one slice whole, so every product of its totals is made once. Each
    slice reads the records again, which costs time but not memory. Other backends
    (Spark) spread the query over their executors themselves: one slice. ``sums`` is
    the number of distinct PSU totals per row (``_summed_names``).
    """
    backend = t._find_backend()
    limit = memory_limit(backend)
    if limit is None or records == 0:
        return 1
    # tables joined from this process (looked-up indicator columns) are held whole
    held: int = sum(
        _HELD_FACTOR * int(node.data.to_pyarrow(node.schema).nbytes)
        for node in t.op().find(ops.InMemoryTable)
    )
    per_row = _ROW_BYTES_PER_SUM * sums + _ROW_BYTES_KEYS
    need = 2 * records * _ROWS_PER_RECORD * per_row
    return max(1, math.ceil(need / (_SPILL_FACTOR * max(limit - held, limit / 2))))
