"""`zaragoza compare …`: targets, gaps, ranks, trends and composite indices from the
warehouse, as CSV (standard output, or ``--out FILE.csv|.parquet``).

Thin: every command reads the observations, calls one library function of
:mod:`zaragoza.compare` and writes its DataFrame; registered as ``zaragoza compare``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console

from zaragoza import settings
from zaragoza.cli.app import command_group
from zaragoza.errors import UsageError, ZaragozaError

__all__ = ["compare_app"]

compare_app = command_group(
    help="Benchmarking: distance to targets, gaps, ranks with uncertainty, trends, indices.",
    no_args_is_help=True,
)
_err = Console(stderr=True)

WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse", help="Warehouse file (default: $ZARAGOZA_WAREHOUSE or zaragoza.duckdb)."
    ),
]
IndicatorOpt = Annotated[str | None, typer.Option(help="Indicator ids, comma-separated.")]
TimeOpt = Annotated[str | None, typer.Option(help="Years, comma-separated (rows shown).")]
GeoOpt = Annotated[str | None, typer.Option(help="Geo codes, comma-separated.")]
SourceOpt = Annotated[
    str | None, typer.Option(help="computed and/or published, comma-separated (default both).")
]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Write to FILE.csv or FILE.parquet (atomically).")
]


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def _years(text: str | None) -> list[int]:
    try:
        return [int(p) for p in _split(text)]
    except ValueError:
        raise UsageError("--time takes years", value=text, hint="e.g. --time 2022,2023") from None


def _observations(
    warehouse: Path | None, indicator: str | None, geo: str | None, source: str | None
) -> pd.DataFrame:
    from zaragoza.compare._frame import load_observations

    path = warehouse or settings.warehouse_path()
    return load_observations(
        path, indicator=_split(indicator), geo=_split(geo), source=_split(source)
    )


def _emit(df: pd.DataFrame, out: Path | None) -> None:
    if out is None:
        df.to_csv(sys.stdout, index=False, float_format="%.10g")
        return
    from zaragoza.publish.files import write_table

    write_table(df, out)
    _err.print(f"wrote {len(df):,} rows to {out}", highlight=False)


def _run(job: Callable[[], pd.DataFrame], out: Path | None) -> None:
    try:
        _emit(job(), out)
    except ZaragozaError as exc:
        _err.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _in_years(df: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    return df[df["time"].isin(years)] if years else df


@compare_app.command()
def targets(
    indicator: IndicatorOpt = None,
    time: TimeOpt = None,
    geo: GeoOpt = None,
    source: SourceOpt = None,
    target: Annotated[str | None, typer.Option(help="Target ids (catalog/targets.yaml).")] = None,
    warehouse: WarehouseOpt = None,
    out: OutOpt = None,
) -> None:
    """Distance of every observation to the EU targets, and the year its trend reaches them.

    Columns: target, indicator, geo, time, citizen, c_birth, sex, value, target_value,
    distance (value - target, percentage points), met, year_reached, …
    """

    def job() -> pd.DataFrame:
        from zaragoza.catalog.targets import bundled_targets
        from zaragoza.compare.targets import distance_to_target

        chosen = list(bundled_targets())
        wanted = _split(target)
        if wanted:
            known = {t.id for t in chosen}
            unknown = [w for w in wanted if w not in known]
            if unknown:
                raise UsageError("unknown target", value=unknown[0],
                                 hint=f"Targets: {', '.join(sorted(known))}")  # fmt: skip
            chosen = [t for t in chosen if t.id in wanted]
        obs = _observations(warehouse, indicator, geo, source)
        return _in_years(distance_to_target(obs, chosen), _years(time))

    _run(job, out)


@compare_app.command()
def gaps(
    indicator: IndicatorOpt = None,
    time: TimeOpt = None,
    geo: GeoOpt = None,
    source: SourceOpt = None,
    kind: Annotated[
        str | None, typer.Option(help="migrant_native, women_men, gap_of_gaps (default all).")
    ] = None,
    warehouse: WarehouseOpt = None,
    out: OutOpt = None,
) -> None:
    """Migrant - native and women - men gaps, and their gap, with SEs where known."""

    def job() -> pd.DataFrame:
        from zaragoza.compare.gaps import GAP_KINDS
        from zaragoza.compare.gaps import gaps as compute

        kinds = tuple(_split(kind)) or GAP_KINDS
        bad = [k for k in kinds if k not in GAP_KINDS]
        if bad:
            raise UsageError(
                "unknown kind of gap", value=bad[0], hint=f"Valid: {', '.join(GAP_KINDS)}"
            )
        obs = _in_years(_observations(warehouse, indicator, geo, source), _years(time))
        return compute(obs, kinds=kinds)

    _run(job, out)


@compare_app.command()
def ranks(
    indicator: IndicatorOpt = None,
    time: TimeOpt = None,
    geo: GeoOpt = None,
    source: SourceOpt = None,
    method: Annotated[str, typer.Option(help="simulation or analytic.")] = "simulation",
    draws: Annotated[int, typer.Option(help="Simulation draws.")] = 1000,
    seed: Annotated[int, typer.Option(help="Simulation seed.")] = 20261125,
    level: Annotated[float, typer.Option(help="Coverage of the rank interval.")] = 0.90,
    lower_is_better: Annotated[
        bool | None,
        typer.Option(
            "--lower-is-better/--higher-is-better",
            help="Rank 1 to the lowest (or the highest) value; default: as the catalogue "
            "says for each indicator.",
            show_default=False,
        ),
    ] = None,
    eu_apart: Annotated[
        bool, typer.Option(help="Rank EU member states apart from other countries.")
    ] = False,
    warehouse: WarehouseOpt = None,
    out: OutOpt = None,
) -> None:
    """Ranks of countries with rank intervals (plain ranks where SEs are missing)."""

    def job() -> pd.DataFrame:
        from zaragoza.compare.ranks import rank_intervals

        if method not in ("simulation", "analytic"):
            raise UsageError("unknown rank method", value=method, hint="simulation or analytic")
        how: Literal["simulation", "analytic"] = (
            "analytic" if method == "analytic" else "simulation"
        )
        obs = _in_years(_observations(warehouse, indicator, geo, source), _years(time))
        higher = None if lower_is_better is None else not lower_is_better
        return rank_intervals(obs, method=how, draws=draws, seed=seed, level=level,
                              higher_is_better=higher, eu_apart=eu_apart)  # fmt: skip

    _run(job, out)


@compare_app.command()
def trends(
    indicator: IndicatorOpt = None,
    geo: GeoOpt = None,
    source: SourceOpt = None,
    what: Annotated[str, typer.Option(help="trend, change, beta or sigma.")] = "trend",
    start: Annotated[int | None, typer.Option(help="First year.")] = None,
    end: Annotated[int | None, typer.Option(help="Last year.")] = None,
    log: Annotated[bool, typer.Option("--log", help="Beta-convergence on logs.")] = False,
    on_gaps: Annotated[
        bool,
        typer.Option("--on-gaps", help="On the migrant-native gaps (is the gap narrowing?)."),
    ] = False,
    warehouse: WarehouseOpt = None,
    out: OutOpt = None,
) -> None:
    """Trend per series, change between two years, or beta/sigma convergence."""

    def job() -> pd.DataFrame:
        from zaragoza.compare import trends as tr
        from zaragoza.compare.gaps import gaps as compute_gaps
        from zaragoza.compare.gaps import gaps_as_observations

        obs = _observations(warehouse, indicator, geo, source)
        if on_gaps:
            obs = gaps_as_observations(compute_gaps(obs, kinds=("migrant_native",)))
        if what == "trend":
            return tr.trend(obs, start, end)
        if what == "sigma":
            return tr.sigma_convergence(obs, start, end)
        if what in ("change", "beta"):
            if start is None or end is None:
                raise UsageError(f"--what {what} needs --start and --end", value=(start, end))
            if what == "change":
                return tr.change(obs, start, end)
            return tr.beta_convergence(obs, start, end, log=log)
        raise UsageError("unknown --what", value=what, hint="trend, change, beta or sigma")

    _run(job, out)


@compare_app.command()
def index(
    time: Annotated[int, typer.Option(help="The year of the data.")],
    framework: Annotated[
        Path | None, typer.Option(help="Framework file (default: the bundled example).")
    ] = None,
    source: Annotated[str, typer.Option(help="computed or published.")] = "published",
    imputation: Annotated[str, typer.Option(help="none, mean or median.")] = "none",
    normalisation: Annotated[str, typer.Option(help="minmax, zscore, target or rank.")] = "minmax",
    weighting: Annotated[str, typer.Option(help="expert, equal or pca.")] = "expert",
    aggregation: Annotated[
        str | None, typer.Option(help="arithmetic or geometric (default: the framework's).")
    ] = None,
    draws: Annotated[
        int, typer.Option(help="Uncertainty analysis with this many draws (0: none).")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the uncertainty analysis.")] = 20261125,
    sensitivity_out: Annotated[
        Path | None, typer.Option(help="Write the sensitivity indices to this file.")
    ] = None,
    warehouse: WarehouseOpt = None,
    out: OutOpt = None,
) -> None:
    """A composite index: scores and ranks of every node, or with --draws the rank
    median and 5-95% interval of each country over the uncertainty analysis."""

    def job() -> pd.DataFrame:
        from zaragoza.catalog.loader import load_catalog
        from zaragoza.compare.composite import (
            AGGREGATIONS,
            IMPUTATIONS,
            NORMALISATIONS,
            WEIGHTINGS,
            Choices,
            composite_index,
            index_data,
        )
        from zaragoza.compare.framework import bundled_framework, load_framework
        from zaragoza.compare.uncertainty import uncertainty_analysis

        for name, value, valid in (
            ("imputation", imputation, IMPUTATIONS),
            ("normalisation", normalisation, NORMALISATIONS),
            ("weighting", weighting, WEIGHTINGS),
            ("aggregation", aggregation or "arithmetic", AGGREGATIONS),
        ):
            if value not in valid:
                raise UsageError(f"unknown {name}", value=value, hint=f"Valid: {', '.join(valid)}")
        fw = load_framework(framework or bundled_framework(), load_catalog())
        obs = _observations(warehouse, None, None, source)
        data = index_data(obs, fw[0], time=time, source=source)
        choices = Choices(imputation, normalisation, weighting, aggregation)  # type: ignore[arg-type]
        if draws <= 0:
            return composite_index(data, fw, choices)
        result = uncertainty_analysis(data, fw, draws=draws, seed=seed, nominal=choices)
        if sensitivity_out is not None:
            _emit(result.sensitivity, sensitivity_out)
        return result.ranks

    _run(job, out)


@compare_app.command()
def policy(
    answers: Annotated[Path, typer.Argument(help="MIPEX-shaped CSV or xlsx (yours).")],
    framework: Annotated[Path, typer.Option(help="Policy-index framework file (YAML).")],
    correlate: Annotated[
        str | None, typer.Option(help="Outcome indicator ids to correlate with, comma-separated.")
    ] = None,
    citizen: Annotated[str, typer.Option(help="Outcome group by citizenship.")] = "NEU27_2020_FOR",
    c_birth: Annotated[str, typer.Option(help="Outcome group by country of birth.")] = "TOTAL",
    sex: Annotated[str, typer.Option(help="Outcome sex.")] = "T",
    source: Annotated[str, typer.Option(help="Outcome source.")] = "published",
    method: Annotated[str, typer.Option(help="pearson or spearman.")] = "pearson",
    time: TimeOpt = None,
    warehouse: WarehouseOpt = None,
    out: OutOpt = None,
) -> None:
    """Policy-index scores of a file you supply, or with --correlate their correlation
    across countries with outcome indicators (n and p-value)."""

    def job() -> pd.DataFrame:
        from zaragoza.compare import policy as pol

        fw = pol.load_policy_framework(framework)
        scores = pol.policy_scores(pol.read_mipex(answers, fw), fw, where=str(answers))
        if not correlate:
            return scores
        if method not in ("pearson", "spearman"):
            raise UsageError("unknown correlation method", value=method, hint="pearson or spearman")
        obs = _in_years(_observations(warehouse, correlate, None, source), _years(time))
        obs = obs[(obs["citizen"] == citizen) & (obs["c_birth"] == c_birth)
                  & (obs["sex"] == sex) & (obs["compare_to"] == "")]  # fmt: skip
        how: Literal["pearson", "spearman"] = "spearman" if method == "spearman" else "pearson"
        return pol.policy_outcome_correlation(scores, obs, method=how)

    _run(job, out)


from zaragoza.cli.app import app  # noqa: E402

if TYPE_CHECKING:
    import pandas as pd

app.add_typer(compare_app, name="compare")
