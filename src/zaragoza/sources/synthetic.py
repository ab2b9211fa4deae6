"""Synthetic EU-LFS-shaped microdata for examples, tests and benchmarks.

Persons in PSUs within strata within countries, with EU-LFS variable names and codes,
labour status and education that depend on age, sex and citizenship, and skewed weights.
Deterministic for a seed; written in chunks, so memory stays bounded at any size.

Without targets the rates are a fixed shape, not data. With ``targets``
(:func:`published_targets`, from the bundled Eurostat tables) the people aged 20-64
are employed and unemployed with the probabilities that reproduce Eurostat's employment
and unemployment rates by country, year, sex and citizenship group (``lfsa_ergan``,
``lfsa_urgan``), the people aged 25-64 reach the ISCED levels of Eurostat's
attainment shares by country of birth and sex (``edat_lfs_9912``), and the employed with
tertiary education work in low- or medium-skilled occupations (ISCO-08 4-9) as often as
Eurostat's over-qualification rate by citizenship says (``lfsa_eoqgan``, 20-64; the
bundled answers hold 2024, which serves every year; a country without a figure keeps
the fixed shape), so weighted margins match the published figures within sampling
error. The shares of the citizenship groups themselves are fixed (82% nationals, 7%
other EU, 11% non-EU), not published.

Education and training in the last four weeks (``EDUC4WN``) depends on age and, for the
young, on whether the person works, in a fixed shape (not published figures) chosen so
that the NEET rate and early leaving come out at European orders of magnitude: most
people under 20 are in education, the young who do not work mostly study, few adults do.
The records are synthetic: they describe no real person and must not be cited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zaragoza.errors import UsageError
from zaragoza.sources.readers import SYNTHETIC_KEY, SYNTHETIC_VALUE

__all__ = [
    "Part",
    "Targets",
    "country_years",
    "lfs_batches",
    "published_targets",
    "write_lfs",
    "write_lfs_dataset",
    "write_one_file",
    "write_partitioned",
]

_GROUPS = ("NAT", "EU27_2020_FOR", "NEU27_2020_FOR")
_LEVELS = ("ED0-2", "ED3_4", "ED5-8")
_HAT_BY_LEVEL = (
    ([0, 100, 200], [0.05, 0.25, 0.70]),
    ([300, 302, 303, 304, 400], [0.35, 0.15, 0.25, 0.1, 0.15]),
    ([500, 600, 700, 800], [0.15, 0.45, 0.35, 0.05]),
)


@dataclass(frozen=True)
class Targets:
    """Published rates one country-year must reproduce, as arrays by sex and group.

    ``employment`` and ``unemployment`` (rates in %, 20-64) have shape (2, 3): sex M/F by
    citizenship group NAT/EU/non-EU; ``education`` (shares in %, 25-64) has shape
    (2, 3, 3): sex by country-of-birth group by ISCED level low/medium/high;
    ``overqualification`` (rates in %, 20-64, both sexes) has shape (3,) by citizenship
    group, or is None where Eurostat publishes none for the country.
    """

    employment: np.ndarray
    unemployment: np.ndarray
    education: np.ndarray
    overqualification: np.ndarray | None = None


def published_targets(
    countries: Sequence[str], years: Sequence[int]
) -> dict[tuple[str, int], Targets]:
    """Return the targets of each country-year from the bundled Eurostat tables.

    A group whose figure Eurostat does not publish (``:``) takes the nationals' figure.
    The over-qualification rate is the latest bundled year's (2024) for every year, and
    None for a country without one.

    Raises
    ------
    UsageError
        A country-year without published employment, unemployment or attainment.
    """
    from zaragoza.sources.eurostat_bundled import read_bundled

    rows = read_bundled({"lfsa_ergan", "lfsa_urgan", "edat_lfs_9912", "lfsa_eoqgan"})
    rows = rows[rows["geo"].isin(countries)]
    oq = rows[(rows["dataset"] == "lfsa_eoqgan") & (rows["sex"] == "T")]
    oq = oq[oq["time"] == oq["time"].max()] if len(oq) else oq
    rows = rows[rows["time"].isin(years)]
    out = {}
    for c in countries:
        over = _overqualification(oq[oq["geo"] == c])
        for y in years:
            r = rows[(rows["geo"] == c) & (rows["time"] == y)]
            rates = []
            for ds in ("lfsa_ergan", "lfsa_urgan"):
                sel = r[(r["dataset"] == ds) & (r["age"] == "Y20-64")]
                rates.append(_grid(sel, "citizen", c, y, ds))
            sel = r[(r["dataset"] == "edat_lfs_9912") & (r["age"] == "Y25-64")]
            edu = np.stack(
                [
                    _grid(sel[sel["isced11"] == lvl], "c_birth", c, y, "edat_lfs_9912")
                    for lvl in _LEVELS
                ],
                axis=-1,
            )
            edu = edu / edu.sum(axis=-1, keepdims=True)
            out[(c, y)] = Targets(rates[0], rates[1], edu, over)
    return out


def _overqualification(sel: Any) -> np.ndarray | None:
    """Rates by group NAT/EU/non-EU; a group without a figure takes the nationals'
    one; None when the nationals have none."""
    rates = np.full(3, np.nan)
    for j, g in enumerate(_GROUPS):
        v = sel.loc[sel["citizen"] == g, "value"]
        if len(v) and np.isfinite(v.iloc[0]):
            rates[j] = float(v.iloc[0])
    if not np.isfinite(rates[0]):
        return None
    return np.where(np.isfinite(rates), rates, rates[0])


def _grid(
    sel: Any,
    dim: str,
    country: str,
    year: int,
    dataset: str,
    sexes: Sequence[str] = ("M", "F"),
) -> np.ndarray:
    """Published values by sex (rows) and group NAT/EU/non-EU (columns); a group
    without a figure takes the nationals' one, nationals without one are an error."""
    grid = np.full((len(sexes), 3), np.nan)
    for i, sx in enumerate(sexes):
        for j, g in enumerate(_GROUPS):
            v = sel.loc[(sel["sex"] == sx) & (sel[dim] == g), "value"]
            if len(v) and np.isfinite(v.iloc[0]):
                grid[i, j] = float(v.iloc[0])
        if not np.isfinite(grid[i, 0]):
            raise UsageError(
                f"no published {dataset} figure for {country} {year}",
                hint="Synthetic records are calibrated to the bundled Eurostat tables; "
                "choose countries and years they cover, or pass --uncalibrated",
            )
        grid[i] = np.where(np.isfinite(grid[i]), grid[i], grid[i, 0])
    return grid


