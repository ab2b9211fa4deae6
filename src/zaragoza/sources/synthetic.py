"""Synthetic EU-LFS-shaped microdata for examples, tests and benchmarks.

Persons in PSUs within strata within countries, with EU-LFS variable names and codes,
labour status and education that depend on age, sex and citizenship, and skewed weights.
Not calibrated to published figures: a shape to compute on, not data to cite.
Deterministic for a seed; written in chunks, so memory stays bounded at any size.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["lfs_batches", "write_lfs"]

_EU_OTHER = ["DE", "FR", "IT", "PL", "RO", "PT", "ES", "BG", "HU", "NL"]
_NON_EU = ["TR", "MA", "UA", "SY", "IN", "CN", "AL", "RS", "US", "BR", "STLS"]
_NACE = list("ABCDEFGHIJKLMNOPQRSTU")


def _batch(
    rng: np.random.Generator,
    n: int,
    country: str,
    year: int,
    start: int,
    n_strata: int,
    psu_size: int,
    replicates: int,
) -> pa.Table:
    psu = (start + np.arange(n)) // psu_size
    stratum = psu % n_strata  # PSUs nested in strata
    sex = rng.integers(1, 3, n)
    age = rng.integers(15, 90, n)
    u = rng.random(n)
    nat = np.where(
        u < 0.82, country, np.where(u < 0.89, rng.choice(_EU_OTHER, n), rng.choice(_NON_EU, n))
    )
    nat = np.where(nat == country, nat, nat)
    nat = np.where(rng.random(n) < 0.01, "", nat)
    born_abroad = (nat != country) | (rng.random(n) < 0.05)
    cob = np.where(
        born_abroad, np.where(np.isin(nat, _EU_OTHER), nat, rng.choice(_NON_EU[:-1], n)), country
    )
    cob = np.where(rng.random(n) < 0.01, "", cob)
    group = np.where(nat == country, 0, np.where(np.isin(nat, _EU_OTHER), 1, 2))
    working_age = (age >= 20) & (age <= 64)
    p_emp = np.where(working_age, 0.78 - 0.08 * (sex == 2) - 0.12 * (group == 2), 0.25)
    p_emp = np.where(age >= 70, 0.03, p_emp)
    v = rng.random(n)
    ilostat = np.where(v < p_emp, 1, np.where(v < p_emp + 0.06 + 0.05 * (group == 2), 2, 3))
    ilostat = np.where(rng.random(n) < 0.002, 4, ilostat)
    emp = ilostat == 1
    stapro = np.where(emp, rng.choice([1, 2, 3, 4], n, p=[0.04, 0.10, 0.84, 0.02]), 0)
    temp = np.where(stapro == 3, np.where(rng.random(n) < 0.12 + 0.1 * (group > 0), 2, 1), 0)
    ftpt = np.where(emp, np.where(rng.random(n) < 0.18 + 0.12 * (sex == 2), 2, 1), 0)
    hat = rng.choice(
        [0, 100, 200, 300, 302, 303, 304, 400, 500, 600, 700, 800],
        n,
        p=[0.01, 0.04, 0.14, 0.10, 0.05, 0.15, 0.06, 0.05, 0.08, 0.18, 0.12, 0.02],
    )
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
    nace = np.where(emp, rng.choice(_NACE, n), "")
    w = rng.lognormal(mean=np.log(150), sigma=0.4, size=n) * (1 + 0.5 * (group == 2))

    def opt(values: np.ndarray, present: np.ndarray, miss: float = 0.01) -> pa.Array:
        mask = (~present) | (rng.random(n) < miss)
        return pa.array(values, mask=mask)

    cols = {
        "COUNTRY": pa.array(np.full(n, country)),
        "YEAR": pa.array(np.full(n, year, dtype=np.int32)),
        "STRATUM": pa.array(np.char.add(f"{country}{year}-", stratum.astype(str))),
        "PSU": pa.array(np.char.add(f"{country}{year}-", psu.astype(str))),
        "REGION": pa.array(np.char.add(country, (1 + stratum % 4).astype(str))),
        "COEFF": pa.array(np.round(w, 3)),
        "SEX": pa.array(sex.astype(np.int8)),
        "AGE": pa.array(age.astype(np.int16)),
        "NATIONAL": pa.array(nat, mask=nat == ""),
        "COUNTRYB": pa.array(cob, mask=cob == ""),
        "ILOSTAT": opt(ilostat.astype(np.int8), np.ones(n, bool), 0.002),
        "STAPRO": opt(stapro.astype(np.int8), emp),
        "TEMP": opt(temp.astype(np.int8), stapro == 3),
        "FTPT": opt(ftpt.astype(np.int8), emp),
        "ISCO1D": opt(isco.astype(np.int8), emp),
        "HATLEVEL": opt(hat.astype(np.int16), np.ones(n, bool)),
        "EDUC4WN": opt(educ.astype(np.int8), np.ones(n, bool)),
        "DURUNE": opt(durune.astype(np.int8), ilostat == 2),
        "NACE1D": opt(nace, emp),
    }
    for r in range(replicates):
        cols[f"RW{r + 1}"] = pa.array(np.round(w * rng.poisson(1.0, n), 3))
    return pa.table(cols)


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
) -> Iterator[pa.Table]:
    """Yield Arrow tables of synthetic EU-LFS records, ``persons`` in all."""
    cells = [(c, y) for c in countries for y in years]
    per = [
        persons // len(cells) + (1 if i < persons % len(cells) else 0) for i in range(len(cells))
    ]
    for idx, ((country, year), n_cell) in enumerate(zip(cells, per, strict=True)):
        rng = np.random.default_rng([seed, idx])
        done = 0
        while done < n_cell:
            n = min(chunk, n_cell - done)
            yield _batch(rng, n, country, year, done, n_strata, psu_size, replicates)
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
        with pq.ParquetWriter(path, first.schema, compression="zstd") as out:
            out.write_table(first)
            for b in batches:
                out.write_table(b)
    return path
