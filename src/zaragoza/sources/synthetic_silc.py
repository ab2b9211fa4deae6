"""Synthetic EU-SILC-shaped microdata: persons in households, for examples, tests, benchmarks.

One merged person file per country and year with the variable names of the EU-SILC user
database (UDB): the household register (``DB010`` year, ``DB020`` country, ``DB030``
household id, ``DB040`` region, ``DB050`` stratum, ``DB060`` PSU, ``DB090`` household
weight), the personal register (``RB030`` person id ``DB030 * 100 + k``, ``RB050``
personal weight, ``RB080`` year of birth, ``RB090`` sex, ``RB210`` basic activity,
``RB240`` partner id, ``RX020`` age at the end of the income reference period), the
personal data of persons 16+ (``PB040``, citizenship ``PB220A``, country of birth
``PB210``, activity ``PL031`` (2009-2020 coding) and ``PL032`` (2021 coding), months
worked ``PL073``-``PL076``, ``PX050``, old-age benefits ``PY100G``, health ``PH010``,
unmet needs ``PH040``/``PH050``, personal deprivation items ``PD020``-``PD080``) and the
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
they hang together without changing the calibrated income distribution.

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
import pyarrow.parquet as pq

from zaragoza.sources.synthetic import (
    _EU_OTHER,
    _NON_EU,
    _grid,
    _nullable,
    country_years,
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
_STATISTICS = ["DB010", "DB020", "DB030", "DB050", "DB060", "RB030"]
# Columns of many distinct values (ids, weights, money): Parquet's dictionary would
# only be tried and dropped, which costs time.
_NO_DICTIONARY = frozenset(
    {"DB030", "DB060", "DB090", "RB030", "RB050", "RB080", "RB240", "PB040", "PY100G"}
    | {"HY020", "HX090", "HH070", "HY070G"}
)


def _parquet_options(columns: Sequence[str]) -> dict[str, Any]:
    return {
        "compression": "zstd",
        "write_statistics": _STATISTICS,
        "use_dictionary": [c for c in columns if c not in _NO_DICTIONARY],
        "store_schema": False,
    }


@dataclass(frozen=True)
class IncomeTargets:
    """Eurostat's median equivalised net income of one country-year (EUR, persons 18+).

    ``median`` has shape (3,): citizenship groups NAT, EU27_2020_FOR, NEU27_2020_FOR
    (``ilc_di15``, ``indic_il=MED_E``, ``age=Y_GE18``, ``sex=T``).
    """

    median: np.ndarray


def published_income_targets(
    countries: Sequence[str], years: Sequence[int]
) -> dict[tuple[str, int], IncomeTargets]:
    """Return the median income each country-year must reproduce, from ``ilc_di15``.

    A group whose figure Eurostat does not publish (``:``) takes the nationals' figure,
    as in :func:`zaragoza.sources.synthetic.published_targets`.

    Raises
    ------
    UsageError
        A country-year without a published median of nationals.
    """
    from zaragoza.sources.eurostat_bundled import read_bundled

    rows = read_bundled()
    rows = rows[
        (rows["dataset"] == "ilc_di15")
        & rows["geo"].isin(countries)
        & rows["time"].isin(years)
        & (rows["indic_il"] == "MED_E")
        & (rows["age"] == "Y_GE18")
        & (rows["unit"] == "EUR")
    ]
    out = {}
    for c in countries:
        for y in years:
            sel = rows[(rows["geo"] == c) & (rows["time"] == y)]
            out[(c, y)] = IncomeTargets(_grid(sel, "citizen", c, y, "ilc_di15", ("T",))[0])
    return out


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


def _draw(rng: np.random.Generator, cum: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Vectorised categorical draws: row ``rows[i]`` of ``cum`` (cumulative probabilities,
    one distribution per row) gives the category of draw i."""
    u = rng.random(len(rows), dtype=np.float32)
    cum = np.atleast_2d(cum).astype(np.float32)[:, :-1]
    if len(cum) == 1:
        return np.searchsorted(cum[0], u, side="right").astype(np.int8)
    out = np.zeros(len(rows), dtype=np.int8)
    for j in range(cum.shape[1]):
        out += u > cum[rows, j]
    return out


