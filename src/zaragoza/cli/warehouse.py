"""``zaragoza warehouse``: load, compact, list, query, export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zaragoza.cli.app import warehouse_app
from zaragoza.cli.common import (
    CatalogOpt,
    ListOpt,
    WarehouseOpt,
    default_warehouse,
    err,
    fail,
    said_load,
    split,
)
from zaragoza.errors import UsageError, ZaragozaError

if TYPE_CHECKING:
    import pandas as pd

    from zaragoza.warehouse.store import LoadResult, Warehouse


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
    force: Annotated[
        bool,
        typer.Option(help="Load again a file whose cells later loads have replaced."),
    ] = False,
    synthetic: Annotated[
        bool | None,
        typer.Option(
            "--synthetic/--not-synthetic",
            help="Whether the observation files' figures come from synthetic records, "
            "for files without a synthetic column (required for them; --synthetic marks "
            "every row of every file).",
        ),
    ] = None,
    catalog: CatalogOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Load observations: computed or published tables, or Eurostat's own files.

    Everything named in one command is one transaction: if any file fails, nothing of
    the command is kept.
    """
    from zaragoza.catalog.loader import load_catalog
    from zaragoza.sources.eurostat_files import read_eurostat_file
    from zaragoza.warehouse.loads import (
        is_observation_file,
        load_bundled_published,
        load_observation_files,
        load_published,
    )
    from zaragoza.warehouse.store import Warehouse

    path = warehouse or default_warehouse()
    if not files and not bundled:
        fail(UsageError("nothing to load", hint="Name files, or pass --bundled"))
    said: list[tuple[str, LoadResult]] = []
    notes: list[str] = []
    try:
        cat = load_catalog(catalog or [])
        observation_files = [f for f in files or [] if is_observation_file(f)]
        eurostat = [f for f in files or [] if f not in observation_files]
        if synthetic is not None and not observation_files:
            raise UsageError(
                "--synthetic and --not-synthetic declare observation files, and none is "
                "named (Eurostat's own files and the bundled tables are published figures)",
                hint="Name a file of estimates, or leave the declaration out",
            )
        with Warehouse(path) as wh, wh.transaction():
            loaded = load_observation_files(
                wh, observation_files, source=source, force=force, synthetic=synthetic
            )
            said += [(f"{label}:", res) for label, res in loaded]
            batches: list[tuple[str, list[Path] | None]] = []
            if bundled:
                batches.append(("the bundled Eurostat tables", None))
            if eurostat:
                batches.append((", ".join(map(str, eurostat)), eurostat))
            for label, paths in batches:
                if paths is None:
                    res, pub = load_bundled_published(wh, cat, force=force)
                else:
                    parsed = [(p, read_eurostat_file(p, dataset)) for p in paths]
                    res, pub = load_published(wh, parsed, cat, force=force)
                notes = [
                    f"  {n:,} rows of {ds} are no catalogue indicator (other "
                    "age bands, units or variables): not loaded"
                    for ds, n in sorted(pub.unmapped.items())
                ]
                said.append((f"{label}: {len(pub.observations):,} published observations", res))
    except ZaragozaError as exc:
        fail(exc)
    for label, res in said:
        err.print(label, highlight=False)
        said_load(res, path)
    for note in notes:
        err.print(note, highlight=False)
    if len(said) > 1:
        added = sum(r.added for _, r in said)
        replaced = sum(r.replaced for _, r in said)
        err.print(
            f"{len(said)} loads in one transaction: {added:,} rows added, {replaced:,} replaced"
        )


@warehouse_app.command("compact")
def warehouse_compact(warehouse: WarehouseOpt = None) -> None:
    """Give back the space a failed or killed load left in the file."""
    from zaragoza.warehouse.store import Warehouse

    path = warehouse or default_warehouse()
    if not path.exists():
        fail(UsageError("warehouse not found", file=str(path)))
    try:
        with Warehouse(path) as wh:
            before, after = wh.compact()
    except ZaragozaError as exc:
        fail(exc)
    err.print(f"{path}: {before / 1e6:,.1f} MB -> {after / 1e6:,.1f} MB")


@warehouse_app.command("list")
def warehouse_list(warehouse: WarehouseOpt = None) -> None:
    """What the warehouse holds (per indicator and source) and its loads."""
    from zaragoza.warehouse.store import Warehouse

    try:
        with Warehouse(warehouse or default_warehouse(), read_only=True) as wh:
            summary, runs = wh.summary(), wh.runs()
    except ZaragozaError as exc:
        fail(exc)
        return
    typer.echo(summary.to_string(index=False) if len(summary) else "no observations")
    typer.echo("")
    cols = ["run_id", "kind", "source", "loaded_at", "rows_added", "rows_replaced"]
    typer.echo(runs[cols].to_string(index=False) if len(runs) else "no loads")


def _filtered(
    wh: Warehouse, indicator: str | None, source: str | None, geo: str | None, time: str | None
) -> pd.DataFrame:
    try:
        years = [int(t) for t in split(time)]
    except ValueError:
        raise UsageError("--time takes years", value=time) from None
    return wh.observations(
        indicator=split(indicator), source=split(source), geo=split(geo), time=years
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
    from zaragoza.warehouse.store import Warehouse

    try:
        with Warehouse(warehouse or default_warehouse(), read_only=True) as wh:
            df = wh.query(sql) if sql else _filtered(wh, indicator, source, geo, time)
    except ZaragozaError as exc:
        fail(exc)
        return
    df.to_csv(sys.stdout, index=False, float_format="%.10g")


@warehouse_app.command("export")
def warehouse_export(
    out: Annotated[Path, typer.Option(help="Output .csv or .parquet.")],
    indicator: ListOpt = None,
    source: ListOpt = None,
    geo: ListOpt = None,
    time: ListOpt = None,
    suppress: Annotated[
        bool,
        typer.Option(
            help="Publish as the portal does: confidential cells and those that would reveal "
            "them blank (flag c)."
        ),
    ] = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Write observation rows: the columns of `zaragoza estimate`, source and synthetic.

    Without --suppress the export holds every value the warehouse holds (to move or back
    up a warehouse); with it, what the portal publishes.
    """
    from zaragoza.observations import PUBLISHED_COLUMNS
    from zaragoza.publish.files import write_table
    from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader
    from zaragoza.warehouse.store import Warehouse

    try:
        path = warehouse or default_warehouse()
        if suppress:
            try:
                years = tuple(int(t) for t in split(time))
            except ValueError:
                raise UsageError("--time takes years", value=time) from None
            df = WarehouseReader(path).observations(
                ObservationFilter(
                    indicator=tuple(split(indicator)),
                    source=tuple(split(source)),
                    geo=tuple(split(geo)),
                    time=years,
                    compare_to=(),
                )
            )
            write_table(df[PUBLISHED_COLUMNS], out)
            err.print(f"{len(df):,} rows written to {out} (confidential cells blank)")
            return
        with Warehouse(path, read_only=True) as wh:
            df = _filtered(wh, indicator, source, geo, time)
        # a move or back-up keeps saying which figures come from synthetic records
        synthetic = WarehouseReader(path).synthetic_runs()
        df["synthetic"] = df["run_id"].isin(synthetic)
        write_table(df[PUBLISHED_COLUMNS], out)
    except ZaragozaError as exc:
        fail(exc)
        return
    err.print(f"{len(df):,} rows written to {out}")
