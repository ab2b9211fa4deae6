"""Synthetic EU-LFS-shaped microdata for examples, tests and benchmarks.

Persons in PSUs within strata within countries, with EU-LFS variable names and codes,
labour status and education that depend on age, sex and citizenship, and skewed weights.
Deterministic for a seed; written in chunks, so memory stays bounded at any size.

Without targets the rates are a fixed shape, not data. With ``targets``
(:func:`published_targets`, from the bundled Eurostat tables) the people aged 20-64
are employed and unemployed with the probabilities that reproduce Eurostat's employment
and unemployment rates by country, year, sex and citizenship group (``lfsa_ergan``,
``lfsa_urgan``), and the people aged 25-64 reach the ISCED levels of Eurostat's
attainment shares by country of birth and sex (``edat_lfs_9912``), so weighted margins
match the published figures within sampling error. The shares of the citizenship
groups themselves are fixed (82% nationals, 7% other EU, 11% non-EU), not published.
The records are synthetic: they describe no real person and must not be cited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from zaragoza.errors import UsageError

__all__ = [
    "Targets",
    "country_years",
    "lfs_batches",
    "published_targets",
    "write_lfs",
    "write_lfs_dataset",
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
    (2, 3, 3): sex by country-of-birth group by ISCED level low/medium/high.
    """

    employment: np.ndarray
    unemployment: np.ndarray
    education: np.ndarray


