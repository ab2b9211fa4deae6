"""Achievement of 15-year-olds from PISA records: shares and means over plausible values.

Per cell (country x migrant background x sex, margins included) and plausible value
``m`` the engine computes, with the final student weight and each of the 80 Fay
replicate weights, the weighted share of students below a proficiency cut-off
(``pv_share_below``: low achievers, below level 2), at or above one
(``pv_share_at_least``: top performers, level 5 and above) or the weighted mean score
(``pv_mean``). Each statistic is a ratio of weighted totals, so the records are stacked
once per plausible value (a ``pv`` column) and go through the same grouped totals,
margins and replicate variance as every other estimate (``totals``, ``margins``,
``variance``: Fay's BRR with ``rho = 0.5``, variance around the full-sample estimate);
the ``M`` results are then pooled by Rubin's rules (``plausible``). A gap to native
students is the difference within each plausible value, pooled the same way.

Reporting follows the OECD's rule (*PISA 2022 Results*, Annex A): a cell with fewer than
30 students or fewer than 5 schools is not reported (value left empty, flag ``:``), and
neither is a gap with such a cell on either side.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from zaragoza.catalog.schema import Indicator
from zaragoza.errors import UsageError
from zaragoza.estimate.design import Design
from zaragoza.estimate.domains import PLAUSIBLE_VALUE, Dimension, dimensions_for, level_sets
from zaragoza.estimate.margins import stratum_cells
from zaragoza.estimate.plausible import pool
from zaragoza.estimate.totals import (
    BASE_KEYS,
    GapSpec,
    IndicatorColumns,
    Totals,
    sufficient_totals,
)
from zaragoza.estimate.variance import cell_estimates, gap_estimates, long_by_indicator
from zaragoza.observations import ESTIMATE_COLUMNS

__all__ = ["MIN_SCHOOLS", "MIN_STUDENTS", "NATIVE_GAP", "PISA_COLUMNS", "estimate_achievement"]

#: The OECD's reporting rule for a cell of PISA results.
MIN_STUDENTS = 30
MIN_SCHOOLS = 5
#: What a PISA estimate writes: the observation columns (the migrant background among them).
PISA_COLUMNS = ESTIMATE_COLUMNS
#: The gap PISA reports: each migrant-background group minus native students.
NATIVE_GAP = GapSpec("mig_bg", "NATIVE")
_SCALE = {"pv_mean": 1.0, "pv_share_below": 100.0, "pv_share_at_least": 100.0}


def _stacked(records: ir.Table, indicators: Sequence[Indicator], m: int, reps: int) -> ir.Table:
    """The records once per plausible value, with one ``y{k}`` column per indicator."""
    parts = []
    keep = ["geo", "time", "mig_bg", "sex", "w", *(f"r{r}" for r in range(reps))]
    for v in range(1, m + 1):
        cols: dict[str, ir.Value] = {c: records[c] for c in keep}
        cols["pv"] = ibis.literal(str(v))
        for k, ind in enumerate(indicators):
            assert ind.score is not None
            s = records[f"pv{v}_{ind.score.domain}"]
            if ind.estimator == "pv_mean":
                y: ir.Value = s
            elif ind.estimator == "pv_share_below":
                y = (s < ind.score.cutoff).cast("int8")
            else:
                y = (s >= ind.score.cutoff).cast("int8")
            cols[f"y{k}"] = y
        cols["one"] = ibis.literal(1, "int8")
        cols["zero"] = ibis.literal(0, "int8")
        parts.append(records.select(**cols))
    return ibis.union(*parts)


def _indicator_values(s: np.ndarray, ind: Indicator) -> np.ndarray:
    """One indicator's record values from its plausible value's scores ``s``."""
    assert ind.score is not None
    if ind.estimator == "pv_mean":
        return s
    if ind.estimator == "pv_share_below":
        return (s < ind.score.cutoff).astype(np.float64)
    return (s >= ind.score.cutoff).astype(np.float64)


def _local_totals(
    records: ir.Table, indicators: Sequence[Indicator], dims: Sequence[Dimension], m: int, reps: int
) -> Totals:
    """``sufficient_totals`` of the stacked records, summed in this process.

    The same sums as the engine's grouped pass over the records stacked once per
    plausible value, for records an embedded DuckDB holds in this process anyway: per
    fine cell, one matrix product of the weights (``w``, ``r0``..) by every plausible
    value's indicator values, instead of ``M`` stacked copies of the records going
    through a hash aggregate of ``(1 + R) x K`` sums each.
    """
    cells = [d.column for d in dims]
    domains = sorted({ind.score.domain for ind in indicators if ind.score is not None})
    scores = [f"pv{v}_{dom}" for v in range(1, m + 1) for dom in domains]
    weights = ["w", *(f"r{r}" for r in range(reps))]
    table = records.select("geo", "time", *cells, *weights, *scores).to_pyarrow()
    n = table.num_rows
    keys = pd.DataFrame({c: table.column(c).to_pandas() for c in ["geo", "time", *cells]})
    code, uniques = pd.factorize(pd.MultiIndex.from_frame(keys), sort=False)
    wmat = np.empty((n, len(weights)), dtype=np.float64)
    for j, c in enumerate(weights):
        wmat[:, j] = table.column(c).to_numpy()
    smat = np.empty((n, len(scores)), dtype=np.float64)
    for j, c in enumerate(scores):
        smat[:, j] = table.column(c).to_numpy()
    del table
    col = {s: j for j, s in enumerate(scores)}
    order = np.argsort(code, kind="stable")
    bounds = np.searchsorted(code[order], np.arange(len(uniques) + 1))
    k, g_n = len(indicators), len(uniques)
    # per fine cell g: the weights (w, r0..) by each plausible value's indicator values and
    # by the denominator (every student): sums[g] is (1 + R) x (M K + 1)
    sums = np.empty((g_n, 1 + reps, m * k + 1), dtype=np.float64)
    for g in range(g_n):
        idx = order[bounds[g] : bounds[g + 1]]
        sg = smat[idx]
        yg = np.empty((len(idx), m * k + 1), dtype=np.float64)
        for v in range(m):
            for i, ind in enumerate(indicators):
                assert ind.score is not None
                s = sg[:, col[f"pv{v + 1}_{ind.score.domain}"]]
                yg[:, v * k + i] = _indicator_values(s, ind)
        yg[:, -1] = 1.0
        sums[g] = wmat[idx].T @ yg
    counts = np.diff(bounds)
    # one row per fine cell and plausible value, as the stacked records' grouped pass
    per_value = sums[:, :, : m * k].reshape(g_n, 1 + reps, m, k).transpose(0, 2, 3, 1)
    y = per_value.reshape(g_n * m, k, 1 + reps)
    x = np.broadcast_to(sums[:, None, :, -1], (g_n, m, 1 + reps)).reshape(g_n * m, 1 + reps)
    names = ["geo", "time", *cells]
    key = pd.DataFrame(list(uniques), columns=names).loc[np.repeat(np.arange(g_n), m)]
    out = key.reset_index(drop=True)
    out["time"] = out["time"].astype(keys["time"].dtype)
    out.insert(2, "strata", "")
    out.insert(3, "pv", np.tile([str(v + 1) for v in range(m)], g_n))
    n_rows = np.repeat(counts, m).astype(np.int64)
    data: dict[str, np.ndarray] = {}
    for i in range(k):
        data[f"Y{i}"] = y[:, i, 0]
        data[f"X{i}"] = x[:, 0]
        data[f"N{i}"] = n_rows
        data[f"M{i}"] = np.zeros(g_n * m, dtype=np.int64)
        for r in range(reps):
            data[f"Yr{i}_{r}"] = y[:, i, 1 + r]
            data[f"Xr{i}_{r}"] = x[:, 1 + r]
    out = pd.concat([out, pd.DataFrame(data)], axis=1)
    return Totals(out, None, [*BASE_KEYS, "pv", *cells], pd.DataFrame())


def _schools(records: ir.Table, dims: Sequence[Dimension]) -> pd.DataFrame:
    """Students and schools in every published cell (margins included)."""
    keys = ["geo", "time", *(d.column for d in dims)]
    fine = records.group_by([*keys, "school"]).aggregate(students=records.count()).to_pandas()
    parts = []
    for ls in level_sets(dims):
        f = fine.assign(
            **{
                d.column: fine[d.column].map(lambda v, d=d, lvl=lvl: d.map_value(lvl, v))
                for d, lvl in ls
            }
        )
        mask = np.ones(len(f), dtype=bool)
        for d, lvl in ls:
            mask &= f[d.column].map(lambda v, d=d, lvl=lvl: d.keeps(lvl, v)).to_numpy(dtype=bool)
        g = (
            f[mask]
            .groupby(keys, as_index=False)
            .agg(students=("students", "sum"), schools=("school", "nunique"))
        )
        parts.append(g)
    sizes: pd.DataFrame = pd.concat(parts, ignore_index=True).drop_duplicates(keys)
    return sizes


def estimate_achievement(
    records: ir.Table,
    indicators: Sequence[Indicator],
    design: Design,
    *,
    by: Sequence[str] = ("mig_bg", "sex"),
    gap: GapSpec | None = NATIVE_GAP,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Return one row per indicator, geo, time, migrant background, sex (and gap rows).

    ``records`` are harmonised PISA records (``sources.pisa.prepare_pisa``); ``design``
    carries the replicate weights (Fay, ``rho = 0.5`` for PISA) and the plausible values.
    """
    if not indicators:
        raise UsageError("no indicator requested", hint="Name some with --indicators")
    plausible = design.plausible_values
    if design.replicates is None or plausible is None:
        raise UsageError("PISA estimates need the file's replicate weights and plausible values")
    wrong = [i.id for i in indicators if i.estimator not in _SCALE]
    if wrong:
        raise UsageError(
            f"indicator {wrong[0]!r} is not a PISA achievement indicator",
            hint="Choose among the catalogue's PISA indicators (zaragoza catalog list)",
        )
    dims = dimensions_for([*by, *([gap.dimension] if gap and gap.dimension not in by else [])])
    m, reps = plausible.m, design.replicates.n
    all_dims = [PLAUSIBLE_VALUE, *dims]
    cols = [IndicatorColumns(f"y{k}", "one", "zero") for k in range(len(indicators))]
    if records.get_backend().name == "duckdb":
        totals = _local_totals(records, indicators, dims, m, reps)
    else:
        stacked = _stacked(records, indicators, m, reps)
        totals = sufficient_totals(stacked, cols, all_dims, design)
    cells = stratum_cells(totals, all_dims, level_sets(all_dims), gap, len(cols))
    long = long_by_indicator(cells, len(cols), totals.keys, reps)
    cell_keys = ["k", "geo", "time", *(d.column for d in all_dims)]
    tot, strata = cell_estimates(long, totals.n_h, cell_keys, design)
    tot["compare_to"] = ""
    frames = [tot]
    if gap is not None:
        pair = gap_estimates(tot, strata, long, cell_keys, gap.dimension, gap.reference, design)
        frames.append(
            pair.assign(R=pair["D"], N=pair["N"] + pair["N_ref"], compare_to=gap.reference)
        )
    per_value = pd.concat(frames, ignore_index=True)
    out_keys = ["k", "geo", "time", *(d.column for d in dims), "compare_to"]
    pooled = pool(per_value, out_keys, m)
    n = per_value[per_value["pv"] == "1"][[*out_keys, "N"]]
    pooled = pooled.merge(n, on=out_keys, how="left")
    return _finish(pooled, indicators, dims, records, gap, alpha)


