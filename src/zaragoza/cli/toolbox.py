"""``zaragoza toolbox …``: the European toolbox from the command line.

``recommend`` ranks the measures for an authority's context on the warehouse's gaps;
``validate`` checks a toolbox (the bundled one or a user's); ``list`` shows its modules,
components and measures. Thin: each command calls :mod:`zaragoza.toolbox`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from zaragoza import settings
from zaragoza.cli.app import app, command_group
from zaragoza.cli.common import fail
from zaragoza.errors import ParameterError, UsageError, ZaragozaError

__all__ = ["toolbox_app"]

toolbox_app = command_group(
    help="The European toolbox: measures chosen by context and by the authority's gaps.",
    no_args_is_help=True,
)
_err = Console(stderr=True)

ToolboxOpt = Annotated[
    Path | None,
    typer.Option(
        "--toolbox",
        help="A toolbox folder (toolbox.yaml, modules/*.yaml) or one YAML/JSON file with "
        "modules (default: the bundled toolbox).",
    ),
]
_FLAGS = {
    "level": "--level",
    "geo": "--geo",
    "weights": "--weights",
    "time": "--time",
}


def _load(toolbox: Path | None):  # type: ignore[no-untyped-def]
    from zaragoza.toolbox.loader import load_toolbox

    return load_toolbox(toolbox)


def _weights(text: str | None, default):  # type: ignore[no-untyped-def]
    """``gap=0.5,fit=0.3,evidence=0.2`` (any subset; the others keep the toolbox's)."""
    from pydantic import ValidationError

    from zaragoza.toolbox.schema import Weights

    if text is None:
        return default
    values = default.model_dump()
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        name, _, number = part.partition("=")
        if name not in values:
            raise ParameterError("--weights", part, "gap=N, fit=N, evidence=N (comma-separated)")
        try:
            values[name] = float(number)
        except ValueError:
            raise ParameterError("--weights", part, "a number for each weight") from None
    try:
        return Weights(**values)
    except ValidationError as exc:
        msg = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise ParameterError("--weights", text, f"weights from 0 to 100, {msg}") from None


@toolbox_app.command("recommend")
def recommend(
    geo: Annotated[
        str | None, typer.Option(help="Eurostat geo code: a country (AT) or NUTS region (AT13).")
    ] = None,
    level: Annotated[str | None, typer.Option(help="national, regional or local.")] = None,
    context: Annotated[
        Path | None,
        typer.Option(
            "--context", help="A YAML or JSON file of the authority's context (docs/toolbox.md)."
        ),
    ] = None,
    time: Annotated[
        int | None, typer.Option(help="Year of the gaps (default: each indicator's latest).")
    ] = None,
    weights: Annotated[
        str | None,
        typer.Option(
            help="Score weights, e.g. gap=0.6,fit=0.2,evidence=0.2 (default: the toolbox's)."
        ),
    ] = None,
    warehouse: Annotated[
        Path | None,
        typer.Option(help="Warehouse file (default: $ZARAGOZA_WAREHOUSE or zaragoza.duckdb)."),
    ] = None,
    toolbox: ToolboxOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the CSV to FILE.csv (atomically).")
    ] = None,
) -> None:
    """Rank the toolbox's measures for an authority: CSV with one row per ranked measure
    (measure_id, title, module, component, score, indicators, reasons, ...), then the
    excluded measures with their reasons."""
    from zaragoza.toolbox.context import AuthorityContext, load_context
    from zaragoza.toolbox.plan import SELECTION_COLUMNS, SYNTHETIC_NOTE, selection_rows
    from zaragoza.toolbox.service import select

    try:
        tb = _load(toolbox)
        w = _weights(weights, tb.settings.weights)
        given = {"geo": geo, "level": level}
        if context is not None:
            ctx = load_context(context, tb.settings.context, overrides=given)
        else:
            for name, value in given.items():
                if value is None:
                    raise UsageError(
                        f"{_FLAGS[name]} is needed",
                        hint="Give --geo and --level, or a --context file that has them",
                    )
            from zaragoza.toolbox.context import context_from_query

            ctx = context_from_query(
                {k: v for k, v in given.items() if v is not None}, tb.settings.context
            )
        assert isinstance(ctx, AuthorityContext)
        path = warehouse or settings.warehouse_path()
        if not Path(path).exists():
            raise UsageError(
                "warehouse not found",
                file=str(path),
                hint="Build it with `zaragoza init`, or name one with --warehouse",
            )
        sel = select(tb, ctx, path, weights=w, time=time)
    except ParameterError as exc:
        fail(_flagged(exc))
    except ZaragozaError as exc:
        fail(exc)
    import pandas as pd

    df = pd.DataFrame(selection_rows(sel), columns=SELECTION_COLUMNS)
    for note in sel.notes:
        _err.print(f"note: {note}", highlight=False)
    if sel.synthetic:
        _err.print(f"note: {SYNTHETIC_NOTE}", highlight=False)
    _err.print(
        f"{len(sel.ranked)} measures ranked, {len(sel.excluded)} excluded; weights gap="
        f"{w.gap:g}, fit={w.fit:g}, evidence={w.evidence:g}; toolbox {sel.toolbox_version}",
        highlight=False,
    )
    if out is None:
        df.to_csv(sys.stdout, index=False)
        return
    from zaragoza.publish.files import write_table

    try:
        write_table(df, out)
    except ZaragozaError as exc:
        fail(exc)
    _err.print(f"wrote {len(df):,} rows to {out}", highlight=False)


def _flagged(exc: ParameterError) -> ParameterError:
    flag = _FLAGS.get(exc.parameter)
    if flag is None:
        return exc
    return ParameterError(flag, exc.value, exc.valid)


@toolbox_app.command("validate")
def validate(
    toolbox: Annotated[
        Path | None,
        typer.Argument(help="A toolbox folder or file (default: the bundled toolbox)."),
    ] = None,
) -> None:
    """Check a toolbox: every problem is listed (file, measure, field, what is valid)."""
    try:
        tb = _load(toolbox)
    except ZaragozaError as exc:
        fail(exc)
    n = sum(1 for _ in tb.measures())
    comps = sum(len(m.components) for m in tb.modules)
    typer.echo(
        f"{tb.origin}: valid; {len(tb.modules)} modules, {comps} components, {n} measures "
        f"(version {tb.version})"
    )


@toolbox_app.command("list")
def list_(toolbox: ToolboxOpt = None) -> None:
    """List the modules, components and measures (id and English title), as text."""
    try:
        tb = _load(toolbox)
    except ZaragozaError as exc:
        fail(exc)
    for module in tb.modules:
        typer.echo(f"{module.id}  {module.title['en']}")
        for component in module.components:
            typer.echo(f"  {component.id}  {component.title['en']}")
            for m in component.measures:
                levels = ",".join(m.levels)
                typer.echo(f"    {m.id}  {m.title['en']}  [{levels}]")


app.add_typer(toolbox_app, name="toolbox")
