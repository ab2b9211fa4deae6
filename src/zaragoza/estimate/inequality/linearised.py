"""Design variance of linearised totals, and rescaled-bootstrap replicate weights.

A statistic ``theta`` of domain ``g`` is linearised as ``u_k = w_k z_k`` (``kernels``).
When ``theta`` also depends on a *national* statistic (the at-risk-of-poverty rate on
the national threshold; a group median over the national median) its linearised
value has a second part over the whole country: ``u_k = D_k + a_g T_k`` with ``D`` the
domain's own part, ``T`` the national statistic's linearised values and ``a_g`` the
derivative of ``theta_g`` with respect to it (for the poverty rate the density of the
domain's income at the threshold: Osier 2009). With PSU totals ``D_gj`` and ``T_j``::

    V_g = sum_h f_h [ sum_j (D_gj + a_g T_j)^2 - (sum_j D_gj + a_g T_j)^2 / n_h ]

over all strata ``h`` of the country (``n_h`` PSUs in the full design, ``f_h =
n_h / (n_h - 1)``, the engine's lonely-PSU rules), the first-stage with-replacement
approximation of R ``survey`` applied to ``u`` (what ``svytotal`` of the linearised
variable gives). Everything is grouped sums: one pass per statistic for all domains.

The rescaled bootstrap (Rao, Wu & Yue 1992) draws ``n_h - 1`` PSUs with replacement in
each stratum and multiplies the weights of PSU ``j`` by ``t_hj n_h / (n_h - 1)``
(``t_hj`` = times drawn); strata with one PSU keep their weights.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zaragoza.estimate.design import Design
from zaragoza.estimate.variance import _scale_factor

__all__ = ["DesignArrays", "bootstrap_factors", "design_arrays", "linearised_variance"]


@dataclass(frozen=True)
class DesignArrays:
    """Strata and PSUs of the records as integer ids, with per-stratum factors."""

    psu: np.ndarray  # PSU id of each record
    psu_stratum: np.ndarray  # stratum id of each PSU
    stratum_country: np.ndarray  # country id of each stratum
    n_h: np.ndarray  # PSUs per stratum (full design)
    f_h: np.ndarray  # n_h/(n_h-1), or the lonely-PSU rule
    centre: np.ndarray  # 1.0 where the stratum mean is subtracted, else 0.0

    @property
    def n_psu(self) -> int:
        return len(self.psu_stratum)


def design_arrays(
    strata: pd.Series, psu: pd.Series, country: np.ndarray, design: Design
) -> DesignArrays:
    """Return integer design ids; ``strata``/``psu`` are already unique across countries."""
    h_id, h_names = pd.factorize(strata, sort=True)
    pair = pd.Series(h_id).astype(str) + "\x1f" + psu.astype(str).to_numpy()
    p_id, _ = pd.factorize(pair, sort=False)
    n_psu = int(p_id.max()) + 1 if len(p_id) else 0
    psu_stratum = np.zeros(n_psu, dtype=np.int64)
    psu_stratum[p_id] = h_id
    n_h = np.bincount(psu_stratum, minlength=len(h_names)).astype(float)
    stratum_country = np.zeros(len(h_names), dtype=np.int64)
    stratum_country[h_id] = country
    parts = pd.Series(h_names.astype(str)).str.split("|", n=2, expand=True)
    where = pd.DataFrame(
        {
            "geo": parts[0],
            "time": parts.get(1, ""),
            "strata": parts.get(2, ""),
        }
    )
    f = _scale_factor(pd.Series(n_h), design, where).to_numpy(dtype=float)
    centre = (n_h > 1).astype(float)
    return DesignArrays(p_id.astype(np.int64), psu_stratum, stratum_country, n_h, f, centre)


def linearised_variance(
    des: DesignArrays,
    records: np.ndarray,
    g: np.ndarray,
    u: np.ndarray,
    n_groups: int,
    group_country: np.ndarray,
    national: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Variance of each group's linearised total.

    Parameters
    ----------
    records, g, u
        Record positions, their group and their linearised value ``D_k``.
    group_country
        Country id of each group.
    national
        ``(records, T_k, a_g)``: the national statistic's linearised values over its
        records, and each group's derivative with respect to it.
    """
    psu = des.psu[records]
    key = g.astype(np.int64) * des.n_psu + psu
    uk, inv = np.unique(key, return_inverse=True)
    d = np.bincount(inv, weights=u, minlength=len(uk))
    dg = uk // des.n_psu
    dp = uk % des.n_psu
    n_h = len(des.n_h)
    a: np.ndarray
    t_psu: np.ndarray
    if national is None:
        t_psu = np.zeros(des.n_psu)
        a = np.zeros(n_groups)
    else:
        t_rec, t_u, a = national
        t_psu = np.bincount(des.psu[t_rec], weights=t_u, minlength=des.n_psu)
    dh = des.psu_stratum[dp]
    gh = dg * n_h + dh
    ghk, ghi = np.unique(gh, return_inverse=True)
    s1d = np.bincount(ghi, weights=d, minlength=len(ghk))
    s2d = np.bincount(ghi, weights=d * d, minlength=len(ghk))
    sdt = np.bincount(ghi, weights=d * t_psu[dp], minlength=len(ghk))
    own = pd.DataFrame({"g": ghk // n_h, "h": ghk % n_h, "s1d": s1d, "s2d": s2d, "sdt": sdt})
    if national is None:
        pairs = own
        pairs["s1t"] = 0.0
        pairs["s2t"] = 0.0
    else:
        s1t = np.bincount(des.psu_stratum, weights=t_psu, minlength=n_h)
        s2t = np.bincount(des.psu_stratum, weights=t_psu * t_psu, minlength=n_h)
        strata = pd.DataFrame(
            {"h": np.arange(n_h), "c": des.stratum_country, "s1t": s1t, "s2t": s2t}
        )
        groups = pd.DataFrame({"g": np.arange(n_groups), "c": group_country})
        pairs = groups.merge(strata, on="c").merge(own, on=["g", "h"], how="left")
        pairs = pairs.fillna({"s1d": 0.0, "s2d": 0.0, "sdt": 0.0})
    gi = pairs["g"].to_numpy()
    hi = pairs["h"].to_numpy()
    ag = a[gi]
    s1 = pairs["s1d"].to_numpy() + ag * pairs["s1t"].to_numpy()
    s2 = (
        pairs["s2d"].to_numpy()
        + 2 * ag * pairs["sdt"].to_numpy()
        + ag * ag * pairs["s2t"].to_numpy()
    )
    v = des.f_h[hi] * (s2 - des.centre[hi] * s1 * s1 / np.maximum(des.n_h[hi], 1.0))
    out: np.ndarray = np.bincount(gi, weights=v, minlength=n_groups)
    return out


def bootstrap_factors(des: DesignArrays, n: int, seed: int) -> Iterator[np.ndarray]:
    """Yield ``n`` vectors of per-PSU weight factors of the rescaled bootstrap."""
    rng = np.random.default_rng(seed)
    order = np.argsort(des.psu_stratum, kind="stable")
    n_h = des.n_h.astype(np.int64)
    start = np.concatenate([[0], np.cumsum(n_h)[:-1]])
    m_h = np.where(n_h > 1, n_h - 1, 0)
    draw_stratum = np.repeat(np.arange(len(n_h)), m_h)
    rescale = np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 1.0)
    lonely = n_h[des.psu_stratum] <= 1
    for _ in range(n):
        pick = start[draw_stratum] + np.floor(
            rng.random(len(draw_stratum)) * n_h[draw_stratum]
        ).astype(np.int64)
        times = np.bincount(order[pick], minlength=des.n_psu).astype(float)
        factor = times * rescale[des.psu_stratum]
        yield np.where(lonely, 1.0, factor)
