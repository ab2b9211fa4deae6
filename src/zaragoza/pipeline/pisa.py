"""The PISA engine: validate and harmonise student files, then estimate achievement.

On DuckDB (the default) the files are read, validated and harmonised in one embedded
DuckDB database; with ``backend = spark`` Spark reads them itself and the same Ibis
expressions run there (``pipeline.spark``), so records never pass through this process.
The design is PISA's own, read from the file: the final student weight ``W_FSTUWT``,
the 80 Fay replicate weights ``W_FSTURWT1``-``W_FSTURWT80`` (``rho = 0.5``) and the
plausible values of each domain (``sources.pisa``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ibis

from zaragoza.catalog.loader import Catalog
from zaragoza.estimate.achievement import estimate_achievement
from zaragoza.estimate.design import Design, Replicates
from zaragoza.estimate.request import EstimationRequest
from zaragoza.pipeline.lfs import duckdb_connection
from zaragoza.pipeline.result import EstimateRun
from zaragoza.sources.pisa import PisaRecords, prepare_pisa
from zaragoza.sources.readers import load_column_map, open_microdata, read_errors

__all__ = ["FAY_RHO", "run_pisa"]

#: PISA's replicates: Fay's BRR with k = 0.5 (rho = 0.5), variance around the full sample.
FAY_RHO = 0.5


def _read(request: EstimationRequest, say: Callable[[str], Any]) -> PisaRecords:
    colmap = load_column_map(request.columns) if request.columns else {}
    if request.backend == "spark":
        from zaragoza.pipeline.spark import spark_table

        say(f"reading {len(request.inputs)} file(s) with Spark")
        t, files = spark_table(request, colmap)
        say("validating on Spark")
        return prepare_pisa(t, files, time=request.time)
    con = duckdb_connection(request.memory_limit)
    say(f"reading {len(request.inputs)} file(s)")
    data = open_microdata(list(request.inputs), columns=colmap or None, con=con)
    say("validating")
    with read_errors(data.files):
        return prepare_pisa(
            ibis.duckdb.from_connection(con).table(data.view), data.files, time=request.time
        )


def run_pisa(
    request: EstimationRequest, catalog: Catalog, say: Callable[[str], Any]
) -> EstimateRun:
    """Estimate PISA achievement indicators (default: all of them) for the request."""
    ids = list(request.indicators) or [i for i in catalog if catalog[i].survey == "PISA"]
    inds = catalog.select(ids)
    prepared = _read(request, say)
    design = Design(
        replicates=Replicates.build("fay", prepared.replicates, fay_rho=FAY_RHO),
        plausible_values=prepared.plausible_values,
    )
    m = prepared.plausible_values.m
    say(
        f"estimating {len(inds)} indicator(s) on {prepared.n_rows:,} students x {m} "
        f"plausible values with {request.backend}"
    )
    with read_errors(prepared.files):
        obs = estimate_achievement(
            prepared.records, inds, design, by=request.by, gap=request.gap, alpha=request.alpha,
        )  # fmt: skip
    obs["geo"] = obs["geo"].map(prepared.geo_codes)
    return EstimateRun(
        obs,
        prepared.n_rows,
        0,
        {},
        prepared.files,
        catalog.version,
        design.variance,
        0.0,
        request.describe() | {"indicators": ids},
    )