_EU_OTHER = ["DE", "FR", "IT", "PL", "RO", "PT", "ES", "BG", "HU", "NL"]
_NON_EU = ["TR", "MA", "UA", "SY", "IN", "CN", "AL", "RS", "US", "BR", "STLS"]
_NACE = list("ABCDEFGHIJKLMNOPQRSTU")
# Min/max statistics where readers prune on them; elsewhere they only cost time. No Arrow
# schema in the files: codes read back as plain strings, not as dictionary types.
_STATISTICS = ["COUNTRY", "YEAR", "STRATUM", "PSU"]


def _nullable(values: np.ndarray, missing: np.ndarray, bitmap: pa.Buffer | None = None) -> pa.Array:
    """An Arrow array of ``values``, null where ``missing``.

    The validity bitmap is packed by numpy (least significant bit first, as Arrow
    lays it out) and may be given when many columns share it: ``pa.array(values,
    mask=...)`` builds it again for every column, far more slowly.
    """
    values = np.ascontiguousarray(values)
    if bitmap is None:
        bitmap = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(
        pa.from_numpy_dtype(values.dtype),
        len(values),
        [bitmap, pa.py_buffer(values)],
        null_count=int(np.count_nonzero(missing)),
    )


#: Categorical draws are table lookups: ``table[u]`` for a uniform 16-bit ``u`` gives code
#: k with probability ``p[k]`` rounded to a multiple of 2^-16 (at most 0.0008 pp off,
#: far inside any sampling error). Several times faster than ``Generator.choice`` with
#: ``p=`` or chains of comparisons, which is what the generator's speed target needs.
_U16 = 1 << 16


def lookup_table(p: Sequence[float] | np.ndarray, codes: Sequence[int] | np.ndarray) -> np.ndarray:
    """Return the 2^16 codes whose uniform lookup draws ``codes[k]`` with probability ``p[k]``."""
    edges = np.rint(np.cumsum(p, dtype=np.float64) / np.sum(p) * _U16).astype(np.int64)
    return np.repeat(np.asarray(codes), np.diff(edges, prepend=0))


