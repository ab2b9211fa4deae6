"""EU-SILC indicators for every domain: income statistics and ratios, with variances.

The records (one row per person, ``sources.silc``) are held as numpy arrays; each level
set of the breakdowns (``estimate.domains``) partitions them into cells, and every
statistic is computed for all cells of a level set at once (grouped sorts and sums,
``kernels``), never in a loop over domains. The at-risk-of-poverty threshold is always
the national one: 60% of the weighted median equivalised income of all persons of the
country (``RB050``), whatever the domain (Eurostat; laeken's ``breakdown``).

Variance: linearisation (``linearised``) under the strata and PSUs of the design, or
replicate weights (given, or the rescaled bootstrap made here), in which every
statistic, the national threshold included, is recomputed with each replicate's
weights.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zaragoza.catalog.schema import Indicator
from zaragoza.estimate.design import Design
from zaragoza.estimate.domains import Dimension, LevelSet, dimensions_for, level_sets
from zaragoza.estimate.inequality import kernels as kn
from zaragoza.estimate.inequality.gaps import gap_pairs, gap_records
from zaragoza.estimate.inequality.linearised import (
    DesignArrays,
    bootstrap_factors,
    design_arrays,
    linearised_variance,
)
from zaragoza.estimate.totals import GapSpec
from zaragoza.estimate.variance import replicate_variance

__all__ = ["POVERTY_LINE", "SilcRecords", "cell_statistics", "national_thresholds"]

#: The at-risk-of-poverty threshold as a share of the national median (Eurostat ARPT60).
POVERTY_LINE = 0.6


@dataclass
class SilcRecords:
    """Person records as arrays: the breakdown columns, income, weights, indicator columns.

    ``frame`` has ``geo time region sex citizen c_birth w w16 inc strata psu`` and, per
    indicator ``i``: ``p{i}`` (1 in the population, 0 not, missing unknown) for income
    statistics, ``y{i} x{i} m{i}`` for ratios (``totals.indicator_columns``).
    """

    frame: pd.DataFrame
    replicate_weights: np.ndarray | None = None  # records x replicates, base weight w


@dataclass(frozen=True)
class Linearised:
    """Cell values and the linearised values ``u`` of their records (``linearised``)."""

    value: np.ndarray  # per cell
    records: np.ndarray  # record positions
    group: np.ndarray  # their cell
    u: np.ndarray  # their linearised values
    #: national part: (records, linearised values, each cell's factor), or None
    national: tuple[np.ndarray, np.ndarray, np.ndarray] | None


@dataclass(frozen=True)
class _Pass:
    """One level set: cell of each record, the cells' keys and their country."""

    cell: np.ndarray  # cell id of each record, -1 when in no computed cell
    keys: pd.DataFrame  # one row per cell: geo, time and the dimensions' columns
    country: np.ndarray  # country id of each cell
    published: np.ndarray  # per cell: output (False: computed only as a gap reference)


def _level_pass(f: pd.DataFrame, country: np.ndarray, ls: LevelSet) -> _Pass:
    cols: dict[str, np.ndarray] = {"_c": country}
    keep = np.ones(len(f), dtype=bool)
    for d, lvl in ls:
        v = f[d.column].fillna("").astype(str).to_numpy()
        if lvl == "fine":
            keep &= (v != "UNK") & (v != "")
        elif lvl == "mid":
            v = np.where(np.isin(v, ["EU27_2020_FOR", "NEU27_2020_FOR"]), "FOR", v)
            # NAT is computed here too, as the reference of the FOR gap, not output
            keep &= (v == "FOR") | (v == "NAT")
        else:
            v = np.full(len(f), d.total, dtype=object)
        cols[d.column] = v
    frame = pd.DataFrame(cols)
    grouped = frame.groupby(list(frame.columns), sort=True, dropna=False)
    codes = grouped.ngroup().to_numpy()
    # size() lists the groups in ngroup()'s order
    keys = grouped.size().reset_index().drop(columns=0)
    cell = np.where(keep, codes, -1)
    published = np.ones(len(keys), dtype=bool)
    for d, lvl in ls:
        if lvl == "mid":
            published &= (keys[d.column] == "FOR").to_numpy()
    return _Pass(cell.astype(np.int64), keys, keys["_c"].to_numpy(), published)


