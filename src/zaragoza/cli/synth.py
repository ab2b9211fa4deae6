"""``zaragoza synth``: synthetic EU-LFS and EU-SILC records (never real persons)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from zaragoza.cli.app import synth_app
from zaragoza.cli.common import (
    err,
    fail,
    progress,
    split,
)
from zaragoza.errors import UsageError, ZaragozaError

SynthOut = Annotated[
    Path, typer.Option(help="Output folder (Parquet, one folder per country and year).")
]
SynthCountries = Annotated[str, typer.Option(help="Comma-separated geo codes.")]
SynthYears = Annotated[str, typer.Option(help="Comma-separated years.")]
SynthSeed = Annotated[int, typer.Option(help="Random seed (same seed, same records).")]
SynthCompression = Annotated[
    str,
    typer.Option(help="Parquet compression: snappy (fastest), zstd (smallest), lz4 or none."),
]


def _synth(
    write: Callable[..., list[Path]],
    out: Path,
    countries: str,
    years: str,
    persons: int,
    seed: int,
    calibrated: bool,
    **options: str,
) -> list[Path]:
    """Run one generator with a progress line; a usage error ends the command."""
    try:
        try:
            year_list = [int(y) for y in split(years)]
        except ValueError:
            raise UsageError("--years takes years", value=years) from None
        with progress("starting") as say:
            return write(
                out,
                persons,
                split(countries),
                year_list,
                seed=seed,
                calibrated=calibrated,
                progress=say,
                **options,
            )
    except ZaragozaError as exc:
        fail(exc)


@synth_app.command("lfs")
def synth_lfs(
    out: SynthOut,
    countries: SynthCountries = "AT,EL,SE",
    years: SynthYears = "2023",
    persons: Annotated[int, typer.Option(help="Records in all.", min=1)] = 100_000,
    seed: SynthSeed = 1,
    uncalibrated: Annotated[
        bool, typer.Option(help="Do not calibrate to the bundled Eurostat figures.")
    ] = False,
    compression: SynthCompression = "snappy",
) -> None:
    """Write synthetic EU-LFS records calibrated to Eurostat's published rates."""
    from zaragoza.sources.synthetic import write_lfs_dataset

    files = _synth(
        write_lfs_dataset,
        out,
        countries,
        years,
        persons,
        seed,
        not uncalibrated,
        compression=compression,
    )
    err.print(
        f"{persons:,} synthetic records in {len(files)} file(s) under {out}"
        + ("" if uncalibrated else " (calibrated to the bundled Eurostat rates)")
    )


@synth_app.command("silc")
def synth_silc(
    out: SynthOut,
    countries: SynthCountries = "AT,EL,SE",
    years: SynthYears = "2023",
    persons: Annotated[int, typer.Option(help="Persons in all.", min=1)] = 100_000,
    seed: SynthSeed = 1,
    uncalibrated: Annotated[
        bool, typer.Option(help="Do not calibrate to Eurostat's median incomes (ilc_di15).")
    ] = False,
    layout: Annotated[
        str,
        typer.Option(help="udb: the user database's D, H, R and P files; merged: one person file."),
    ] = "udb",
    compression: SynthCompression = "snappy",
) -> None:
    """Write synthetic EU-SILC persons in households, in the files of the user database."""
    from zaragoza.sources.synthetic_silc import write_silc_dataset

    files = _synth(
        write_silc_dataset,
        out,
        countries,
        years,
        persons,
        seed,
        not uncalibrated,
        layout=layout,
        compression=compression,
    )
    err.print(
        f"{persons:,} synthetic persons in {len(files)} file(s) under {out}"
        + ("" if uncalibrated else " (calibrated to Eurostat's median incomes)")
        + "; estimate with --strata DB050 --psu DB060"
    )
