"""The EU-SILC engine: link and validate the D, H, P and R files, then estimate.

Income statistics (medians, poverty, Gini, S80/S20) need every record's income with its
weight in order, so this engine reads the linked records into memory (NumPy) after
DuckDB has linked and validated them; ``backend = spark`` is refused for it
(``pipeline.engines``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ibis
import numpy as np
import pandas as pd

from zaragoza.catalog.loader import Catalog
from zaragoza.catalog.schema import AgeBand, AnyOf, Condition, Indicator, Population
from zaragoza.errors import UsageError
from zaragoza.estimate.design import Bootstrap
from zaragoza.estimate.domains import dimensions_for
from zaragoza.estimate.engine import finish
from zaragoza.estimate.inequality.columns import (
    input_variables,
    record_columns,
    with_poverty_status,
)
from zaragoza.estimate.inequality.engine import SilcRecords, cell_statistics, national_thresholds
from zaragoza.estimate.request import EstimationRequest
from zaragoza.observations import normalise_flag
from zaragoza.pipeline.lfs import duckdb_connection, reliability
from zaragoza.pipeline.result import EstimateRun
from zaragoza.sources.readers import load_column_map, read_errors
from zaragoza.sources.silc import SilcSpec, prepare_silc, silc_input_columns

__all__ = ["run_silc"]


def run_silc(
    request: EstimationRequest, catalog: Catalog, say: Callable[[str], Any]
) -> EstimateRun:
    """Estimate EU-SILC indicators; without ``indicators``, every one the input serves.

    Indicators whose variables the input lacks are then named in the notes; asked for by
    name, they are refused. Without a PSU column the household is the PSU. A
    :class:`~zaragoza.estimate.design.Bootstrap` variance is a rescaled bootstrap by PSU
    within strata.
    """
    asked = list(request.indicators)
    chosen = (
        catalog.select(asked)
        if asked
        else [
            catalog[i]
            for i in catalog
            if catalog[i].survey == "EU-SILC" and catalog[i].estimator != "published"
        ]
    )
    design = request.design
    colmap = load_column_map(request.columns) if request.columns else None
    have = silc_input_columns(list(request.inputs), colmap)
    inds, partial, notes = _available(chosen, have, skip=not asked)
    if not inds:
        raise UsageError(
            "no EU-SILC indicator can be estimated from this input", hint="; ".join(notes)
        )
    variables = frozenset().union(*(i.variables() for i in inds))
    spec = SilcSpec(
        weight=design.weight.upper() if design.weight else None,
        strata=design.strata.upper() if design.strata else None,
        psu=design.psu.upper() if design.psu else None,
        variables=variables,
        regions="geo" in request.by,
        replicate_pattern=design.replicate_pattern,
    )
    con = duckdb_connection(request.memory_limit)
    say(f"reading {len(request.inputs)} file(s)")
    with read_errors(list(request.inputs)):
        prep = prepare_silc(
            list(request.inputs), spec, columns=colmap, con=con, drop_invalid=request.drop_invalid
        )
    resolved = design.resolve(len(prep.replicate_columns), psu=True)
    say("national at-risk-of-poverty thresholds")
    base = con.execute(f"SELECT geo, time, inc, w FROM {prep.view}").df()
    grouped = base.groupby(["geo", "time"], sort=True)
    country = grouped.ngroup().to_numpy()
    keys = list(grouped.size().index)
    thr = national_thresholds(
        base["inc"].to_numpy(dtype=float), base["w"].to_numpy(dtype=float), country, len(keys)
    )
    thresholds = pd.DataFrame(
        {"geo": [k[0] for k in keys], "time": [int(k[1]) for k in keys], "threshold": thr}
    )
    t = ibis.duckdb.from_connection(con).table(prep.view)
    t = with_poverty_status(t, thresholds)
    t = record_columns(t, inds)
    say(f"estimating {len(inds)} EU-SILC indicator(s) on {prep.n_rows - prep.n_dropped:,} persons")
    frame = t.to_pandas()
    rw = frame[[f"r{i}" for i in range(len(prep.replicate_columns))]].to_numpy(dtype=float)
    recs = SilcRecords(frame, rw if prep.replicate_columns else None)
    v = design.variance
    boot = (v.replicates, v.seed) if isinstance(v, Bootstrap) else None
    cells = cell_statistics(
        recs, inds, by=request.by, design=resolved, bootstrap=boot, gap=request.gap
    )
    cells["Y"] = np.nan
    cells["X"] = np.nan
    dims = dimensions_for(request.dimensions)
    obs = finish(cells, inds, dims, reliability(request), request.alpha, request.gap)
    if partial:
        d = obs["indicator"].isin(partial) & (obs["flag"] != ":")
        obs.loc[d, "flag"] = [normalise_flag(f"{f}d") for f in obs.loc[d, "flag"]]
    variance = (
        f"replicate:bootstrap ({v.replicates} replicates, seed {v.seed})"
        if isinstance(v, Bootstrap)
        else resolved.variance
    )
    return EstimateRun(
        obs,
        prep.n_rows,
        prep.n_dropped,
        prep.dropped_by_rule,
        prep.files,
        catalog.version,
        variance,
        0.0,
        request.describe() | {"indicators": asked or [i.id for i in inds]},
        [*prep.notes, *notes],
    )


def _available(
    inds: Sequence[Indicator], have: set[str], *, skip: bool
) -> tuple[list[Indicator], set[str], list[str]]:
    """Indicators the input can serve, which of them are partial, and notes.

    A ``partial`` indicator loses the components (``any`` branches) whose variables are
    absent; any other indicator missing variables is refused with their names, or left
    out with a note when ``skip`` (the default selection of every EU-SILC indicator).
    """
    out: list[Indicator] = []
    partial: set[str] = set()
    notes: list[str] = []
    refused: list[str] = []
    for ind in inds:
        lacking = sorted(input_variables(ind) - have)
        if lacking and ind.partial and isinstance(ind.numerator, AnyOf):
            keep = [c for c in ind.numerator.any if not input_variables_of(c) - have]
            dropped = [c for c in ind.numerator.any if input_variables_of(c) - have]
            if keep:
                names = ", ".join(sorted(set().union(*(c.variables() for c in dropped))))
                notes.append(
                    f"{ind.id}: computed without the component(s) on {names} "
                    f"(input lacks {', '.join(lacking)}); flagged d"
                )
                out.append(ind.model_copy(update={"numerator": AnyOf(any=keep)}))
                partial.add(ind.id)
                continue
        if lacking:
            msg = f"{ind.id} needs {', '.join(lacking)}"
            if skip:
                notes.append(f"{msg}: not estimated")
            else:
                refused.append(msg)
            continue
        out.append(ind)
    if refused:
        raise UsageError(
            "the input lacks variables that indicators need: " + "; ".join(refused),
            hint="Add the variables, map them with --columns, or leave those indicators out",
        )
    return out, partial, notes


def input_variables_of(cond: Condition) -> set[str]:
    """Input variables a condition needs, derived variables expanded."""
    probe = Indicator(
        id="probe",
        area="social_inclusion",
        title="probe",
        definition="a condition's variables",
        survey="EU-SILC",
        population=Population(age=AgeBand(min=0)),
        numerator=cond,
    )
    return input_variables(probe)
