"""Grouped income statistics and their influence functions, vectorised over domains.

Every function works on records already sorted by (group, income) — stable, as R's
``order`` — with ``g`` the group of each record (0..G-1), and returns one value per
group plus, where asked, each record's *linearised value* ``z_k = d theta / d w_k``, the
derivative of the statistic with respect to the record's weight (Deville 1999). The
variance of ``theta`` is then the design variance of the total ``sum_k w_k z_k``
(``linearised``).

Definitions are laeken 0.5.2's, which its authors wrote to follow Eurostat's
(*Algorithms to compute social inclusion indicators based on EU-SILC*, EU-SILC
131-rev/04):

* weighted quantile ``q_p``: the first income, in increasing order, whose cumulative
  weight share ``cumsum(w) / sum(w)`` is strictly greater than ``p``
  (``laeken::weightedQuantile``; its branch for a share exactly equal to ``p`` can never
  be taken, so none is taken here);
* Gini: ``100 ((2 sum w_i x_i C_i - sum w_i^2 x_i) / (W sum w_i x_i) - 1)`` with ``C_i``
  the cumulative weight in increasing income (``laeken::gini``);
* S80/S20: the income of persons above the 80% quantile over the income of persons at
  or below the 20% quantile (``laeken::qsr``: ratio of weighted totals).

Densities at a quantile use a Gaussian kernel with bandwidth ``h = s / N^(1/5)``, ``s``
the weighted standard deviation and ``N`` the summed weights of the domain, as in
convey's ``densfun`` and vardpoor's ``linarpt`` (Osier 2009).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "Sorted",
    "density_at",
    "gini",
    "quantile",
    "quantile_linearised",
    "quintile_share_ratio",
    "sort_by_group",
]

FloatArray = np.ndarray


@dataclass(frozen=True)
class Sorted:
    """Records of one estimation pass, sorted by (group, income)."""

    g: np.ndarray  # group of each record, 0..n_groups-1
    x: FloatArray  # income
    index: np.ndarray  # position of each sorted record in the input
    n_groups: int

    def cumsum(self, v: FloatArray) -> FloatArray:
        """Cumulative sums of ``v`` restarting at each group, as R's ``cumsum``."""
        out: FloatArray = pd.Series(v).groupby(self.g, sort=False).cumsum().to_numpy()
        return out

    def total(self, v: FloatArray) -> FloatArray:
        out: FloatArray = np.bincount(self.g, weights=v, minlength=self.n_groups)
        return out


def sort_by_group(
    g: np.ndarray, x: FloatArray, n_groups: int, by_income: np.ndarray | None = None
) -> Sorted:
    """Return the records with ``g >= 0`` sorted by group, then income (stable).

    ``by_income``, the records' stable order by income, may be given once for many
    calls: a stable sort of it by group (a radix sort on small integers) then equals
    the lexicographic sort, several times faster.
    """
    if by_income is None:
        by_income = np.argsort(x, kind="stable")
    keep = by_income[g[by_income] >= 0]
    small = np.int16 if n_groups < 2**15 else np.int64
    order = keep[np.argsort(g[keep].astype(small), kind="stable")]
    return Sorted(g[order].astype(np.int64), x[order], order, n_groups)


def quantile(s: Sorted, w: FloatArray, p: float) -> FloatArray:
    """Weighted quantile ``p`` of each group, exactly as ``laeken::weightedQuantile``.

    ``w`` is in sorted order. Groups without weight get NaN.
    """
    tot = s.total(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = s.cumsum(w) / tot[s.g]
    hit = np.flatnonzero(share > p)
    out = np.full(s.n_groups, np.nan)
    groups, first = np.unique(s.g[hit], return_index=True)
    out[groups] = s.x[hit[first]]
    return out


def density_at(s: Sorted, w: FloatArray, t: FloatArray) -> FloatArray:
    """Kernel density of each group's income at its point ``t[g]`` (Gaussian kernel).

    Bandwidth ``h = sd / N^(1/5)`` with the weighted standard deviation and the summed
    weights ``N`` of the group (convey ``densfun``; vardpoor ``linarpt``).
    """
    n = s.total(w)
    s1 = s.total(w * s.x)
    s2 = s.total(w * s.x * s.x)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(np.maximum(s2 - s1 * s1 / n, 0.0) / n)
        h = sd / n**0.2
        u = (t[s.g] - s.x) / h[s.g]
        k = np.exp(-0.5 * u * u) / np.sqrt(2 * np.pi)
        out: FloatArray = s.total(w * k) / (n * h)
    return out


def quantile_linearised(
    s: Sorted, w: FloatArray, q: FloatArray, p: float
) -> tuple[FloatArray, FloatArray]:
    """Linearised values of the quantiles ``q`` and the densities used.

    ``z_k = -(1[x_k <= q] - p) / (N f(q))`` (Deville 1999; convey ``svyiqalpha``).
    """
    f = density_at(s, w, q)
    n = s.total(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = -((s.x <= q[s.g]).astype(float) - p) / (n * f)[s.g]
    return z, f


def gini(s: Sorted, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Gini coefficient (0-1) of each group as ``laeken::gini`` / 100, and ``z_k``.

    ``z_k`` is the exact derivative of laeken's formula with respect to ``w_k``
    (records sorted by income; ties in their input order, as R's ``order``), which
    is Langel & Tillé's (2013) linearised variable up to terms of order ``1/n``.
    """
    wx = w * s.x
    c = s.cumsum(w)
    big_w = s.total(w)
    big_x = s.total(wx)
    a = s.total(wx * c)
    b = s.total(w * wx)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (2 * a - b) / (big_w * big_x)
        below = s.cumsum(wx) - wx
        d_a = s.x * c + (big_x[s.g] - below)
        z = (2 * d_a - 2 * wx) / (big_w * big_x)[s.g] - q[s.g] * (1 / big_w[s.g] + s.x / big_x[s.g])
    return q - 1, z


def quintile_share_ratio(s: Sorted, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """S80/S20 of each group as ``laeken::qsr``, and ``z_k``.

    With ``S_p = sum w x 1[x <= q_p]`` the linearised value of ``S_p`` is
    ``x 1[x <= q_p] - q_p (1[x <= q_p] - p)`` (the quantile's density cancels; Hulliger
    & Münnich 2006, vardpoor ``linqsr``), so no density is needed.
    """
    q20 = quantile(s, w, 0.2)
    q80 = quantile(s, w, 0.8)
    low = s.x <= q20[s.g]
    mid = s.x <= q80[s.g]
    wx = w * s.x
    s20 = s.total(np.where(low, wx, 0.0))
    top = s.total(np.where(mid, 0.0, wx))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = top / s20
        d20 = np.where(low, s.x, 0.0) - q20[s.g] * (low - 0.2)
        d80 = np.where(mid, s.x, 0.0) - q80[s.g] * (mid - 0.8)
        z = ((s.x - d80) - ratio[s.g] * d20) / s20[s.g]
    return ratio, z
