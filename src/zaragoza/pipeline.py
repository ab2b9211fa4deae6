"""The library call behind ``zaragoza estimate``: files in, observations out."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd

from zaragoza.catalog.loader import Catalog, load_catalog
from zaragoza.errors import CatalogError, UsageError
from zaragoza.estimate.design import Design, LonelyPSU, ReplicateMethod, Replicates
from zaragoza.estimate.engine import estimate
from zaragoza.estimate.flags import load_limits, load_rules
from zaragoza.estimate.totals import GapSpec
from zaragoza.sources.lfs import InputSpec, prepare_lfs
from zaragoza.sources.readers import load_column_map, open_microdata
from zaragoza.warehouse.loads import describe_file
from zaragoza.warehouse.store import LoadResult, Warehouse

__all__ = [
    "EstimateRun",
    "build_default_warehouse",
    "estimate_files",
    "parse_gap",
    "store_run",
]

Backend = Literal["duckdb", "spark"]


@dataclass
class EstimateRun:
    """The observations and a summary of what went in."""

    observations: pd.DataFrame
    n_rows: int
    n_dropped: int
    dropped_by_rule: dict[str, int]
    files: list[str]
    catalog_version: str
    variance: str
    seconds: float
    #: what was asked, as recorded in the warehouse's provenance
    options: dict[str, Any] = field(default_factory=dict)


def parse_gap(text: str | None) -> GapSpec | None:
    """Parse ``citizen=NAT`` / ``c_birth=NAT``."""
    if not text:
        return None
    dim, _, ref = text.partition("=")
    if dim not in ("citizen", "c_birth") or ref not in ("NAT",):
        raise UsageError(
            "invalid --gap", value=text, hint="Use --gap citizen=NAT or --gap c_birth=NAT"
        )
    return GapSpec(dim, ref)


def _spark_table(con: duckdb.DuckDBPyConnection, view: str, workdir: str) -> ir.Table:
    from pyspark.sql import SparkSession

    path = str(Path(workdir) / "records.parquet")
    con.execute(f"COPY (SELECT * FROM {view}) TO '{path}' (FORMAT parquet)")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("zaragoza")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session).read_parquet(path)


def estimate_files(
    paths: Sequence[str | Path],
    indicator_ids: Sequence[str],
    *,
    by: Sequence[str] = (),
    weight: str = "COEFF",
    strata: str | None = None,
    psu: str | None = None,
    lonely_psu: LonelyPSU = "fail",
    replicate_weights: str | None = None,
    replicate_method: ReplicateMethod | None = None,
    replicate_scale: float | None = None,
    replicate_rscales: Sequence[float] | None = None,
    fay_rho: float | None = None,
    gap: str | None = None,
    columns: str | Path | None = None,
    backend: Backend = "duckdb",
    catalog: Catalog | None = None,
    catalog_dirs: Sequence[str | Path] = (),
    drop_invalid: bool = False,
    rules: str | Path | None = None,
    limits: str | Path | None = None,
    alpha: float = 0.05,
    memory_limit: str | None = None,
    progress: Callable[[str], Any] | None = None,
) -> EstimateRun:
    """Read, validate and harmonise EU-LFS files, then estimate the indicators.

    ``memory_limit`` (e.g. ``"2GB"``) caps DuckDB's memory; beyond it DuckDB spills to
    temporary files, trading time for memory (by default it may use 80% of RAM).
    """
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    cat = catalog or load_catalog(catalog_dirs)
    inds = cat.select(indicator_ids)
    published = [i.id for i in inds if i.estimator != "ratio"]
    if published:
        raise CatalogError(
            f"indicator {published[0]!r} is known from published tables only",
            hint="It cannot be estimated from microdata; `zaragoza catalog show` says where "
            "Eurostat publishes it",
        )
    gap_spec = parse_gap(gap)
    if replicate_weights and not replicate_method:
        raise UsageError(
            "--replicate-weights needs --replicate-method",
            hint="one of bootstrap, jk1, jkn, brr, fay",
        )
    if replicate_method and not replicate_weights:
        raise UsageError("--replicate-method needs --replicate-weights REGEX")
    if replicate_weights and (strata or psu):
        raise UsageError("give either replicate weights or strata/PSU, not both")
    if backend not in ("duckdb", "spark"):
        raise UsageError("unknown backend", value=backend, hint="Use duckdb or spark")
    variables = frozenset().union(*(i.variables() for i in inds))
    spec = InputSpec(
        weight=weight.upper(),
        strata=strata.upper() if strata else None,
        psu=psu.upper() if psu else None,
        replicate_pattern=replicate_weights,
        variables=variables,
        regions="geo" in by,
    )
    colmap = load_column_map(columns) if columns else None
    con = duckdb.connect()
    if memory_limit:
        try:
            con.execute("SET memory_limit = ?", [memory_limit])
        except duckdb.Error:
            raise UsageError(
                "invalid --memory-limit", value=memory_limit, hint="Use a size such as 2GB or 500MB"
            ) from None
    say(f"reading {len(paths)} file(s)")
    data = open_microdata(paths, columns=colmap, con=con)
    say("validating")
    prepared = prepare_lfs(data, spec, drop_invalid=drop_invalid)
    reps = None
    if replicate_method:
        reps = Replicates.build(
            replicate_method,
            len(prepared.replicate_columns),
            scale=replicate_scale,
            rscales=replicate_rscales,
            fay_rho=fay_rho,
        )
    design = Design(strata=bool(strata), psu=bool(psu), lonely_psu=lonely_psu, replicates=reps)
    rel = load_rules(rules)
    if limits:
        rel = type(rel)(rel.surveys, load_limits(limits))
    say(
        f"estimating {len(inds)} indicator(s) on {prepared.n_rows - prepared.n_dropped:,} "
        f"records with {backend}"
    )
    with tempfile.TemporaryDirectory(prefix="zaragoza-") as tmp:
        if backend == "spark":
            records = _spark_table(con, prepared.view, tmp)
        else:
            records = ibis.duckdb.from_connection(con).table(prepared.view)
        obs = estimate(records, inds, by=by, design=design, gap=gap_spec, rules=rel, alpha=alpha)
    options = {
        "indicators": list(indicator_ids),
        "by": list(by),
        "weight": weight,
        "strata": strata,
        "psu": psu,
        "lonely_psu": lonely_psu,
        "replicate_weights": replicate_weights,
        "replicate_method": replicate_method,
        "replicate_scale": replicate_scale,
        "replicate_rscales": list(replicate_rscales) if replicate_rscales else None,
        "fay_rho": fay_rho,
        "gap": gap,
        "columns": str(columns) if columns else None,
        "drop_invalid": drop_invalid,
        "rules": str(rules) if rules else None,
        "limits": str(limits) if limits else None,
        "alpha": alpha,
    }
    return EstimateRun(
        obs,
        prepared.n_rows,
        prepared.n_dropped,
        prepared.dropped_by_rule,
        data.files,
        cat.version,
        design.variance,
        time.perf_counter() - started,
        options,
    )


def store_run(run: EstimateRun, wh: Warehouse) -> LoadResult:
    """Load an estimate's observations as ``computed``, with their provenance: the
    microdata files and their SHA-256, every option, the catalogue version."""
    return wh.load(
        run.observations,
        source="computed",
        kind="estimate",
        inputs=[describe_file(f) for f in run.files],
        options=run.options | {"variance": run.variance},
        catalog_version=run.catalog_version,
        origin="zaragoza estimate",
    )


def build_default_warehouse(
    path: str | Path, example: str | Path, *, progress: Callable[[str], Any] | None = None
) -> dict[str, LoadResult]:
    """Build the embedded default: Eurostat's bundled tables plus estimates from the
    bundled synthetic example, in a new warehouse file written atomically.

    The file is built next to ``path`` under a temporary name and renamed into place,
    so an interrupted build leaves no half-made warehouse.
    """
    from zaragoza.warehouse.loads import load_bundled_published

    say = progress or (lambda _msg: None)
    target = Path(path)
    tmp = target.with_name(f".{target.name}.building")
    tmp.unlink(missing_ok=True)
    cat = load_catalog()
    lfs = [i for i in cat if cat[i].survey == "EU-LFS"]
    results: dict[str, LoadResult] = {}
    try:
        with Warehouse(tmp) as wh:
            say("loading the bundled Eurostat tables")
            results["published"], _ = load_bundled_published(wh, cat)
            for group in ("citizen", "c_birth"):
                say(f"estimating {len(lfs)} indicators by {group} from the example")
                run = estimate_files(
                    [example],
                    lfs,
                    by=[group, "sex"],
                    gap=f"{group}=NAT",
                    strata="STRATUM",
                    psu="PSU",
                    catalog=cat,
                )
                results[f"computed by {group}"] = store_run(run, wh)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return results
