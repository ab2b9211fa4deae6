"""``zaragoza eurostat``: Eurostat's dissemination API."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zaragoza.cli.app import eurostat_app
from zaragoza.cli.common import (
    CatalogOpt,
    ListOpt,
    WarehouseOpt,
    default_cache,
    err,
    fail,
    progress,
    said_load,
    split,
)
from zaragoza.errors import UsageError, ZaragozaError

if TYPE_CHECKING:
    pass


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
    from zaragoza.catalog.loader import load_catalog
    from zaragoza.publish.files import write_table
    from zaragoza.sources.eurostat_api import EurostatClient
    from zaragoza.warehouse.published import load_mappings, to_observations
    from zaragoza.warehouse.store import Warehouse

    try:
        cat = load_catalog(catalog or [])
        filters: dict[str, list[str]] = {}
        for f in filter_ or []:
            dim, _, codes = f.partition("=")
            if not dim or not codes:
                raise UsageError("invalid --filter", value=f, hint="Use dimension=code,code")
            filters[dim.strip().lower()] = split(codes)
        if geo:
            filters["geo"] = split(geo)
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
            filters |= {k: list(maps[0].codes(k)) for k in maps[0].where}
        else:
            dataset = what.lower()
        client = EurostatClient(cache_dir=(cache or default_cache()) / "eurostat", offline=offline)
        with progress(f"fetching {dataset}"):
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
            said_load(res, warehouse)
    except ZaragozaError as exc:
        fail(exc)
