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
import numpy as np
import pandas as pd

from zaragoza.catalog.loader import Catalog, load_catalog
from zaragoza.catalog.schema import AgeBand, AnyOf, Condition, Indicator, Population
from zaragoza.errors import CatalogError, UsageError
from zaragoza.estimate.design import Design, LonelyPSU, ReplicateMethod, Replicates
from zaragoza.estimate.domains import dimensions_for
from zaragoza.estimate.engine import estimate, finish
from zaragoza.estimate.flags import load_limits, load_rules
from zaragoza.estimate.inequality.columns import (
    input_variables,
    record_columns,
    with_poverty_status,
)
from zaragoza.estimate.inequality.engine import SilcRecords, cell_statistics, national_thresholds
from zaragoza.estimate.totals import GapSpec
from zaragoza.sources.lfs import InputSpec, prepare_lfs
from zaragoza.sources.readers import load_column_map, open_microdata, read_errors
from zaragoza.sources.silc import SilcSpec, prepare_silc, silc_input_columns
from zaragoza.warehouse.loads import describe_file
from zaragoza.warehouse.store import LoadResult, Warehouse

__all__ = [
    "EstimateRun",
    "build_default_warehouse",
    "estimate_files",
    "estimate_silc_files",
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
    #: what the user should know about the estimates (e.g. a threshold not Eurostat's)
    notes: list[str] = field(default_factory=list)


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
        # Spark would otherwise make a spark-warehouse folder in the user's directory.
        .config("spark.sql.warehouse.dir", str(Path(workdir) / "spark-warehouse"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session).read_parquet(path)


def _check_replicate_options(weights: str | None, method: ReplicateMethod | None) -> None:
    """Replicate weights and their method come together or not at all."""
    if weights and not method:
        raise UsageError(
            "--replicate-weights needs --replicate-method",
            hint="one of bootstrap, jk1, jkn, brr, fay",
        )
    if method and not weights:
        raise UsageError("--replicate-method needs --replicate-weights REGEX")


def _replicates(
    method: ReplicateMethod | None,
    columns: int,
    scale: float | None,
    rscales: Sequence[float] | None,
    fay_rho: float | None,
) -> Replicates | None:
    """The replicate-weight scheme of a run, or None for linearisation."""
    if not method:
        return None
    return Replicates.build(method, columns, scale=scale, rscales=rscales, fay_rho=fay_rho)


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
    if inds and all(i.survey == "EU-SILC" for i in inds):
        return estimate_silc_files(
            paths,
            indicator_ids,
            by=by,
            strata=strata,
            psu=psu,
            lonely_psu=lonely_psu,
            replicate_weights=replicate_weights,
            replicate_method=replicate_method,
            replicate_scale=replicate_scale,
            replicate_rscales=replicate_rscales,
            fay_rho=fay_rho,
            gap=gap,
            columns=columns,
            catalog=cat,
            drop_invalid=drop_invalid,
            rules=rules,
            alpha=alpha,
            progress=progress,
        )
    silc = [i.id for i in inds if i.survey == "EU-SILC" and i.estimator != "published"]
    if silc:
        raise UsageError(
            f"indicator {silc[0]!r} is an EU-SILC indicator",
            hint="Estimate EU-SILC and EU-LFS indicators in separate runs, each on its "
            "own survey's files",
        )
    published = [i.id for i in inds if i.estimator != "ratio"]
    if published:
        raise CatalogError(
            f"indicator {published[0]!r} is known from published tables only",
            hint="It cannot be estimated from microdata; `zaragoza catalog show` says where "
            "Eurostat publishes it",
        )
    gap_spec = parse_gap(gap)
    _check_replicate_options(replicate_weights, replicate_method)
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
    with read_errors(data.files):
        prepared = prepare_lfs(data, spec, drop_invalid=drop_invalid)
    reps = _replicates(
        replicate_method,
        len(prepared.replicate_columns),
        replicate_scale,
        replicate_rscales,
        fay_rho,
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
        with read_errors(data.files):
            obs = estimate(
                records, inds, by=by, design=design, gap=gap_spec, rules=rel, alpha=alpha
            )
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


def estimate_silc_files(
    paths: Sequence[str | Path],
    indicator_ids: Sequence[str] | None,
    *,
    by: Sequence[str] = (),
    strata: str | None = None,
    psu: str | None = None,
    lonely_psu: LonelyPSU = "fail",
    replicate_weights: str | None = None,
    replicate_method: ReplicateMethod | None = None,
    replicate_scale: float | None = None,
    replicate_rscales: Sequence[float] | None = None,
    fay_rho: float | None = None,
    bootstrap: int | None = None,
    seed: int = 1,
    gap: str | None = None,
    columns: str | Path | None = None,
    catalog: Catalog | None = None,
    catalog_dirs: Sequence[str | Path] = (),
    drop_invalid: bool = False,
    rules: str | Path | None = None,
    alpha: float = 0.05,
    progress: Callable[[str], Any] | None = None,
) -> EstimateRun:
    """Read, link and validate EU-SILC files, then estimate EU-SILC indicators.

    ``indicator_ids`` None: every EU-SILC indicator the input has the variables for
    (the others are named in the notes). Without ``psu`` the household is the PSU.
    ``bootstrap`` N: rescaled bootstrap by PSU within strata, N replicates from ``seed``.
    """
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    cat = catalog or load_catalog(catalog_dirs)
    chosen = (
        cat.select(indicator_ids)
        if indicator_ids
        else [cat[i] for i in cat if cat[i].survey == "EU-SILC" and cat[i].estimator != "published"]
    )
    gap_spec = parse_gap(gap)
    bad = [i.id for i in chosen if i.survey != "EU-SILC" or i.estimator == "published"]
    if bad:
        raise UsageError(
            f"indicator {bad[0]!r} cannot be estimated from EU-SILC microdata",
            hint="EU-SILC input takes EU-SILC indicators that are not published-only",
        )
    if bootstrap is not None and (replicate_weights or bootstrap < 2):
        raise UsageError(
            "--bootstrap takes a number of replicates of 2 or more, without --replicate-weights"
        )
    _check_replicate_options(replicate_weights, replicate_method)
    colmap = load_column_map(columns) if columns else None
    have = silc_input_columns(paths, colmap)
    inds, partial, notes = _available(chosen, have, skip=not indicator_ids)
    if not inds:
        raise UsageError(
            "no EU-SILC indicator can be estimated from this input", hint="; ".join(notes)
        )
    variables = frozenset().union(*(i.variables() for i in inds))
    spec = SilcSpec(
        strata=strata.upper() if strata else None,
        psu=psu.upper() if psu else None,
        variables=variables,
        regions="geo" in by,
        replicate_pattern=replicate_weights,
    )
    con = duckdb.connect()
    say(f"reading {len(paths)} file(s)")
    with read_errors([str(p) for p in paths]):
        prep = prepare_silc(paths, spec, columns=colmap, con=con, drop_invalid=drop_invalid)
    reps = _replicates(
        replicate_method, len(prep.replicate_columns), replicate_scale, replicate_rscales, fay_rho
    )
    design = Design(strata=bool(strata), psu=True, lonely_psu=lonely_psu, replicates=reps)
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
    boot = (bootstrap, seed) if bootstrap is not None else None
    cells = cell_statistics(recs, inds, by=by, design=design, bootstrap=boot, gap=gap_spec)
    cells["Y"] = np.nan
    cells["X"] = np.nan
    rel = load_rules(rules)
    dims = dimensions_for(by)
    if gap_spec is not None and gap_spec.dimension not in {d.name for d in dims}:
        dims = dimensions_for([*by, gap_spec.dimension])
    obs = finish(cells, inds, dims, rel, alpha, gap_spec)
    if partial:
        d = obs["indicator"].isin(partial) & (obs["flag"] != ":")
        obs.loc[d, "flag"] = obs.loc[d, "flag"] + "d"
    variance = (
        f"replicate:bootstrap ({bootstrap} replicates, seed {seed})"
        if bootstrap is not None
        else design.variance
    )
    options = {
        "survey": "EU-SILC",
        "indicators": list(indicator_ids or [i.id for i in inds]),
        "by": list(by),
        "strata": strata,
        "psu": psu or "household",
        "lonely_psu": lonely_psu,
        "replicate_weights": replicate_weights,
        "replicate_method": replicate_method,
        "bootstrap": bootstrap,
        "seed": seed if bootstrap is not None else None,
        "gap": gap,
        "columns": str(columns) if columns else None,
        "drop_invalid": drop_invalid,
        "rules": str(rules) if rules else None,
        "alpha": alpha,
    }
    return EstimateRun(
        obs,
        prep.n_rows,
        prep.n_dropped,
        prep.dropped_by_rule,
        prep.files,
        cat.version,
        variance,
        time.perf_counter() - started,
        options,
        [*prep.notes, *notes],
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
    path: str | Path,
    example: str | Path,
    *,
    silc_example: str | Path | bool = True,
    progress: Callable[[str], Any] | None = None,
) -> dict[str, LoadResult]:
    """Build the embedded default: Eurostat's bundled tables plus estimates from the
    bundled synthetic examples, in a new warehouse file written atomically.

    ``example`` is the EU-LFS example; ``silc_example`` the EU-SILC one (True: the
    bundled ``example_silc.csv.gz``; False: none), whose EU-SILC indicators are
    estimated by citizenship and by country of birth, with sex and the gaps to
    nationals, from its strata ``DB050`` and PSUs ``DB060``. The file is built next to
    ``path`` under a temporary name and renamed into place, so an interrupted build
    leaves no half-made warehouse.
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
            # (label, estimator, example file, indicators, strata and PSU columns)
            jobs: list[tuple[str, Callable[..., Any], Path, Any, str, str]] = [
                ("computed", estimate_files, Path(example), lfs, "STRATUM", "PSU")
            ]
            if silc_example is not False:
                silc_file = _bundled_silc_example() if silc_example is True else silc_example
                jobs.append(
                    ("EU-SILC", estimate_silc_files, Path(silc_file), None, "DB050", "DB060")
                )
            for label, estimator, file, ids, strata, psu in jobs:
                for group in ("citizen", "c_birth"):
                    say(f"estimating the {label} indicators by {group} from the example")
                    run = estimator(
                        [file],
                        ids,
                        by=[group, "sex"],
                        gap=f"{group}=NAT",
                        strata=strata,
                        psu=psu,
                        catalog=cat,
                    )
                    results[f"{label} by {group}"] = store_run(run, wh)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return results


def _bundled_silc_example() -> Path:
    """The bundled synthetic EU-SILC example (not real data)."""
    from importlib import resources

    return Path(str(resources.files("zaragoza") / "data" / "example_silc.csv.gz"))
