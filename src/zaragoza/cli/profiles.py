"""``zaragoza profiles …``: the skills profiles of the portal, from the command line.

Thin: each command calls the portal's skills services or the library's aggregation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zaragoza.cli.app import app, command_group
from zaragoza.cli.knowledge import WarehouseOpt, _django, _fail
from zaragoza.errors import UsageError, ZaragozaError
from zaragoza.observations import confidential

__all__ = ["profiles_app"]

profiles_app = command_group(
    help="Skills profiles: aggregates for the monitoring, retention, key rotation.",
    no_args_is_help=True,
)


@profiles_app.command("aggregate")
def aggregate(
    by: Annotated[
        str, typer.Option(help="Breakdowns, comma-separated: citizen, sex, arrival.")
    ] = "citizen,sex",
    threshold: Annotated[
        int, typer.Option(help="Fewest persons a published cell may hold (3 or more).")
    ] = 10,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Also write the cells as CSV to this file ('-': standard output). Without "
            "loading, the CSV goes to standard output unless a file is given.",
        ),
    ] = None,
    load: Annotated[
        bool | None,
        typer.Option(
            "--load/--no-load",
            help="Load the cells into the warehouse as source = profiles (default: yes "
            "for the portal's profiles; with --example only when --warehouse is given).",
        ),
    ] = None,
    example: Annotated[
        int | None,
        typer.Option(help="Aggregate this many synthetic profiles instead (no database)."),
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Counts and shares of the profiles whose persons consent to statistics, with
    disclosure control (cells under the threshold and those that would reveal them
    blank, flag c), loaded into the warehouse as observations with source = profiles
    (replacing the previous ones), never individual data. The column ``synthetic`` of
    the CSV, and the load's provenance, say whether synthetic profiles were counted
    (--example, or the examples ``zaragoza init`` and ``zaragoza profiles example`` put
    in place). The warehouse holds the cells of all periods of arrival; the CSV also
    those by period (--by arrival)."""
    from zaragoza.settings import warehouse_path
    from zaragoza.skills.aggregate import aggregate as run
    from zaragoza.skills.aggregate import observations

    chosen = [b.strip() for b in by.split(",") if b.strip()]
    try:
        if load is None:
            load = example is None or warehouse is not None
        if example is not None and load and warehouse is None:
            raise UsageError(
                "--example --load needs --warehouse: synthetic profiles are loaded only "
                "into a warehouse named on purpose",
                hint="Add --warehouse FILE, or leave --load out to write CSV only",
            )
        if not load and warehouse is not None and example is not None:
            raise UsageError(
                "--no-load with --example and --warehouse: nothing reads the warehouse",
                hint="Leave --warehouse out to write CSV only, or --no-load out to load",
            )
        if example is not None:
            from zaragoza.skills.synthetic import synthetic_profiles

            if example < 1:
                raise UsageError("--example is a number of profiles, 1 or more", value=example)
            records = synthetic_profiles(example)
            invented = example
        else:
            _django(warehouse)
            from zaragoza.portal.skills.crypto import LostKeyError
            from zaragoza.portal.skills.services import counted_with_origin

            try:
                origins = counted_with_origin()
            except LostKeyError as exc:  # names the setting, never a person
                raise UsageError(str(exc)) from None
            records = [record for record, _ in origins]
            invented = sum(made_up for _, made_up in origins)
        # any synthetic profile counted makes the figures a demonstration
        synthetic = invented > 0
        if invented:
            typer.echo(
                f"{invented} of the {len(records)} profiles counted are synthetic: "
                "the figures are a demonstration, not statistics",
                err=True,
            )
        if load:
            from zaragoza.warehouse.loads import load_profiles
            from zaragoza.warehouse.store import Warehouse

            target = warehouse or warehouse_path()
            with Warehouse(target) as wh:
                # cells that differ from an earlier snapshot's by a handful of persons
                # are hidden too: the two downloads would reveal them by subtraction
                earlier = wh.published_profiles()
                if len(earlier):
                    typer.echo(
                        f"compared with {len(earlier)} counts published before: a cell "
                        f"within 1 to {threshold - 1} persons of one of them is hidden",
                        err=True,
                    )
                cells = run(records, by=chosen, threshold=threshold, earlier=earlier).assign(
                    synthetic=synthetic
                )
                rows = observations(cells)
                typer.echo(f"loading {len(rows)} profiles cells into {target}", err=True)
                done = load_profiles(
                    wh, rows, by=chosen, threshold=threshold,
                    profiles=len(records), synthetic_profiles=invented,
                )  # fmt: skip
        else:
            cells = run(records, by=chosen, threshold=threshold).assign(synthetic=synthetic)
    except ZaragozaError as exc:
        _fail(exc)
    text = cells.to_csv(index=False)
    if output is not None and str(output) != "-":
        output.write_text(text, encoding="utf-8")
        typer.echo(f"{len(cells)} cells written to {output}", err=True)
    elif output is not None or not load:
        typer.echo(text, nl=False)
    if load:
        hidden = int(confidential(rows["flag"]).sum())
        what = (
            f"already in {target} as run {done.run_id}: nothing changed"
            if done.already_loaded
            else f"{len(rows)} profiles cells loaded into {target} as run {done.run_id} "
            f"({done.added} added, {done.replaced} replaced, {done.removed} of the previous "
            f"snapshot removed; {hidden} confidential, blank)"
        )
        # on standard error when the CSV goes to standard output
        on_stdout = output is not None and str(output) == "-"
        typer.echo(what + (" - synthetic profiles counted" if synthetic else ""), err=on_stdout)


