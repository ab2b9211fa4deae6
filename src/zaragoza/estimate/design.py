"""The survey design: weights, strata, PSUs, lonely-PSU rule and the variance strategy.

:class:`SurveyDesign` is what a user declares (column names, rules, the variance
strategy), built once, immutable and validated when built: an unknown value is a
:class:`~zaragoza.errors.ParameterError` naming the parameter and the valid values. It
is written to provenance as it is (:meth:`SurveyDesign.describe`). :class:`Design` is
the same design resolved against the input (which columns exist, how many replicate
columns matched), as the engine uses it.

Variance is a strategy chosen from the design, as in R ``survey``:

* :class:`Linearisation` (default): Taylor linearisation, first-stage with-replacement
  approximation, ``V = sum_h n_h/(n_h-1) sum_j (z_hj - mean_h z)^2`` over the PSU totals
  ``z_hj`` of the linearised variable. Strata and PSUs are nested in country and year
  (each country-year is its own survey). Without PSUs every record is its own PSU;
  without strata each country-year is one stratum.
* :class:`ReplicateWeights`: ``V = scale * sum_r rscale_r (theta_r - theta)^2`` around
  the full-sample estimate (R ``svrepdesign(..., mse = TRUE)``), with R's scale for each
  method: bootstrap ``1/(R-1)``, BRR ``1/R``, Fay ``1/(R (1-rho)^2)``, JK1 ``(R-1)/R``,
  JKn ``1`` with ``rscales`` given per replicate.
* :class:`Bootstrap`: a rescaled bootstrap of PSUs within strata made by Zaragoza
  (EU-SILC's income statistics; Rao, Wu and Yue 1992).

An assessment's plausible values (PISA) are part of the resolved design: every estimate
is made once per plausible value, each with its replicate variance, and pooled by
Rubin's rules (``estimate.plausible``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypeVar

from zaragoza.errors import ParameterError
from zaragoza.estimate.plausible import PlausibleValues

__all__ = [
    "LONELY_PSU_RULES",
    "REPLICATE_METHODS",
    "Bootstrap",
    "Design",
    "Linearisation",
    "LonelyPSU",
    "ReplicateMethod",
    "ReplicateWeights",
    "Replicates",
    "SurveyDesign",
    "Variance",
    "one_of",
]

LonelyPSU = Literal["fail", "adjust", "remove", "certainty"]
ReplicateMethod = Literal["bootstrap", "jk1", "jkn", "brr", "fay"]
LONELY_PSU_RULES: tuple[LonelyPSU, ...] = ("fail", "adjust", "remove", "certainty")
REPLICATE_METHODS: tuple[ReplicateMethod, ...] = ("bootstrap", "jk1", "jkn", "brr", "fay")

T = TypeVar("T", bound=str)


def one_of(parameter: str, value: str, valid: Sequence[T]) -> T:
    """Return ``value`` if it is one of ``valid``, else raise naming ``parameter``."""
    for v in valid:
        if value == v:
            return v
    raise ParameterError(parameter, value, valid)


def _finite(parameter: str, value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise ParameterError(parameter, value, "a finite number")


@dataclass(frozen=True)
class Linearisation:
    """Taylor linearisation (the default)."""

    def describe(self) -> dict[str, Any]:
        return {"method": "linearisation"}


@dataclass(frozen=True)
class ReplicateWeights:
    """Replicate weights in the input: the columns whose whole name matches ``pattern``."""

    pattern: str
    method: ReplicateMethod
    scale: float | None = None
    rscales: tuple[float, ...] | None = None
    rho: float | None = None

    def __post_init__(self) -> None:
        one_of("replicate_method", self.method, REPLICATE_METHODS)
        if not self.pattern:
            raise ParameterError("replicate_weights", self.pattern, "a regular expression")
        _finite("replicate_scale", self.scale)
        for r in self.rscales or ():
            _finite("replicate_rscales", r)
        if self.method == "fay":
            if self.rho is None or not 0 <= self.rho < 1:
                raise ParameterError("fay_rho", self.rho, "a number in [0, 1) for method fay")
        elif self.rho is not None:
            raise ParameterError("fay_rho", self.rho, "only with replicate_method fay")
        if self.method == "jkn" and self.rscales is None:
            raise ParameterError(
                "replicate_rscales", None, "one (n_h - 1)/n_h factor per replicate, for jkn"
            )

    def describe(self) -> dict[str, Any]:
        return {"method": f"replicate:{self.method}", **asdict(self)}


@dataclass(frozen=True)
class Bootstrap:
    """A rescaled bootstrap of PSUs within strata, ``replicates`` draws from ``seed``."""

    replicates: int
    seed: int = 1

    def __post_init__(self) -> None:
        if self.replicates < 2:
            raise ParameterError("bootstrap", self.replicates, "2 replicates or more")

    def describe(self) -> dict[str, Any]:
        return {"method": "bootstrap", "replicates": self.replicates, "seed": self.seed}


Variance = Linearisation | ReplicateWeights | Bootstrap


@dataclass(frozen=True)
class SurveyDesign:
    """How the records were sampled, as the user declares it.

    ``weight`` None: the survey's own weight (EU-LFS ``COEFF``; EU-SILC ``RB050``, or
    ``PB040`` without a register file). Replicate weights replace strata and PSUs: the
    two cannot be given together.
    """

    weight: str | None = None
    strata: str | None = None
    psu: str | None = None
    lonely_psu: LonelyPSU = "fail"
    variance: Variance = field(default_factory=Linearisation)

    def __post_init__(self) -> None:
        one_of("lonely_psu", self.lonely_psu, LONELY_PSU_RULES)
        if isinstance(self.variance, ReplicateWeights) and (self.strata or self.psu):
            raise ParameterError(
                "replicate_weights",
                self.variance.pattern,
                "either replicate weights or strata and PSUs, not both",
            )

    @property
    def replicate_pattern(self) -> str | None:
        v = self.variance
        return v.pattern if isinstance(v, ReplicateWeights) else None

    def describe(self) -> dict[str, Any]:
        """The design as provenance records it: every field as given."""
        return {
            "weight": self.weight,
            "strata": self.strata,
            "psu": self.psu,
            "lonely_psu": self.lonely_psu,
            "variance": self.variance.describe(),
        }

    def resolve(self, replicate_columns: int = 0, *, psu: bool | None = None) -> Design:
        """The design as the engine uses it, once the input's replicate columns are known.

        ``psu``: whether records sit in PSUs (default: a PSU column was named; EU-SILC
        households are PSUs without one).
        """
        v = self.variance
        reps = None
        if isinstance(v, ReplicateWeights):
            reps = Replicates.build(
                v.method, replicate_columns, scale=v.scale, rscales=v.rscales, fay_rho=v.rho
            )
        return Design(
            strata=bool(self.strata),
            psu=bool(self.psu) if psu is None else psu,
            lonely_psu=self.lonely_psu,
            replicates=reps,
        )


@dataclass(frozen=True)
class Replicates:
    """Replicate-weight variance: method, scale factors, and the columns' count."""

    method: ReplicateMethod
    n: int
    scale: float
    rscales: tuple[float, ...]
    fay_rho: float | None = None

    @classmethod
    def build(
        cls,
        method: ReplicateMethod,
        n: int,
        *,
        scale: float | None = None,
        rscales: Sequence[float] | None = None,
        fay_rho: float | None = None,
    ) -> Replicates:
        """Return the replicate settings with R ``survey``'s default scale for ``method``."""
        method = one_of("replicate_method", method, REPLICATE_METHODS)
        if n < 2:
            raise ParameterError(
                "replicate_weights", n, "a pattern matching 2 replicate-weight columns or more"
            )
        _finite("replicate_scale", scale)
        for r in rscales or ():
            _finite("replicate_rscales", r)
        if method == "fay":
            if fay_rho is None or not 0 <= fay_rho < 1:
                raise ParameterError("fay_rho", fay_rho, "a number in [0, 1) for method fay")
            default = 1 / (n * (1 - fay_rho) ** 2)
        elif fay_rho is not None:
            raise ParameterError("fay_rho", fay_rho, "only with replicate_method fay")
        elif method == "brr":
            default = 1 / n
        elif method == "bootstrap":
            default = 1 / (n - 1)
        elif method == "jk1":
            default = (n - 1) / n
        elif method == "jkn":
            default = 1.0
            if rscales is None:
                raise ParameterError(
                    "replicate_rscales", None, "one (n_h - 1)/n_h factor per replicate, for jkn"
                )
        if rscales is not None and len(rscales) not in (1, n):
            raise ParameterError(
                "replicate_rscales",
                f"{len(rscales)} values",
                f"1 value or {n} (one per replicate column)",
            )
        if rscales is None:
            rs: tuple[float, ...] = (1.0,) * n
        else:
            rs = tuple(rscales) * (n if len(rscales) == 1 else 1)
        return cls(method, n, default if scale is None else scale, rs, fay_rho)


@dataclass(frozen=True)
class Design:
    """A design resolved against the input: which design columns exist, the replicates,
    and the plausible values of an assessment (PISA), read from the file."""

    strata: bool = False
    psu: bool = False
    lonely_psu: LonelyPSU = "fail"
    replicates: Replicates | None = None
    plausible_values: PlausibleValues | None = None

    def __post_init__(self) -> None:
        one_of("lonely_psu", self.lonely_psu, LONELY_PSU_RULES)

    @property
    def variance(self) -> str:
        pv = self.plausible_values
        with_pv = f" x {pv.m} plausible values (Rubin's rules)" if pv is not None else ""
        if self.replicates is not None:
            return f"replicate:{self.replicates.method}{with_pv}"
        return "linearisation" + with_pv
