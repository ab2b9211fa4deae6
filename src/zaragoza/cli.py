"""The ``zaragoza`` command: a thin shell over the library."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import pandas as pd
import typer
from rich.console import Console

from zaragoza import __version__
from zaragoza.catalog.loader import load_catalog
from zaragoza.compare.cli import compare_app
from zaragoza.compare.validation import compare_published
from zaragoza.errors import UsageError, ZaragozaError
from zaragoza.portal.cli import practices_app, users_app
from zaragoza.publish.files import write_table
from zaragoza.sources.eurostat_files import read_eurostat_file
from zaragoza.warehouse.loads import (
    is_observation_file,
    load_bundled_published,
    load_observation_files,
    load_published,
)
from zaragoza.warehouse.store import OBSERVATION_COLUMNS, LoadResult, Warehouse

# The engine (Ibis) is imported by the commands that estimate, not by every command:
# `zaragoza serve` starts faster without it.
if TYPE_CHECKING:
    from zaragoza.pipeline import EstimateRun

app = typer.Typer(
    help="Zaragoza: common European migrant-integration indicators from survey microdata.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = typer.Typer(help="Browse the indicator catalogue.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
warehouse_app = typer.Typer(
    help="The observation warehouse (a DuckDB file): load, list, query, export.",
    no_args_is_help=True,
)
app.add_typer(warehouse_app, name="warehouse")
app.add_typer(compare_app, name="compare")
app.add_typer(practices_app, name="practices")
app.add_typer(users_app, name="users")
err = Console(stderr=True)


def default_warehouse() -> Path:
    """``$ZARAGOZA_WAREHOUSE``, or ``zaragoza.duckdb`` in the current folder."""
    return Path(os.environ.get("ZARAGOZA_WAREHOUSE", "zaragoza.duckdb"))


WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse", help="Warehouse file (default: $ZARAGOZA_WAREHOUSE or zaragoza.duckdb)."
    ),
]
ListOpt = Annotated[str | None, typer.Option(help="Comma-separated list.")]

CatalogOpt = Annotated[
    list[Path] | None,
    typer.Option("--catalog", help="Extra folder of indicator definitions (*.yaml); repeatable."),
]


def example_file() -> Path:
    """The bundled synthetic EU-LFS example (not real data)."""
    return Path(str(resources.files("zaragoza") / "data" / "example_lfs.csv.gz"))


def _fail(exc: ZaragozaError) -> NoReturn:
    err.print(f"[bold red]error:[/] {exc.message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2)


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()] if text else []


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
        typer.Option(help="Breakdowns: citizen, c_birth, sex, geo (regions from REGION)."),
    ] = None,
    weight: Annotated[str, typer.Option(help="Weight column.")] = "COEFF",
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
        typer.Option(help="Add gap rows: citizen=NAT or c_birth=NAT."),
    ] = None,
    columns: Annotated[
        Path | None,
        typer.Option(help="YAML map of EU-LFS names to your column names."),
    ] = None,
    backend: Annotated[str, typer.Option(help="duckdb or spark.")] = "duckdb",
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
        typer.Option(help="auto (from the files' id columns), eu-lfs or eu-silc."),
    ] = "auto",
    bootstrap: Annotated[
        int | None,
        typer.Option(help="EU-SILC: rescaled bootstrap with N replicates (PSUs within strata)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed of --bootstrap.")] = 1,
    suppress: Annotated[
        bool, typer.Option(help="Blank the value of cells flagged c (below the publication limit).")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Output .csv or .parquet (default: CSV on standard output)."),
    ] = None,
) -> None:
    """Estimate indicators with standard errors, CIs, CVs and reliability flags."""
    from zaragoza.pipeline import estimate_files, estimate_silc_files, store_run
    from zaragoza.sources.readers import load_column_map
    from zaragoza.sources.silc import looks_like_silc

    paths = list(files or [example_file()])
    try:
        cat = load_catalog(catalog or [])
        if survey not in ("auto", "eu-lfs", "eu-silc"):
            raise UsageError("unknown --survey", value=survey, hint="Use auto, eu-lfs or eu-silc")
        colmap = load_column_map(columns) if columns else None
        silc = survey == "eu-silc" or (
            survey == "auto" and files is not None and looks_like_silc(paths, colmap)
        )
        if bootstrap is not None and not silc:
            raise UsageError("--bootstrap applies to EU-SILC input (--survey eu-silc)")
        ids = _split(indicators) or [i for i in cat if cat[i].survey == "EU-LFS"]
        try:
            rscales = [float(x) for x in _split(replicate_rscales)] or None
        except ValueError:
            raise UsageError("--replicate-rscales takes numbers", value=replicate_rscales) from None
        if lonely_psu not in ("fail", "adjust", "remove", "certainty"):
            raise UsageError(
                "unknown --lonely-psu",
                value=lonely_psu,
                hint="Use fail, adjust, remove or certainty",
            )
        if replicate_method not in (None, "bootstrap", "jk1", "jkn", "brr", "fay"):
            raise UsageError(
                "unknown --replicate-method",
                value=replicate_method,
                hint="Use bootstrap, jk1, jkn, brr or fay",
            )
        with err.status("starting", spinner="dots") as status:
            if silc:
                run = estimate_silc_files(
                    paths,
                    _split(indicators) or None,
                    by=_split(by),
                    strata=strata,
                    psu=psu,
                    lonely_psu=lonely_psu,  # type: ignore[arg-type]
                    replicate_weights=replicate_weights,
                    replicate_method=replicate_method,  # type: ignore[arg-type]
                    replicate_scale=replicate_scale,
                    replicate_rscales=rscales,
                    fay_rho=fay_rho,
                    bootstrap=bootstrap,
                    seed=seed,
                    gap=gap,
                    columns=columns,
                    catalog=cat,
                    drop_invalid=drop_invalid,
                    rules=rules,
                    progress=lambda msg: status.update(msg),
                )
            else:
                run = estimate_files(
                    paths,
                    ids,
                    by=_split(by),
                    weight=weight,
                    strata=strata,
                    psu=psu,
                    lonely_psu=lonely_psu,  # type: ignore[arg-type]
                    replicate_weights=replicate_weights,
                    replicate_method=replicate_method,  # type: ignore[arg-type]
                    replicate_scale=replicate_scale,
                    replicate_rscales=rscales,
                    fay_rho=fay_rho,
                    gap=gap,
                    columns=columns,
                    backend=backend,  # type: ignore[arg-type]
                    catalog=cat,
                    drop_invalid=drop_invalid,
                    rules=rules,
                    limits=reliability_limits,
                    memory_limit=memory_limit,
                    progress=lambda msg: status.update(msg),
                )
        obs = run.observations
        if suppress:
            obs.loc[obs["flag"] == "c", ["value", "se", "ci_lo", "ci_hi", "cv"]] = float("nan")
        if out is not None:
            write_table(obs, out)
        elif warehouse is None:
            obs.to_csv(sys.stdout, index=False, float_format="%.10g")
        loaded = None
        if warehouse is not None:
            with Warehouse(warehouse) as wh:
                loaded = store_run(run, wh)
    except ZaragozaError as exc:
        _fail(exc)
        return
    _summary(run, out, files is None)
    if loaded is not None:
        _said_load(loaded, warehouse)


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


def _said_load(res: LoadResult, path: Path | None) -> None:
    if res.already_loaded:
        err.print(f" warehouse  {path}: already loaded as run {res.run_id}; nothing changed")
    else:
        err.print(
            f" warehouse  {path}: run {res.run_id}, {res.added:,} rows added, "
            f"{res.replaced:,} replaced"
        )


@warehouse_app.command("load")
def warehouse_load(
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Observation files (.csv/.parquet from `zaragoza estimate` or an export), "
            "or Eurostat files (TSV bulk, SDMX-CSV, data-browser CSV).",
            show_default=False,
        ),
    ] = None,
    bundled: Annotated[
        bool, typer.Option(help="Load the real Eurostat tables bundled with Zaragoza.")
    ] = False,
    source: Annotated[
        str | None,
        typer.Option(
            help="computed or published, for every row of the observation files "
            "(default: each file's own source column)."
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(help="Eurostat dataset code, for a TSV file whose name lacks it."),
    ] = None,
    catalog: CatalogOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Load observations: computed or published tables, or Eurostat's own files."""
    path = warehouse or default_warehouse()
    if not files and not bundled:
        _fail(UsageError("nothing to load", hint="Name files, or pass --bundled"))
    try:
        cat = load_catalog(catalog or [])
        observation_files = [f for f in files or [] if is_observation_file(f)]
        eurostat = [f for f in files or [] if f not in observation_files]
        with Warehouse(path) as wh:
            for f, res in zip(
                observation_files,
                load_observation_files(wh, observation_files, source=source),
                strict=True,
            ):
                err.print(f"{f}:", highlight=False)
                _said_load(res, path)
            batches: list[tuple[str, list[Path] | None]] = []
            if bundled:
                batches.append(("the bundled Eurostat tables", None))
            if eurostat:
                batches.append((", ".join(map(str, eurostat)), eurostat))
            for label, paths in batches:
                if paths is None:
                    res, pub = load_bundled_published(wh, cat)
                else:
                    parsed = [(p, read_eurostat_file(p, dataset)) for p in paths]
                    res, pub = load_published(wh, parsed, cat)
                err.print(
                    f"{label}: {len(pub.observations):,} published observations", highlight=False
                )
                for ds, n in sorted(pub.unmapped.items()):
                    err.print(
                        f"  {n:,} rows of {ds} are no catalogue indicator (other "
                        "age bands, units or variables): not loaded",
                        highlight=False,
                    )
                _said_load(res, path)
    except ZaragozaError as exc:
        _fail(exc)


