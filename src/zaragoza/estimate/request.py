"""An estimation request: what to estimate, from which files, how, and where to compute it.

One immutable :class:`EstimationRequest` carries every option of ``zaragoza estimate``
(and of the library call :func:`zaragoza.pipeline.estimate`), with the survey design as
one :class:`~zaragoza.estimate.design.SurveyDesign`. It is validated when built (an
unknown value is a :class:`~zaragoza.errors.ParameterError` naming the parameter and the
valid values), and written to provenance as it is (:meth:`EstimationRequest.describe`).
Whether an option applies to the input's survey is decided, before any work starts, by
the survey's engine (``pipeline.engines``): an option is honoured or refused, never
ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from zaragoza.errors import ParameterError, UsageError
from zaragoza.estimate.design import SurveyDesign, one_of
from zaragoza.estimate.domains import BY_DIMENSIONS, PISA_BY_DIMENSIONS, dimensions_for
from zaragoza.observations import YEAR_RANGE

__all__ = ["BACKENDS", "SURVEYS", "Backend", "EstimationRequest", "GapSpec", "Survey"]

Survey = Literal["auto", "eu-lfs", "eu-silc", "pisa"]
Backend = Literal["duckdb", "spark"]
SURVEYS: tuple[Survey, ...] = ("auto", "eu-lfs", "eu-silc", "pisa")
BACKENDS: tuple[Backend, ...] = ("duckdb", "spark")
GAP_DIMENSIONS = ("citizen", "c_birth", "mig_bg")
#: The reference group of each gap dimension: nationals, or native students (PISA).
GAP_REFERENCES = {"citizen": "NAT", "c_birth": "NAT", "mig_bg": "NATIVE"}
GAP_FORMS = [f"{d}={r}" for d, r in GAP_REFERENCES.items()]


@dataclass(frozen=True)
class GapSpec:
    """A gap request: groups of ``dimension`` minus its ``reference`` group."""

    dimension: str
    reference: str = "NAT"

    def __post_init__(self) -> None:
        one_of("gap", str(self), GAP_FORMS)

    @classmethod
    def parse(cls, text: str | None) -> GapSpec | None:
        """Parse ``citizen=NAT`` / ``c_birth=NAT`` / ``mig_bg=NATIVE`` (None or empty: no
        gap)."""
        if not text:
            return None
        dim, _, ref = text.partition("=")
        if GAP_REFERENCES.get(dim) != ref:
            raise ParameterError("gap", text, GAP_FORMS)
        return cls(dim, ref)

    def __str__(self) -> str:
        return f"{self.dimension}={self.reference}"


@dataclass(frozen=True)
class EstimationRequest:
    """Everything one estimation needs, checked when built.

    ``indicators`` empty: every indicator of the input's survey. ``survey`` ``auto``:
    recognised from the files' columns (EU-SILC id columns, else EU-LFS). ``backend``
    ``spark`` computes on Apache Spark: the master from ``spark_master``, else Spark's
    own configuration (``SPARK_MASTER``, ``spark-defaults.conf``, or ``SPARK_REMOTE``
    for Spark Connect), else local mode.
    """

    inputs: tuple[str, ...]
    indicators: tuple[str, ...] = ()
    survey: Survey = "auto"
    by: tuple[str, ...] = ()
    gap: GapSpec | None = None
    design: SurveyDesign = field(default_factory=SurveyDesign)
    alpha: float = 0.05
    rules: str | None = None
    limits: str | None = None
    columns: str | None = None
    drop_invalid: bool = False
    backend: Backend = "duckdb"
    spark_master: str | None = None
    memory_limit: str | None = None
    #: The reference year of files that do not carry one (PISA files without ``CYC``).
    time: int | None = None

    def __post_init__(self) -> None:
        if not self.inputs:
            raise UsageError("no input file given", hint="Name one or more microdata files")
        one_of("survey", self.survey, SURVEYS)
        one_of("backend", self.backend, BACKENDS)
        for b in self.by:
            one_of("by", b, (*BY_DIMENSIONS, *PISA_BY_DIMENSIONS))
        dimensions_for(self.by)
        if not 0 < self.alpha < 1:
            raise ParameterError("alpha", self.alpha, "a number between 0 and 1")
        if self.spark_master and self.backend != "spark":
            raise ParameterError("spark_master", self.spark_master, "only with backend spark")
        lo, hi = YEAR_RANGE
        if self.time is not None and not (isinstance(self.time, int) and lo <= self.time <= hi):
            raise ParameterError("time", self.time, f"a year from {lo} to {hi}")

    @classmethod
    def build(
        cls,
        inputs: Sequence[str | Path],
        indicators: Sequence[str] = (),
        *,
        by: Sequence[str] = (),
        gap: str | GapSpec | None = None,
        design: SurveyDesign | None = None,
        **options: Any,
    ) -> EstimationRequest:
        """Build a request from plain values (lists, a gap as ``citizen=NAT``, paths)."""
        spec = gap if isinstance(gap, GapSpec) or gap is None else GapSpec.parse(gap)
        for key in ("rules", "limits", "columns"):
            if options.get(key) is not None:
                options[key] = str(options[key])
        return cls(
            tuple(str(p) for p in inputs),
            tuple(indicators),
            by=tuple(by),
            gap=spec,
            design=design or SurveyDesign(),
            **options,
        )

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The breakdowns with the gap's dimension added when ``by`` lacks it."""
        if self.gap is not None and self.gap.dimension not in self.by:
            return (*self.by, self.gap.dimension)
        return self.by

    def with_survey(self, survey: Survey) -> EstimationRequest:
        return replace(self, survey=survey)

    def describe(self) -> dict[str, Any]:
        """The request as provenance records it: every option, as given."""
        return {
            "survey": self.survey,
            "indicators": list(self.indicators),
            "by": list(self.by),
            "gap": str(self.gap) if self.gap else None,
            "design": self.design.describe(),
            "alpha": self.alpha,
            "rules": self.rules,
            "limits": self.limits,
            "columns": self.columns,
            "drop_invalid": self.drop_invalid,
            "backend": self.backend,
            "spark_master": self.spark_master,
            "memory_limit": self.memory_limit,
            "time": self.time,
        }
