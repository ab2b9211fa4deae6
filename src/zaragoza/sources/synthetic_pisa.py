"""Synthetic PISA-shaped student records for examples, tests and benchmarks.

Students in schools within countries, with the variable names of the OECD's PISA student
files (``CNT``, ``CYC``, ``CNTSCHID``, ``CNTSTUID``, ``ST004D01T``, ``IMMIG``,
``W_FSTUWT``, ``W_FSTURWT1``-``W_FSTURWT80``, ``PV1READ``-``PVnSCIE``) and the shape of
its design:

* schools are paired into 80 variance zones, and each of the 80 replicate weights is the
  final weight times ``1 + k`` for one school of the pair and ``1 - k`` for the other
  (Fay's balanced repeated replication with ``k = 0.5``, signs from a Hadamard matrix),
  as the OECD builds PISA's replicates (PISA 2018 Technical Report, chapter 8);
* each student has a latent proficiency per domain (a country level, a school effect,
  migrant background and sex) and ``M`` plausible values drawn around it, so the
  plausible values of one student differ by the measurement uncertainty.

The levels and effects are a fixed shape (means near 480 score points, immigrant
students 25-45 points lower, girls ahead in reading), not PISA results. The records are
synthetic: they describe no real student and must not be cited.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from zaragoza.errors import UsageError
from zaragoza.sources.readers import SYNTHETIC_KEY, SYNTHETIC_VALUE

__all__ = ["DOMAINS", "REPLICATES", "pisa_table", "write_pisa"]

DOMAINS = ("READ", "MATH", "SCIE")
REPLICATES = 80
FAY_K = 0.5
#: Country level per domain (READ, MATH, SCIE) and the share of second- and
#: first-generation immigrant students: a fixed shape, not PISA figures.
_COUNTRIES = {
    "AUT": ((480.0, 487.0, 491.0), (0.12, 0.10)),
    "DEU": ((480.0, 475.0, 492.0), (0.16, 0.10)),
    "SWE": ((487.0, 482.0, 494.0), (0.11, 0.12)),
    "GRC": ((438.0, 430.0, 441.0), (0.06, 0.05)),
}
#: Effects in score points: second generation, first generation; girls by domain.
_MIGRANT_EFFECT = (-25.0, -45.0)
_GIRL_EFFECT = (22.0, -9.0, 0.0)
_CYCLE = "08MS"  # PISA 2022


def _hadamard(n: int) -> np.ndarray:
    """Sylvester's Hadamard matrix of the smallest power of two >= ``n``."""
    h = np.ones((1, 1), dtype=np.int8)
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


def pisa_table(
    countries: Sequence[str] = ("AUT", "DEU", "SWE"),
    *,
    schools: int = 120,
    students_per_school: int = 25,
    plausible_values: int = 10,
    seed: int = 1,
) -> pa.Table:
    """Return synthetic PISA student records, marked synthetic in the schema metadata."""
    unknown = [c for c in countries if c not in _COUNTRIES]
    if unknown:
        raise UsageError(
            f"no synthetic PISA shape for country {unknown[0]!r}",
            hint=f"Choose among {', '.join(_COUNTRIES)}",
        )
    if schools < 4 or students_per_school < 1 or plausible_values < 2:
        raise UsageError(
            "a synthetic PISA file needs 4 schools or more, 1 student per school or more "
            "and 2 plausible values or more"
        )
    rng = np.random.default_rng(seed)
    # rows 1..80 of H_128: balanced (each replicate halves every zone), orthogonal
    signs = _hadamard(REPLICATES + 1)[1 : REPLICATES + 1, :REPLICATES]
    parts: dict[str, list[np.ndarray]] = {}

    def add(name: str, values: np.ndarray) -> None:
        parts.setdefault(name, []).append(values)

    for ci, cnt in enumerate(countries):
        levels, (p2, p1) = _COUNTRIES[cnt]
        size = rng.integers(
            max(1, students_per_school // 2), students_per_school * 3 // 2 + 1, schools
        )
        n = int(size.sum())
        school = np.repeat(np.arange(schools), size)
        add("CNT", np.full(n, cnt, dtype=object))
        add("CYC", np.full(n, _CYCLE, dtype=object))
        add("CNTSCHID", (ci + 1) * 100_000 + school + 1)
        add("CNTSTUID", (ci + 1) * 10_000_000 + np.arange(n) + 1)
        sex = np.where(rng.random(n) < 0.5, 1, 2)  # 1 female, 2 male
        add("ST004D01T", sex.astype(np.float64))
        # immigrant students cluster in some schools
        tilt = np.repeat(rng.gamma(2.0, 0.5, schools), size)
        u = rng.random(n)
        immig = np.where(u < p1 * tilt, 3, np.where(u < (p1 + p2) * tilt, 2, 1)).astype(np.float64)
        immig[rng.random(n) < 0.03] = np.nan  # IMMIG not known
        add("IMMIG", immig)
        base = np.repeat(rng.lognormal(np.log(40.0), 0.5, schools), size)
        w = base * rng.lognormal(0.0, 0.15, n)
        add("W_FSTUWT", w)
        zone = (np.arange(schools) // 2) % REPLICATES
        half = np.where(np.arange(schools) % 2 == 0, 1, -1)
        factor = 1.0 + FAY_K * signs[:, zone] * half  # replicates x schools
        for r in range(REPLICATES):
            add(f"W_FSTURWT{r + 1}", w * factor[r][school])
        school_effect = np.repeat(rng.normal(0.0, 40.0, schools), size)
        mig = np.select([immig == 2, immig == 3], list(_MIGRANT_EFFECT), 0.0)
        for d, dom in enumerate(DOMAINS):
            girl = np.where(sex == 1, _GIRL_EFFECT[d], 0.0)
            theta = levels[d] + school_effect + mig + girl + rng.normal(0.0, 80.0, n)
            for m in range(plausible_values):
                add(f"PV{m + 1}{dom}", np.round(theta + rng.normal(0.0, 30.0, n), 3))
    cols = {k: np.concatenate(v) for k, v in parts.items()}
    order = [
        "CNT", "CYC", "CNTSCHID", "CNTSTUID", "ST004D01T", "IMMIG", "W_FSTUWT",
        *(f"W_FSTURWT{r + 1}" for r in range(REPLICATES)),
        *(f"PV{m + 1}{dom}" for dom in DOMAINS for m in range(plausible_values)),
    ]  # fmt: skip
    table = pa.table({k: cols[k] for k in order})
    return table.replace_schema_metadata({SYNTHETIC_KEY: SYNTHETIC_VALUE})


def write_pisa(path: str | Path, **kwargs: object) -> Path:
    """Write :func:`pisa_table` as Parquet or CSV (by the file's suffix)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    path = Path(path)
    table = pisa_table(**kwargs)  # type: ignore[arg-type]
    if path.suffix == ".csv":
        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return path