def national_thresholds(
    inc: np.ndarray,
    w: np.ndarray,
    country: np.ndarray,
    n: int,
    by_income: np.ndarray | None = None,
) -> np.ndarray:
    """60% of the weighted median income of each country (``laeken::arpt``)."""
    g = np.where(np.isfinite(inc), country, -1)
    s = kn.sort_by_group(g, inc, n, by_income)
    return POVERTY_LINE * kn.quantile(s, w[s.index], 0.5)


class _Estimator:
    """All statistics of one indicator for the cells of one level set."""

    def __init__(
        self,
        recs: SilcRecords,
        country: np.ndarray,
        n_countries: int,
        des: DesignArrays | None,
    ) -> None:
        f = recs.frame
        self.f = f
        self.inc = f["inc"].to_numpy(dtype=float)
        self.w = f["w"].to_numpy(dtype=float)
        self.w16 = f["w16"].to_numpy(dtype=float) if "w16" in f else self.w
        self.country = country
        self.n_countries = n_countries
        self.des = des
        # one stable sort by income serves every grouped sort (kernels.sort_by_group)
        self.by_income = np.argsort(self.inc, kind="stable")
        self._threshold: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def sort(self, g: np.ndarray, n: int) -> kn.Sorted:
        return kn.sort_by_group(g, self.inc, n, self.by_income)

    def weight(self, ind: Indicator) -> np.ndarray:
        return self.w16 if ind.weight == "PB040" else self.w

    def members(self, i: int, ind: Indicator) -> tuple[np.ndarray, np.ndarray]:
        """Records in the population with a value, and records left out as missing."""
        if ind.estimator == "ratio":
            x = self.f[f"x{i}"].to_numpy() == 1
            m = self.f[f"m{i}"].to_numpy() == 1
            return x, m
        p = self.f[f"p{i}"].to_numpy(dtype=float)
        inpop = p == 1
        w = self.weight(ind)
        ok = inpop & np.isfinite(self.inc) & np.isfinite(w)
        missing = np.isnan(p) | (inpop & ~ok)
        return ok, missing

    # ----- point estimates for one weight vector ------------------------------------------
    def point(
        self,
        ind: Indicator,
        i: int,
        g: np.ndarray,
        n: int,
        cc: np.ndarray,
        w: np.ndarray,
        wt: np.ndarray,
    ) -> np.ndarray:
        """Each cell's value with weights ``w`` (threshold weights ``wt``)."""
        kind = ind.estimator
        if kind == "ratio":
            y = self.f[f"y{i}"].to_numpy(dtype=float)
            x = self.f[f"x{i}"].to_numpy(dtype=float)
            if f"o1{i}" in self.f:
                # the poverty status moves with this replicate's threshold
                t = national_thresholds(
                    self.inc, wt, self.country, self.n_countries, self.by_income
                )
                o1 = self.f[f"o1{i}"].to_numpy(dtype=float)
                o0 = self.f[f"o0{i}"].to_numpy(dtype=float)
                known = np.isfinite(self.inc) & np.isfinite(o1) & np.isfinite(o0)
                y = np.where(known, np.where(self.inc < t[self.country], o1, o0), y)
            sel = g >= 0
            ys = np.bincount(g[sel], weights=(w * y)[sel], minlength=n)
            xs = np.bincount(g[sel], weights=(w * x)[sel], minlength=n)
            with np.errstate(divide="ignore", invalid="ignore"):
                out: np.ndarray = ys / xs
            return out
        s = self.sort(g, n)
        ws = w[s.index]
        if kind in ("median", "median_ratio"):
            med = kn.quantile(s, ws, 0.5)
            if kind == "median":
                return med
            nat = self._national_median(ind, i, w)
            ratio: np.ndarray = med / nat[cc]
            return ratio
        if kind == "arpt":
            thr: np.ndarray = POVERTY_LINE * kn.quantile(s, ws, 0.5)
            return thr
        if kind == "arpr":
            t = national_thresholds(self.inc, wt, self.country, self.n_countries, self.by_income)
            poor = (s.x < t[self.country[s.index]]).astype(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                rate: np.ndarray = s.total(ws * poor) / s.total(ws)
            return rate
        if kind == "gini":
            return kn.gini(s, ws)[0]
        return kn.quintile_share_ratio(s, ws)[0]

    def _national_median(self, ind: Indicator, i: int, w: np.ndarray) -> np.ndarray:
        ok, _ = self.members(i, ind)
        g = np.where(ok, self.country, -1)
        s = self.sort(g, self.n_countries)
        return kn.quantile(s, w[s.index], 0.5)

    # ----- linearised variance ------------------------------------------------------------
    def linearised(
        self, ind: Indicator, i: int, g: np.ndarray, n: int, cc: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, Linearised]:
        """Each cell's value and linearised variance, and the linearised values."""
        assert self.des is not None
        lin = self.influence(ind, i, g, n, cc)
        v = linearised_variance(self.des, lin.records, lin.group, lin.u, n, cc, lin.national)
        return lin.value, v, lin

    def influence(
        self, ind: Indicator, i: int, g: np.ndarray, n: int, cc: np.ndarray
    ) -> Linearised:
        """Each cell's value and its records' linearised values."""
        kind = ind.estimator
        w = self.weight(ind)
        national = None
        if kind == "ratio":
            value = self.point(ind, i, g, n, cc, w, self.w)
            rec = np.flatnonzero(g >= 0)
            y = self.f[f"y{i}"].to_numpy(dtype=float)[rec]
            x = self.f[f"x{i}"].to_numpy(dtype=float)[rec]
            gr = g[rec]
            xs = np.bincount(gr, weights=w[rec] * x, minlength=n)
            with np.errstate(divide="ignore", invalid="ignore"):
                u = w[rec] * (y - value[gr] * x) / xs[gr]
            national = None
            if f"o1{i}" in self.f:
                national = self._ratio_threshold_term(i, rec, gr, x, w, n, cc, xs)
            return Linearised(value, rec, gr, np.where(np.isfinite(u), u, 0.0), national)
        s = self.sort(g, n)
        ws = w[s.index]
        if kind in ("median", "arpt", "median_ratio"):
            value = kn.quantile(s, ws, 0.5)
            z, _ = kn.quantile_linearised(s, ws, value, 0.5)
            u = ws * z
            if kind == "arpt":
                value, u = POVERTY_LINE * value, POVERTY_LINE * u
            elif kind == "median_ratio":
                nat, t_rec, t_u = self._national_median_lin(ind, i, w)
                ratio = value / nat[cc]
                u = u / nat[cc][s.g]
                national = (t_rec, t_u, -ratio / nat[cc])
                value = ratio
        elif kind == "arpr":
            t, t_rec, t_u = self._threshold_lin()
            poor = (s.x < t[self.country[s.index]]).astype(float)
            tot = s.total(ws)
            with np.errstate(divide="ignore", invalid="ignore"):
                value = s.total(ws * poor) / tot
                u = ws * (poor - value[s.g]) / tot[s.g]
            dens = kn.density_at(s, ws, t[cc])
            national = (t_rec, t_u, dens)
        elif kind == "gini":
            value, z = kn.gini(s, ws)
            u = ws * z
        else:
            value, z = kn.quintile_share_ratio(s, ws)
            u = ws * z
        return Linearised(value, s.index, s.g, np.where(np.isfinite(u), u, 0.0), national)

    def _ratio_threshold_term(
        self,
        i: int,
        rec: np.ndarray,
        gr: np.ndarray,
        x: np.ndarray,
        w: np.ndarray,
        n: int,
        cc: np.ndarray,
        xs: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The threshold's term of a ratio that reads the poverty status (Osier 2009).

        ``dR_g/dt = sum_g w s K_h(t - x) / X_g`` over the records whose status moves
        with the threshold (``s = o1 - o0``), ``K_h`` the Gaussian kernel with the
        bandwidth of the domain's incomes (``kernels.density_at``); for the ratio
        "POOR" alone this is the at-risk-of-poverty rate's term exactly.
        """
        t, t_rec, t_u = self._threshold_lin()
        inc = self.inc[rec]
        ok = np.isfinite(inc) & (x > 0)
        o1 = self.f[f"o1{i}"].to_numpy(dtype=float)[rec]
        o0 = self.f[f"o0{i}"].to_numpy(dtype=float)[rec]
        sens = np.where(ok & np.isfinite(o1) & np.isfinite(o0), o1 - o0, 0.0)
        wk = np.where(ok, w[rec], 0.0)
        xk = np.where(ok, inc, 0.0)
        big_n = np.bincount(gr, weights=wk, minlength=n)
        s1 = np.bincount(gr, weights=wk * xk, minlength=n)
        s2 = np.bincount(gr, weights=wk * xk * xk, minlength=n)
        with np.errstate(divide="ignore", invalid="ignore"):
            h = np.sqrt(np.maximum(s2 - s1 * s1 / big_n, 0.0) / big_n) / big_n**0.2
            z = (t[cc][gr] - xk) / h[gr]
            k = np.exp(-0.5 * z * z) / (np.sqrt(2 * np.pi) * h[gr])
            a = np.bincount(gr, weights=np.nan_to_num(wk * sens * k), minlength=n) / xs
        return t_rec, t_u, np.nan_to_num(a)

    def _national_median_lin(
        self, ind: Indicator, i: int, w: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ok, _ = self.members(i, ind)
        g = np.where(ok, self.country, -1)
        s = self.sort(g, self.n_countries)
        ws = w[s.index]
        med = kn.quantile(s, ws, 0.5)
        z, _ = kn.quantile_linearised(s, ws, med, 0.5)
        return med, s.index, np.where(np.isfinite(z), ws * z, 0.0)

    def _threshold_lin(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The national thresholds and their linearised values (computed once)."""
        if self._threshold is None:
            self._threshold = self._compute_threshold_lin()
        return self._threshold

    def _compute_threshold_lin(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        g = np.where(np.isfinite(self.inc), self.country, -1)
        s = self.sort(g, self.n_countries)
        ws = self.w[s.index]
        med = kn.quantile(s, ws, 0.5)
        z, _ = kn.quantile_linearised(s, ws, med, 0.5)
        t_u = np.where(np.isfinite(z), POVERTY_LINE * ws * z, 0.0)
        return POVERTY_LINE * med, s.index, t_u


def _replicates(
    recs: SilcRecords, des: DesignArrays | None, design: Design, boot: tuple[int, int] | None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield each replicate's (weights, P-file weights)."""
    f = recs.frame
    w = f["w"].to_numpy(dtype=float)
    w16 = f["w16"].to_numpy(dtype=float) if "w16" in f else w
    if boot is not None:
        assert des is not None
        for factor in bootstrap_factors(des, boot[0], boot[1]):
            fr = factor[des.psu]
            yield w * fr, w16 * fr
        return
    assert recs.replicate_weights is not None
    for r in range(recs.replicate_weights.shape[1]):
        wr = recs.replicate_weights[:, r]
        # P-file weights follow the replicate's adjustment of the base weight
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(w > 0, wr / w, 0.0)
        yield wr, w16 * ratio


def cell_statistics(
    recs: SilcRecords,
    indicators: Sequence[Indicator],
    *,
    by: Sequence[str] = (),
    design: Design,
    bootstrap: tuple[int, int] | None = None,
    gap: GapSpec | None = None,
) -> pd.DataFrame:
    """Return one row per indicator ``k`` and published cell: ``R V N M`` and the keys.

    ``R`` is in the statistic's natural unit (a proportion for rates and Gini, euro for
    medians and the threshold); the caller scales by the indicator's unit. With ``gap``,
    rows ``group - reference`` follow, with ``compare_to`` set (``gaps``).
    """
    f = recs.frame
    dims: list[Dimension] = dimensions_for(by)
    if gap is not None and gap.dimension not in {d.name for d in dims}:
        dims = dimensions_for([*by, gap.dimension])
    sets = level_sets(dims)
    grouped = f.groupby(["geo", "time"], sort=True)
    country = grouped.ngroup().to_numpy()
    countries = list(grouped.size().index)
    n_c = len(countries)
    linear = design.replicates is None and bootstrap is None
    des = None
    if linear or bootstrap is not None:
        des = design_arrays(f["strata"], f["psu"], country, design)
    est = _Estimator(recs, country, n_c, des)
    passes = [(ls, _level_pass(f, country, ls)) for ls in sets]
    frames = []
    reps: list[tuple[np.ndarray, np.ndarray]] = []
    if not linear:
        reps = list(_replicates(recs, des, design, bootstrap))
    for k, ind in enumerate(indicators):
        ok, missing = est.members(k, ind)
        for ls, ps in passes:
            if ind.estimator == "arpt" and any(lvl != "total" for _d, lvl in ls):
                continue  # the threshold is national: no breakdown
            n = len(ps.keys)
            g = np.where(ok & (ps.cell >= 0), ps.cell, -1)
            sel = ps.cell >= 0
            cnt = np.bincount(ps.cell[sel & ok], minlength=n)
            miss = np.bincount(ps.cell[sel & missing], minlength=n)
            lin = None
            theta = np.empty((n, 0))
            if linear:
                value, var, lin = est.linearised(ind, k, g, n, ps.country)
            else:
                w = est.weight(ind)
                value = est.point(ind, k, g, n, ps.country, w, est.w)
                theta = np.column_stack(
                    [
                        est.point(
                            ind, k, g, n, ps.country, wr16 if ind.weight == "PB040" else wr, wr
                        )
                        for wr, wr16 in reps
                    ]
                )
                var = replicate_variance(theta, value, _rep_design(design, bootstrap, len(reps)))
            out = ps.keys.drop(columns="_c").copy()
            out["geo"] = [countries[c][0] for c in ps.country]
            out["time"] = [countries[c][1] for c in ps.country]
            out.insert(0, "k", k)
            out["R"] = value
            out["V"] = var
            out["N"] = cnt
            out["M"] = miss
            out["compare_to"] = ""
            frames.append(out[ps.published & ((out["N"] > 0) | (out["M"] > 0))])
            level = {d.name: lvl for d, lvl in ls}.get(gap.dimension) if gap else None
            if gap is None or level not in ("fine", "mid") or ind.estimator == "arpt":
                continue
            gcol = next(d.column for d in dims if d.name == gap.dimension)
            cell, ref = gap_pairs(ps.keys, gcol, gap.reference)
            if not len(cell):
                continue
            if lin is not None:
                assert des is not None
                rec, grp, u = gap_records(lin.records, lin.group, lin.u, n, cell, ref)
                nat = lin.national
                if nat is not None:
                    nat = (nat[0], nat[1], nat[2][cell] - nat[2][ref])
                gv = linearised_variance(des, rec, grp, u, len(cell), ps.country[cell], nat)
            else:
                gv = replicate_variance(
                    theta[cell] - theta[ref],
                    value[cell] - value[ref],
                    _rep_design(design, bootstrap, len(reps)),
                )
            gaps = out.iloc[cell].copy()
            gaps["R"] = value[cell] - value[ref]
            gaps["V"] = gv
            gaps["N"] = cnt[cell] + cnt[ref]
            gaps["M"] = miss[cell] + miss[ref]
            gaps["compare_to"] = gap.reference
            frames.append(gaps[(cnt[cell] > 0) & (cnt[ref] > 0)])
    res = pd.concat(frames, ignore_index=True)
    if "region" in res:
        res["region"] = res["region"].replace("", np.nan)
    return res


def _rep_design(design: Design, bootstrap: tuple[int, int] | None, n: int) -> Design:
    if bootstrap is None:
        return design
    from zaragoza.estimate.design import Replicates

    return Design(replicates=Replicates.build("bootstrap", n))
