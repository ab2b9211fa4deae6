"""Synthetic EU-SILC-shaped microdata: persons in households, for examples, tests, benchmarks.

The four files of the EU-SILC user database (UDB) per country and year, or one merged
person file, with the UDB's variable names: the household register (``DB010`` year,
``DB020`` country, ``DB030`` household id, ``DB040`` region, ``DB050`` stratum,
``DB060`` PSU, ``DB090`` household weight), the personal register (``RB030`` person id
``DB030 * 100 + k``, ``RB050`` personal weight, ``RB080`` year of birth, ``RB090`` sex,
``RB210`` basic activity, ``RB240`` partner id, ``RX020`` age at the end of the income
reference period, ``RX030`` household id), the personal data of persons 16+ (``PB040``,
``PX030`` household id, citizenship ``PB220A``, country of birth ``PB210``, activity
``PL031`` (2009-2020 coding) and ``PL032`` (2021 coding), months worked
``PL073``-``PL076``, ``PX050``, old-age benefits ``PY100G``, health ``PH010``, unmet
needs ``PH040``/``PH050``, personal deprivation items ``PD020``-``PD080``) and the
household data (income ``HY020``, ``HX050``, ``HX090``, tenure ``HH021``, rooms
``HH030``, warmth ``HH050``, housing cost ``HH070``, allowances ``HY070G``, arrears
``HS011``/``HS021``/``HS031``, deprivation items ``HS040``-``HS110``, ``HD080``): what
every EU-SILC indicator of the catalogue reads. Codes are those of the EU-SILC
guidelines (DocSILC065); ``PL031`` and ``PL032`` are both given in every year.

Households of 1-6 persons have a type, the citizenship group of their reference person
(nationals, other EU, non-EU; fixed shares, not published figures); other adults
of the household may be of another group, so that households mix citizenships.
Households lie in PSUs of consecutive households within strata. Income is drawn per
household: the equivalised disposable income ``HX090`` is lognormal with a median by
household type, a PSU effect and a household effect, and ``HY020`` is ``HX090`` times the
equivalised household size ``HX050`` on the modified OECD scale (Eurostat: 1 for the
first member aged 14 or over, 0.5 for each other member aged 14 or over, 0.3 for each
child under 14; age ``RX020``). With targets (:func:`published_income_targets`, from
Eurostat's ``ilc_di15``) the medians by household type are solved so that the weighted
median equivalised income of the persons aged 18 and over of each citizenship group
(``PB220A``) reproduces Eurostat's figure by country and year within sampling error
(the median as Eurostat defines it, EU-SILC 131-rev/04: the income at which the
cumulated personal weights ``RB050`` reach half their total).
Employment, deprivation, housing and health then depend on the household's income, so
they hang together without changing the calibrated income distribution. With targets,
the share of persons aged 16 and over whose health is very good or good (``PH010`` 1-2)
is, in each citizenship group, Eurostat's (``hlth_silc_24``): the cut between "good" and
"fair" of the latent health score is the weighted quantile of the group's persons at
Eurostat's share, so each chunk meets it (a country-year without a published figure
keeps the fixed shape). Poverty, deprivation and housing follow fixed shapes, not
published figures.

Deterministic for a seed; written in chunks of whole households, so memory stays
bounded at any size. The records are synthetic: they describe no real person and must
not be cited.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from zaragoza.errors import UsageError
from zaragoza.sources.synthetic import (
    _EU_OTHER,
    _NON_EU,
    _U16,
    Part,
    _grid,
    _nullable,
    below,
    check_compression,
    country_years,
    draw,
    lookup_table,
    normals,
    parquet_options,
    uniforms,
    write_one_file,
    write_partitioned,
)

__all__ = [
    "IncomeTargets",
    "household_log_medians",
    "published_income_targets",
    "silc_batches",
    "write_silc",
    "write_silc_dataset",
]

#: Households by the citizenship group of the reference person: nationals, other EU, non-EU.
HOUSEHOLD_TYPE_SHARES = np.array([0.86, 0.05, 0.09])
#: Household sizes 1-6 by household type.
_SIZE_P = np.array(
    [
        [0.36, 0.32, 0.14, 0.12, 0.04, 0.02],
        [0.38, 0.27, 0.15, 0.12, 0.05, 0.03],
        [0.28, 0.22, 0.17, 0.17, 0.10, 0.06],
    ]
)
#: Citizenship group of the adults other than the reference person, by household type.
_MIX = np.array([[0.94, 0.03, 0.03], [0.25, 0.70, 0.05], [0.15, 0.03, 0.82]])
#: Household weights are higher for foreign households (they answer less often).
_WEIGHT_FACTOR = np.array([1.0, 1.2, 1.5])
#: Children in a household of size s >= 2: Binomial(s - 2, _KID_P) + Binomial(1, _KID_EXTRA).
_KID_P, _KID_EXTRA = 0.8, 0.08
#: Log-income spread: between PSUs and between households within a PSU.
SIGMA_PSU, SIGMA_HOUSEHOLD = 0.15, 0.53
SIGMA = math.hypot(SIGMA_PSU, SIGMA_HOUSEHOLD)
#: Medians (EUR) of the uncalibrated records: a fixed shape, not data.
_UNCALIBRATED = np.array([22_000.0, 20_000.0, 16_000.0])
# Min/max statistics where readers prune on them; no Arrow schema in the files.
_STATISTICS = ["DB010", "DB020", "DB030", "DB050", "DB060", "HB030", "RB030", "PB030"]


@dataclass(frozen=True)
class IncomeTargets:
    """Eurostat's figures one country-year must reproduce.

    ``median`` has shape (3,): the median equivalised net income (EUR, persons 18+) of
    the citizenship groups NAT, EU27_2020_FOR, NEU27_2020_FOR (``ilc_di15``,
    ``indic_il=MED_E``, ``age=Y_GE18``, ``sex=T``); ``good_health`` has shape (3,): the
    share (%) of persons 16+ in very good or good health by the same groups
    (``hlth_silc_24``, ``lev_perc=VG_G``, ``age=Y_GE16``, ``sex=T``), or is None when
    Eurostat publishes none for the nationals.
    """

    median: np.ndarray
    good_health: np.ndarray | None = None


def published_income_targets(
    countries: Sequence[str], years: Sequence[int]
) -> dict[tuple[str, int], IncomeTargets]:
    """Return the median income (``ilc_di15``) and good-health share (``hlth_silc_24``)
    each country-year must reproduce.

    A group whose figure Eurostat does not publish (``:``) takes the nationals' figure,
    as in :func:`zaragoza.sources.synthetic.published_targets`; without the nationals'
    health figure the health targets are None (the fixed shape).

    Raises
    ------
    UsageError
        A country-year without a published median of nationals.
    """
    from zaragoza.sources.eurostat_bundled import read_bundled

    rows = read_bundled({"ilc_di15", "hlth_silc_24"})
    rows = rows[rows["geo"].isin(countries) & rows["time"].isin(years)]
    income = rows[
        (rows["dataset"] == "ilc_di15")
        & (rows["indic_il"] == "MED_E")
        & (rows["age"] == "Y_GE18")
        & (rows["unit"] == "EUR")
    ]
    health = rows[
        (rows["dataset"] == "hlth_silc_24")
        & (rows["lev_perc"] == "VG_G")
        & (rows["age"] == "Y_GE16")
        & (rows["unit"] == "PC")
        & (rows["sex"] == "T")
    ]
    out = {}
    for c in countries:
        for y in years:
            sel = income[(income["geo"] == c) & (income["time"] == y)]
            good = health[(health["geo"] == c) & (health["time"] == y)]
            nat = good.loc[good["citizen"] == "NAT", "value"]
            shares = (
                _grid(good, "citizen", c, y, "hlth_silc_24", ("T",))[0]
                if len(nat) and np.isfinite(nat.iloc[0])
                else None
            )
            median = _grid(sel, "citizen", c, y, "ilc_di15", ("T",))[0]
            out[(c, y)] = IncomeTargets(median, shares)
    return out


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value at which the cumulated weights reach ``q`` of their total."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    at = int(np.searchsorted(cum, q * cum[-1]))
    return float(values[order][min(at, len(values) - 1)])


def _adults_expected() -> np.ndarray:
    """Expected number of persons aged 18+ per household, by household type."""
    size = np.arange(1, 7)
    kids = np.where(size >= 2, _KID_P * (size - 2) + _KID_EXTRA, 0.0)
    return np.asarray(_SIZE_P @ (size - kids))


def _mean_household_size() -> float:
    return float(HOUSEHOLD_TYPE_SHARES @ _SIZE_P @ np.arange(1, 7))


def group_mixture() -> np.ndarray:
    """Return P(household type h | adult of group g), weighted: shape (g, h).

    The weighted share of the adults of citizenship group g living in households of
    type h: type share x weight factor x expected adults of group g in such a household
    (the reference person, plus the other adults by the mixing matrix).
    """
    extra = _adults_expected() - 1.0
    adults_g = np.eye(3) + extra[:, None] * _MIX  # (h, g)
    joint = (HOUSEHOLD_TYPE_SHARES * _WEIGHT_FACTOR)[:, None] * adults_g
    return np.asarray((joint / joint.sum(axis=0, keepdims=True)).T)


_erf = np.vectorize(math.erf, otypes=[float])


def _mixture_median(mu: np.ndarray, pi: np.ndarray) -> np.ndarray:
    """Log-medians of lognormal mixtures: row g mixes N(mu_h, SIGMA) with weights pi[g]."""
    lo = np.full(len(pi), mu.min() - 6 * SIGMA)
    hi = np.full(len(pi), mu.max() + 6 * SIGMA)
    for _ in range(60):  # bisection to far below a cent
        mid = (lo + hi) / 2
        cdf = (pi * 0.5 * (1 + _erf((mid[:, None] - mu[None, :]) / (SIGMA * math.sqrt(2))))).sum(
            axis=1
        )
        below = cdf < 0.5
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return np.asarray((lo + hi) / 2)


def household_log_medians(medians: np.ndarray) -> np.ndarray:
    """Return the log-median income of each household type that gives these group medians.

    Parameters
    ----------
    medians
        Target medians (EUR) of the persons aged 18+ of each citizenship group, NAT, EU,
        non-EU.

    Returns
    -------
    numpy.ndarray
        ``mu_h`` such that, with equivalised income lognormal(``mu_h``, ``SIGMA``) in
        households of type h, the population median of the adults of group g (a mixture
        over household types, :func:`group_mixture`) is ``medians[g]``.

    Notes
    -----
    The median is the population counterpart of Eurostat's weighted median (EU-SILC
    131-rev/04; ``laeken::weightedMedian``), so the sample's weighted median estimates
    it. Solved by a fixed-point iteration: each group is mostly made of its own
    household type (:data:`_MIX`), which makes the iteration a contraction.
    """
    target = np.log(np.asarray(medians, dtype=float))
    pi = group_mixture()
    mu = target.copy()
    for _ in range(200):
        step = target - _mixture_median(mu, pi)
        mu = mu + step
        if np.abs(step).max() < 1e-12:
            break
    return np.asarray(mu)


def _logistic(x: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-x)))


def _households(rng: np.random.Generator, persons: int) -> tuple[np.ndarray, np.ndarray]:
    """Household types and sizes adding up to exactly ``persons``."""
    k = int(persons / 2.0) + 64  # the mean size is above 2.0: enough households
    u = uniforms(rng, 2, k)
    htype = draw(_TYPES, u[0])
    size = draw(_SIZES, u[1], htype)
    ends = np.cumsum(size)
    k = int(np.searchsorted(ends, persons)) + 1
    htype, size = htype[:k], size[:k].astype(np.int64)
    size[-1] -= int(ends[k - 1]) - persons  # the last household made to fit
    return htype, size


@dataclass(frozen=True)
class _Col:
    """One variable of a chunk: values, where they are missing, and the words of a coded
    variable (``values`` then index them)."""

    values: np.ndarray
    missing: np.ndarray | None = None
    words: Sequence[str] | None = None

    def take(self, rows: np.ndarray) -> _Col:
        """The values of ``rows`` (a household's for each of its persons, say)."""
        miss = None if self.missing is None else self.missing[rows]
        return _Col(self.values[rows], miss, self.words)

    def spread(self, at: np.ndarray) -> _Col:
        """Values of a subset put back among all records, missing elsewhere."""
        values = np.zeros(len(at), dtype=self.values.dtype)
        values[at] = self.values
        missing = ~at
        if self.missing is not None:
            missing[at] |= self.missing
        return _Col(values, missing, self.words)

    def arrow(self) -> pa.Array:
        if self.missing is None or not self.missing.any():
            ix = pa.array(self.values)
        else:
            ix = _nullable(self.values, self.missing)
        return (
            ix if self.words is None else pa.DictionaryArray.from_arrays(ix, pa.array(self.words))
        )


@dataclass(frozen=True)
class _Records:
    """One chunk of synthetic EU-SILC records, variables by the UDB file that holds them."""

    d: dict[str, _Col]  # household register, one value per household
    h: dict[str, _Col]  # household data
    r: dict[str, _Col]  # personal register, every person
    p: dict[str, _Col]  # personal data, persons aged 16 and over only
    hh: np.ndarray  # each person's household (index into the household variables)
    p16: np.ndarray  # persons aged 16 and over

    def merged(self) -> pa.Table:
        """One row per person: household variables repeated, personal data missing under
        16; the files' own year, country and id variables once (``DB010 DB020 DB030``,
        ``RB030``), not per file."""
        own_ids = {"RB010", "RB020", "RX030", "PB010", "PB020", "PB030", "PX030"}
        cols = {k: c.take(self.hh) for k, c in self.d.items()}
        cols |= {k: c for k, c in self.r.items() if k not in own_ids}
        cols |= {k: c.spread(self.p16) for k, c in self.p.items() if k not in own_ids}
        cols |= {k: c.take(self.hh) for k, c in self.h.items() if k[:2] != "HB"}
        return pa.table({k: c.arrow() for k, c in cols.items()})

    def files(self) -> dict[str, pa.Table]:
        """The four files of the user database: ``D``, ``H``, ``R``, ``P``."""
        return {
            kind: pa.table({k: c.arrow() for k, c in cols.items()})
            for kind, cols in (("D", self.d), ("H", self.h), ("R", self.r), ("P", self.p))
        }


#: Uniform 16-bit draws used by :func:`zaragoza.sources.synthetic.below`: as many
#: streams as the chunk's household and person draws below need.
_HOUSEHOLD_STREAMS, _PERSON_STREAMS = 10, 11


def _batch(
    rng: np.random.Generator,
    n: int,
    country: str,
    year: int,
    first_household: int,
    id_type: type[np.signedinteger[Any]],
    n_strata: int,
    psu_size: int,
    mu: np.ndarray,
    m_nat: float,
    good_health: np.ndarray | None = None,
) -> _Records:
    # ----- households ------------------------------------------------------------------
    htype, size = _households(rng, n)
    k = len(size)
    uh = uniforms(rng, _HOUSEHOLD_STREAMS, k)
    hid = np.arange(first_household, first_household + k, dtype=id_type)
    psu = hid // psu_size
    stratum = psu % n_strata
    psu_first = int(psu[0])
    # (a PSU that straddles two chunks draws its effect once in each: a small blur)
    psu_effect = rng.standard_normal(int(psu[-1]) - psu_first + 1, dtype=np.float32)
    z = (
        SIGMA_PSU * psu_effect[psu - psu_first]
        + SIGMA_HOUSEHOLD * rng.standard_normal(k, dtype=np.float32)
    ) / SIGMA
    x = np.exp(mu[htype] + SIGMA * z.astype(np.float64))  # equivalised disposable income, EUR
    # income relative to the nationals' median, and a national level of hardship: the
    # poorer the country, the more deprivation at the same relative income
    r = np.log(x / m_nat).astype(np.float32)
    level = -0.9 * math.log(m_nat / 18_000.0)
    kids = draw(_KIDS, uh[0], size - 1)
    adults = size - kids
    has_kids = kids > 0
    ref_age = np.where(
        has_kids, rng.integers(22, 56, k, dtype=np.int16), rng.integers(18, 91, k, dtype=np.int16)
    )
    couple = (adults >= 2) & below(uh[1], 0.75)
    w_hh = np.round(400.0 * np.exp(0.35 * rng.standard_normal(k)) * _WEIGHT_FACTOR[htype], 4)
    eu_words = [c for c in _EU_OTHER if c != country]
    neu_words = [c for c in _NON_EU if c != country]
    vocab = [country, *eu_words, *neu_words]
    # one foreign country per household and group: families share their nationality
    eu_code = rng.integers(1, 1 + len(eu_words), k, dtype=np.int8)
    neu_code = rng.integers(1 + len(eu_words), len(vocab), k, dtype=np.int8)

    # ----- persons: household arrays repeated, adults first within a household ---------
    up = uniforms(rng, _PERSON_STREAMS, n)
    starts = np.cumsum(size) - size
    hh = np.repeat(np.arange(k, dtype=np.int32), size)
    pos = (np.arange(n, dtype=np.int32) - np.repeat(starts.astype(np.int32), size)).astype(np.int8)
    adult = pos < adults[hh]
    ref = ref_age[hh]
    other_adult = np.where(
        ref >= 42, rng.integers(18, 31, n, dtype=np.int16), rng.integers(60, 86, n, dtype=np.int16)
    )  # grown children, or parents
    partner_age = np.clip(ref + rng.integers(-5, 6, n, dtype=np.int16), 18, 95)
    kid_age = np.minimum(rng.integers(0, 18, n, dtype=np.int16), ref - 16)
    in_couple = couple[hh]
    partner = (pos == 1) & in_couple
    age = np.where(
        pos == 0, ref, np.where(adult, np.where(partner, partner_age, other_adult), kid_age)
    ).astype(np.int16)
    sex = rng.integers(1, 3, n, dtype=np.int8)
    first_sex = sex[starts]
    sex = np.where(partner & below(up[0], 0.95), 3 - first_sex[hh], sex).astype(np.int8)
    # citizenship group: the reference person's is the household's; other adults by the
    # mixing matrix; children as the household, a quarter of foreign ones nationals
    htype_p = htype[hh]
    mixed = draw(_MIX_TABLES, up[1], htype_p)
    group = np.where(
        adult, np.where(pos == 0, htype_p, mixed), np.where(below(up[2], 0.25), np.int8(0), htype_p)
    ).astype(np.int8)
    cit = np.where(group == 0, np.int8(0), np.where(group == 1, eu_code[hh], neu_code[hh]))
    born_here = np.where(
        group == 0, below(up[3], 0.95), np.where(adult, below(up[3], 0.08), below(up[3], 0.6))
    )
    cob = np.where(born_here, np.int8(0), np.where(group == 0, neu_code[hh], cit))
    rid = hid[hh] * id_type(100) + pos + id_type(1)
    # RB240: the partner's person id
    partner_id = np.where(
        in_couple & (pos == 0), rid + id_type(1), np.where(partner, rid - id_type(1), id_type(-1))
    )

    # ----- equivalised size and income (modified OECD scale) ----------------------------
    n14 = np.bincount(hh, weights=age >= 14, minlength=k)
    under14 = size - n14
    scale = np.where(n14 > 0, 1 + 0.5 * (n14 - 1) + 0.3 * under14, 1 + 0.3 * (under14 - 1))
    hx090 = np.round(x, 2)
    hy020 = np.round(hx090 * scale, 2)

    # ----- activity (16+), depending on the household's income ---------------------------
    p16 = age >= 16
    zp = z[hh]
    u_student = up[4]
    student = (age <= 24) & np.where(age < 20, below(u_student, 0.75), below(u_student, 0.35))
    working_age = (age >= 18) & (age <= 64)
    p_emp = _logistic(
        np.float32(1.8)
        + np.float32(1.3) * zp
        - np.float32(0.35) * (sex == 2)
        - np.float32(0.4) * (group == 2)
    )
    p_emp = np.where(age >= 60, p_emp * np.clip((67 - age) / np.float32(7), 0, 1), p_emp)
    employed = p16 & ~student & (up[5] < p_emp * _U16)
    retired = p16 & ~employed & (age >= 60) & below(up[6], 0.9)
    unemployed = p16 & ~employed & ~retired & ~student & working_age & below(up[7], 0.45)
    self_emp = employed & below(up[8], 0.12)
    part_time = employed & (below(up[9], 0.15) | ((sex == 2) & below(up[9], 0.35)))
    # the statuses exclude each other: 0 other inactive, 1 employed, 2 unemployed,
    # 3 retired, 4 student; employed: 0 full-time employee, 1 part-time employee,
    # 2 full-time self-employed, 3 part-time self-employed
    status = (employed + 2 * unemployed + 3 * retired + 4 * student).astype(np.int8)
    job = (part_time + 2 * self_emp).astype(np.int8)
    rb210 = np.array([4, 1, 2, 3, 4], np.int8)[status]

    # ----- personal data: persons aged 16 and over --------------------------------------
    i8 = np.int8
    at = np.flatnonzero(p16)
    m = len(at)
    uq = uniforms(rng, 5, m)
    status, job, employed, unemployed, retired, self_emp = (
        v[at] for v in (status, job, employed, unemployed, retired, self_emp)
    )
    age_q, group_q, zq, hh_q = age[at], group[at], zp[at], hh[at]
    other = (uq[0] % 3).astype(i8)  # disabled, domestic tasks, other inactive
    inactive = status == 0
    pl031 = np.where(
        inactive, np.array([8, 10, 11], i8)[other], np.array([0, 1, 5, 7, 6], i8)[status] + job
    )
    pl032 = np.where(
        inactive, np.array([4, 6, 8], i8)[other], np.array([0, 1, 2, 3, 5], i8)[status]
    )
    px050 = np.array([7, 2, 5, 6, 7], i8)[status] + self_emp.astype(i8)
    # months worked: 85% a full year, else 3-11 months; a job of part of the year for
    # the unemployed (0-5 months), none for the others
    months = draw(_MONTHS, uq[1])
    worked = np.where(employed, months, np.where(unemployed, (uq[2] % 6).astype(i8), i8(0)))
    pl073, pl075, pl074, pl076 = (np.where(job == j, worked, i8(0)) for j in range(4))
    py100g = np.zeros(m)
    # 50-90% of the household's equivalised income (the stream of months worked serves:
    # the retired work no months)
    share = np.float32(0.5) + np.float32(0.4 / _U16) * uq[1][retired]
    py100g[retired] = np.round(x[hh_q[retired]] * share, 2)
    # health
    health = np.float32(0.035) * (age_q - 45) - np.float32(0.35) * zq + normals(uq[4])
    if good_health is not None:
        # move each group's cut between "good" (PH010 <= 2) and "fair" to the weighted
        # quantile at Eurostat's share of persons in very good or good health
        w_q = w_hh[hh_q]
        shift = np.zeros(3, dtype=np.float32)
        for g in range(3):
            in_g = group_q == g
            if in_g.any():
                cut = _weighted_quantile(health[in_g], w_q[in_g], good_health[g] / 100)
                shift[g] = cut - 0.8
        health = health - shift[group_q]
    ph010 = (1 + (health > -0.4).view(i8) + (health > 0.8).view(i8) + (health > 1.9).view(i8)) + (
        health > 2.8
    ).view(i8)
    unmet = uq[3] < _U16 * _logistic(
        np.float32(-3.1) - np.float32(0.6) * zq + np.float32(0.4) * (group_q == 2)
    )
    ph050 = np.where(unmet, draw(_REASONS, up[10][at]), i8(0))  # the reason, if unmet

    # ----- deprivation: one hardship per household, items by threshold --------------------
    hardship = (-1.4 * r + level + 0.8 * normals(uh[7])).astype(np.float32)

    def item(threshold: float, h: np.ndarray) -> np.ndarray:
        """1 has it, 2 cannot afford it, 3 does without for other reasons."""
        noise = normals(uniforms(rng, 1, len(h))[0])
        out = np.where(noise < -1.75, np.int8(3), np.int8(1))  # 4%: other reasons
        out[h + np.float32(0.9) * noise > threshold] = 2
        return out

    hardship_q = hardship[hh_q]

    def arrears(threshold: float) -> np.ndarray:
        late = hardship + np.float32(0.9) * normals(uniforms(rng, 1, k)[0]) - threshold
        return np.where(late > 0.6, np.int8(2), np.where(late > 0, np.int8(1), np.int8(3)))

    # ----- housing ------------------------------------------------------------------------
    own = uh[2] < _U16 * _logistic(
        0.9 + 0.8 * z - 1.4 * (htype == 1) - 1.8 * (htype == 2) + 0.03 * (ref_age - 45)
    )
    mortgage = own & (ref_age < 60) & below(uh[3], 0.55)
    rent_kind = draw(_RENT, uh[4])
    hh021 = np.where(own, np.where(mortgage, i8(2), i8(1)), 3 + rent_kind).astype(i8)
    cost_share = np.array([0.07, 0.15, 0.22, 0.15, 0.05])[hh021 - 1] * np.exp(
        0.4 * level - 0.45 * r + 0.35 * normals(uh[8])
    )
    annual_cost = cost_share * hy020
    allowance = np.where(
        (hh021 >= 3) & (r < -0.5) & below(uh[5], 0.5), np.round(0.25 * annual_cost, 2), 0.0
    )
    rooms = np.round(0.7 * size + 1.3 + 0.45 * z + 0.6 * own + 0.8 * normals(uh[9]))
    rooms = np.clip(rooms - 0.4 * (htype == 2), 1, 12).astype(i8)

    def c(
        values: np.ndarray, missing: np.ndarray | None = None, words: Sequence[str] | None = None
    ) -> _Col:
        return _Col(np.ascontiguousarray(values), missing, words)

    year16 = np.int16(year)
    d = {
        "DB010": c(np.full(k, year16)),
        "DB020": c(np.zeros(k, dtype=i8), words=[country]),
        "DB030": c(hid),
        "DB040": c((stratum % 4).astype(i8), words=[f"{country}{j}" for j in range(1, 5)]),
        "DB050": c(stratum.astype(np.int32)),
        "DB060": c(psu),
        "DB090": c(w_hh),
    }
    h = {
        "HB010": d["DB010"],
        "HB020": d["DB020"],
        "HB030": d["DB030"],
        "HY020": c(hy020),
        "HX050": c(np.round(scale, 1)),
        "HX090": c(hx090),
        "HH021": c(hh021),
        "HH030": c(rooms),
        "HH050": c(item(2.3, hardship)),
        "HH070": c(np.round(annual_cost / 12, 2)),
        "HY070G": c(allowance),
        "HS011": c(arrears(2.1), hh021 == 1),  # no mortgage, no rent: not applicable
        "HS021": c(arrears(1.9)),
        "HS031": c(arrears(2.4), below(uh[6], 0.7)),
        **{
            var: c(item(threshold, hardship))
            for var, threshold in (
                ("HS040", 1.0),
                ("HS050", 2.2),
                ("HS060", 0.7),
                ("HS070", 3.6),
                ("HS080", 3.9),
                ("HS100", 3.7),
                ("HS110", 2.4),
                ("HD080", 1.2),
            )
        },
    }
    r_cols = {
        "RB010": c(np.full(n, year16)),
        "RB020": c(np.zeros(n, dtype=i8), words=[country]),
        "RB030": c(rid),
        "RB050": c(w_hh[hh]),
        "RB080": c((year - 1 - age).astype(np.int16)),
        "RB090": c(sex),
        "RB210": c(rb210, ~p16),
        "RB240": c(partner_id, partner_id < 0),
        "RX020": c(age),
        "RX030": c(hid[hh]),  # the household's id, as the UDB gives it
    }
    p = {
        "PB010": c(np.full(m, year16)),
        "PB020": c(np.zeros(m, dtype=i8), words=[country]),
        "PB030": c(rid[at]),
        "PB040": c(w_hh[hh_q]),
        "PX030": c(hid[hh_q]),
        "PB220A": c(cit[at], words=vocab),
        "PB210": c(cob[at], words=vocab),
        "PL031": c(pl031),
        "PL032": c(pl032),
        "PL073": c(pl073),
        "PL074": c(pl074),
        "PL075": c(pl075),
        "PL076": c(pl076),
        "PX050": c(px050),
        "PY100G": c(py100g),
        "PH010": c(ph010),
        "PH040": c(np.where(unmet, i8(1), i8(2))),
        "PH050": c(ph050, ~unmet),
        **{
            var: c(item(threshold, hardship_q))
            for var, threshold in (
                ("PD020", 1.6),
                ("PD030", 2.6),
                ("PD050", 1.9),
                ("PD060", 1.4),
                ("PD070", 1.5),
                ("PD080", 3.0),
            )
        },
    }
    return _Records(d, h, r_cols, p, hh, p16)


_MIX_TABLES = np.stack([lookup_table(row, np.arange(3, dtype=np.int8)) for row in _MIX])
_MONTHS = lookup_table([0.85] + [0.15 / 9] * 9, np.array([12, *range(3, 12)], dtype=np.int8))
_REASONS = lookup_table(
    [0.35, 0.3, 0.05, 0.05, 0.05, 0.1, 0.05, 0.05], np.arange(1, 9, dtype=np.int8)
)
_TYPES = lookup_table(HOUSEHOLD_TYPE_SHARES, np.arange(3, dtype=np.int8))
_SIZES = np.stack([lookup_table(row, np.arange(1, 7, dtype=np.int8)) for row in _SIZE_P])
# Children by household size 1-6: Binomial(s - 2, _KID_P) + Binomial(1, _KID_EXTRA) for
# s >= 2 (capped at s - 1: the reference person is an adult), none alone.
_KIDS = np.stack(
    [
        lookup_table(
            np.convolve(
                [
                    math.comb(max(s - 2, 0), j) * _KID_P**j * (1 - _KID_P) ** (s - 2 - j)
                    for j in range(max(s - 2, 0) + 1)
                ],
                [1 - _KID_EXTRA, _KID_EXTRA] if s >= 2 else [1.0],
            ),
            np.arange(max(s - 2, 0) + (2 if s >= 2 else 1), dtype=np.int8),
        )
        for s in range(1, 7)
    ]
)
_RENT = lookup_table([0.7, 0.2, 0.1], np.arange(3, dtype=np.int8))


def _chunks(
    persons: int,
    countries: Sequence[str],
    years: Sequence[int],
    *,
    seed: int = 1,
    n_strata: int = 40,
    psu_size: int = 8,
    chunk: int = 1_000_000,
    targets: dict[tuple[str, int], IncomeTargets] | None = None,
) -> Iterator[tuple[str, int, _Records]]:
    cells = country_years(persons, countries, years)
    # Ids in 32 bits when the largest person id (household id * 100 + 99, households
    # fewer than persons) fits, which makes files smaller and faster to write; one
    # width for the whole dataset, so that its files stack.
    largest = max(n for _, _, n in cells) * 100 + 99
    id_type = np.int32 if largest < 2**31 else np.int64
    for idx, (country, year, n_cell) in enumerate(cells):
        rng = np.random.default_rng([seed, idx])
        medians = targets[(country, year)].median if targets is not None else _UNCALIBRATED
        health = targets[(country, year)].good_health if targets is not None else None
        mu = household_log_medians(medians)
        psus = n_cell / (_mean_household_size() * psu_size)
        strata = max(1, min(n_strata, int(psus // 4)))
        done, households = 0, 1
        while done < n_cell:
            n = min(chunk, n_cell - done)
            records = _batch(
                rng,
                n,
                country,
                year,
                households,
                id_type,
                strata,
                psu_size,
                mu,
                float(medians[0]),
                health,
            )
            households = int(records.d["DB030"].values[-1]) + 1
            yield country, year, records
            done += n


def silc_batches(
    persons: int,
    countries: Sequence[str] = ("AT", "EL", "SE"),
    years: Sequence[int] = (2023,),
    **kwargs: Any,
) -> Iterator[pa.Table]:
    """Yield Arrow tables of synthetic EU-SILC persons (merged files), ``persons`` in all.

    Persons are shared out evenly between the country-years; each table holds whole
    households of one country-year and at most ``chunk`` persons. Households are
    numbered from 1 in each country-year and ``psu_size`` consecutive households form a
    PSU; PSUs are dealt to ``n_strata`` strata in turn, or to fewer in a small sample,
    so that each stratum has about four PSUs or more (no stratum with a single PSU).
    Keyword arguments: ``seed``, ``n_strata``, ``psu_size``, ``chunk``, ``targets``.
    """
    for _, _, records in _chunks(persons, countries, years, **kwargs):
        yield records.merged()


def write_silc(path: str | Path, persons: int, **kwargs: Any) -> Path:
    """Write synthetic EU-SILC persons to one Parquet or CSV (``.csv``, ``.csv.gz``) file.

    Keyword arguments go to :func:`silc_batches`; returns the path.
    """
    return write_one_file(path, silc_batches(persons, **kwargs), _STATISTICS)


#: Layouts of :func:`write_silc_dataset`.
LAYOUTS = ("udb", "merged")


def write_silc_dataset(
    out: str | Path,
    persons: int,
    countries: Sequence[str],
    years: Sequence[int],
    *,
    seed: int = 1,
    calibrated: bool = True,
    layout: str = "udb",
    compression: str = "snappy",
    progress: Callable[[str], Any] | None = None,
    **kwargs: Any,
) -> list[Path]:
    """Write synthetic EU-SILC persons as Parquet partitioned by country and year.

    Each chunk of at most a million persons in whole households, so memory stays
    bounded whatever ``persons`` is, goes to ``out/XX/YYYY/`` (country, year): with
    ``layout="udb"`` as the four files of Eurostat's user database, ``part-K-D.parquet``
    (household register), ``-H`` (household data), ``-R`` (personal register, every
    person) and ``-P`` (personal data, persons aged 16 and over), each with its own
    year, country and id variables (``DB010 DB020 DB030``, ``HB010``..., ``RB030`` and
    ``RX030``, ``PB030`` and ``PX030``; person id = household id * 100 + person number,
    as in the UDB); with
    ``layout="merged"`` as one person file ``part-K.parquet`` holding all of them
    (household variables repeated, personal data missing under 16). With ``calibrated``
    the weighted median equivalised income of the persons aged 18+ by citizenship group
    reproduces Eurostat's ``ilc_di15`` (:func:`published_income_targets`). Estimate
    with ``zaragoza estimate FILES --survey eu-silc --strata DB050 --psu DB060``.

    Raises
    ------
    UsageError
        An unknown ``layout``; with ``calibrated``, a country-year without a published
        median of nationals.
    """
    if layout not in LAYOUTS:
        raise UsageError("unknown EU-SILC layout", value=layout, hint="Use udb or merged")
    check_compression(compression)
    targets = published_income_targets(countries, years) if calibrated else None
    chunks = _chunks(persons, countries, years, seed=seed, targets=targets, **kwargs)
    return write_partitioned(
        (
            Part(
                country,
                year,
                records.files() if layout == "udb" else {"": records.merged()},
                len(records.hh),
            )
            for country, year, records in chunks
        ),
        out,
        total=persons,
        noun="persons",
        options=lambda table: parquet_options(table.schema, compression, _STATISTICS),
        progress=progress,
    )