@profiles_app.command("example")
def example_profiles(
    organisation: Annotated[str, typer.Option(help="Organisation the examples belong to.")],
    count: Annotated[int, typer.Option(help="How many synthetic profiles.")] = 300,
    warehouse: WarehouseOpt = None,
) -> None:
    """Add synthetic profiles ("Synthetic person N", invented: they describe nobody) to an
    organisation, consenting to statistics, so that pages and aggregates can be seen."""
    try:
        if count < 1:
            raise UsageError("--count is a number of profiles, 1 or more", value=count)
        _django(warehouse)
        from zaragoza.portal.skills.services import create
        from zaragoza.skills.synthetic import synthetic_profiles

        for record in synthetic_profiles(count):
            create(
                organisation,
                record,
                {"counsellor": "en", "person": "en"},
                True,
                None,
                synthetic=True,
            )
    except ZaragozaError as exc:
        _fail(exc)
    typer.echo(f"{count} synthetic profiles added to {organisation}")


@profiles_app.command("retention")
def retention(
    organisation: Annotated[str, typer.Option(help="The organisation whose period to set.")],
    days: Annotated[
        int, typer.Option(help="Retention period: profiles unchanged this many days are erased.")
    ],
    warehouse: WarehouseOpt = None,
) -> None:
    """Set an organisation's retention period (what ``purge`` and the server's daily purge
    use for its profiles)."""
    try:
        _django(warehouse)
        from zaragoza.portal.skills.services import set_retention

        set_retention(organisation, days)
    except ZaragozaError as exc:
        _fail(exc)
    typer.echo(f"profiles of {organisation} are kept {days} days after their last change")


@profiles_app.command("purge")
def purge(
    older_than_days: Annotated[
        int | None,
        typer.Option(
            help="Erase profiles unchanged for this many days, whatever their organisation's "
            "period (default: each organisation's own retention period)."
        ),
    ] = None,
    organisation: Annotated[
        str | None, typer.Option(help="Only this organisation's profiles.")
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Erase the profiles kept longer than their retention period (the server also runs
    this when it starts and once a day). Organisations without a period keep their
    profiles unless --older-than-days is given."""
    try:
        _django(warehouse)
        from zaragoza.portal.skills.services import purge as run
        from zaragoza.portal.skills.services import retention as periods

        done = run(older_than_days, organisation)
        if older_than_days is None and not periods():
            typer.echo(
                "no organisation has a retention period (zaragoza profiles retention): "
                "every profile is kept",
                err=True,
            )
    except ZaragozaError as exc:
        _fail(exc)
    typer.echo(f"{done} profiles erased")


@profiles_app.command("rotate-keys")
def rotate_keys(warehouse: WarehouseOpt = None) -> None:
    """Seal every profile again with the first key of ZARAGOZA_PROFILE_KEYS."""
    _django(warehouse)
    from zaragoza.portal.skills.services import rotate

    typer.echo(f"{rotate()} profiles sealed with the newest key")


app.add_typer(profiles_app, name="profiles")
