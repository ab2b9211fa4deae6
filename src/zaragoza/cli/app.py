"""The command and its groups; each command lives in the module of its group."""

from __future__ import annotations

from typing import Any

import typer

__all__ = [
    "app", "catalog_app", "command_group", "eurostat_app", "geo_app", "synth_app", "warehouse_app",
]  # fmt: skip


def command_group(**options: Any) -> typer.Typer:
    """A command or group of commands. Help texts are read as Markdown, so that a
    docstring's wrapped lines join into one paragraph in ``--help``."""
    return typer.Typer(rich_markup_mode="markdown", **options)


app = command_group(
    help="Zaragoza: common European migrant-integration indicators from survey microdata.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = command_group(help="Browse the indicator catalogue.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
warehouse_app = command_group(
    help="The observation warehouse (a DuckDB file): load, list, query, export.",
    no_args_is_help=True,
)
app.add_typer(warehouse_app, name="warehouse")
eurostat_app = command_group(help="Eurostat's dissemination API.", no_args_is_help=True)
app.add_typer(eurostat_app, name="eurostat")
geo_app = command_group(
    help="NUTS region boundaries from GISCO, kept in the local cache (never shipped).",
    no_args_is_help=True,
)
app.add_typer(geo_app, name="geo")
synth_app = command_group(help="Synthetic microdata (never real persons).", no_args_is_help=True)
app.add_typer(synth_app, name="synth")
