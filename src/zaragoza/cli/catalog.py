"""``zaragoza catalog``: the indicator catalogue."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from zaragoza import __version__
from zaragoza.cli.app import app, catalog_app
from zaragoza.cli.common import (
    CatalogOpt,
    fail,
)
from zaragoza.errors import ZaragozaError

if TYPE_CHECKING:
    pass


@catalog_app.command("list")
def catalog_list(catalog: CatalogOpt = None) -> None:
    """List the indicators: id, survey, area, age band, title."""
    from zaragoza.catalog.loader import load_catalog

    try:
        cat = load_catalog(catalog or [])
    except ZaragozaError as exc:
        fail(exc)
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

    from zaragoza.catalog.loader import load_catalog

    try:
        ind = load_catalog(catalog or [])[indicator]
    except ZaragozaError as exc:
        fail(exc)
        return
    data = ind.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["age_code"] = ind.age_code
    data["variables"] = sorted(ind.variables())
    typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88))


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)
