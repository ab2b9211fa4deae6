"""Record columns of EU-SILC indicators, made in the engine (Ibis) from the definitions.

Ratios get the ``y``/``x``/``m`` columns of the EU-LFS engine (``totals``); income
statistics a population column ``p`` (1 in the population, 0 outside, missing when a
variable deciding membership is missing). The at-risk-of-poverty status ``POOR`` that
definitions may read is set from the national thresholds (``thresholds``) before.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from zaragoza.catalog.schema import Indicator, VarCondition
from zaragoza.estimate.conditions import compile_condition
from zaragoza.estimate.totals import indicator_columns
from zaragoza.sources.variables import VAR_PREFIX

__all__ = ["input_variables", "record_columns", "with_poverty_status"]

_NONE = VarCondition.model_validate({"var": "NONE", "in": [1]})


def with_poverty_status(t: ir.Table, thresholds: pd.DataFrame) -> ir.Table:
    """``t`` with ``var_POOR``: 1 when income is below the country's threshold, 0 above
    or at it, missing without income (``thresholds``: ``geo, time, threshold``)."""
    thr = ibis.memtable(thresholds)
    j = t.left_join(thr, [t.geo == thr.geo, t.time == thr.time]).select(t, thr.threshold)
    poor = ibis.ifelse(j.inc.isnull(), ibis.null("int8"), (j.inc < j.threshold).cast("int8"))
    return j.mutate(**{VAR_PREFIX + "POOR": poor}).drop("threshold")


def record_columns(t: ir.Table, indicators: Sequence[Indicator]) -> ir.Table:
    """``t`` with the columns each indicator ``i`` reads, named by its position."""
    ratios = [i for i, ind in enumerate(indicators) if ind.estimator == "ratio"]
    if ratios:
        t, cols = indicator_columns(t, [indicators[i] for i in ratios])
        renames: dict[str, str] = {}
        for j, c in zip(ratios, cols, strict=True):
            renames |= {f"y{j}": c.y, f"x{j}": c.x, f"m{j}": c.m}
        # rename through temporary names: y0 of the subset may be y3 of the whole list
        t = t.rename({f"_t{k}": v for k, v in renames.items()})
        t = t.rename({k: f"_t{k}" for k in renames})
        t = _threshold_sensitivity(t, indicators, ratios)
    new = {}
    for i, ind in enumerate(indicators):
        if ind.estimator == "ratio":
            continue
        band = ind.population.age
        pop: ir.BooleanValue
        if band.min == 0 and band.max is None:
            # all ages: also the babies born in the survey year, whose age at the end
            # of the income reference period is -1 (laeken's eusilc has 64 of them)
            pop = ibis.literal(True)
        elif band.max is None:
            pop = t.age >= band.min
        else:
            pop = t.age.between(band.min, band.max)
        for cond in (ind.population.filter, ind.denominator):
            if cond is not None:
                pop = pop & compile_condition(t, cond)
        new[f"p{i}"] = pop.cast("int8")
    return t.mutate(**new) if new else t


def _threshold_sensitivity(
    t: ir.Table, indicators: Sequence[Indicator], ratios: Sequence[int]
) -> ir.Table:
    """Add ``o1{i}``/``o0{i}``: ratio ``i``'s numerator with ``POOR`` set to 1 and to 0.

    Where they differ the record's status moves with the poverty threshold: the
    linearisation adds the threshold's term over those records (Osier 2009), and
    replicates recompute the status with their own threshold.
    """
    poor = VAR_PREFIX + "POOR"
    reads = [i for i in ratios if "POOR" in (indicators[i].numerator or _NONE).variables()]
    if not reads:
        return t
    t = t.mutate(_poor_kept=t[poor])
    for value in (1, 0):
        t = t.mutate(**{poor: ibis.literal(value, type="int8")})
        cond = {}
        for i in reads:
            num = indicators[i].numerator
            assert num is not None
            cond[f"o{value}{i}"] = compile_condition(t, num).cast("int8")
        t = t.mutate(**cond)
    return t.mutate(**{poor: t._poor_kept}).drop("_poor_kept")


def input_variables(ind: Indicator) -> set[str]:
    """Input variables an indicator needs, derived variables expanded (``POOR`` aside)."""
    from zaragoza.sources.silc_variables import ESTIMATOR_VARIABLES, SILC_DERIVED

    out: set[str] = set()
    for v in ind.variables():
        if v in SILC_DERIVED:
            out |= set(SILC_DERIVED[v].needs)
        elif v not in ESTIMATOR_VARIABLES:
            out.add(v)
    return out