def draw(tables: np.ndarray, u: np.ndarray, key: np.ndarray | None = None) -> np.ndarray:
    """Look up uniform 16-bit draws ``u`` in ``tables`` (one table, or one per ``key``)."""
    at = u if key is None else key.astype(np.int32) * _U16 + u
    return np.take(tables.reshape(-1), at)


def uniforms(rng: np.random.Generator, streams: int, n: int) -> np.ndarray:
    """``streams`` independent rows of ``n`` uniform 16-bit integers.

    Cut from the bit generator's raw 64-bit words (little-endian, so the same on every
    machine): the cheapest uniform bits numpy offers, and the same for a seed.
    """
    words = rng.bit_generator.random_raw(-(-streams * n // 4))
    return words.astype("<u8", copy=False).view("<u2")[: streams * n].reshape(streams, n)


def below(u: np.ndarray, p: float) -> np.ndarray:
    """True with probability ``p`` (to 2^-16) for uniform 16-bit draws ``u``."""
    return u < round(p * _U16)


@cache
def _normal_quantiles() -> np.ndarray:
    from statistics import NormalDist

    unit = NormalDist()
    return np.array([unit.inv_cdf((i + 0.5) / _U16) for i in range(_U16)], dtype=np.float32)


def normals(u: np.ndarray) -> np.ndarray:
    """Standard normal draws from uniform 16-bit draws ``u``: the normal quantiles of the
    2^16 midpoints (so within +-4.3), a lookup several times cheaper than the generator's
    normals; for the noise of items, not for the income distribution itself."""
    return np.take(_normal_quantiles(), u)


def psu_layout(
    start: int, n: int, psu_size: int, n_strata: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PSUs of ``psu_size`` consecutive records from record ``start`` on, in strata by
    PSU number modulo ``n_strata``: the PSU numbers present, each record's index into
    them (int32) and each PSU's count of records."""
    first, last = start // psu_size, (start + n - 1) // psu_size
    ids = np.arange(first, last + 1, dtype=np.int64)
    counts = np.full(len(ids), psu_size, dtype=np.int64)
    counts[0] -= start - first * psu_size
    counts[-1] -= (last + 1) * psu_size - (start + n)
    return ids, np.repeat(np.arange(len(ids), dtype=np.int32), counts), counts


def labels(prefix: str, numbers: np.ndarray) -> pa.Array:
    """Strings ``prefix + number``, made by Arrow rather than one Python string each."""
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def coded(
    indices: np.ndarray, words: Sequence[str] | pa.Array, mask: np.ndarray | None = None
) -> pa.Array:
    """A dictionary array: integer ``indices`` into ``words``, null where ``mask``; no
    string is made per record (Parquet stores them dictionary-encoded either way)."""
    ix = pa.array(indices) if mask is None else _nullable(indices, mask)
    return pa.DictionaryArray.from_arrays(
        ix, words if isinstance(words, pa.Array) else pa.array(words)
    )


_HAT = np.array([0, 100, 200, 300, 302, 303, 304, 400, 500, 600, 700, 800], dtype=np.int16)
_HAT_ANY_AGE = lookup_table(
    [0.01, 0.04, 0.14, 0.10, 0.05, 0.15, 0.06, 0.05, 0.08, 0.18, 0.12, 0.02], _HAT
)
_STAPRO = lookup_table([0.04, 0.10, 0.84, 0.02], np.array([1, 2, 3, 4], dtype=np.int8))
# ISCO major group without tertiary education: 3-9, one group lower for non-EU citizens
# (capped at 9). With tertiary education: 1-3 (managers, professionals, technicians) or,
# over-qualified, 4-9 (clerks to elementary occupations) with a share by citizenship
# group (fixed: 40% nationals and other EU, 60% non-EU, unless calibrated).
_ISCO_SECONDARY = [
    lookup_table(np.ones(7), np.clip(np.arange(3, 10) + shift, 0, 9).astype(np.int8))
    for shift in (0, 1)
]
_ISCO_HIGH = np.array([1, 2, 3], dtype=np.int8), np.array([0.2, 0.45, 0.35])
_ISCO_BELOW = np.array([4, 5, 7, 8, 9], dtype=np.int8), np.array([0.3, 0.35, 0.1, 0.1, 0.15])
_OVERQUALIFIED = np.array([40.0, 40.0, 60.0])


def _isco_tables(targets: Targets | None) -> np.ndarray:
    """ISCO tables: key = 3 * tertiary + group (NAT, EU, non-EU)."""
    rates = _OVERQUALIFIED
    if targets is not None and targets.overqualification is not None:
        rates = targets.overqualification
    tertiary = [
        lookup_table(
            np.concatenate([(1 - r / 100) * _ISCO_HIGH[1], r / 100 * _ISCO_BELOW[1]]),
            np.concatenate([_ISCO_HIGH[0], _ISCO_BELOW[0]]),
        )
        for r in rates
    ]
    secondary = [_ISCO_SECONDARY[0], _ISCO_SECONDARY[0], _ISCO_SECONDARY[1]]
    return np.stack([*secondary, *tertiary])


# In education or training in the last four weeks (EDUC4WN 1, else 2), by age band
# 15-19, 20-24, 25-29, 30+ and whether the person is employed (key = 2 * band +
# employed): most under 20 study (apprentices too), the young who do not work mostly
# study, few adults do.
_IN_EDUCATION = ((0.95, 0.85), (0.70, 0.25), (0.35, 0.10), (0.09, 0.09))
_EDUC = np.stack(
    [
        lookup_table([p, 1 - p], np.array([1, 2], dtype=np.int8))
        for pair in _IN_EDUCATION
        for p in pair
    ]
)
# HATLEVEL 300 … 800 among the under-25s above lower secondary: 90% medium, 10% high.
_YOUNG_ABOVE_LOW = np.array([0.45, 0.1, 0.2, 0.1, 0.05, 0.02, 0.06, 0.018, 0.002])
# ISCED levels of the under-25s (not calibrated: Eurostat's 15-24 shares count pupils who
# have not finished school), by country-of-birth group: lower for the foreign-born.
_HAT_YOUNG = np.stack(
    [
        lookup_table(
            [low * 0.1, low * 0.3, low * 0.6, *((1 - low) * _YOUNG_ABOVE_LOW)],
            _HAT,
        )
        for low in (0.16, 0.2, 0.3)
    ]
)


def _status_tables(targets: Targets | None) -> np.ndarray:
    """ILOSTAT tables by age class (20-64, other ages under 70, 70+), sex and group:
    employed 1, unemployed 2, inactive 3, compulsory military service 4 (0.2%, only
    outside the ages the targets cover)."""
    tables = []
    for age_class in range(3):
        for sex in range(2):
            for group in range(3):
                if age_class == 0:
                    p_emp = 0.78 - 0.08 * sex - 0.12 * (group == 2)
                else:
                    p_emp = 0.25 if age_class == 1 else 0.03
                p_une = 0.06 + 0.05 * (group == 2)
                military = 0.002
                if targets is not None and age_class == 0:
                    e = targets.employment[sex, group] / 100
                    ur = targets.unemployment[sex, group] / 100
                    p_emp, p_une, military = e, e * ur / (1 - ur), 0.0
                p = np.array([p_emp, p_une, 1 - p_emp - p_une]) * (1 - military)
                tables.append(lookup_table([*p, military], np.array([1, 2, 3, 4], dtype=np.int8)))
    return np.stack(tables)


def _hat_tables(targets: Targets) -> np.ndarray:
    """HATLEVEL tables by sex and country-of-birth group for ages 25-64 (the targets'
    ISCED shares, each level spread over its codes), then one for other ages 25+, then
    the under-25s' by country-of-birth group."""
    tables = []
    for sex in range(2):
        for born in range(3):
            p = np.concatenate(
                [
                    targets.education[sex, born, k] * np.asarray(weights)
                    for k, (_, weights) in enumerate(_HAT_BY_LEVEL)
                ]
            )
            codes = np.concatenate([np.asarray(c) for c, _ in _HAT_BY_LEVEL]).astype(np.int16)
            tables.append(lookup_table(p, codes))
    return np.stack([*tables, _HAT_ANY_AGE, *_HAT_YOUNG])


def _batch(
    rng: np.random.Generator,
    n: int,
    country: str,
    year: int,
    start: int,
    n_strata: int,
    psu_size: int,
    replicates: int,
    targets: Targets | None = None,
) -> pa.Table:
    u = uniforms(rng, 22, n)
    ids, psu_ix, counts = psu_layout(start, n, psu_size, n_strata)
    stratum_of_psu = ids % n_strata
    sex = rng.integers(1, 3, n, dtype=np.int8)
    age = rng.integers(15, 90, n, dtype=np.int16)
    # Countries as indices into one vocabulary (own country, other EU, non-EU incl.
    # stateless): integer work in numpy, strings made once by Arrow at the end.
    vocab = [country, *_EU_OTHER, *_NON_EU]
    n_eu, n_neu = len(_EU_OTHER), len(_NON_EU)
    own_twin = vocab.index(country, 1) if country in vocab[1:] else -1
    # 82% nationals, 7% other EU, 11% non-EU (stateless included)
    nat_i = draw(
        lookup_table(
            [0.82] + [0.07 / n_eu] * n_eu + [0.11 / n_neu] * n_neu, np.arange(22, dtype=np.int8)
        ),
        u[0],
    )
    nat_blank = below(u[1], 0.01)
    own = ((nat_i == 0) | (nat_i == own_twin)) & ~nat_blank
    group = np.where(
        own, np.int8(0), np.where((nat_i <= n_eu) & ~nat_blank, np.int8(1), np.int8(2))
    )
    born_abroad = ~own | below(u[2], 0.05)
    # born abroad outside the EU: a non-EU country, never "stateless"
    other_i = draw(
        lookup_table(np.ones(n_neu - 1), np.arange(1 + n_eu, n_eu + n_neu, dtype=np.int8)), u[3]
    )
    cob_i = np.where(born_abroad, np.where(group == 1, nat_i, other_i), np.int8(0))
    cob_blank = below(u[4], 0.01)
    working_age = (age >= 20) & (age <= 64)
    age_class = np.where(working_age, np.int8(0), np.where(age >= 70, np.int8(2), np.int8(1)))
    key = (age_class * 6 + (sex - 1) * 3 + group).astype(np.int32)
    ilostat = draw(_status_tables(targets), u[5], key)
    emp = ilostat == 1
    stapro = draw(_STAPRO, u[6])
    temp = np.where(below(u[7], 0.12) | ((group > 0) & below(u[7], 0.22)), np.int8(2), np.int8(1))
    ftpt = np.where(below(u[8], 0.18) | ((sex == 2) & below(u[8], 0.30)), np.int8(2), np.int8(1))
    born_own = ((cob_i == 0) | (cob_i == own_twin)) & ~cob_blank
    born = np.where(
        born_own, np.int8(0), np.where((cob_i <= n_eu) & ~cob_blank, np.int8(1), np.int8(2))
    )
    young = np.int8(7) + born
    if targets is None:
        hat_tables = np.stack([_HAT_ANY_AGE, _HAT_ANY_AGE, *_HAT_YOUNG])
        hat = draw(hat_tables, u[9], np.where(age < 25, np.int8(2) + born, np.int8(0)))
    else:
        in_ages = (age >= 25) & (age <= 64)
        hat_key = np.where(in_ages, (sex - 1) * 3 + born, np.where(age < 25, young, np.int8(6)))
        hat = draw(_hat_tables(targets), u[9], hat_key)
    isco = draw(_isco_tables(targets), u[10], (hat >= 500) * 3 + group)
    band = np.minimum((age - 15) // 5, 3).astype(np.int8)
    educ = draw(_EDUC, u[11], band * 2 + emp)
    durune = ((u[12] >> 13) + 1).astype(np.int8)  # 1-8, uniform
    nace_i = rng.integers(0, len(_NACE), n, dtype=np.int8)
    w = (150 * np.exp(0.4 * rng.standard_normal(n, dtype=np.float32))).astype(np.float64)
    w *= np.where(group == 2, 1.5, 1.0)

    def opt(
        values: np.ndarray, present: np.ndarray | None, stream: int, miss: float = 0.01
    ) -> pa.Array:
        mask = below(u[stream], miss)
        return _nullable(values, mask if present is None else mask | ~present)

    regions = labels(country, np.arange(1, 5))
    strata = labels(f"{country}{year}-", np.arange(n_strata))
    cols = {
        "COUNTRY": coded(np.zeros(n, dtype=np.int8), [country]),
        "YEAR": pa.array(np.full(n, year, dtype=np.int32)),
        "STRATUM": coded(np.repeat(stratum_of_psu.astype(np.int32), counts), strata),
        "PSU": coded(psu_ix, labels(f"{country}{year}-", ids)),
        "REGION": coded(np.repeat((stratum_of_psu % 4).astype(np.int8), counts), regions),
        "COEFF": pa.array(np.round(w, 3)),
        "SEX": pa.array(sex),
        "AGE": pa.array(age),
        "NATIONAL": coded(nat_i, vocab, nat_blank),
        "COUNTRYB": coded(cob_i, vocab, cob_blank),
        "ILOSTAT": opt(ilostat, None, 13, 0.002),
        "STAPRO": opt(stapro, emp, 14),
        "TEMP": opt(temp, emp & (stapro == 3), 15),
        "FTPT": opt(ftpt, emp, 16),
        "ISCO1D": opt(isco, emp, 17),
        "HATLEVEL": opt(hat, None, 18),
        "EDUC4WN": opt(educ, None, 19),
        "DURUNE": opt(durune, ilostat == 2, 20),
        "NACE1D": coded(nace_i, _NACE, ~emp | below(u[21], 0.01)),
    }
    for r in range(replicates):
        cols[f"RW{r + 1}"] = pa.array(np.round(w * rng.poisson(1.0, n), 3))
    return pa.table(cols)


def country_years(
    persons: int, countries: Sequence[str], years: Sequence[int]
) -> list[tuple[str, int, int]]:
    """Share ``persons`` out evenly between the country-years: ``(geo, year, n)``."""
    cells = [(c, y) for c in countries for y in years]
    return [
        (c, y, persons // len(cells) + (1 if i < persons % len(cells) else 0))
        for i, (c, y) in enumerate(cells)
    ]


@dataclass(frozen=True)
class Part:
    """One chunk of the records of one country-year, written as one or more files:
    ``tables`` maps a file suffix (``""``, or the letter of an EU-SILC UDB file) to its
    table; ``records`` counts the persons in it."""

    geo: str
    year: int
    tables: dict[str, pa.Table]
    records: int


#: Parquet compressions the generators write: snappy, Parquet's usual default, is the
#: fastest to write and read; zstd makes files about a third smaller for about a
#: quarter more writing time (``benchmarks/run_synth.py``).
COMPRESSIONS = ("snappy", "zstd", "lz4", "none")


def check_compression(compression: str) -> str:
    """Return ``compression`` if the generators can write it, else a usage error."""
    if compression not in COMPRESSIONS:
        raise UsageError(
            "unknown Parquet compression",
            value=compression,
            hint="Use " + ", ".join(COMPRESSIONS),
        )
    return compression


def parquet_options(
    schema: pa.Schema, compression: str, statistics: Sequence[str]
) -> dict[str, Any]:
    """Options of :func:`pyarrow.parquet.write_table` for synthetic records.

    Parquet's dictionary only for the coded (string) variables: small integer codes are
    written faster plain, and the compression takes most of their size back (with
    zstd); min/max ``statistics`` only where readers prune on them (country, year,
    ids, design); no Arrow schema, so codes read back as plain strings.
    """
    return {
        "compression": compression,
        "use_dictionary": [f.name for f in schema if pa.types.is_dictionary(f.type)],
        "write_statistics": [c for c in statistics if c in schema.names],
        "store_schema": False,
    }


def write_partitioned(
    parts: Iterable[Part],
    out: str | Path,
    *,
    total: int,
    noun: str,
    options: Callable[[pa.Table], dict[str, Any]],
    progress: Any = None,
) -> list[Path]:
    """Write each part as ``out/GEO/YEAR/part-K.parquet`` (``part-K-D.parquet`` ... with
    suffixes; K counts the parts of one country-year) with ``options(table)`` for
    Parquet; report ``done of total noun``."""
    root = Path(out)
    written: list[Path] = []
    counts: dict[tuple[str, int], int] = {}
    done = 0
    for part in parts:
        k = counts.get((part.geo, part.year), 0)
        counts[(part.geo, part.year)] = k + 1
        folder = root / part.geo / str(part.year)
        folder.mkdir(parents=True, exist_ok=True)
        for suffix, table in part.tables.items():
            path = folder / f"part-{k}{'-' + suffix if suffix else ''}.parquet"
            pq.write_table(marked(table), path, **options(table))
            written.append(path)
        done += part.records
        if progress is not None:
            progress(f"{done:,} of {total:,} {noun} written")
    return written


def lfs_batches(
    persons: int,
    countries: Sequence[str] = ("AT", "EL", "SE"),
    years: Sequence[int] = (2023,),
    *,
    seed: int = 1,
    n_strata: int = 40,
    psu_size: int = 12,
    replicates: int = 0,
    chunk: int = 1_000_000,
    targets: dict[tuple[str, int], Targets] | None = None,
) -> Iterator[pa.Table]:
    """Yield Arrow tables of synthetic EU-LFS records, ``persons`` in all."""
    for idx, (country, year, n_cell) in enumerate(country_years(persons, countries, years)):
        rng = np.random.default_rng([seed, idx])
        done = 0
        while done < n_cell:
            n = min(chunk, n_cell - done)
            cell_targets = targets[(country, year)] if targets is not None else None
            yield _batch(rng, n, country, year, done, n_strata, psu_size, replicates, cell_targets)
            done += n


def write_one_file(
    path: str | Path, batches: Iterable[pa.Table], statistics: Sequence[str]
) -> Path:
    """Write ``batches`` to one file: CSV for ``.csv`` (gzip-compressed for ``.csv.gz``),
    else zstd-compressed Parquet (:func:`parquet_options`); return its path."""
    path = Path(path)
    batches = iter(batches)
    first = next(batches)
    if path.name.endswith((".csv", ".csv.gz")):
        import pyarrow.csv as pacsv

        gz = path.suffix == ".gz"
        sink = pa.CompressedOutputStream(str(path), "gzip") if gz else pa.OSFile(str(path), "wb")
        with sink, pacsv.CSVWriter(sink, first.schema) as out:
            out.write_table(first)
            for b in batches:
                out.write_table(b)
    else:
        first = marked(first)
        options = parquet_options(first.schema, "zstd", statistics)
        with pq.ParquetWriter(path, first.schema, **options) as out:
            out.write_table(first)
            for b in batches:
                out.write_table(b.replace_schema_metadata(first.schema.metadata))
    return path


def marked(table: pa.Table) -> pa.Table:
    """The table with the key-value metadata that marks synthetic records in Parquet
    (:func:`zaragoza.sources.readers.is_synthetic` reads it)."""
    meta = dict(table.schema.metadata or {})
    meta[SYNTHETIC_KEY] = SYNTHETIC_VALUE
    return table.replace_schema_metadata(meta)


def write_lfs(path: str | Path, persons: int, **kwargs: object) -> Path:
    """Write synthetic records to one Parquet or CSV file; return its path."""
    return write_one_file(path, lfs_batches(persons, **kwargs), _STATISTICS)  # type: ignore[arg-type]


def write_lfs_dataset(
    out: str | Path,
    persons: int,
    countries: Sequence[str],
    years: Sequence[int],
    *,
    seed: int = 1,
    calibrated: bool = True,
    compression: str = "snappy",
    progress: Any = None,
    **kwargs: Any,
) -> list[Path]:
    """Write synthetic records as Parquet partitioned by country and year.

    Files are ``out/XX/YYYY/part-K.parquet`` (country, year), one per chunk of at most a
    million records, so memory stays bounded whatever ``persons`` is; every file keeps
    its ``COUNTRY`` and ``YEAR`` columns (the folders are not Hive partitions). With
    ``calibrated`` the records reproduce the bundled Eurostat figures
    (:func:`published_targets`).
    """
    check_compression(compression)
    targets = published_targets(countries, years) if calibrated else None
    batches = lfs_batches(persons, countries, years, seed=seed, targets=targets, **kwargs)
    return write_partitioned(
        (
            Part(str(b["COUNTRY"][0]), int(b["YEAR"][0].as_py()), {"": b}, b.num_rows)
            for b in batches
        ),
        out,
        total=persons,
        noun="records",
        options=lambda table: parquet_options(table.schema, compression, _STATISTICS),
        progress=progress,
    )
