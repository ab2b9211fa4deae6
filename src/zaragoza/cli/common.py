"""What every command shares: options, the error printer, defaults."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from zaragoza import settings
from zaragoza.errors import ParameterError, ZaragozaError

if TYPE_CHECKING:
    from zaragoza.warehouse.store import LoadResult

err = Console(stderr=True)


@contextmanager
def progress(first: str) -> Iterator[Callable[[str], Any]]:
    """Report the steps of a long command on standard error; yield the reporting function.

    On a terminal the step replaces the previous one beside a spinner; elsewhere (a pipe,
    a log file, CI) each step is a line of its own, with the seconds since the start, so
    a command that is piped is not silent until it ends.
    """
    if err.is_terminal:
        with err.status(first, spinner="dots") as status:
            yield status.update
        return
    start = time.monotonic()

    def line(message: str) -> None:
        err.print(
            f"[{time.monotonic() - start:6.1f} s] {message}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )

    line(first)
    yield line


def default_warehouse() -> Path:
    """``$ZARAGOZA_WAREHOUSE``, or ``zaragoza.duckdb`` in the current folder."""
    return settings.warehouse_path()


WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse", help="Warehouse file (default: $ZARAGOZA_WAREHOUSE or zaragoza.duckdb)."
    ),
]
ListOpt = Annotated[str | None, typer.Option(help="Comma-separated list.")]

CatalogOpt = Annotated[
    list[Path] | None,
    typer.Option("--catalog", help="Extra folder of indicator definitions (*.yaml); repeatable."),
]


def example_file() -> Path:
    """The bundled synthetic EU-LFS example (not real data)."""
    return Path(str(resources.files("zaragoza") / "data" / "example_lfs.csv.gz"))


#: The command-line flag of each library parameter, for error messages.
FLAGS = {
    "lonely_psu": "--lonely-psu",
    "replicate_method": "--replicate-method",
    "replicate_weights": "--replicate-weights",
    "replicate_scale": "--replicate-scale",
    "replicate_rscales": "--replicate-rscales",
    "fay_rho": "--fay-rho",
    "bootstrap": "--bootstrap",
    "survey": "--survey",
    "backend": "--backend",
    "spark_master": "--spark-master",
    "by": "--by",
    "gap": "--gap",
    "alpha": "--alpha",
    "limits": "--reliability-limits",
    "rules": "--rules",
    "memory_limit": "--memory-limit",
    "weight": "--weight",
    "indicators": "--indicators",
    "synthetic": "--synthetic or --not-synthetic",
}


def fail(exc: ZaragozaError) -> NoReturn:
    text = exc.message
    if isinstance(exc, ParameterError):
        text = exc.for_flag(FLAGS.get(exc.parameter, exc.parameter))
    for name, flag in FLAGS.items():  # the library's hints speak of parameters
        text = text.replace(f"({name})", f"({flag})")
    err.print(f"[bold red]error:[/] {text}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2)


def split(text: str | None) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()] if text else []


def default_cache() -> Path:
    """``$ZARAGOZA_CACHE``, or ``~/.cache/zaragoza``."""
    return settings.cache_dir()


def said_load(res: LoadResult, path: Path | None) -> None:
    if res.already_loaded:
        err.print(f" warehouse  {path}: already loaded as run {res.run_id}; nothing changed")
    else:
        err.print(
            f" warehouse  {path}: run {res.run_id}, {res.added:,} rows added, "
            f"{res.replaced:,} replaced"
        )
