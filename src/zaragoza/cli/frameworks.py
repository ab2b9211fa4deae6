"""``zaragoza frameworks …``: the local policy benchmarks (framework engine) from the
command line.

``list`` shows the bundled frameworks; ``validate`` checks a framework file (every
problem names the file and the field path); ``show`` prints one framework's dimensions,
standards, questions and answer options. Thin: each command calls
:mod:`zaragoza.frameworks`, imported inside the command so that ``zaragoza --help``
stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zaragoza.cli.app import app, command_group
from zaragoza.cli.common import fail
from zaragoza.errors import ZaragozaError

if TYPE_CHECKING:
    from zaragoza.frameworks import Framework

__all__ = ["frameworks_app"]

frameworks_app = command_group(
    help="Local integration policy benchmarks: INTI-Cities, DIVE, an intercultural index, "
    "MIPEX-shaped indices, or your own framework file.",
    no_args_is_help=True,
)


def _summary(fw: Framework) -> str:
    qs = [q for _, _, q in fw.questions()]
    n_std = sum(len(d.standards) for d in fw.dimensions)
    scored = sum(q.scored for q in qs)
    core = sum(q.core for q in qs)
    rules = sorted(set(fw.aggregation.values()))
    rule = rules[0] if len(rules) == 1 else ", ".join(f"{k}={v}" for k, v in fw.aggregation.items())
    return (
        f"{len(fw.dimensions)} dimensions, {n_std} standards, {len(qs)} questions "
        f"({scored} scored, {core} core); aggregation {rule}"
    )


@frameworks_app.command("list")
def list_() -> None:
    """List the bundled frameworks: key (id@version), kind, size and title."""
    from zaragoza.frameworks import bundled_frameworks

    try:
        frameworks = bundled_frameworks()
    except ZaragozaError as exc:
        fail(exc)
    for key, fw in frameworks.items():
        typer.echo(f"{key}  [{fw.kind}]  {fw.title}")
        typer.echo(f"    {_summary(fw)}")


@frameworks_app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="A framework file (YAML or JSON).")],
) -> None:
    """Check a framework file: a problem is reported with the file and the field path
    (exit code 2); a valid file is summarised."""
    from zaragoza.frameworks import load_framework

    try:
        fw = load_framework(file)
    except ZaragozaError as exc:
        fail(exc)
    typer.echo(f"{file}: valid; framework {fw.key}, {_summary(fw)}")


def _option_text(score: float | None) -> str:
    return "" if score is None else f" = {score:g}"


@frameworks_app.command("show")
def show(
    ident: Annotated[
        str, typer.Argument(help="A bundled framework (id or id@version) or a framework file.")
    ],
    language: Annotated[
        str, typer.Option("--language", help="Language of the texts, where translated.")
    ] = "en",
) -> None:
    """Print a framework: its rendering note, sources, rules and bands, then each
    dimension, standard and question (type, weight, core, evidence) with its options."""
    from zaragoza.frameworks import bundled_framework, load_framework

    try:
        path = Path(ident)
        fw = (
            load_framework(path)
            if path.suffix in (".yaml", ".yml", ".json")
            else (bundled_framework(ident))
        )
    except ZaragozaError as exc:
        fail(exc)
    echo = typer.echo
    echo(f"{fw.key}  {fw.title}  [{fw.kind}]")
    echo(f"  {fw.rendering}")
    for src in fw.sources:
        echo(f"  source: {src.title}" + (f" <{src.url}>" if src.url else ""))
    echo(f"  {_summary(fw)}")
    if fw.bands:
        echo("  bands: " + ", ".join(f"{b.label} from {b.min:g}" for b in fw.bands))
    for d in fw.dimensions:
        echo(
            f"{d.id}  {fw.text(d.id, language)}"
            + (f"  (weight {d.weight:g})" if d.weight != 1 else "")
        )
        for s in d.standards:
            echo(
                f"  {s.id}  {fw.text(s.id, language)}"
                + (f"  (weight {s.weight:g})" if s.weight != 1 else "")
            )
            for q in s.questions:
                marks: list[str] = [q.type]
                if q.weight != 1:
                    marks.append(f"weight {q.weight:g}")
                if q.core:
                    marks.append("core")
                if q.evidence:
                    marks.append("evidence")
                if q.number is not None:
                    marks.append(f"scale {q.number.min:g}..{q.number.max:g}")
                echo(f"    {q.id}  [{', '.join(marks)}]  {fw.text(q.id, language)}")
                for o in q.options:
                    label = fw.text(f"{q.id}:{o.id}", language)
                    echo(f"      - {o.id}: {label}{_option_text(o.score)}")


app.add_typer(frameworks_app, name="frameworks")
