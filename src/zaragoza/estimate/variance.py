"""Variance algebra on grouped totals: Taylor linearisation and replicate weights.

For a ratio ``R = Y / X`` in a domain, the linearised variable of record ``i`` is
``z_i = w_i (y_i - R x_i) / X`` (Woodruff 1971; R ``survey``'s ``svyratio``). With PSU
totals ``z_hj`` and ``n_h`` PSUs in stratum ``h`` of the *full* design (domains never
drop PSUs: a PSU without domain members has ``z_hj = 0``)::

    V(R) = sum_h n_h/(n_h-1) [ sum_j z_hj^2 - (sum_j z_hj)^2 / n_h ]

and ``sum_j z_hj^2 = (YY - 2 R XY + R^2 XX) / X^2``, ``sum_j z_hj = (Y_h - R X_h) / X``
in the grouped totals. A gap ``R_g - R_0`` has variance ``V_g + V_0 - 2 C`` with the
covariance ``C`` from the same sums over products of the two domains' PSU totals
(zero when no PSU holds records of both). Strata with one PSU follow ``lonely_psu``
with R ``survey``'s meaning: ``fail`` stops, ``remove`` and ``certainty`` contribute
nothing, ``adjust`` centres the PSU at the population mean (zero) instead of the
stratum mean.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from zaragoza.errors import DesignError
from zaragoza.estimate.design import Design

__all__ = ["cell_estimates", "gap_estimates", "long_by_indicator"]

STATS = ("Y", "X", "YY", "XY", "XX", "N", "M")
CROSS = ("GY", "GX", "HY", "HX")


def long_by_indicator(
    wide: pd.DataFrame, n_ind: int, keys: Sequence[str], replicates: int = 0
) -> pd.DataFrame:
    """Return one row per indicator ``k`` and stratum cell from the wide totals.

    ``replicates`` > 0: replicate totals instead of the linearisation sums.
    """
    stats = ("Y", "X", "N", "M") if replicates else (*STATS, *CROSS)
    frames = []
    for i in range(n_ind):
        names = {f"{s}{i}": s for s in stats}
        names |= {f"Yr{i}_{r}": f"Yr_{r}" for r in range(replicates)}
        names |= {f"Xr{i}_{r}": f"Xr_{r}" for r in range(replicates)}
        part = wide[list(keys) + list(names)].rename(columns=names)
        part.insert(0, "k", i)
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def _scale_factor(n_h: pd.Series, design: Design, where: pd.DataFrame) -> pd.Series:
    """n_h/(n_h-1) for ordinary strata, the lonely-PSU rule for single-PSU strata."""
    lonely = n_h <= 1
    if lonely.any() and design.lonely_psu == "fail":
        row = where[lonely].iloc[0]
        n_lonely, n_all = int(lonely.sum()), len(n_h)
        raise DesignError(
            f"{n_lonely} of {n_all} strata have only one PSU, so their variance "
            "cannot be estimated",
            column="strata",
            value=f"{row['geo']} {row['time']} stratum {row['strata']!r}",
            hint="A variance needs two PSUs or more per stratum: check the stratum and PSU "
            "columns, give more records, or choose --lonely-psu adjust, remove or "
            "certainty (R survey's meanings)",
        )
    f = n_h / (n_h - 1).where(~lonely, 1.0)
    if design.lonely_psu in ("remove", "certainty"):
        f = f.where(~lonely, 0.0)
    else:  # adjust: no centring, factor 1
        f = f.where(~lonely, 1.0)
    return f


def cell_estimates(
    long: pd.DataFrame, n_h: pd.DataFrame, cell: Sequence[str], design: Design
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return per cell ``R, V, N, M, Y, X`` and the per-stratum linearised sums.

    The second frame (``S1`` per stratum and cell) feeds the gap covariances.
    """
    cell = list(cell)
    tot = long.groupby(cell, as_index=False, sort=False)[["Y", "X", "N", "M"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        tot["R"] = tot["Y"] / tot["X"]
    reps = design.replicates
    if reps is not None:
        yr = [f"Yr_{r}" for r in range(reps.n)]
        xr = [f"Xr_{r}" for r in range(reps.n)]
        rt = long.groupby(cell, as_index=False, sort=False)[yr + xr].sum()
        tot = tot.merge(rt, on=cell, how="left")
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = tot[yr].to_numpy() / tot[xr].to_numpy()
        tot["V"] = replicate_variance(theta, tot["R"].to_numpy(), design)
        tot = tot.drop(columns=yr + xr)
        return tot, pd.DataFrame()
    s = long.merge(tot[[*cell, "R", "X"]].rename(columns={"X": "Xc"}), on=cell)
    s = s.merge(n_h, on=["geo", "time", "strata"], how="left")
    r, xc = s["R"], s["Xc"]
    s["S1"] = (s["Y"] - r * s["X"]) / xc
    s["S2"] = (s["YY"] - 2 * r * s["XY"] + r * r * s["XX"]) / (xc * xc)
    s["f"] = _scale_factor(s["n_h"], design, s)
    centre = np.where(s["n_h"] > 1, s["S1"] ** 2 / s["n_h"], 0.0)
    s["v"] = s["f"] * (s["S2"] - centre)
    v = s.groupby(cell, as_index=False, sort=False).agg(V=("v", "sum"))
    tot = tot.merge(v, on=cell, how="left")
    return tot, s


def replicate_variance(theta: np.ndarray, full: np.ndarray, design: Design) -> np.ndarray:
    """``scale * sum_r rscale_r (theta_r - theta)^2`` for each row (R's ``mse=TRUE``).

    A replicate whose domain has no weight (``theta_r`` undefined) is left out of the
    sum, with the scale unchanged, as R ``survey``'s ``svrVar`` does.
    """
    reps = design.replicates
    assert reps is not None
    dev = theta - full[:, None]
    sq = np.where(np.isfinite(dev), dev * dev, 0.0)
    return np.asarray(reps.scale * sq @ np.asarray(reps.rscales))


def gap_estimates(
    tot: pd.DataFrame,
    strata: pd.DataFrame,
    long: pd.DataFrame,
    cell: Sequence[str],
    gap_dim: str,
    reference: str,
    design: Design,
) -> pd.DataFrame:
    """Return ``group - reference`` per cell of the gap dimension, with its variance."""
    other = [c for c in cell if c != gap_dim]
    ref = tot[tot[gap_dim] == reference]
    grp = tot[~tot[gap_dim].isin([reference, "TOTAL"])]
    pair = grp.merge(ref, on=other, suffixes=("", "_ref"))
    pair["D"] = pair["R"] - pair["R_ref"]
    reps = design.replicates
    if reps is not None:
        yr = [f"Yr_{r}" for r in range(reps.n)]
        xr = [f"Xr_{r}" for r in range(reps.n)]
        rt = long.groupby(list(cell), as_index=False, sort=False)[yr + xr].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            th = rt[yr].to_numpy() / rt[xr].to_numpy()
        thetas = pd.concat([rt[list(cell)], pd.DataFrame(th, columns=yr)], axis=1)
        g = pair[list(cell)].merge(thetas, on=list(cell), how="left")
        rkeys = pair[[*other]].assign(**{gap_dim: reference})
        rr = rkeys.merge(thetas, on=list(cell), how="left")
        diff = g[yr].to_numpy() - rr[yr].to_numpy()
        pair["V"] = replicate_variance(diff, pair["D"].to_numpy(), design)
        return pair
    # Linearisation: covariance of the two domains' linearised totals, stratum by stratum.
    s = strata
    sg = s[~s[gap_dim].isin([reference, "TOTAL"])]
    s0 = s[s[gap_dim] == reference]
    skeys = [*other, "strata"]
    m = sg.merge(s0[[*skeys, "S1", "R", "Xc"]], on=skeys, how="inner", suffixes=("", "_ref"))
    r, r0, xg, x0 = m["R"], m["R_ref"], m["Xc"], m["Xc_ref"]
    # sum_j z_gj z_0j from the PSU cross-products of the two domains' totals
    m["Sc"] = (m["GY"] - r0 * m["GX"] - r * m["HY"] + r * r0 * m["HX"]) / (xg * x0)
    centre = np.where(m["n_h"] > 1, m["S1"] * m["S1_ref"] / m["n_h"], 0.0)
    m["c"] = m["f"] * (m["Sc"] - centre)
    cov = m.groupby(list(cell), as_index=False, sort=False)["c"].sum()
    pair = pair.merge(cov, on=list(cell), how="left")
    pair["V"] = pair["V"] + pair["V_ref"] - 2 * pair["c"].fillna(0.0)
    return pair.drop(columns="c")
