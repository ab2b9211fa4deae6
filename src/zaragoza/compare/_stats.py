"""Small distribution functions the comparisons need, without a SciPy dependency.

The normal distribution comes from :class:`statistics.NormalDist`; Student's t tail
probability from the regularised incomplete beta function, evaluated by its continued
fraction (Press, Teukolsky, Vetterling and Flannery, *Numerical Recipes*, 3rd ed. 2007,
§6.4). Both are checked against SciPy in the tests.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

__all__ = ["normal_quantile", "normal_two_sided_p", "t_two_sided_p"]

_N01 = NormalDist()
FloatArray = npt.NDArray[np.float64]


def normal_quantile(p: float) -> float:
    """Return the standard normal quantile of ``p`` (``1.959...`` for 0.975)."""
    return _N01.inv_cdf(p)


def normal_two_sided_p(z: npt.ArrayLike) -> FloatArray:
    """Return ``P(|Z| >= |z|)`` for a standard normal ``Z`` (NaN stays NaN)."""
    arr = np.abs(np.asarray(z, dtype=float))
    out = np.full(arr.shape, np.nan)
    ok = np.isfinite(arr)
    out[ok] = [math.erfc(v / math.sqrt(2.0)) for v in arr[ok]]
    out[np.isinf(arr)] = 0.0
    return out


def _betacf(a: float, b: float, x: float) -> float:
    # Lentz's continued fraction for the incomplete beta function (Numerical Recipes 6.4)
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        step = d * c
        h *= step
        if abs(step - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta ``I_x(a, b)``."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    ln = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(ln + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t: float, df: float) -> float:
    """Return ``P(|T| >= |t|)`` for Student's t with ``df`` degrees of freedom.

    ``I_{df/(df+t^2)}(df/2, 1/2)`` (Abramowitz and Stegun 26.7.1); NaN when ``df <= 0``
    or ``t`` is NaN.
    """
    if not (df > 0) or math.isnan(t):
        return math.nan
    if math.isinf(t):
        return 0.0
    return _betainc(df / 2.0, 0.5, df / (df + t * t))
