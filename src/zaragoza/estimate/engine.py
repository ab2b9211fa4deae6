"""Estimate catalogue indicators for every domain of a request, with variances and flags.

One call computes all indicators for all cells (geo x time x the ``--by`` breakdowns,
margins included) from grouped totals made in one engine pass, then does the small
variance algebra on those totals (see ``variance``). Output follows the observation
table of the architecture, with Eurostat codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from statistics import NormalDist

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from zaragoza.catalog.schema import Indicator
from zaragoza.errors import UsageError
from zaragoza.estimate.design import Design
from zaragoza.estimate.domains import Dimension, dimensions_for, level_sets
from zaragoza.estimate.flags import ReliabilityRules, apply_flags
from zaragoza.estimate.margins import stratum_cells
from zaragoza.estimate.totals import (
    GapSpec,
    cell_counts,
    held,
    indicator_columns,
    looked_up_columns,
    sufficient_totals,
    summed_records,
)
from zaragoza.estimate.variance import cell_estimates, gap_estimates, long_by_indicator
from zaragoza.observations import ESTIMATE_COLUMNS, gap_flags

__all__ = ["OUTPUT_COLUMNS", "UNIT_SCALE", "estimate", "finish"]

OUTPUT_COLUMNS = ESTIMATE_COLUMNS


def estimate(
    records: ir.Table,
    indicators: Sequence[Indicator],
    *,
    by: Sequence[str] = (),
    design: Design | None = None,
    gap: GapSpec | None = None,
    rules: ReliabilityRules,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Return one row per indicator, geo, time and domain (plus gap rows).

    Parameters
    ----------
    records
        Harmonised records (``sources.lfs.prepare_lfs``) on any Ibis backend.
    indicators
        Catalogue definitions (ratio estimators).
    by
        Breakdowns among ``citizen``, ``c_birth``, ``sex``, ``geo`` (regions from
        ``REGION``); margins (``TOTAL``, ``T``, the country) are always included.
    design
        Strata, PSUs, replicate weights and the lonely-PSU rule.
    gap
        Adds ``group - reference`` rows with ``compare_to`` set to the reference.

    Notes
    -----
    ``value`` and ``se`` are in percent (percentage points for gaps); ``ci_lo``/
    ``ci_hi`` the normal ``1 - alpha`` interval; ``cv = 100 * se / value``; ``n`` the
    unweighted count of the denominator population and ``n_missing`` the records left
    out because a variable they need is missing.
    """
    design = design or Design()
    if not indicators:
        raise UsageError("no indicator requested", hint="Name some with --indicators")
    dims = dimensions_for(by)
    if gap is not None and gap.dimension not in {d.name for d in dims}:
        dims = dimensions_for([*by, gap.dimension])
    sets = level_sets(dims)
    if design.psu and design.replicates is None:
        # PSU totals need every record: its indicator columns are looked up, and only
        # the counts come from alike records summed, over the strata too; those rows,
        # made once, also hold every pattern the lookup needs
        alike = summed_records(records, indicators, dims, replace(design, strata=False))
        with held(alike) as alike:
            t, cols = looked_up_columns(records, indicators, patterns=alike)
            summed, summed_cols = indicator_columns(alike, indicators)
            counts = cell_counts(summed, summed_cols, dims, design)
        totals = sufficient_totals(t, cols, dims, design, counts=counts, plain=records)
    else:
        t, cols = indicator_columns(records, indicators)
        alike = summed_records(records, indicators, dims, design)
        summed, _ = indicator_columns(alike, indicators)
        totals = sufficient_totals(t, cols, dims, design, summed=summed)
    cells = stratum_cells(totals, dims, sets, gap, len(cols))
    nrep = design.replicates.n if design.replicates is not None else 0
    long = long_by_indicator(cells, len(cols), totals.keys, nrep)
    cell_keys = ["k", "geo", "time", *(d.column for d in dims)]
    tot, strata = cell_estimates(long, totals.n_h, cell_keys, design)
    tot["compare_to"] = ""
    frames = [tot]
    if gap is not None:
        gcol = next(d.column for d in dims if d.name == gap.dimension)
        pair = gap_estimates(tot, strata, long, cell_keys, gcol, gap.reference, design)
        pair = pair.assign(
            R=pair["D"],
            N=pair["N"] + pair["N_ref"],
            M=pair["M"] + pair["M_ref"],
            compare_to=gap.reference,
            Y=np.minimum(pair["Y"], pair["Y_ref"]),
            X=np.minimum(pair["X"], pair["X_ref"]),
        )
        frames.append(pair)
    out = pd.concat(frames, ignore_index=True)
    return finish(out, indicators, dims, rules, alpha, gap)