def _finish(
    pooled: pd.DataFrame,
    indicators: Sequence[Indicator],
    dims: Sequence[Dimension],
    records: ir.Table,
    gap: GapSpec | None,
    alpha: float,
) -> pd.DataFrame:
    z = NormalDist().inv_cdf(1 - alpha / 2)
    ind = dict(enumerate(indicators))
    scale = pooled["k"].map(lambda i: _SCALE[ind[i].estimator]).to_numpy(dtype=float)
    value = pooled["R"].to_numpy(dtype=float) * scale
    se = np.sqrt(np.maximum(pooled["V"].to_numpy(dtype=float), 0.0)) * scale
    names = {d.name for d in dims}
    res = pd.DataFrame(
        {
            "indicator": pooled["k"].map(lambda i: ind[i].id),
            "geo": pooled["geo"],
            "time": pooled["time"].astype("int64"),
            "citizen": "TOTAL",
            "c_birth": "TOTAL",
            "mig_bg": pooled["mig_bg"] if "mig_bg" in names else "TOTAL",
            "sex": pooled["sex"] if "sex" in names else "T",
            "age": pooled["k"].map(lambda i: ind[i].age_code),
            "compare_to": pooled["compare_to"],
            "value": value,
            "se": se,
        }
    )
    res["ci_lo"] = value - z * se
    res["ci_hi"] = value + z * se
    with np.errstate(divide="ignore", invalid="ignore"):
        res["cv"] = np.where((res["compare_to"] == "") & (value > 0), 100 * se / value, np.nan)
    res["n"] = pooled["N"].fillna(0).astype("int64")
    res["n_missing"] = 0
    # the OECD's rule: too few students or schools -> not reported; a gap needs both cells
    sizes = _schools(records, dims).rename(columns={d.column: d.name for d in dims})
    key = ["geo", "time", "mig_bg", "sex"]
    sizes = sizes.reindex(columns=[*key, "students", "schools"])
    for k in key:
        if k not in sizes or sizes[k].isna().all():
            sizes[k] = "TOTAL" if k == "mig_bg" else "T" if k == "sex" else sizes.get(k)
    small = sizes[(sizes["students"] < MIN_STUDENTS) | (sizes["schools"] < MIN_SCHOOLS)][key]
    small_keys = set(map(tuple, small.astype(str).to_numpy()))
    own = list(map(tuple, res[key].astype(str).to_numpy()))
    suppressed = np.array([k in small_keys for k in own])
    if gap is not None:
        ref = res[key].assign(**{gap.dimension: gap.reference}).astype(str).to_numpy()
        ref_small = np.array([tuple(r) in small_keys for r in ref])
        suppressed |= (res["compare_to"] != "").to_numpy() & ref_small
    res["flag"] = ""
    empty = suppressed | ~np.isfinite(value)
    res.loc[empty, ["value", "se", "ci_lo", "ci_hi", "cv"]] = np.nan
    res.loc[empty, "flag"] = ":"
    res = res[res["n"] > 0]
    order = {"TOTAL": 0, "NATIVE": 1, "IMMIGRANT": 2, "SECOND_GEN": 3, "FIRST_GEN": 4}
    sexo = {"T": 0, "M": 1, "F": 2}
    res = res.sort_values(
        ["indicator", "geo", "time", "compare_to", "mig_bg", "sex"],
        key=lambda s: s.map(order) if s.name == "mig_bg" else s.map(sexo) if s.name == "sex" else s,
    )
    return res[PISA_COLUMNS].reset_index(drop=True)
