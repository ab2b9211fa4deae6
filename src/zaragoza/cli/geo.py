"""``zaragoza geo``: NUTS boundaries from GISCO in the local cache."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zaragoza.cli.app import geo_app
from zaragoza.cli.common import (
    default_cache,
    err,
    fail,
    progress,
)
from zaragoza.errors import ZaragozaError


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
        with progress(f"fetching NUTS {year} level {level}"):
            kept = client.fetch(level, year, scale.upper(), refresh=refresh)
        n = len(read_cached(kept)["features"])
    except ZaragozaError as exc:
        fail(exc)
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
