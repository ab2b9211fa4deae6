"""The survey engines: which indicators and options each survey's estimation takes.

Every request goes to the engine of its survey (EU-LFS, EU-SILC or PISA), chosen from the
request or recognised from the files. An engine declares the estimator kinds it
computes (an indicator of another kind is refused, naming it) and refuses, before any
work starts, the options it cannot honour: no option is ever silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zaragoza.catalog.loader import Catalog
from zaragoza.catalog.schema import INCOME_ESTIMATORS, PISA_ESTIMATORS, Indicator
from zaragoza.errors import CatalogError, ParameterError
from zaragoza.estimate.design import Bootstrap, Linearisation
from zaragoza.estimate.request import EstimationRequest
from zaragoza.pipeline.result import EstimateRun

__all__ = ["ENGINES", "Engine", "engine_for"]

Progress = Callable[[str], Any]


@dataclass(frozen=True)
class Engine:
    """One survey's estimation: its indicators' kinds, its refusals, its run."""

    survey: str  # as in the catalogue: EU-LFS, EU-SILC
    kinds: frozenset[str]
    run: Callable[[EstimationRequest, Catalog, Progress], EstimateRun]
    refuse: Callable[[EstimationRequest], None]

    def check_indicators(self, indicators: list[Indicator]) -> None:
        """Refuse indicators of another survey or of a kind this engine does not compute."""
        for ind in indicators:
            if ind.estimator == "published":
                raise CatalogError(
                    f"indicator {ind.id!r} is known from published tables only",
                    hint="It cannot be estimated from microdata; `zaragoza catalog show` says "
                    "where Eurostat publishes it",
                )
            if ind.survey != self.survey:
                raise ParameterError(
                    "indicators",
                    ind.id,
                    f"{self.survey} indicators for {self.survey} input (estimate "
                    f"{ind.survey} indicators in their own run, on their own survey's files)",
                )
            if ind.estimator not in self.kinds:
                raise CatalogError(
                    f"indicator {ind.id!r} has an estimator the {self.survey} engine does not "
                    f"compute: {ind.estimator!r}",
                    hint=f"{self.survey} computes {', '.join(sorted(self.kinds))}",
                )


def _refuse_pisa_dimensions(request: EstimationRequest, survey: str) -> None:
    if "mig_bg" in request.dimensions:
        raise ParameterError(
            "by",
            "mig_bg",
            f"PISA input only (migrant background of students); for {survey} "
            "use citizen or c_birth",
        )


def _refuse_time(request: EstimationRequest, survey: str, column: str) -> None:
    if request.time is not None:
        raise ParameterError(
            "time",
            request.time,
            f"PISA input without CYC only; {survey} files carry their year ({column})",
        )


def _refuse_lfs(request: EstimationRequest) -> None:
    _refuse_pisa_dimensions(request, "EU-LFS")
    _refuse_time(request, "EU-LFS", "YEAR")
    if isinstance(request.design.variance, Bootstrap):
        raise ParameterError(
            "bootstrap",
            request.design.variance.replicates,
            "EU-SILC input only; for EU-LFS give replicate weights (replicate_weights)",
        )


def _refuse_silc(request: EstimationRequest) -> None:
    _refuse_pisa_dimensions(request, "EU-SILC")
    _refuse_time(request, "EU-SILC", "DB010, RB010, PB010 or YEAR")
    if request.backend == "spark":
        raise ParameterError(
            "backend",
            "spark",
            "duckdb for EU-SILC input (its income statistics run in memory with NumPy)",
        )
    if request.limits:
        raise ParameterError(
            "limits",
            request.limits,
            "EU-LFS input only: EU-SILC cells are flagged by Eurostat's EU-SILC rule "
            "(the reliability rules, rules)",
        )


def _refuse_pisa(request: EstimationRequest) -> None:
    """PISA's design is the file's own: its weight, 80 Fay replicates, plausible values."""
    wrong = [b for b in request.dimensions if b not in ("mig_bg", "sex")]
    if wrong:
        raise ParameterError("by", wrong[0], "mig_bg and sex for PISA input")
    d = request.design
    own = "PISA's own design, read from the file (W_FSTUWT, the Fay replicates W_FSTURWT1-80)"
    for name, value in (("weight", d.weight), ("strata", d.strata), ("psu", d.psu)):
        if value:
            raise ParameterError(name, value, own)
    if not isinstance(d.variance, Linearisation):
        raise ParameterError("variance", d.variance.describe()["method"], own)
    if d.lonely_psu != "fail":
        raise ParameterError("lonely_psu", d.lonely_psu, own + "; it has no PSUs")
    for name, value in (("rules", request.rules), ("limits", request.limits)):
        if value:
            raise ParameterError(
                name, value, "the OECD's rule for PISA input (30 students and 5 schools a cell)"
            )
    if request.drop_invalid:
        raise ParameterError("drop_invalid", True, "a valid PISA file (nothing is dropped)")


def _run_lfs(request: EstimationRequest, catalog: Catalog, say: Progress) -> EstimateRun:
    from zaragoza.pipeline.lfs import run_lfs

    return run_lfs(request, catalog, say)


def _run_silc(request: EstimationRequest, catalog: Catalog, say: Progress) -> EstimateRun:
    from zaragoza.pipeline.silc import run_silc

    return run_silc(request, catalog, say)


def _run_pisa(request: EstimationRequest, catalog: Catalog, say: Progress) -> EstimateRun:
    from zaragoza.pipeline.pisa import run_pisa

    return run_pisa(request, catalog, say)


ENGINES: dict[str, Engine] = {
    "eu-lfs": Engine("EU-LFS", frozenset({"ratio"}), _run_lfs, _refuse_lfs),
    "eu-silc": Engine("EU-SILC", frozenset({"ratio", *INCOME_ESTIMATORS}), _run_silc, _refuse_silc),
    "pisa": Engine("PISA", PISA_ESTIMATORS, _run_pisa, _refuse_pisa),
}


def engine_for(survey: str) -> Engine:
    """The engine of ``eu-lfs``, ``eu-silc`` or ``pisa``."""
    try:
        return ENGINES[survey]
    except KeyError:
        raise ParameterError("survey", survey, list(ENGINES)) from None
