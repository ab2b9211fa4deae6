"""``zaragoza benchmarks …``: local benchmarks from the command line, on the portal's
Django database (``DATABASE_URL``, or the SQLite file beside the warehouse).

``export`` writes the scores of a published round (the API's rows) as CSV or Excel;
``example`` loads the example round ("example — not real cities") as ``serve`` does.
Thin: Django and the portal are imported only when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zaragoza.cli.app import app, command_group
from zaragoza.cli.common import fail
from zaragoza.errors import UsageError, ZaragozaError

__all__ = ["benchmarks_app"]

benchmarks_app = command_group(
    help="Local integration policy benchmarks: rounds, scores, the example round.",
    no_args_is_help=True,
)
FORMATS = {".csv": "csv", ".xlsx": "xlsx"}
WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        help="Warehouse file whose portal database to use (default: $ZARAGOZA_WAREHOUSE or "
        "zaragoza.duckdb; DATABASE_URL overrides the database).",
    ),
]


@benchmarks_app.command("export")
def export(
    round_slug: Annotated[str, typer.Option("--round", help="The round's id (its slug).")],
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv or .xlsx.")],
    warehouse: WarehouseOpt = None,
) -> None:
    """Write the scores of a published round's published assessments (one row per
    entity and node, with the range under missing answers) as CSV or Excel."""
    try:
        fmt = FORMATS.get(out.suffix.lower())
        if fmt is None:
            raise UsageError(
                "unknown output format", value=out.name, hint="Name a .csv or .xlsx file"
            )
        from zaragoza.cli.knowledge import _django

        _django(warehouse)
        from zaragoza.portal.benchmarks.export import export_round

        n = export_round(round_slug, out, fmt)
    except ZaragozaError as exc:
        fail(exc)
    typer.echo(f"{n} rows written to {out}")


@benchmarks_app.command("example")
def example(warehouse: WarehouseOpt = None) -> None:
    """Load the example round of the intercultural-city index (invented cities,
    labelled "example — not real cities") if it is not there yet."""
    try:
        from zaragoza.cli.knowledge import _django

        _django(warehouse)
        from zaragoza.portal.benchmarks.example import seed_example

        made = seed_example()
    except ZaragozaError as exc:
        fail(exc)
    typer.echo(f"{made} example round(s) loaded (example — not real cities)")


app.add_typer(benchmarks_app, name="benchmarks")
