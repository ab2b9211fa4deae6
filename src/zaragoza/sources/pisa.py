"""PISA student files: recognition, validation and harmonisation to the engine's records.

The OECD distributes PISA's student questionnaire files (SPSS ``.sav``, SAS, or CSV) with
these variables (PISA 2022 Technical Report; *PISA Data Analysis Manual*):

* ``CNT``: the country, ISO 3166-1 alpha-3 (``AUT``), mapped to Eurostat's geo codes
  (``AT``; ``GRC`` -> ``EL``, ``GBR`` -> ``UK``);
* ``CYC``: the cycle (``08MS`` = PISA 2022, ``07MS`` = 2018, ...), mapped to the year;
  a file without it takes the year the caller gives (``--time``), and a year given for
  a file with it must be its cycle's;
* ``CNTSCHID``: the school; ``W_FSTUWT``: the final student weight;
  ``W_FSTURWT1``-``W_FSTURWT80``: the 80 Fay replicate weights;
* ``PV1READ``-``PV10READ``, ``PV1MATH``..., ``PV1SCIE``...: the plausible values (5 per
  domain before 2015, 10 since);
* ``IMMIG``: 1 native, 2 second generation, 3 first generation (the OECD's index of
  immigrant background); ``ST004D01T``: 1 female, 2 male.

Harmonised records: ``geo`` (PISA's country code, mapped to Eurostat's on the
estimates: ``PisaRecords.geo_codes``), ``time``, ``school``, ``sex`` (``F``/``M``/``UNK``),
``mig_bg`` (``NATIVE``/``SECOND_GEN``/``FIRST_GEN``/``UNK``), ``w``, ``r0``..``r79`` and
one column per plausible value (``pv{m}_{domain}``). Validation refuses, naming the
column, the first offending value and how many rows: a missing variable, a plausible
value of a set missing (``PV3MATH`` absent while ``PV1MATH``..``PV10MATH`` are expected),
sets of unequal length, replicate weights that are not ``W_FSTURWT1``..``W_FSTURWT80``,
non-finite or negative weights, non-finite plausible values, an unknown country or cycle,
a file mixing cycles, and a year given that is not the file's cycle's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pycountry

from zaragoza.catalog.codes import ISO_TO_EUROSTAT
from zaragoza.errors import InputError, Problem, ValidationError
from zaragoza.estimate.plausible import PlausibleValues
from zaragoza.sources.lfs import number, text

__all__ = [
    "CYCLES",
    "DOMAINS",
    "PISA_REPLICATES",
    "PisaRecords",
    "is_pisa",
    "prepare_pisa",
]

DOMAINS = ("READ", "MATH", "SCIE")
PISA_REPLICATES = 80
#: PISA's cycle codes and the year of each assessment.
CYCLES = {
    "01MS": 2000,
    "02MS": 2003,
    "03MS": 2006,
    "04MS": 2009,
    "05MS": 2012,
    "06MS": 2015,
    "07MS": 2018,
    "08MS": 2022,
}
_REQUIRED = ("CNT", "CNTSCHID", "W_FSTUWT", "IMMIG", "ST004D01T")
_PV = re.compile(r"^PV(\d+)(READ|MATH|SCIE)$")
_REP = re.compile(r"^W_FSTURWT(\d+)$")
#: OECD's PISA country codes that are not ISO 3166-1 alpha-3 (parts of countries,
#: economies), refused: Eurostat has no geo code for them.
_MAX = 1.7976931348623157e308


@dataclass(frozen=True)
class PisaRecords:
    """Harmonised PISA records (an Ibis table) and what the file's design holds."""

    records: ir.Table
    plausible_values: PlausibleValues
    replicates: int
    n_rows: int
    files: list[str]
    #: PISA's country codes (in ``records.geo``) -> Eurostat's geo codes
    geo_codes: dict[str, str]


def is_pisa(columns: Sequence[str]) -> bool:
    """Whether the columns are a PISA student file's (its weight and plausible values)."""
    cols = {c.upper() for c in columns}
    return "W_FSTUWT" in cols and any(_PV.match(c) for c in cols)


def _country_map() -> dict[str, str]:
    return {c.alpha_3: ISO_TO_EUROSTAT.get(c.alpha_2, c.alpha_2) for c in pycountry.countries} | {
        "KSV": "XK"
    }