@warehouse_app.command("list")
def warehouse_list(warehouse: WarehouseOpt = None) -> None:
    """What the warehouse holds (per indicator and source) and its loads."""
    try:
        with Warehouse(warehouse or default_warehouse(), read_only=True) as wh:
            summary, runs = wh.summary(), wh.runs()
    except ZaragozaError as exc:
        _fail(exc)
        return
    typer.echo(summary.to_string(index=False) if len(summary) else "no observations")
    typer.echo("")
    cols = ["run_id", "kind", "source", "loaded_at", "rows_added", "rows_replaced"]
    typer.echo(runs[cols].to_string(index=False) if len(runs) else "no loads")


def _filtered(
    wh: Warehouse, indicator: str | None, source: str | None, geo: str | None, time: str | None
) -> pd.DataFrame:
    try:
        years = [int(t) for t in _split(time)]
    except ValueError:
        raise UsageError("--time takes years", value=time) from None
    return wh.observations(
        indicator=_split(indicator), source=_split(source), geo=_split(geo), time=years
    )


@warehouse_app.command("query")
def warehouse_query(
    sql: Annotated[
        str | None,
        typer.Option(help="Read-only SQL over the tables observations, runs, meta."),
    ] = None,
    indicator: ListOpt = None,
    source: ListOpt = None,
    geo: ListOpt = None,
    time: ListOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Print observations (filtered) or the result of a read-only SQL query, as CSV."""
    try:
        with Warehouse(warehouse or default_warehouse(), read_only=True) as wh:
            df = wh.query(sql) if sql else _filtered(wh, indicator, source, geo, time)
    except ZaragozaError as exc:
        _fail(exc)
        return
    df.to_csv(sys.stdout, index=False, float_format="%.10g")


@warehouse_app.command("export")
def warehouse_export(
    out: Annotated[Path, typer.Option(help="Output .csv or .parquet.")],
    indicator: ListOpt = None,
    source: ListOpt = None,
    geo: ListOpt = None,
    time: ListOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Write observation rows: the columns of `zaragoza estimate` plus source."""
    try:
        with Warehouse(warehouse or default_warehouse(), read_only=True) as wh:
            df = _filtered(wh, indicator, source, geo, time)
        write_table(df[[c for c in OBSERVATION_COLUMNS if c != "run_id"]], out)
    except ZaragozaError as exc:
        _fail(exc)
        return
    err.print(f"{len(df):,} rows written to {out}")


eurostat_app = typer.Typer(help="Eurostat's dissemination API.", no_args_is_help=True)
app.add_typer(eurostat_app, name="eurostat")


def default_cache() -> Path:
    """``$ZARAGOZA_CACHE``, or ``~/.cache/zaragoza``."""
    return Path(os.environ.get("ZARAGOZA_CACHE", Path.home() / ".cache" / "zaragoza"))


@eurostat_app.command("fetch")
def eurostat_fetch(
    what: Annotated[str, typer.Argument(help="A catalogue indicator id or a dataset code.")],
    geo: ListOpt = None,
    since: Annotated[int | None, typer.Option(help="First year.")] = None,
    filter_: Annotated[
        list[str] | None,
        typer.Option("--filter", help="dimension=code[,code…] (repeatable), for datasets."),
    ] = None,
    by: Annotated[str, typer.Option(help="citizen or c_birth (for an indicator).")] = "citizen",
    cache: Annotated[Path | None, typer.Option(help="Cache folder.")] = None,
    offline: Annotated[bool, typer.Option(help="Serve only from the cache.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the rows (.csv or .parquet).")] = None,
    catalog: CatalogOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Fetch a dataset, or an indicator's published table, from Eurostat.

    For an indicator the table and the filters come from the catalogue and
    ``catalog/eurostat_datasets.yaml``; with --warehouse the published observations
    are loaded (with the request and its answer's hash as provenance).
    """
    from zaragoza.sources.eurostat_api import EurostatClient
    from zaragoza.warehouse.published import load_mappings, to_observations

    try:
        cat = load_catalog(catalog or [])
        filters: dict[str, list[str]] = {}
        for f in filter_ or []:
            dim, _, codes = f.partition("=")
            if not dim or not codes:
                raise UsageError("invalid --filter", value=f, hint="Use dimension=code,code")
            filters[dim.strip().lower()] = _split(codes)
        if geo:
            filters["geo"] = _split(geo)
        maps = []
        if what in cat.indicators:
            ind = cat[what]
            dataset = getattr(ind.eurostat_tables, by, None)
            maps = [m for m in load_mappings() if m.indicator == what and m.dataset == dataset]
            if not dataset or not maps:
                raise UsageError(
                    f"no Eurostat table by {by} is known for {what}",
                    hint="See `zaragoza catalog show` and catalog/eurostat_datasets.yaml",
                )
            filters |= {k: [v] for k, v in maps[0].where.items()}
        else:
            dataset = what.lower()
        client = EurostatClient(cache_dir=(cache or default_cache()) / "eurostat", offline=offline)
        with err.status(f"fetching {dataset}", spinner="dots"):
            rows = client.fetch(dataset, filters, since)
        err.print(f"{dataset}: {len(rows):,} rows", highlight=False)
        table = rows
        if maps:
            table = to_observations(rows, cat, maps).observations.assign(source="published")
        if out is not None:
            write_table(table, out)
        elif warehouse is None:
            table.to_csv(sys.stdout, index=False, float_format="%.10g")
        if warehouse is not None:
            if not maps:
                raise UsageError("--warehouse needs an indicator id, not a dataset code")
            with Warehouse(warehouse) as wh:
                res = wh.load(
                    table.drop(columns="source"),
                    source="published",
                    kind="eurostat-api",
                    inputs=[
                        {
                            "dataset": dataset,
                            "filters": filters,
                            "since": since,
                            "sha256": hashlib.sha256(rows.to_csv().encode()).hexdigest(),
                        }
                    ],
                    options={"mapping": maps[0].model_dump()},
                    catalog_version=cat.version,
                    origin=f"Eurostat {dataset}",
                )
            _said_load(res, warehouse)
    except ZaragozaError as exc:
        _fail(exc)


geo_app = typer.Typer(
    help="NUTS region boundaries from GISCO, kept in the local cache (never shipped).",
    no_args_is_help=True,
)
app.add_typer(geo_app, name="geo")


@geo_app.command("fetch")
def geo_fetch(
    level: Annotated[int, typer.Option(help="NUTS level: 1, 2 or 3.")],
    year: Annotated[int, typer.Option(help="NUTS version (2021, 2024, ...).")] = 2021,
    scale: Annotated[str, typer.Option(help="Generalisation: 01M 03M 10M 20M 60M.")] = "20M",
    cache: Annotated[Path | None, typer.Option(help="Cache folder.")] = None,
    offline: Annotated[bool, typer.Option(help="Only check the cache.")] = False,
    refresh: Annotated[bool, typer.Option(help="Download again even when cached.")] = False,
) -> None:
    """Fetch NUTS region boundaries from GISCO into the cache ($ZARAGOZA_CACHE/gisco),
    where the portal's regional map finds them."""
    from zaragoza.sources.gisco import GiscoClient, read_cached

    try:
        folder = (cache or default_cache()) / "gisco"
        client = GiscoClient(cache_dir=folder, offline=offline)
        with err.status(f"fetching NUTS {year} level {level}", spinner="dots"):
            kept = client.fetch(level, year, scale.upper(), refresh=refresh)
        n = len(read_cached(kept)["features"])
    except ZaragozaError as exc:
        _fail(exc)
        return
    err.print(f"NUTS {year} level {level} ({scale.upper()}): {n} regions in {kept.path}")


@geo_app.command("list")
def geo_list(cache: Annotated[Path | None, typer.Option(help="Cache folder.")] = None) -> None:
    """List the NUTS boundaries in the cache."""
    from zaragoza.sources.gisco import list_cached

    found = list_cached((cache or default_cache()) / "gisco")
    if not found:
        err.print("no NUTS boundaries cached; fetch some with `zaragoza geo fetch --level 2`")
        return
    for c in found:
        size = c.path.stat().st_size / 1e6
        typer.echo(f"NUTS {c.year}\tlevel {c.level}\t{c.scale}\t{size:.1f} MB\t{c.path}")


synth_app = typer.Typer(help="Synthetic microdata (never real persons).", no_args_is_help=True)
app.add_typer(synth_app, name="synth")


SynthOut = Annotated[
    Path, typer.Option(help="Output folder (Parquet, one folder per country and year).")
]
SynthCountries = Annotated[str, typer.Option(help="Comma-separated geo codes.")]
SynthYears = Annotated[str, typer.Option(help="Comma-separated years.")]
SynthSeed = Annotated[int, typer.Option(help="Random seed (same seed, same records).")]
SynthCompression = Annotated[
    str,
    typer.Option(help="Parquet compression: snappy (fastest), zstd (smallest), lz4 or none."),
]


def _synth(
    write: Callable[..., list[Path]],
    out: Path,
    countries: str,
    years: str,
    persons: int,
    seed: int,
    calibrated: bool,
    **options: str,
) -> list[Path]:
    """Run one generator with a progress line; a usage error ends the command."""
    try:
        try:
            year_list = [int(y) for y in _split(years)]
        except ValueError:
            raise UsageError("--years takes years", value=years) from None
        with err.status("starting", spinner="dots") as status:
            return write(
                out,
                persons,
                _split(countries),
                year_list,
                seed=seed,
                calibrated=calibrated,
                progress=lambda m: status.update(m),
                **options,
            )
    except ZaragozaError as exc:
        _fail(exc)


@synth_app.command("lfs")
def synth_lfs(
    out: SynthOut,
    countries: SynthCountries = "AT,EL,SE",
    years: SynthYears = "2023",
    persons: Annotated[int, typer.Option(help="Records in all.", min=1)] = 100_000,
    seed: SynthSeed = 1,
    uncalibrated: Annotated[
        bool, typer.Option(help="Do not calibrate to the bundled Eurostat figures.")
    ] = False,
    compression: SynthCompression = "snappy",
) -> None:
    """Write synthetic EU-LFS records calibrated to Eurostat's published rates."""
    from zaragoza.sources.synthetic import write_lfs_dataset

    files = _synth(
        write_lfs_dataset,
        out,
        countries,
        years,
        persons,
        seed,
        not uncalibrated,
        compression=compression,
    )
    err.print(
        f"{persons:,} synthetic records in {len(files)} file(s) under {out}"
        + ("" if uncalibrated else " (calibrated to the bundled Eurostat rates)")
    )


@synth_app.command("silc")
def synth_silc(
    out: SynthOut,
    countries: SynthCountries = "AT,EL,SE",
    years: SynthYears = "2023",
    persons: Annotated[int, typer.Option(help="Persons in all.", min=1)] = 100_000,
    seed: SynthSeed = 1,
    uncalibrated: Annotated[
        bool, typer.Option(help="Do not calibrate to Eurostat's median incomes (ilc_di15).")
    ] = False,
    layout: Annotated[
        str,
        typer.Option(help="udb: the user database's D, H, R and P files; merged: one person file."),
    ] = "udb",
    compression: SynthCompression = "snappy",
) -> None:
    """Write synthetic EU-SILC persons in households, in the files of the user database."""
    from zaragoza.sources.synthetic_silc import write_silc_dataset

    files = _synth(
        write_silc_dataset,
        out,
        countries,
        years,
        persons,
        seed,
        not uncalibrated,
        layout=layout,
        compression=compression,
    )
    err.print(
        f"{persons:,} synthetic persons in {len(files)} file(s) under {out}"
        + ("" if uncalibrated else " (calibrated to Eurostat's median incomes)")
        + "; estimate with --strata DB050 --psu DB060"
    )


@app.command()
def init(
    warehouse: WarehouseOpt = None,
    force: Annotated[bool, typer.Option(help="Rebuild an existing warehouse.")] = False,
) -> None:
    """Build the embedded default warehouse: published tables plus example estimates."""
    from zaragoza.pipeline import build_default_warehouse

    path = warehouse or default_warehouse()
    if path.exists() and not force:
        _fail(
            UsageError(
                "the warehouse exists already", file=str(path), hint="Pass --force to rebuild it"
            )
        )
    try:
        with err.status("starting", spinner="dots") as status:
            results = build_default_warehouse(
                path, example_file(), progress=lambda m: status.update(m)
            )
    except ZaragozaError as exc:
        _fail(exc)
        return
    for what, res in results.items():
        err.print(f"{what:>20}  {res.added:,} rows added, {res.replaced:,} replaced")
    err.print(
        f"built {path} (computed figures come from synthetic records: a "
        "demonstration, not statistics)"
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    warehouse: WarehouseOpt = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: one per core).", min=1)
    ] = None,
    threads: Annotated[int, typer.Option(help="Threads per worker.", min=1)] = 8,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
) -> None:
    """Serve the monitoring portal and the open-data API (gunicorn).

    Builds the embedded default warehouse first when there is none.
    """
    from zaragoza.portal.server import prepare
    from zaragoza.portal.server import serve as run_server

    path = warehouse or default_warehouse()
    try:
        with err.status("starting", spinner="dots") as status:
            prepare(path, progress=lambda m: status.update(m))
    except ZaragozaError as exc:
        _fail(exc)
    shown = f"[{host}]" if ":" in host else host
    from zaragoza.portal.cli import first_account_hint

    hint = first_account_hint()
    if hint:
        err.print(hint, highlight=False, markup=False)
    err.print(f"serving {path} on http://{shown}:{port}/ (Ctrl-C to stop)")
    run_server(host=host, port=port, workers=workers, threads=threads, access_log=access_log)


@app.command()
def validate(
    indicator: ListOpt = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the whole report (.csv or .parquet).")
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Compare computed cells with Eurostat's published ones, cell by cell."""
    try:
        with Warehouse(warehouse or default_warehouse(), read_only=True) as wh:
            report = compare_published(wh, indicator=_split(indicator))
        if out is not None:
            write_table(report, out)
    except ZaragozaError as exc:
        _fail(exc)
        return
    compared = report[report["published"].notna()]
    outside = compared[compared["outside_ci"]]
    typer.echo(
        f"{len(report):,} computed cells are also published; "
        f"{len(report) - len(compared):,} of them without a published value"
    )
    typer.echo(
        f"{len(outside):,} of {len(compared):,} published values lie outside the "
        "computed 95% confidence interval"
    )
    if len(outside):
        cols = [
            "indicator",
            "geo",
            "time",
            "citizen",
            "c_birth",
            "sex",
            "computed",
            "se",
            "published",
            "published_flag",
            "z",
        ]
        typer.echo(
            outside.reindex(outside["z"].abs().sort_values(ascending=False).index)[cols]
            .head(20)
            .to_string(index=False)
        )


@catalog_app.command("list")
def catalog_list(catalog: CatalogOpt = None) -> None:
    """List the indicators: id, survey, area, age band, title."""
    try:
        cat = load_catalog(catalog or [])
    except ZaragozaError as exc:
        _fail(exc)
        return
    width = max(len(i) for i in cat)
    for i in cat:
        ind = cat[i]
        origin = "" if cat.origins[i] == "bundled" else f"  [{cat.origins[i]}]"
        typer.echo(f"{ind.id:<{width}}  {ind.survey:<7}  {ind.age_code:<7}  {ind.title}{origin}")


@catalog_app.command("show")
def catalog_show(indicator: str, catalog: CatalogOpt = None) -> None:
    """Show one indicator's full definition (as YAML)."""
    import yaml

    try:
        ind = load_catalog(catalog or [])[indicator]
    except ZaragozaError as exc:
        _fail(exc)
        return
    data = ind.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["age_code"] = ind.age_code
    data["variables"] = sorted(ind.variables())
    typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88))


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)