def published_targets(
    countries: Sequence[str], years: Sequence[int]
) -> dict[tuple[str, int], Targets]:
    """Return the targets of each country-year from the bundled Eurostat tables.

    A group whose figure Eurostat does not publish (``:``) takes the nationals' figure.

    Raises
    ------
    UsageError
        A country-year without published employment, unemployment or attainment.
    """
    from zaragoza.sources.eurostat_bundled import read_bundled

    rows = read_bundled()
    rows = rows[rows["geo"].isin(countries) & rows["time"].isin(years)]
    out = {}
    for c in countries:
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
            out[(c, y)] = Targets(rates[0], rates[1], edu)
    return out


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
    psu = (start + np.arange(n)) // psu_size
    stratum = psu % n_strata  # PSUs nested in strata
    sex = rng.integers(1, 3, n, dtype=np.int8)
    age = rng.integers(15, 90, n, dtype=np.int16)
    # Countries as indices into one vocabulary (own country, other EU, non-EU incl.
    # stateless): integer work in numpy, strings made once by Arrow at the end.
    vocab = [country, *_EU_OTHER, *_NON_EU]
    n_eu = len(_EU_OTHER)
    own_twin = vocab.index(country, 1) if country in vocab[1:] else -1
    u = rng.random(n, dtype=np.float32)
    eu_i = rng.integers(1, n_eu + 1, n, dtype=np.int8)
    neu_i = rng.integers(1 + n_eu, 1 + n_eu + len(_NON_EU), n, dtype=np.int8)
    nat_i = np.where(u < 0.82, 0, np.where(u < 0.89, eu_i, neu_i))
    nat_blank = rng.random(n, dtype=np.float32) < 0.01
    own = ((nat_i == 0) | (nat_i == own_twin)) & ~nat_blank
    group = np.where(own, 0, np.where((nat_i <= n_eu) & ~nat_blank, 1, 2))
    born_abroad = ~own | (rng.random(n, dtype=np.float32) < 0.05)
    other_i = rng.integers(1 + n_eu, n_eu + len(_NON_EU), n, dtype=np.int8)  # born: no "stateless"
    cob_i = np.where(born_abroad, np.where(group == 1, nat_i, other_i), 0)
    cob_blank = rng.random(n, dtype=np.float32) < 0.01
    working_age = (age >= 20) & (age <= 64)
    p_emp = np.where(working_age, 0.78 - 0.08 * (sex == 2) - 0.12 * (group == 2), 0.25)
    p_emp = np.where(age >= 70, 0.03, p_emp)
    v = rng.random(n, dtype=np.float32)
    p_une = 0.06 + 0.05 * (group == 2)
    military = rng.random(n, dtype=np.float32) < 0.002
    if targets is not None:
        e = targets.employment[sex - 1, group] / 100
        ur = targets.unemployment[sex - 1, group] / 100
        p_emp = np.where(working_age, e, p_emp)
        p_une = np.where(working_age, e * ur / (1 - ur), p_une)
        military &= ~working_age
    ilostat = np.where(v < p_emp, 1, np.where(v < p_emp + p_une, 2, 3))
    ilostat = np.where(military, 4, ilostat)
    emp = ilostat == 1
    stapro = np.where(emp, rng.choice([1, 2, 3, 4], n, p=[0.04, 0.10, 0.84, 0.02]), 0)
    temp = np.where(
        stapro == 3, np.where(rng.random(n, dtype=np.float32) < 0.12 + 0.1 * (group > 0), 2, 1), 0
    )
    ftpt = np.where(
        emp, np.where(rng.random(n, dtype=np.float32) < 0.18 + 0.12 * (sex == 2), 2, 1), 0
    )
    hat = rng.choice(
        [0, 100, 200, 300, 302, 303, 304, 400, 500, 600, 700, 800],
        n,
        p=[0.01, 0.04, 0.14, 0.10, 0.05, 0.15, 0.06, 0.05, 0.08, 0.18, 0.12, 0.02],
    )
    if targets is not None:
        born_own = ((cob_i == 0) | (cob_i == own_twin)) & ~cob_blank
        born = np.where(born_own, 0, np.where((cob_i <= n_eu) & ~cob_blank, 1, 2))
        shares = targets.education[sex - 1, born]  # (n, 3): low, medium, high
        x = rng.random(n, dtype=np.float32)
        level = (x[:, None] > np.cumsum(shares, axis=1)[:, :2]).sum(axis=1)
        drawn = np.empty(n, dtype=np.int64)
        for k, (codes, weights) in enumerate(_HAT_BY_LEVEL):
            at = level == k
            drawn[at] = rng.choice(codes, int(at.sum()), p=weights)
        hat = np.where((age >= 25) & (age <= 64), drawn, hat)
    isco = np.where(
        emp,
        np.clip(
            np.where(hat >= 500, rng.integers(1, 6, n), rng.integers(3, 10, n)) + (group == 2), 0, 9
        ),
        -1,
    )
    educ = np.where(
        age < 25, rng.choice([1, 2], n, p=[0.55, 0.45]), rng.choice([1, 2], n, p=[0.1, 0.9])
    )
    durune = np.where(ilostat == 2, rng.integers(1, 9, n), 0)
    nace_i = rng.integers(0, len(_NACE), n, dtype=np.int8)
    w = rng.lognormal(mean=np.log(150), sigma=0.4, size=n) * (1 + 0.5 * (group == 2))

    def opt(values: np.ndarray, present: np.ndarray, miss: float = 0.01) -> pa.Array:
        mask = (~present) | (rng.random(n, dtype=np.float32) < miss)
        return _nullable(values, mask)

    # Codes as dictionary arrays: integer indices into a small vocabulary, so no string
    # is made per record (Parquet stores them dictionary-encoded either way).
    def coded(
        indices: np.ndarray, words: Sequence[str], mask: np.ndarray | None = None
    ) -> pa.Array:
        ix = pa.array(indices) if mask is None else _nullable(indices, mask)
        return pa.DictionaryArray.from_arrays(ix, pa.array(words))

    def labelled(prefix: str, numbers: np.ndarray) -> pa.Array:
        first = int(numbers.min()) if len(numbers) else 0
        last = int(numbers.max()) if len(numbers) else 0
        words = [f"{prefix}{k}" for k in range(first, last + 1)]
        return coded((numbers - first).astype(np.int32), words)

    cols = {
        "COUNTRY": coded(np.zeros(n, dtype=np.int8), [country]),
        "YEAR": pa.array(np.full(n, year, dtype=np.int32)),
        "STRATUM": labelled(f"{country}{year}-", stratum),
        "PSU": labelled(f"{country}{year}-", psu),
        "REGION": labelled(country, 1 + stratum % 4),
        "COEFF": pa.array(np.round(w, 3)),
        "SEX": pa.array(sex.astype(np.int8)),
        "AGE": pa.array(age.astype(np.int16)),
        "NATIONAL": coded(nat_i.astype(np.int8), vocab, nat_blank),
        "COUNTRYB": coded(cob_i.astype(np.int8), vocab, cob_blank),
        "ILOSTAT": opt(ilostat.astype(np.int8), np.ones(n, bool), 0.002),
        "STAPRO": opt(stapro.astype(np.int8), emp),
        "TEMP": opt(temp.astype(np.int8), stapro == 3),
        "FTPT": opt(ftpt.astype(np.int8), emp),
        "ISCO1D": opt(isco.astype(np.int8), emp),
        "HATLEVEL": opt(hat.astype(np.int16), np.ones(n, bool)),
        "EDUC4WN": opt(educ.astype(np.int8), np.ones(n, bool)),
        "DURUNE": opt(durune.astype(np.int8), ilostat == 2),
        "NACE1D": coded(
            nace_i.astype(np.int8), _NACE, ~emp | (rng.random(n, dtype=np.float32) < 0.01)
        ),
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


def write_partitioned(
    batches: Iterable[pa.Table],
    out: str | Path,
    *,
    geo: str,
    year: str,
    total: int,
    noun: str,
    options: Callable[[pa.Table], dict[str, Any]],
    progress: Any = None,
) -> list[Path]:
    """Write each batch as ``out/GEO/YEAR/part-K.parquet`` (K counts the batches of one
    country-year) with ``options(batch)`` for Parquet; report ``done of total noun``."""
    root = Path(out)
    written: list[Path] = []
    parts: dict[tuple[str, int], int] = {}
    done = 0
    for batch in batches:
        key = (str(batch[geo][0]), int(batch[year][0].as_py()))
        k = parts.get(key, 0)
        parts[key] = k + 1
        folder = root / key[0] / str(key[1])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"part-{k}.parquet"
        pq.write_table(batch, path, **options(batch))
        written.append(path)
        done += batch.num_rows
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


def write_lfs(path: str | Path, persons: int, **kwargs: object) -> Path:
    """Write synthetic records to one Parquet or CSV file; return its path."""
    path = Path(path)
    batches = lfs_batches(persons, **kwargs)  # type: ignore[arg-type]
    first = next(batches)
    if path.suffix == ".csv":
        import pyarrow.csv as pacsv

        with pacsv.CSVWriter(path, first.schema) as out:
            out.write_table(first)
            for b in batches:
                out.write_table(b)
    else:
        with pq.ParquetWriter(
            path, first.schema, compression="zstd", write_statistics=_STATISTICS, store_schema=False
        ) as out:
            out.write_table(first)
            for b in batches:
                out.write_table(b)
    return path


def write_lfs_dataset(
    out: str | Path,
    persons: int,
    countries: Sequence[str],
    years: Sequence[int],
    *,
    seed: int = 1,
    calibrated: bool = True,
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
    targets = published_targets(countries, years) if calibrated else None
    return write_partitioned(
        lfs_batches(persons, countries, years, seed=seed, targets=targets, **kwargs),
        out,
        geo="COUNTRY",
        year="YEAR",
        total=persons,
        noun="records",
        options=lambda _batch: {
            "compression": "zstd",
            "write_statistics": _STATISTICS,
            "store_schema": False,
        },
        progress=progress,
    )