def _plausible_values(cols: Sequence[str], files: str) -> PlausibleValues:
    found: dict[str, set[int]] = {}
    for c in cols:
        m = _PV.match(c)
        if m:
            found.setdefault(m.group(2), set()).add(int(m.group(1)))
    problems = []
    sets: dict[str, list[str]] = {}
    for dom in DOMAINS:
        numbers = found.get(dom, set())
        if not numbers:
            continue
        top = max(numbers)
        absent = [n for n in range(1, top + 1) if n not in numbers]
        for n in absent:
            problems.append(
                Problem(
                    "missing plausible value",
                    files,
                    f"PV{n}{dom}",
                    None,
                    None,
                    f"PV1{dom}..PV{top}{dom}: every plausible value of the set",
                )
            )
        sets[dom] = [f"PV{n}{dom}" for n in range(1, top + 1)]
    if not sets:
        raise ValidationError(
            [
                Problem(
                    "missing column",
                    files,
                    "PV1READ",
                    None,
                    None,
                    "plausible values PVnREAD, PVnMATH or PVnSCIE",
                )
            ]
        )
    lengths = {d: len(v) for d, v in sets.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{d}: {n}" for d, n in lengths.items())
        problems.append(
            Problem(
                "plausible-value sets of unequal length",
                files,
                "PV*",
                None,
                detail,
                "the same number of plausible values in every domain (5 before 2015, 10 since)",
            )
        )
    if problems:
        raise ValidationError(problems)
    return PlausibleValues.of(sets)


def _replicates(cols: Sequence[str], files: str) -> list[str]:
    numbers = sorted(int(m.group(1)) for c in cols if (m := _REP.match(c)))
    expected = list(range(1, PISA_REPLICATES + 1))
    if numbers != expected:
        have = f"{len(numbers)} columns" + (
            f" (W_FSTURWT{numbers[0]}..W_FSTURWT{numbers[-1]})" if numbers else ""
        )
        raise ValidationError(
            [
                Problem(
                    "replicate weights of the wrong count",
                    files,
                    "W_FSTURWT*",
                    None,
                    have,
                    "the 80 Fay replicate weights W_FSTURWT1..W_FSTURWT80",
                )
            ]
        )
    return [f"W_FSTURWT{n}" for n in expected]


def _parsed(t: ir.Table, col: str) -> ir.FloatingValue:
    """``lfs.number`` of a column, written for the backend: DuckDB's cast from text
    already skips the blanks around a number and reads a blank value as no number, so
    there the text is cast as it is (trimming first would cost more than the cast)."""
    value = t[col]
    if value.type().is_string() and t.get_backend().name == "duckdb":
        x = value.try_cast("float64")
        return ibis.ifelse(x.abs() <= _MAX, x, ibis.null("float64"))
    return number(t, col)


def _kept(records: ir.Table, name: str | None) -> ir.Table:
    """The harmonised records kept once: a temporary table in DuckDB's memory (a view
    would parse the file again at every pass), a view on Spark (which reads in parallel)."""
    if not name:
        return records
    backend = records.get_backend()
    if backend.name == "duckdb":
        sql = ibis.to_sql(records, dialect="duckdb")
        backend.raw_sql(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')
        return backend.table(name)
    return backend.create_view(name, records, overwrite=True)


def prepare_pisa(
    t: ir.Table, files: Sequence[str], *, time: int | None = None, view: str | None = "records"
) -> PisaRecords:
    """Validate PISA student records ``t`` (columns upper-cased) and harmonise them.

    ``time``: the reference year of a file without ``CYC``; with ``CYC`` it must be the
    year of the file's cycle (or None: the year is read from ``CYC``).

    Raises :class:`ValidationError` with every problem found, before any estimate.
    """
    cols = list(t.columns)
    where = ", ".join(files)
    missing = [c for c in _REQUIRED if c not in cols]
    if time is None and "CYC" not in cols:
        missing.append("CYC")
    if missing:
        raise ValidationError(
            [
                Problem(
                    "missing column", where, c, None, None, "the PISA variable (or --time for CYC)"
                )
                for c in missing
            ]
        )
    pvs = _plausible_values(cols, where)
    reps = _replicates(cols, where)
    countries = _country_map()
    numeric = ["W_FSTUWT", *reps, *(c for _, cs in pvs.domains for c in cs)]
    # harmonised first, kept once: validation and every plausible value's pass read it
    sex = _parsed(t, "ST004D01T")
    immig = _parsed(t, "IMMIG")
    items: dict[str, ir.Value] = {
        "cnt": text(t, "CNT"),
        # a file's own cycle is always read: a year given beside it must agree with it
        "cyc": text(t, "CYC") if "CYC" in cols else ibis.literal(None, "string"),
        "school": text(t, "CNTSCHID"),
        "sex": ibis.cases((sex == 1, "F"), (sex == 2, "M"), else_="UNK"),
        "mig_bg": ibis.cases(
            (immig == 1, "NATIVE"),
            (immig == 2, "SECOND_GEN"),
            (immig == 3, "FIRST_GEN"),
            else_="UNK",
        ),
        "w": _parsed(t, "W_FSTUWT"),
    }
    names = {"W_FSTUWT": "w"}
    for i, rep in enumerate(reps):
        names[rep] = f"r{i}"
        items[f"r{i}"] = _parsed(t, rep)
    for dom, cs in pvs.domains:
        for m, c in enumerate(cs):
            names[c] = f"pv{m + 1}_{dom}"
            items[names[c]] = _parsed(t, c)
    h = _kept(t.select(**items), view)

    def invalid(x: ir.FloatingValue, weight: bool) -> ir.BooleanValue:
        return x.isnull() | (x < 0) if weight else x.isnull()

    checks: dict[str, ir.Scalar] = {"_n": h.count()}
    for c in numeric:
        checks[f"bad_{c}"] = invalid(h[names[c]], c.startswith("W_")).cast("int64").sum()
    checks["countries"] = h.cnt.collect(distinct=True)
    checks["cycles"] = h.cyc.collect(distinct=True)
    got = h.aggregate(**checks).to_pandas().iloc[0]
    n_rows = int(got["_n"])
    if n_rows == 0:
        raise InputError("the input holds no records", file=where)
    problems: list[Problem] = []
    broken = [c for c in numeric if int(got[f"bad_{c}"])]
    if broken:
        # the first offending value as written in the file, read only for broken columns
        first = (
            t.aggregate(
                **{
                    c: t[c].cast("string").min(where=invalid(number(t, c), c.startswith("W_")))
                    for c in broken
                }
            )
            .to_pandas()
            .iloc[0]
        )
        for c in broken:
            valid = "a finite weight >= 0" if c.startswith("W_") else "a finite score"
            k = int(got[f"bad_{c}"])
            problems.append(
                Problem(f"not a valid number ({k:,} rows)", where, c, None, first[c], valid)
            )
    unknown = sorted(str(v) for v in got["countries"] if v is None or str(v) not in countries)
    if unknown:
        problems.append(
            Problem(
                "unknown country",
                where,
                "CNT",
                None,
                unknown[0],
                "an ISO 3166-1 alpha-3 country code (AUT, DEU, GRC ...); PISA's codes of "
                "economies and regions have no Eurostat geo code",
            )
        )
    years = time
    if "CYC" in cols:
        cycles = sorted(str(v) for v in got["cycles"])
        bad_cycles = [c for c in cycles if c not in CYCLES]
        if bad_cycles:
            problems.append(
                Problem("unknown cycle", where, "CYC", None, bad_cycles[0], ", ".join(CYCLES))
            )
        elif len(cycles) > 1:
            problems.append(
                Problem(
                    "a file mixing cycles",
                    where,
                    "CYC",
                    None,
                    ", ".join(cycles),
                    "one PISA cycle per run (the scales and designs of cycles differ): "
                    "estimate each cycle's file on its own",
                )
            )
        elif time is not None and CYCLES[cycles[0]] != time:
            problems.append(
                Problem(
                    "the year given disagrees with the file's cycle",
                    where,
                    "CYC",
                    None,
                    f"{cycles[0]} (PISA {CYCLES[cycles[0]]}), --time {time}",
                    f"--time {CYCLES[cycles[0]]}, or no --time (the year is read from CYC)",
                )
            )
        else:
            years = CYCLES[cycles[0]]
    if problems:
        raise ValidationError(problems)
    assert years is not None
    # the country stays PISA's code through the sums (a plain column of the kept table)
    # and is mapped to Eurostat's on the small result (``geo_codes``)
    records = h.select(
        h.cnt.name("geo"),
        ibis.literal(years, "int32").name("time"),
        *(c for c in h.columns if c not in ("cnt", "cyc")),
    )
    codes = {str(c): countries[str(c)] for c in got["countries"]}
    return PisaRecords(records, pvs, len(reps), n_rows, list(files), codes)
