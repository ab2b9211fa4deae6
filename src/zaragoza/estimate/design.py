"""The survey design: weights, strata, PSUs, replicate weights, lonely-PSU handling.

Variance is a strategy chosen from the design, as in R ``survey``:

* **Taylor linearisation** (default): first-stage with-replacement approximation,
  ``V = sum_h n_h/(n_h-1) sum_j (z_hj - mean_h z)^2`` over the PSU totals ``z_hj`` of the
  linearised variable. Strata and PSUs are nested in country and year (each country-year
  is its own survey). Without ``--psu`` every record is its own PSU.
* **Replicate weights**: ``V = scale * sum_r rscale_r (theta_r - theta)^2`` around the
  full-sample estimate (R ``svrepdesign(..., mse = TRUE)``), with R's scale for each
  method: bootstrap ``1/(R-1)``, BRR ``1/R``, Fay ``1/(R (1-rho)^2)``, JK1 ``(R-1)/R``,
  JKn ``1`` with ``rscales`` given per replicate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from zaragoza.errors import UsageError

__all__ = ["Design", "LonelyPSU", "ReplicateMethod", "Replicates"]

LonelyPSU = Literal["fail", "adjust", "remove", "certainty"]
ReplicateMethod = Literal["bootstrap", "jk1", "jkn", "brr", "fay"]


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
        if n < 2:
            raise UsageError("replicate-weight variance needs at least 2 replicate columns")
        for name, values in (("--replicate-scale", [scale]), ("--replicate-rscales", rscales)):
            bad = [v for v in values or [] if v is not None and not math.isfinite(v)]
            if bad:
                raise UsageError(f"{name} takes finite numbers", value=bad[0])
        if method == "fay":
            if fay_rho is None or not 0 <= fay_rho < 1:
                raise UsageError("--replicate-method fay needs --fay-rho in [0, 1)", value=fay_rho)
            default = 1 / (n * (1 - fay_rho) ** 2)
        elif fay_rho is not None:
            raise UsageError("--fay-rho only applies to --replicate-method fay")
        elif method == "brr":
            default = 1 / n
        elif method == "bootstrap":
            default = 1 / (n - 1)
        elif method == "jk1":
            default = (n - 1) / n
        else:  # jkn
            default = 1.0
            if rscales is None:
                raise UsageError(
                    "--replicate-method jkn needs --replicate-rscales: one (n_h - 1)/n_h "
                    "factor per replicate column"
                )
        if rscales is not None and len(rscales) not in (1, n):
            raise UsageError(
                f"--replicate-rscales has {len(rscales)} values; give 1 or {n} "
                "(one per replicate column)"
            )
        if rscales is None:
            rs: tuple[float, ...] = (1.0,) * n
        else:
            rs = tuple(rscales) * (n if len(rscales) == 1 else 1)
        return cls(method, n, default if scale is None else scale, rs, fay_rho)


@dataclass(frozen=True)
class Design:
    """How records were sampled: which design columns exist and the variance strategy."""

    strata: bool = False
    psu: bool = False
    lonely_psu: LonelyPSU = "fail"
    replicates: Replicates | None = None

    @property
    def variance(self) -> str:
        if self.replicates is not None:
            return f"replicate:{self.replicates.method}"
        return "linearisation"
