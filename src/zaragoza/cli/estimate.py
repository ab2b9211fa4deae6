"""``zaragoza estimate``: microdata in, observations out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zaragoza.cli.common import (
    CatalogOpt,
    WarehouseOpt,
    err,
    example_file,
    fail,
    progress,
    said_load,
    split,
)
from zaragoza.errors import UsageError, ZaragozaError

if TYPE_CHECKING:
    from zaragoza.pipeline import EstimateRun

from zaragoza.cli.app import app


@app.command()
def estimate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Microdata files (CSV, Parquet, SPSS, Stata, SAS). Default: the bundled "
            "synthetic example.",
            show_default=False,
        ),
    ] = None,
    indicators: Annotated[
        str | None,
        typer.Option(help="Comma-separated indicator ids. Default: every EU-LFS indicator."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            help="Breakdowns: citizen, c_birth, sex, geo (regions from REGION); PISA: mig_bg, sex."
        ),
    ] = None,
    weight: Annotated[
        str | None,
        typer.Option(help="Weight column (default: COEFF; EU-SILC: RB050, or PB040)."),
    ] = None,
    strata: Annotated[str | None, typer.Option(help="Stratum column.")] = None,
    psu: Annotated[str | None, typer.Option(help="PSU (cluster) column.")] = None,
    lonely_psu: Annotated[
        str,
        typer.Option(
            help="Strata with one PSU: fail, adjust, remove, certainty (R survey's meaning)."
        ),
    ] = "fail",
    replicate_weights: Annotated[
        str | None,
        typer.Option(help="Regular expression matching the replicate-weight columns."),
    ] = None,
    replicate_method: Annotated[
        str | None,
        typer.Option(help="bootstrap, jk1, jkn, brr or fay."),
    ] = None,
    fay_rho: Annotated[float | None, typer.Option(help="Fay's rho.")] = None,
    replicate_scale: Annotated[
        float | None,
        typer.Option(help="Override the method's variance scale."),
    ] = None,
    replicate_rscales: Annotated[
        str | None,
        typer.Option(help="Comma-separated per-replicate scales (needed for jkn)."),
    ] = None,
    gap: Annotated[
        str | None,
        typer.Option(help="Add gap rows: citizen=NAT or c_birth=NAT; PISA: mig_bg=NATIVE."),
    ] = None,
    columns: Annotated[
        Path | None,
        typer.Option(help="YAML map of EU-LFS names to your column names."),
    ] = None,
    backend: Annotated[str, typer.Option(help="duckdb or spark.")] = "duckdb",
    spark_master: Annotated[
        str | None,
        typer.Option(
            help="Spark master URL (spark://host:7077, yarn, local[4]); default: SPARK_MASTER, "
            "spark-defaults.conf, SPARK_REMOTE, else local mode."
        ),
    ] = None,
    catalog: CatalogOpt = None,
    drop_invalid: Annotated[
        bool,
        typer.Option(help="Leave invalid rows out (counted and reported) instead of refusing."),
    ] = False,
    rules: Annotated[
        Path | None,
        typer.Option(help="Reliability rules YAML (default: the bundled Eurostat rules)."),
    ] = None,
    reliability_limits: Annotated[
        Path | None,
        typer.Option(help="CSV of EU-LFS publication limits: geo,limit_a,limit_b."),
    ] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option(help="Cap DuckDB's memory, e.g. 2GB (it then spills to disk)."),
    ] = None,
    warehouse: WarehouseOpt = None,
    survey: Annotated[
        str,
        typer.Option(help="auto (from the files' columns), eu-lfs, eu-silc or pisa."),
    ] = "auto",
    bootstrap: Annotated[
        int | None,
        typer.Option(help="EU-SILC: rescaled bootstrap with N replicates (PSUs within strata)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed of --bootstrap.")] = 1,
    suppress: Annotated[
        bool,
        typer.Option(
            help="Blank confidential cells (flag c) and the cells that would reveal them "
            "(flagged c too): value, SE, interval, CV and counts."
        ),
    ] = False,
    time: Annotated[
        int | None,
        typer.Option(
            help="PISA: the year of files without CYC (with CYC, it must be the cycle's year)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Output .csv or .parquet (default: CSV on standard output)."),
    ] = None,
) -> None:
    """Estimate indicators with standard errors, CIs, CVs and reliability flags."""
    from zaragoza.catalog.loader import load_catalog
    from zaragoza.disclosure import protect
    from zaragoza.estimate.request import EstimationRequest
    from zaragoza.observations import with_synthetic
    from zaragoza.pipeline import estimate as run_estimate
    from zaragoza.pipeline import store_run
    from zaragoza.pipeline.run import design_from
    from zaragoza.publish.files import write_table
    from zaragoza.warehouse.store import Warehouse

    paths = list(files or [example_file()])
    try:
        try:
            rscales = [float(x) for x in split(replicate_rscales)] or None
        except ValueError:
            raise UsageError("--replicate-rscales takes numbers", value=replicate_rscales) from None
        design = design_from(
            weight=weight,
            strata=strata,
            psu=psu,
            lonely_psu=lonely_psu,
            replicate_weights=replicate_weights,
            replicate_method=replicate_method,
            replicate_scale=replicate_scale,
            replicate_rscales=rscales,
            fay_rho=fay_rho,
            bootstrap=bootstrap,
            seed=seed,
        )
        request = EstimationRequest.build(
            paths,
            split(indicators),
            by=split(by),
            gap=gap,
            design=design,
            survey=survey,
            columns=columns,
            backend=backend,
            spark_master=spark_master,
            drop_invalid=drop_invalid,
            rules=rules,
            limits=reliability_limits,
            memory_limit=memory_limit,
            time=time,
        )
        cat = load_catalog(catalog or [])
        with progress("starting") as say:
            run = run_estimate(request, catalog=cat, progress=say)
        obs = run.observations
        if suppress:
            # the publication rule of every output: confidential cells and the cells that
            # would let them be rebuilt (secondary suppression) blank
            obs = run.observations = protect(obs)
        # the file says itself whether its figures come from synthetic records
        written = with_synthetic(obs, bool(run.options.get("synthetic")))
        if out is not None:
            write_table(written, out)
        elif warehouse is None:
            written.to_csv(sys.stdout, index=False, float_format="%.10g")
        loaded = None
        if warehouse is not None:
            with Warehouse(warehouse) as wh:
                loaded = store_run(run, wh)
    except ZaragozaError as exc:
        fail(exc)
        return
    _summary(run, out, files is None)
    if loaded is not None:
        said_load(loaded, warehouse)


def _summary(run: EstimateRun, out: Path | None, example: bool) -> None:
    """Print what went in and what came out, on standard error."""
    obs = run.observations
    flags = obs["flag"].value_counts().to_dict()
    inputs = ", ".join(run.files)
    if example:
        inputs = f"the bundled synthetic example ({Path(run.files[0]).name}; not real data)"
    lines = [
        ("inputs", inputs),
        ("records", f"{run.n_rows:,} read, {run.n_dropped:,} dropped as invalid"),
        *(("", f"{n:,} x {rule}") for rule, n in run.dropped_by_rule.items()),
        ("indicators", f"{obs['indicator'].nunique()} (catalogue {run.catalog_version})"),
        ("cells", f"{len(obs):,} rows, {int((obs['compare_to'] != '').sum()):,} of them gaps"),
        (
            "flags",
            ", ".join(f"{k or 'none'} {v:,}" for k, v in sorted(flags.items()))
            + "  (u low reliability, c below the publication limit, : no data)",
        ),
        ("variance", run.variance),
        ("time", f"{run.seconds:.2f} s"),
    ]
    if out is not None:
        lines.append(("output", str(out)))
    lines += [("note", n) for n in run.notes]
    for key, text in lines:
        err.print(f"[bold]{key:>10}[/]  {text}", highlight=False, soft_wrap=True)
