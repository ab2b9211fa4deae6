"""``zaragoza init``, ``serve`` and ``validate``: the embedded default and the portal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zaragoza.cli.app import app
from zaragoza.cli.common import (
    ListOpt,
    WarehouseOpt,
    default_warehouse,
    err,
    example_file,
    fail,
    progress,
    split,
)
from zaragoza.errors import UsageError, ZaragozaError

if TYPE_CHECKING:
    from concurrent.futures import Executor


@app.command()
def init(
    warehouse: WarehouseOpt = None,
    force: Annotated[bool, typer.Option(help="Rebuild an existing warehouse.")] = False,
    example_profiles: Annotated[
        bool,
        typer.Option(
            help="Put synthetic skills profiles in the portal's database (once), so that "
            "`zaragoza profiles aggregate` has something to count."
        ),
    ] = True,
) -> None:
    """Build the embedded default warehouse: published tables plus example estimates, and
    synthetic skills profiles of an example organisation in the portal's database."""
    from zaragoza.pipeline import build_default_warehouse

    path = warehouse or default_warehouse()
    if path.exists() and not force:
        fail(
            UsageError(
                "the warehouse exists already", file=str(path), hint="Pass --force to rebuild it"
            )
        )
    # The synthetic skills profiles go into the portal's database in a process of their
    # own while the warehouse is built (Django's migrations and the sealing of 300
    # profiles take seconds; the build leaves a core idle part of the time).
    examples = _examples_pool() if example_profiles else None
    pending = examples.submit(_example_profiles_job, str(path)) if examples else None
    try:
        with progress(f"building {path}") as say:
            results = build_default_warehouse(path, example_file(), progress=say)
    except ZaragozaError as exc:
        if examples:
            examples.shutdown(cancel_futures=True)
        fail(exc)
        return
    for what, res in results.items():
        err.print(f"{what:>20}  {res.added:,} rows added, {res.replaced:,} replaced")
    if examples and pending:
        with examples:
            _report_example_profiles(pending.result())
    err.print(
        f"built {path} (computed figures come from synthetic records: a "
        "demonstration, not statistics)"
    )


def _examples_pool() -> Executor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn: never a fork of a process holding DuckDB's threads
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))


def _example_profiles_job(path: str) -> int | str:
    """Put the synthetic skills profiles of the example organisation in the portal's
    database beside ``path`` (or ``DATABASE_URL``), once; return how many were added,
    or the message of a bad ZARAGOZA_PROFILE_KEYS."""
    import os

    from zaragoza.cli.knowledge import _django

    # below the build's priority: this process uses the cores the build leaves idle
    if hasattr(os, "nice"):
        os.nice(10)

    _django(Path(path))
    from django.core.exceptions import ImproperlyConfigured

    from zaragoza.portal.skills.services import put_examples

    try:
        return put_examples()
    except ImproperlyConfigured as exc:  # names the setting, never a key
        return str(exc)


def _report_example_profiles(added: int | str) -> None:
    from zaragoza.skills.synthetic import EXAMPLE_ORGANISATION

    if isinstance(added, str):
        fail(UsageError(added))
    if added:
        err.print(
            f'{"skills profiles":>20}  {added} synthetic profiles ("Synthetic person N") '
            f"of the example organisation {EXAMPLE_ORGANISATION}",
            highlight=False,
        )
    else:
        err.print(
            f"{'skills profiles':>20}  the example organisation {EXAMPLE_ORGANISATION} "
            "holds profiles already: left as they are",
            highlight=False,
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
        with progress("starting") as say:
            prepare(path, progress=say)
    except ZaragozaError as exc:
        fail(exc)
    shown = f"[{host}]" if ":" in host else host
    from zaragoza.cli.knowledge import first_account_hint

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
    from zaragoza.compare.validation import compare_published
    from zaragoza.publish.files import write_table
    from zaragoza.warehouse.store import Warehouse

    try:
        with Warehouse(warehouse or default_warehouse(), read_only=True) as wh:
            report = compare_published(wh, indicator=split(indicator))
        if out is not None:
            write_table(report, out)
    except ZaragozaError as exc:
        fail(exc)
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
