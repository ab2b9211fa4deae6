"""The command and its groups; each command lives in the module of its group."""

from __future__ import annotations

import typer

__all__ = ["app", "catalog_app", "eurostat_app", "geo_app", "synth_app", "warehouse_app"]

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
eurostat_app = typer.Typer(help="Eurostat's dissemination API.", no_args_is_help=True)
app.add_typer(eurostat_app, name="eurostat")
geo_app = typer.Typer(
    help="NUTS region boundaries from GISCO, kept in the local cache (never shipped).",
    no_args_is_help=True,
)
app.add_typer(geo_app, name="geo")
synth_app = typer.Typer(help="Synthetic microdata (never real persons).", no_args_is_help=True)
app.add_typer(synth_app, name="synth")