def _logistic(x: np.ndarray) -> np.ndarray:
    return np.asarray(1 / (1 + np.exp(-x)))


def _households(rng: np.random.Generator, persons: int) -> tuple[np.ndarray, np.ndarray]:
    """Household types and sizes adding up to exactly ``persons``."""
    k = int(persons / 2.0) + 64  # the mean size is above 2.0: enough households
    htype = _draw(rng, np.cumsum(HOUSEHOLD_TYPE_SHARES), np.zeros(k, dtype=np.int8))
    size = 1 + _draw(rng, np.cumsum(_SIZE_P, axis=1), htype)
    ends = np.cumsum(size)
    k = int(np.searchsorted(ends, persons)) + 1
    htype, size = htype[:k], size[:k].astype(np.int64)
    size[-1] -= int(ends[k - 1]) - persons  # the last household made to fit
    return htype, size


def _batch(
    rng: np.random.Generator,
    n: int,
    country: str,
    year: int,
    first_household: int,
    n_strata: int,
    psu_size: int,
    mu: np.ndarray,
    m_nat: float,
) -> pa.Table:
    # ----- households ------------------------------------------------------------------
    htype, size = _households(rng, n)
    k = len(size)
    hid = first_household + np.arange(k, dtype=np.int64)
    psu = hid // psu_size
    stratum = psu % n_strata
    psu_first = int(psu[0])
    # (a PSU that straddles two chunks draws its effect once in each: a small blur)
    psu_effect = rng.standard_normal(int(psu[-1]) - psu_first + 1)[psu - psu_first]
    z = (SIGMA_PSU * psu_effect + SIGMA_HOUSEHOLD * rng.standard_normal(k)) / SIGMA
    x = np.exp(mu[htype] + SIGMA * z)  # equivalised disposable income, EUR
    # income relative to the nationals' median, and a national level of hardship: the
    # poorer the country, the more deprivation at the same relative income
    r = np.log(x / m_nat)
    level = -0.9 * math.log(m_nat / 18_000.0)
    kids = np.where(
        size >= 2,
        rng.binomial(np.maximum(size - 2, 0), _KID_P) + rng.binomial(1, _KID_EXTRA, k),
        0,
    )
    adults = size - kids
    has_kids = kids > 0
    ref_age = np.where(has_kids, rng.integers(22, 56, k), rng.integers(18, 91, k))
    couple = (adults >= 2) & (rng.random(k, dtype=np.float32) < 0.75)
    w_hh = np.round(rng.lognormal(math.log(400.0), 0.35, k) * _WEIGHT_FACTOR[htype], 4)
    eu_words = [c for c in _EU_OTHER if c != country]
    neu_words = [c for c in _NON_EU if c != country]
    vocab = [country, *eu_words, *neu_words]
    # one foreign country per household and group: families share their nationality
    eu_code = rng.integers(1, 1 + len(eu_words), k)
    neu_code = rng.integers(1 + len(eu_words), len(vocab), k)

    # ----- persons: household arrays repeated, adults first within a household ---------
    hh = np.repeat(np.arange(k), size)
    pos = np.arange(n) - np.repeat(np.cumsum(size) - size, size)
    adult = pos < adults[hh]
    u = rng.random(n, dtype=np.float32)
    ref = ref_age.astype(np.int16)[hh]
    other_adult = np.where(
        ref >= 42, rng.integers(18, 31, n, dtype=np.int16), rng.integers(60, 86, n, dtype=np.int16)
    )  # grown children, or parents
    partner_age = np.clip(ref + rng.integers(-5, 6, n, dtype=np.int16), 18, 95)
    kid_age = np.minimum(rng.integers(0, 18, n, dtype=np.int16), ref - 16)
    age = np.where(
        pos == 0,
        ref,
        np.where(adult, np.where((pos == 1) & couple[hh], partner_age, other_adult), kid_age),
    ).astype(np.int16)
    sex = rng.integers(1, 3, n, dtype=np.int8)
    first_sex = sex[np.cumsum(size) - size]
    partner = (pos == 1) & couple[hh]
    sex = np.where(partner & (u < 0.95), 3 - first_sex[hh], sex).astype(np.int8)
    # citizenship group: the reference person's is the household's; other adults by the
    # mixing matrix; children as the household, a quarter of foreign ones nationals
    group = _draw(rng, np.cumsum(_MIX, axis=1), htype[hh])
    group = np.where(pos == 0, htype[hh], group)
    kid_nat = rng.random(n, dtype=np.float32) < 0.25
    group = np.where(adult, group, np.where(kid_nat, 0, htype[hh])).astype(np.int8)
    cit = np.where(group == 0, 0, np.where(group == 1, eu_code[hh], neu_code[hh]))
    born_here = np.where(
        group == 0,
        rng.random(n, dtype=np.float32) < 0.95,
        rng.random(n, dtype=np.float32) < np.where(adult, 0.08, 0.6),
    )
    born_abroad_code = np.where(group == 0, neu_code[hh], cit)
    cob = np.where(born_here, 0, born_abroad_code)
    rid = hid[hh] * 100 + pos + 1
    # RB240: the partner's person id
    partner_id = np.where(couple[hh] & (pos == 0), rid + 1, np.where(partner, rid - 1, -1))

    # ----- equivalised size and income (modified OECD scale) ----------------------------
    n14 = np.bincount(hh, weights=age >= 14, minlength=k)
    under14 = size - n14
    scale = np.where(n14 > 0, 1 + 0.5 * (n14 - 1) + 0.3 * under14, 1 + 0.3 * (under14 - 1))
    hx090 = np.round(x, 2)
    hy020 = np.round(hx090 * scale, 2)

    # ----- activity (16+), depending on the household's income ---------------------------
    p16 = age >= 16
    zp = z.astype(np.float32)[hh]
    v = rng.random(n, dtype=np.float32)
    student = (age <= 24) & (v < np.where(age < 20, 0.75, 0.35))
    working_age = (age >= 18) & (age <= 64)
    p_emp = _logistic(1.8 + 1.3 * zp - 0.35 * (sex == 2) - 0.4 * (group == 2))
    p_emp = np.where(age >= 60, p_emp * np.clip((67 - age) / 7, 0, 1), p_emp)
    w2 = rng.random(n, dtype=np.float32)
    employed = p16 & ~student & (w2 < p_emp)
    retired = p16 & ~employed & (age >= 60) & (rng.random(n, dtype=np.float32) < 0.9)
    unemployed = (
        p16
        & ~employed
        & ~retired
        & ~student
        & working_age
        & (rng.random(n, dtype=np.float32) < 0.45)
    )
    self_emp = employed & (rng.random(n, dtype=np.float32) < 0.12)
    part_time = employed & (rng.random(n, dtype=np.float32) < 0.15 + 0.2 * (sex == 2))
    # the statuses exclude each other: 0 other inactive, 1 employed, 2 unemployed,
    # 3 retired, 4 student; employed: 0 full-time employee, 1 part-time employee,
    # 2 full-time self-employed, 3 part-time self-employed
    status = (employed + 2 * unemployed + 3 * retired + 4 * student).astype(np.int8)
    job = (part_time + 2 * self_emp).astype(np.int8)
    other = rng.integers(0, 3, n, dtype=np.int8)  # disabled, domestic tasks, other inactive
    inactive = status == 0
    i8 = np.int8
    pl031 = np.where(
        inactive, np.array([8, 10, 11], i8)[other], np.array([0, 1, 5, 7, 6], i8)[status] + job
    )
    pl032 = np.where(
        inactive, np.array([4, 6, 8], i8)[other], np.array([0, 1, 2, 3, 5], i8)[status]
    )
    rb210 = np.array([4, 1, 2, 3, 4], i8)[status]
    px050 = np.where(employed, 2 + self_emp, np.array([7, 0, 5, 6, 7], i8)[status]).astype(i8)
    full_year = rng.random(n, dtype=np.float32) < 0.85
    months = np.where(full_year, i8(12), rng.integers(3, 12, n, dtype=i8))
    # months worked: a job of part of the year for the unemployed, none for the others
    worked = np.where(employed, months, np.where(unemployed, rng.integers(0, 6, n, dtype=i8), 0))
    pl073, pl075, pl074, pl076 = (np.where(job == j, worked, 0).astype(i8) for j in range(4))
    py100g = np.zeros(n)
    py100g[retired] = np.round(x[hh[retired]] * rng.uniform(0.5, 0.9, int(retired.sum())), 2)

    # ----- health -------------------------------------------------------------------------
    health = 0.035 * (age - 45) - 0.35 * zp + rng.standard_normal(n, dtype=np.float32)
    ph010 = 1 + np.searchsorted(np.array([-0.4, 0.8, 1.9, 2.8]), health)
    unmet = rng.random(n, dtype=np.float32) < _logistic(-3.1 - 0.6 * zp + 0.4 * (group == 2))
    unmet &= p16
    ph050 = np.zeros(n, dtype=np.int8)  # the reason, for those with an unmet need
    reasons = np.cumsum([0.35, 0.3, 0.05, 0.05, 0.05, 0.1, 0.05, 0.05])
    ph050[unmet] = 1 + _draw(rng, reasons, np.zeros(int(unmet.sum()), dtype=np.int8))

    # ----- deprivation: one hardship per household, items by threshold --------------------
    hardship = (-1.4 * r + level + 0.8 * rng.standard_normal(k)).astype(np.float32)

    hardship_p = hardship[hh]

    def item(threshold: float, h: np.ndarray) -> np.ndarray:
        """1 has it, 2 cannot afford it, 3 does without for other reasons."""
        noise = rng.standard_normal(len(h), dtype=np.float32)
        out = np.where(noise < -1.75, np.int8(3), np.int8(1))  # 4%: other reasons
        out[h + 0.9 * noise > threshold] = 2
        return out

    def household_item(threshold: float) -> np.ndarray:
        return item(threshold, hardship)

    def personal_item(threshold: float) -> np.ndarray:
        return item(threshold, hardship_p)

    def arrears(threshold: float) -> np.ndarray:
        late = hardship + 0.9 * rng.standard_normal(k) - threshold
        return np.where(late > 0.6, 2, np.where(late > 0, 1, 3)).astype(np.int8)

    # ----- housing ------------------------------------------------------------------------
    own = rng.random(k, dtype=np.float32) < _logistic(
        0.9 + 0.8 * z - 1.4 * (htype == 1) - 1.8 * (htype == 2) + 0.03 * (ref_age - 45)
    )
    mortgage = own & (ref_age < 60) & (rng.random(k, dtype=np.float32) < 0.55)
    rent_kind = _draw(rng, np.cumsum([0.7, 0.2, 0.1]), np.zeros(k, dtype=np.int8))
    hh021 = np.where(own, np.where(mortgage, 2, 1), 3 + rent_kind).astype(np.int8)
    cost_share = np.array([0.07, 0.15, 0.22, 0.15, 0.05])[hh021 - 1] * np.exp(
        0.4 * level - 0.45 * r + 0.35 * rng.standard_normal(k)
    )
    annual_cost = cost_share * hy020
    allowance = np.where(
        (hh021 >= 3) & (r < -0.5) & (rng.random(k, dtype=np.float32) < 0.5),
        np.round(0.25 * annual_cost, 2),
        0.0,
    )
    rooms = np.round(0.7 * size + 1.3 + 0.45 * z + 0.6 * own + 0.8 * rng.standard_normal(k))
    rooms = np.clip(rooms - 0.4 * (htype == 2), 1, 12).astype(np.int8)
    hs011 = arrears(2.1)
    hs011_mask = hh021 == 1  # no mortgage, no rent: not applicable

    def a(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        return pa.array(values) if mask is None else _nullable(values, mask)

    under16 = ~p16
    bitmap16 = pa.py_buffer(np.packbits(p16, bitorder="little"))

    def coded(indices: np.ndarray, words: Sequence[str], p_file: bool = False) -> pa.Array:
        ix = _nullable(indices, under16, bitmap16) if p_file else pa.array(indices)
        return pa.DictionaryArray.from_arrays(ix, pa.array(words))

    def person(values: np.ndarray) -> pa.Array:
        """A P-file variable: persons aged 16 and over only."""
        return _nullable(values, under16, bitmap16)

    regions = [f"{country}{j}" for j in range(1, 5)]
    cols: dict[str, pa.Array] = {
        "DB010": a(np.full(n, year, dtype=np.int16)),
        "DB020": coded(np.zeros(n, dtype=np.int8), [country]),
        "DB030": a(hid[hh]),
        "DB040": coded((stratum % 4).astype(np.int8)[hh], regions),
        "DB050": a(stratum.astype(np.int32)[hh]),
        "DB060": a(psu[hh]),
        "DB090": a(w_hh[hh]),
        "RB030": a(rid),
        "RB050": a(w_hh[hh]),
        "RB080": a((year - 1 - age).astype(np.int16)),
        "RB090": a(sex),
        "RB210": person(rb210),
        "RB240": a(partner_id, partner_id < 0),
        "RX020": a(age),
        "PB040": person(w_hh[hh]),
        "PB220A": coded(cit.astype(np.int8), vocab, p_file=True),
        "PB210": coded(cob.astype(np.int8), vocab, p_file=True),
        "PL031": person(pl031),
        "PL032": person(pl032),
        "PL073": person(pl073),
        "PL074": person(pl074),
        "PL075": person(pl075),
        "PL076": person(pl076),
        "PX050": person(px050),
        "PY100G": person(py100g),
        "PH010": person(ph010.astype(np.int8)),
        "PH040": person(np.where(unmet, 1, 2).astype(np.int8)),
        "PH050": a(ph050, ~unmet),
        "PD020": person(personal_item(1.6)),
        "PD030": person(personal_item(2.6)),
        "PD050": person(personal_item(1.9)),
        "PD060": person(personal_item(1.4)),
        "PD070": person(personal_item(1.5)),
        "PD080": person(personal_item(3.0)),
        "HY020": a(hy020[hh]),
        "HX050": a(np.round(scale, 1)[hh]),
        "HX090": a(hx090[hh]),
        "HH021": a(hh021[hh]),
        "HH030": a(rooms[hh]),
        "HH050": a(household_item(2.3)[hh]),
        "HH070": a(np.round(annual_cost / 12, 2)[hh]),
        "HY070G": a(allowance[hh]),
        "HS011": a(hs011[hh], hs011_mask[hh]),
        "HS021": a(arrears(1.9)[hh]),
        "HS031": a(arrears(2.4)[hh], (rng.random(k, dtype=np.float32) < 0.7)[hh]),
        "HS040": a(household_item(1.0)[hh]),
        "HS050": a(household_item(2.2)[hh]),
        "HS060": a(household_item(0.7)[hh]),
        "HS070": a(household_item(3.6)[hh]),
        "HS080": a(household_item(3.9)[hh]),
        "HS100": a(household_item(3.7)[hh]),
        "HS110": a(household_item(2.4)[hh]),
        "HD080": a(household_item(1.2)[hh]),
    }
    return pa.table(cols)


def silc_batches(
    persons: int,
    countries: Sequence[str] = ("AT", "EL", "SE"),
    years: Sequence[int] = (2023,),
    *,
    seed: int = 1,
    n_strata: int = 40,
    psu_size: int = 8,
    chunk: int = 1_000_000,
    targets: dict[tuple[str, int], IncomeTargets] | None = None,
) -> Iterator[pa.Table]:
    """Yield Arrow tables of synthetic EU-SILC persons, ``persons`` in all.

    Persons are shared out evenly between the country-years; each table holds whole
    households of one country-year and at most ``chunk`` persons. Households are
    numbered from 1 in each country-year and ``psu_size`` consecutive households form a
    PSU; PSUs are dealt to ``n_strata`` strata in turn, or to fewer in a small sample,
    so that each stratum has about four PSUs or more (no stratum with a single PSU).
    """
    for idx, (country, year, n_cell) in enumerate(country_years(persons, countries, years)):
        rng = np.random.default_rng([seed, idx])
        medians = targets[(country, year)].median if targets is not None else _UNCALIBRATED
        mu = household_log_medians(medians)
        psus = n_cell / (_mean_household_size() * psu_size)
        strata = max(1, min(n_strata, int(psus // 4)))
        done, households = 0, 1
        while done < n_cell:
            n = min(chunk, n_cell - done)
            batch = _batch(
                rng, n, country, year, households, strata, psu_size, mu, float(medians[0])
            )
            households = int(batch["DB030"][-1].as_py()) + 1
            yield batch
            done += n


def write_silc(path: str | Path, persons: int, **kwargs: Any) -> Path:
    """Write synthetic EU-SILC persons to one Parquet or CSV (``.csv``, ``.csv.gz``) file.

    Keyword arguments go to :func:`silc_batches`; returns the path.
    """
    path = Path(path)
    batches = silc_batches(persons, **kwargs)
    first = next(batches)
    if path.name.endswith((".csv", ".csv.gz")):
        import pyarrow.csv as pacsv

        sink = pa.CompressedOutputStream(str(path), "gzip") if path.suffix == ".gz" else path
        with pacsv.CSVWriter(sink, first.schema) as out:
            out.write_table(first)
            for b in batches:
                out.write_table(b)
        if isinstance(sink, pa.NativeFile):
            sink.close()
    else:
        with pq.ParquetWriter(path, first.schema, **_parquet_options(first.column_names)) as out:
            out.write_table(first)
            for b in batches:
                out.write_table(b)
    return path


def write_silc_dataset(
    out: str | Path,
    persons: int,
    countries: Sequence[str],
    years: Sequence[int],
    *,
    seed: int = 1,
    calibrated: bool = True,
    progress: Callable[[str], Any] | None = None,
    **kwargs: Any,
) -> list[Path]:
    """Write synthetic EU-SILC persons as Parquet partitioned by country and year.

    Files are ``out/XX/YYYY/part-K.parquet`` (country, year), one per chunk of at most a
    million persons in whole households, so memory stays bounded whatever ``persons``
    is; every file keeps its ``DB020`` and ``DB010`` columns. With ``calibrated`` the
    weighted median equivalised income of the persons aged 18+ by citizenship group
    reproduces Eurostat's ``ilc_di15`` (:func:`published_income_targets`). Estimate
    with ``zaragoza estimate FILES --survey eu-silc --strata DB050 --psu DB060``.

    Raises
    ------
    UsageError
        With ``calibrated``, a country-year without a published median of nationals.
    """
    targets = published_income_targets(countries, years) if calibrated else None
    return write_partitioned(
        silc_batches(persons, countries, years, seed=seed, targets=targets, **kwargs),
        out,
        geo="DB020",
        year="DB010",
        total=persons,
        noun="persons",
        options=lambda batch: _parquet_options(batch.column_names),
        progress=progress,
    )