#: Output scale of a cell's value by the indicator's unit: proportions in percent, the
#: Gini coefficient on Eurostat's 0-100 scale, euro and ratios as they are.
UNIT_SCALE = {"PC": 100.0, "COEF": 100.0, "EUR": 1.0, "RT": 1.0}


def finish(
    out: pd.DataFrame,
    indicators: Sequence[Indicator],
    dims: list[Dimension],
    rules: ReliabilityRules,
    alpha: float,
    gap: GapSpec | None,
) -> pd.DataFrame:
    """Return the observation rows of the cell estimates ``out`` (``R V N M Y X`` per
    indicator ``k`` and cell), scaled by unit, with intervals, CVs and flags."""
    z = NormalDist().inv_cdf(1 - alpha / 2)
    ind = dict(enumerate(indicators))
    res = pd.DataFrame(
        {
            "indicator": out["k"].map(lambda i: ind[i].id),
            "geo": out["geo"],
            "time": out["time"].astype("int64"),
        }
    )
    names = {d.name for d in dims}
    region = out["region"] if "geo" in names else pd.Series("", index=out.index)
    res["geo"] = np.where(region.fillna("") != "", region, out["geo"])
    for dim, total in (
        ("citizen", "TOTAL"),
        ("c_birth", "TOTAL"),
        ("mig_bg", "TOTAL"),
        ("sex", "T"),
    ):
        res[dim] = out[dim] if dim in names else total
    res["age"] = out["k"].map(lambda i: ind[i].age_code)
    res["compare_to"] = out["compare_to"]
    scale = out["k"].map(lambda i: UNIT_SCALE[ind[i].unit]).to_numpy(dtype=float)
    value = out["R"].to_numpy(dtype=float) * scale
    se = np.sqrt(np.maximum(out["V"].to_numpy(dtype=float), 0.0)) * scale
    res["value"] = value
    res["se"] = se
    res["ci_lo"] = value - z * se
    res["ci_hi"] = value + z * se
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where((out["compare_to"] == "") & (value > 0), 100 * se / value, np.nan)
    res["cv"] = cv
    res["n"] = out["N"].astype("int64")
    res["n_missing"] = out["M"].astype("int64")
    survey = out["k"].map(lambda i: ind[i].survey)
    flags = apply_flags(res.assign(Y=out["Y"], X=out["X"]), survey, rules)
    if gap is not None:
        # a gap carries the letters of its two cells (observations.gap_flag)
        base = res[res["compare_to"] == ""].assign(flag=flags[res["compare_to"] == ""])
        key = ["indicator", "geo", "time", "citizen", "c_birth", "mig_bg", "sex"]
        gcol = gap.dimension
        gaps = res["compare_to"] != ""
        g = res[gaps][key].merge(base[[*key, "flag"]], on=key, how="left")["flag"].fillna("")
        refk = res[gaps][key].assign(**{gcol: gap.reference})
        r0 = refk.merge(base[[*key, "flag"]], on=key, how="left")["flag"].fillna("")
        flags = flags.copy()
        flags[gaps] = gap_flags(g, r0).to_numpy()
    res["flag"] = flags
    empty = ~np.isfinite(value)
    res.loc[empty, ["value", "se", "ci_lo", "ci_hi", "cv"]] = np.nan
    res.loc[empty, "flag"] = ":"
    res = res[(res["n"] > 0) | (res["n_missing"] > 0)]
    order = {"TOTAL": 0, "NAT": 1, "FOR": 2, "EU27_2020_FOR": 3, "NEU27_2020_FOR": 4}
    sexo = {"T": 0, "M": 1, "F": 2}
    res = res.sort_values(
        ["indicator", "geo", "time", "compare_to", "citizen", "c_birth", "sex"],
        key=lambda s: (
            s.map(order)
            if s.name in ("citizen", "c_birth")
            else s.map(sexo)
            if s.name == "sex"
            else s
        ),
    )
    return res[OUTPUT_COLUMNS].reset_index(drop=True)
