"""The EU-LFS engine: validate and harmonise the records, then estimate ratio indicators.

On DuckDB (the default) the files are read, validated and harmonised in one embedded
DuckDB database (``sources.lfs``). With ``backend = spark`` Spark reads the files itself
and the same rules run as Spark SQL (``pipeline.spark``), so records never pass through
this process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import ibis

from zaragoza.catalog.loader import Catalog
from zaragoza.errors import ParameterError
from zaragoza.estimate.engine import estimate as estimate_cells
from zaragoza.estimate.flags import ReliabilityRules, load_limits, load_rules
from zaragoza.estimate.request import EstimationRequest
from zaragoza.pipeline.result import EstimateRun
from zaragoza.sources.lfs import InputSpec, LfsInput, prepare_lfs
from zaragoza.sources.readers import Microdata, load_column_map, open_microdata, read_errors

__all__ = ["reliability", "run_lfs"]


def reliability(request: EstimationRequest) -> ReliabilityRules:
    """The request's reliability rules, with its EU-LFS publication limits when given."""
    rules = load_rules(request.rules)
    if request.limits:
        rules = type(rules)(rules.surveys, load_limits(request.limits))
    return rules


def duckdb_connection(memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB database, its memory capped at ``memory_limit`` when given.

    Beyond the cap DuckDB spills to temporary files, trading time for memory (by default
    it may use 80% of RAM).
    """
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    if memory_limit:
        try:
            con.execute("SET memory_limit = ?", [memory_limit])
        except duckdb.Error:
            raise ParameterError(
                "memory_limit", memory_limit, "a size such as 2GB or 500MB"
            ) from None
    return con


def _lfs_input(data: Microdata) -> LfsInput:
    """The files read by DuckDB as Ibis tables: as read, and with their rows numbered."""
    union = " UNION ALL BY NAME ".join(f"({sql})" for sql in data.numbered.values())
    data.con.execute(f"CREATE OR REPLACE TEMP VIEW microdata_numbered AS {union}")
    backend = ibis.duckdb.from_connection(data.con)
    return LfsInput(backend.table(data.view), data.files, backend.table("microdata_numbered"))


def run_lfs(request: EstimationRequest, catalog: Catalog, say: Callable[[str], Any]) -> EstimateRun:
    """Estimate EU-LFS ratio indicators (default: all of them) for the request."""
    ids = list(request.indicators) or [
        i for i in catalog if catalog[i].survey == "EU-LFS" and catalog[i].estimator == "ratio"
    ]
    inds = catalog.select(ids)
    design = request.design
    variables = frozenset().union(*(i.variables() for i in inds))
    spec = InputSpec(
        weight=(design.weight or "COEFF").upper(),
        strata=design.strata.upper() if design.strata else None,
        psu=design.psu.upper() if design.psu else None,
        replicate_pattern=design.replicate_pattern,
        variables=variables,
        regions="geo" in request.by,
    )
    rules = reliability(request)
    if request.backend == "spark":
        from zaragoza.pipeline.spark import spark_records

        say(f"reading {len(request.inputs)} file(s) with Spark")
        sp = spark_records(request, spec, say)
        resolved = design.resolve(len(sp.replicate_columns))
        kept = sp.n_rows - sp.n_dropped
        say(f"estimating {len(inds)} indicator(s) on {kept:,} records with spark")
        obs = estimate_cells(
            sp.records, inds, by=request.by, design=resolved, gap=request.gap, rules=rules,
            alpha=request.alpha,
        )  # fmt: skip
        n_rows, n_dropped, by_rule, files = sp.n_rows, sp.n_dropped, sp.dropped_by_rule, sp.files
    else:
        colmap = load_column_map(request.columns) if request.columns else None
        con = duckdb_connection(request.memory_limit)
        say(f"reading {len(request.inputs)} file(s)")
        data = open_microdata(list(request.inputs), columns=colmap, con=con)
        say("validating")
        with read_errors(data.files):
            prepared = prepare_lfs(_lfs_input(data), spec, drop_invalid=request.drop_invalid)
        resolved = design.resolve(len(prepared.replicate_columns))
        say(
            f"estimating {len(inds)} indicator(s) on "
            f"{prepared.n_rows - prepared.n_dropped:,} records with duckdb"
        )
        with read_errors(data.files):
            obs = estimate_cells(
                prepared.records, inds, by=request.by, design=resolved, gap=request.gap,
                rules=rules, alpha=request.alpha,
            )  # fmt: skip
        n_rows, n_dropped = prepared.n_rows, prepared.n_dropped
        by_rule, files = prepared.dropped_by_rule, data.files
    return EstimateRun(
        obs,
        n_rows,
        n_dropped,
        by_rule,
        files,
        catalog.version,
        resolved.variance,
        0.0,
        request.describe() | {"indicators": ids},
    )
