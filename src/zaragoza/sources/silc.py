"""EU-SILC input: read D/H/P/R files (or one merged person file), link, validate, harmonise.

Files are recognised by their id columns: ``DB030`` (D, household register), ``HB030``
(H, household data), ``RB030`` (R, personal register), ``PB030`` (P, personal data of
persons 16+); a file with a person id *and* household income or ids (``HX090``,
``HY020``, ``DB030``, ``HB030``) is an already-merged person file (M). Several files of
one kind (several countries or years) are stacked.

Linking (EU-SILC UDB): households by country, year and ``DB030``/``HB030``; persons by
``RB030``/``PB030``; a person's household is ``RX030``/``PX030`` when present, otherwise
the person id without its member digits (the PUF numbers persons ``HB030 * 10 + k``, the
UDB ``HB030 * 100 + k``: the divisor that links more persons is used and said).

Harmonised person records (the DuckDB view ``silc_records``): ``geo time region sex age
citizen c_birth w w16 hh strata psu inc`` and ``var_<NAME>`` for the variables the
indicators read. ``w`` is ``RB050`` (all ages) when an R file or a merged file carries
it, else ``PB040`` (persons 16+); ``inc`` is the equivalised disposable income:
``HX090``, else ``HY020 / HX050``, else ``HY020`` over the modified OECD scale (1 for
the first person aged 14 or over, 0.5 for each other, 0.3 for each child under 14) from
the ages of the R file. Age is at the end of the income reference period: ``RX020``,
``AGE``, ``PX020``, else survey year - 1 - year of birth (``RB080``/``PB140``).

Validation collects every problem (duplicate ids, unlinked persons or households,
missing, non-finite or non-positive weights, numbers that are NaN, infinite or text,
unknown codes) into one report. Missing income (blank, ``NA``) is item non-response,
counted per cell, not an error; negative income is valid, as in Eurostat's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from zaragoza.catalog.codes import GROUPED_EU, GROUPED_NON_EU, ISO_TO_EUROSTAT, country_codes
from zaragoza.errors import InputError, Problem, ValidationError
from zaragoza.sources.readers import ColumnMap, open_microdata, quote
from zaragoza.sources.silc_variables import ESTIMATOR_VARIABLES, SILC_DERIVED, Context
from zaragoza.sources.sql import geo_sql as _geo_expr
from zaragoza.sources.sql import group_sql as _group_expr
from zaragoza.sources.sql import in_list as _in_list
from zaragoza.sources.sql import num as _num
from zaragoza.sources.sql import number_sql
from zaragoza.sources.sql import text as _text
from zaragoza.sources.variables import (
    UNKNOWN_GROUP_CODES,
    VAR_PREFIX,
    WEIGHT_EXPECTED,
    WEIGHT_RULE,
    replicate_columns,
)

__all__ = [
    "SilcPrepared",
    "SilcSpec",
    "classify_columns",
    "looks_like_silc",
    "prepare_silc",
    "silc_input_columns",
]

_IDS = {"D": "DB", "H": "HB", "R": "RB", "P": "PB"}
_HOUSEHOLD_COLUMNS = {"HX090", "HY020", "DB030", "HB030"}
_MISSING_TEXT = ("", "NA", ".", "NAN")
_NUMERIC_TYPES = frozenset(
    {"DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT",
     "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"}
)  # fmt: skip
NO_REGISTER_NOTE = (
    "no R file (personal register) with RB050: the at-risk-of-poverty threshold and "
    "the medians are computed over persons aged 16 and over weighted by PB040, not over "
    "the whole population weighted by RB050 as Eurostat does"
)


@dataclass(frozen=True)
class SilcSpec:
    """What the estimate needs from the input."""

    weight: str | None = None  # None: RB050, or PB040 without a register file
    strata: str | None = None
    psu: str | None = None
    variables: frozenset[str] = frozenset()
    regions: bool = False
    replicate_pattern: str | None = None


@dataclass
class SilcPrepared:
    """The harmonised person records and what reading and validation found."""

    con: duckdb.DuckDBPyConnection
    view: str
    n_rows: int
    n_dropped: int
    dropped_by_rule: dict[str, int]
    files: list[str]
    available: frozenset[str]
    full_population: bool
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    replicate_columns: list[str] = field(default_factory=list)


def classify_columns(cols: Sequence[str]) -> str:
    """Return the kind of an EU-SILC file (``D``, ``H``, ``P``, ``R`` or merged ``M``)."""
    have = set(cols)
    if "RB030" in have or "PB030" in have:
        if have & _HOUSEHOLD_COLUMNS:
            return "M"
        return "R" if "RB030" in have else "P"
    if "HB030" in have:
        return "H"
    if "DB030" in have:
        return "D"
    return "?"


@dataclass(frozen=True)
class _Rule:
    rule: str
    kind: str  # the file kind whose rows break it
    column: str
    invalid: str  # SQL over that kind's view (alias t)
    value: str
    expected: str
    scope: str  # "person" or "household": which records to leave out with --drop-invalid


def _first(cols: set[str], *names: str) -> str | None:
    return next((n for n in names if n in cols), None)


class _Linker:
    """The files of each kind as numbered DuckDB views, and SQL that links them."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, paths: Sequence[str | Path], colmap: ColumnMap | None
    ) -> None:
        self.con = con
        self._divisors: dict[str, int] = {}
        #: (kind, column) pairs already numeric (Parquet, SPSS...): no text round trip
        self.numeric: set[tuple[str, str]] = set()
        by_kind: dict[str, list[str | Path]] = {}
        for i, p in enumerate(paths):
            one = open_microdata([p], columns=colmap, con=con, view=f"_silc_probe{i}")
            kind = classify_columns(one.columns)
            if kind == "?":
                raise InputError(
                    "not an EU-SILC file: no id column DB030, HB030, RB030 or PB030",
                    file=str(p),
                    hint="Name your id columns with --columns (e.g. PB030: person_id)",
                )
            by_kind.setdefault(kind, []).append(p)
        if "M" in by_kind and len(by_kind) > 1:
            raise InputError(
                "give either one kind of merged person files or D/H/P/R files, not both",
                file=", ".join(str(p) for p in by_kind["M"]),
            )
        if not by_kind.keys() & {"M", "R", "P"}:
            raise InputError(
                "no person file (R, P or merged) among the inputs",
                hint="EU-SILC indicators are about persons: add the R or P file",
            )
        self.files = [str(p) for p in paths]
        self.cols: dict[str, set[str]] = {}
        for kind, ps in by_kind.items():
            md = open_microdata(ps, columns=colmap, con=con, view=f"_silc_raw_{kind}")
            numbered = " UNION ALL BY NAME ".join(f"({s})" for s in md.numbered.values())
            # a table, not a view: the validation queries would each re-read the files
            con.execute(f"CREATE OR REPLACE TEMP TABLE _silc_{kind} AS {numbered}")
            self.cols[kind] = set(md.columns)
            described = con.execute(f"DESCRIBE _silc_{kind}").fetchall()
            self.numeric |= {
                (kind, str(r[0])) for r in described if str(r[1]).split("(")[0] in _NUMERIC_TYPES
            }
        self.base = "M" if "M" in self.cols else "R" if "R" in self.cols else "P"
        self.households = "H" if "H" in self.cols else "D" if "D" in self.cols else None

    # ----- keys -------------------------------------------------------------------
    def geo(self, kind: str) -> str:
        cols = self.cols[kind]
        name = (
            f"{_IDS[kind]}020"
            if kind != "M"
            else _first(cols, "DB020", "RB020", "PB020", "HB020", "COUNTRY")
        )
        return _geo_expr(name) if name and name in cols else "NULL"

    def year(self, kind: str) -> str:
        cols = self.cols[kind]
        name = (
            f"{_IDS[kind]}010"
            if kind != "M"
            else _first(cols, "DB010", "RB010", "PB010", "HB010", "YEAR")
        )
        return f"CAST({_num(name)} AS INTEGER)" if name and name in cols else "NULL"

    def own_id(self, kind: str) -> str:
        name = f"{_IDS[kind]}030" if kind != "M" else _first(self.cols[kind], "RB030", "PB030")
        assert name is not None
        return _text(name)

    def household_of_person(self, kind: str) -> str:
        cols = self.cols[kind]
        given = _first(cols, "RX030", "PX030") if kind != "M" else _first(cols, "DB030", "HB030")
        if kind == "M" and given is None:
            given = _first(cols, "RX030", "PX030")
        if given is not None:
            return _text(given)
        pid = f"TRY_CAST({self.own_id(kind)} AS BIGINT)"
        return f"CAST({pid} // {self.divisor(kind)} AS VARCHAR)"

    def divisor(self, kind: str) -> int:
        """10 (PUF) or 100 (UDB): whichever links more persons to a household."""
        if kind not in self._divisors:
            self._divisors[kind] = self._divisor(kind)
        return self._divisors[kind]

    def _divisor(self, kind: str) -> int:
        if self.households is None:
            return 100
        hk = self.households
        pid = f"TRY_CAST({self.own_id(kind)} AS BIGINT)"
        best, best_n = 100, -1
        for d in (100, 10):
            n = self.con.execute(
                f"SELECT count(*) FROM _silc_{kind} t WHERE CAST({pid} // {d} AS VARCHAR) IN "
                f"(SELECT {self.own_id(hk)} FROM _silc_{hk})"
            ).fetchall()[0]
            if int(n[0]) > best_n:
                best, best_n = d, int(n[0])
        return best

    def keyed(self, kind: str, person: bool) -> str:
        """SQL of a kind's records with ``_geo _time _id`` (and ``_hh`` for persons)."""
        hh = f", {self.household_of_person(kind)} AS _hh" if person else ""
        return (
            f"SELECT *, {self.geo(kind)} AS _geo, {self.year(kind)} AS _time, "
            f"{self.own_id(kind)} AS _id{hh} FROM _silc_{kind}"
        )


def _weight_rule(kind: str, col: str) -> _Rule:
    return _Rule(
        WEIGHT_RULE,
        kind,
        col,
        f"coalesce({_num(col)} <= 0, true)",
        f"CAST({quote(col)} AS VARCHAR)",
        WEIGHT_EXPECTED,
        "person",
    )


def _not_number(kind: str, col: str) -> _Rule:
    """A numeric variable holds text, NaN or infinity (blank, NA, NaN and '.' are missing)."""
    raw = f"upper(trim(CAST({quote(col)} AS VARCHAR)))"
    income = col in ("HY020", "HX090")
    return _Rule(
        "income is not a finite number" if income else "not a finite number",
        kind,
        col,
        f"({raw} NOT IN {_in_list(list(_MISSING_TEXT))} AND {_num(col)} IS NULL)",
        f"CAST({quote(col)} AS VARCHAR)",
        ("a finite number (negative incomes are valid)" if income else "a finite number")
        + ", or blank/NA when missing",
        "household" if kind in ("H", "D") else "person",
    )


def _replicate_rule(kind: str, col: str) -> _Rule:
    return _Rule(
        "missing, non-finite or negative replicate weight",
        kind,
        col,
        f"coalesce({_num(col)} < 0, true)",
        f"CAST({quote(col)} AS VARCHAR)",
        "a finite number of zero or more",
        "person",
    )


def prepare_silc(
    paths: Sequence[str | Path],
    spec: SilcSpec,
    *,
    columns: ColumnMap | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    drop_invalid: bool = False,
) -> SilcPrepared:
    """Read, link and validate EU-SILC files; return the harmonised person records.

    Raises
    ------
    ValidationError
        Every problem found, unless ``drop_invalid`` (then the persons concerned are
        left out and counted by rule). Missing columns are always an error.
    """
    con = con or duckdb.connect()
    lk = _Linker(con, paths, columns)
    base = lk.base
    bcols = lk.cols[base]
    allcols = set().union(*lk.cols.values())

    files = ", ".join(lk.files)

    missing: list[tuple[str, str]] = []
    for kind, cols in lk.cols.items():
        if kind == "M":
            for what, names in (
                ("country", ("DB020", "RB020", "PB020", "COUNTRY")),
                ("year", ("DB010", "RB010", "PB010", "YEAR")),
            ):
                if not cols & set(names):
                    missing.append(("/".join(names), f"the {what} of each person"))
        else:
            for suffix in ("020", "010"):
                if f"{_IDS[kind]}{suffix}" not in cols:
                    missing.append((f"{_IDS[kind]}{suffix}", "country and year of each record"))
    sex_col = _first(allcols, "RB090", "PB150")
    age_col = _first(allcols, "RX020", "AGE", "PX020", "RB080", "PB140")
    if spec.weight:  # the user's weight column, instead of RB050 / PB040
        weight_col = spec.weight if spec.weight in allcols else None
    else:
        weight_col = _first(bcols, "RB050") or _first(allcols, "PB040")
    if sex_col is None:
        missing.append(("RB090", "sex (RB090, or PB150 in the P file)"))
    if age_col is None:
        missing.append(("RX020", "age (RX020 or AGE; or PX020; or year of birth RB080/PB140)"))
    if weight_col is None and spec.weight:
        missing.append((spec.weight, "the weight column you named"))
    elif weight_col is None:
        missing.append(("RB050", "the personal weight RB050 (or PB040 without an R file)"))
    roster_scale = base in ("R", "M") and _first(bcols, "RX020", "AGE", "RB080") is not None
    if "HX090" not in allcols and "HY020" not in allcols:
        missing.append(("HX090", "equivalised disposable income HX090, or HY020"))
    elif "HX090" not in allcols and "HX050" not in allcols and not roster_scale:
        missing.append(("HX050", "the equivalised household size, or an R file with ages"))
    for v in sorted(spec.variables):
        if v in SILC_DERIVED and SILC_DERIVED[v].roster and base == "P":
            missing.append(("RB030", f"{v} needs every household member: an R file"))
        if v in SILC_DERIVED:
            missing += [
                (n, SILC_DERIVED[v].meaning) for n in SILC_DERIVED[v].needs if n not in allcols
            ]
        elif v not in ESTIMATOR_VARIABLES and v not in allcols:
            missing.append((v, "a variable an indicator reads"))
    for design_col in (spec.strata, spec.psu):
        if design_col and design_col not in allcols:
            missing.append((design_col, "the design column you named"))
    if spec.regions and "DB040" not in allcols:
        missing.append(("DB040", "the region (NUTS) of each household"))
    # Replicates in their numbers' order (RW2 before RW10).
    reps = sorted(replicate_columns(spec.replicate_pattern, bcols), key=lambda c: (len(c), c))
    if spec.replicate_pattern and not reps:
        missing.append((f"replicate weights matching {spec.replicate_pattern!r}", "columns"))
    if missing:
        seen = dict.fromkeys(missing)
        raise ValidationError([Problem("missing column", files, c, None, None, e) for c, e in seen])

    # ----- keyed views ---------------------------------------------------------------
    for kind in lk.cols:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _silc_k{kind} AS {lk.keyed(kind, kind in 'RPM')}"
        )
    hk = lk.households
    rules: list[_Rule] = []
    for kind in lk.cols:
        rules.append(
            _Rule(
                "duplicate id",
                kind,
                "RB030/PB030" if kind == "M" else f"{_IDS[kind]}030",
                f"(t._geo, t._time, t._id) IN (SELECT (_geo, _time, _id) FROM _silc_k{kind} "
                "GROUP BY ALL HAVING count(*) > 1)",
                "t._id",
                "one record per id, country and year",
                "person" if kind in "RPM" else "household",
            )
        )
    if hk is not None:
        rules.append(
            _Rule(
                "person without a household",
                base,
                "RX030" if base == "R" else "PX030",
                f"(t._geo, t._time, t._hh) NOT IN (SELECT (_geo, _time, _id) FROM _silc_k{hk})",
                "t._id",
                f"a household of the {hk} file (same country, year and id)",
                "person",
            )
        )
        rules.append(
            _Rule(
                "household without persons",
                hk,
                f"{_IDS[hk]}030",
                f"(t._geo, t._time, t._id) NOT IN (SELECT (_geo, _time, _hh) FROM _silc_k{base})",
                "t._id",
                f"at least one person in the {base} file",
                "household",
            )
        )
    if base == "R" and "P" in lk.cols:
        rules.append(
            _Rule(
                "person without a register record",
                "P",
                "PB030",
                "(t._geo, t._time, t._id) NOT IN (SELECT (_geo, _time, _id) FROM _silc_kR)",
                "t._id",
                "an R-file record with the same RB030",
                "person",
            )
        )
    assert weight_col is not None
    wkind = base if weight_col in bcols else "P"
    rules.append(_weight_rule(wkind, weight_col))
    numeric = {"HY020", "HX090", "HX050"}
    for v in spec.variables:
        if v in SILC_DERIVED:
            numeric |= set(SILC_DERIVED[v].needs)
    for kind, cols in lk.cols.items():
        for col in sorted(numeric & set(cols)):
            rules.append(_not_number(kind, col))
        if kind == base:
            for rep in reps:
                rules.append(_replicate_rule(kind, rep))
    geos = sorted(country_codes() | set(ISO_TO_EUROSTAT))
    rules.append(
        _Rule(
            "unknown country code",
            base,
            "country",
            f"coalesce(t._geo NOT IN {_in_list(geos)}, true)",
            "t._geo",
            "a Eurostat geo code such as AT, EL, UK",
            "person",
        )
    )
    skind = next(k for k in (base, "P", "R") if k in lk.cols and sex_col in lk.cols[k])
    rules.append(
        _Rule(
            "unknown code",
            skind,
            str(sex_col),
            f"coalesce({_num(str(sex_col))} NOT IN (1, 2), true)",
            f"CAST({quote(str(sex_col))} AS VARCHAR)",
            "1 (male) or 2 (female)",
            "person",
        )
    )
    groups = sorted(country_codes() | set(ISO_TO_EUROSTAT) | GROUPED_EU | GROUPED_NON_EU)
    groups += sorted(UNKNOWN_GROUP_CODES)
    for gcol in ("PB220A", "PB210"):
        gkind = next((k for k in (base, "P") if k in lk.cols and gcol in lk.cols[k]), None)
        if gkind is not None:
            rules.append(
                _Rule(
                    "unknown code",
                    gkind,
                    gcol,
                    f"coalesce({_text(gcol)} NOT IN {_in_list(groups)} "
                    f"AND {_text(gcol)} NOT IN {_in_list(list(_MISSING_TEXT))}, false)",
                    f"CAST({quote(gcol)} AS VARCHAR)",
                    "a country code (BE, EL, ...), the grouped codes EU, OTH/Other, or blank",
                    "person",
                )
            )

    if _one(con, f"SELECT count(*) FROM _silc_k{base}") == 0:
        raise InputError(
            "the input holds no records",
            file=files,
            hint="The file(s) have a header but no data rows",
        )
    problems: list[Problem] = []
    broken: list[tuple[_Rule, int]] = []
    for r in rules:
        rows = con.execute(
            f"SELECT _file, min(_row), count(*), arg_min({r.value}, _row) "
            f"FROM _silc_k{r.kind} t WHERE {r.invalid} GROUP BY _file ORDER BY _file"
        ).fetchall()
        total = 0
        for f, first, cnt, val in rows:
            shown = None if val is None else str(val)
            problems.append(Problem(r.rule, f, r.column, int(first), shown, r.expected, int(cnt)))
            total += int(cnt)
        if total:
            broken.append((r, total))
    if problems and not drop_invalid:
        raise ValidationError(problems)

    # ----- leave out the records breaking a rule (--drop-invalid) -----------------------
    bad_p, bad_h = [], []
    for r, _ in broken:
        if r.kind in "RPM" and r.scope == "person":
            bad_p.append(
                f"SELECT t._geo, t._time, t._id AS k FROM _silc_k{r.kind} t WHERE {r.invalid}"
            )
        elif r.kind in "RPM":
            bad_h.append(
                f"SELECT t._geo, t._time, t._hh AS k FROM _silc_k{r.kind} t WHERE {r.invalid}"
            )
        else:
            bad_h.append(
                f"SELECT t._geo, t._time, t._id AS k FROM _silc_k{r.kind} t WHERE {r.invalid}"
            )
    none = "SELECT NULL::VARCHAR AS _geo, NULL::INTEGER AS _time, NULL::VARCHAR AS k WHERE false"
    for name, parts in (("_silc_bad_p", bad_p), ("_silc_bad_h", bad_h)):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS " + " UNION ALL ".join([none, *parts]))

    # ----- the linked person view ---------------------------------------------------------
    joins = [f"_silc_k{base} b"]
    aliases: list[tuple[str, str]] = [(base, "b")]
    if base == "R" and "P" in lk.cols:
        joins.append(
            "LEFT JOIN _silc_kP p ON p._geo = b._geo AND p._time = b._time AND p._id = b._id"
        )
        aliases.append(("P", "p"))
    if "H" in lk.cols:
        joins.append(
            "LEFT JOIN _silc_kH h ON h._geo = b._geo AND h._time = b._time AND h._id = b._hh"
        )
        aliases.append(("H", "h"))
    if "D" in lk.cols:
        joins.append(
            "LEFT JOIN _silc_kD d ON d._geo = b._geo AND d._time = b._time AND d._id = b._hh"
        )
        aliases.append(("D", "d"))

    def pick(name: str) -> str:
        for kind, alias in aliases:
            if name in lk.cols[kind]:
                return f"{alias}.{quote(name)}"
        return "NULL"

    def num(name: str) -> str:
        for kind, alias in aliases:
            if name in lk.cols[kind]:
                if (kind, name) in lk.numeric:
                    return f"CAST({alias}.{quote(name)} AS DOUBLE)"
                return _num_expr(f"{alias}.{quote(name)}")
        return "NULL"

    def text(name: str) -> str:
        return _text_expr(pick(name))

    year = "b._time"
    age = f"({year} - 1 - {num(age_col)})" if age_col in ("RB080", "PB140") else num(str(age_col))
    geo = "b._geo"
    if "HX090" in allcols:
        inc = num("HX090")
        if "HX050" in allcols:
            inc = f"coalesce({inc}, {num('HY020')} / NULLIF({num('HX050')}, 0))"
    elif "HX050" in allcols:
        inc = f"({num('HY020')} / NULLIF({num('HX050')}, 0))"
    else:
        # modified OECD scale from the household's ages (R file): 1 for the first person
        # aged 14 or over, 0.5 for each other one, 0.3 for each child under 14
        part = "PARTITION BY b._geo, b._time, b._hh"
        n14 = f"count(*) FILTER (WHERE {age} >= 14) OVER ({part})"
        nkid = f"count(*) FILTER (WHERE {age} < 14) OVER ({part})"
        scale = (
            f"(CASE WHEN {n14} > 0 THEN 1 + 0.5 * ({n14} - 1) + 0.3 * {nkid} "
            f"ELSE 1 + 0.3 * ({nkid} - 1) END)"
        )
        inc = f"({num('HY020')} / {scale})"
    w16 = num("PB040") if "PB040" in allcols else "NULL"
    items = [
        f"{geo} AS geo",
        f"{year} AS time",
        f"CASE {num(str(sex_col))} WHEN 1 THEN 'M' ELSE 'F' END AS sex",  # validated 1/2
        f"{age} AS age",
        f"{_group_from(pick('PB220A'), geo)} AS citizen",
        f"{_group_from(pick('PB210'), geo)} AS c_birth",
        f"{num(weight_col)} AS w",
        f"{w16} AS w16",
        "concat_ws('|', b._geo, b._time, b._hh) AS hh",
        f"{inc} AS inc",
        f"{text('DB040') if 'DB040' in allcols else 'NULL'} AS region",
    ]
    if spec.strata:
        items.append(f"concat_ws('|', b._geo, b._time, {text(spec.strata)}) AS strata")
    else:
        items.append("concat_ws('|', b._geo, b._time) AS strata")
    if spec.psu:
        items.append(f"concat_ws('|', b._geo, b._time, {text(spec.psu)}) AS psu")
    else:
        items.append("concat_ws('|', b._geo, b._time, b._hh) AS psu")
    for i, rep in enumerate(reps):
        items.append(f"{num(rep)} AS r{i}")
    sex_sql = f"(CASE {num(str(sex_col))} WHEN 1 THEN 'M' ELSE 'F' END)"
    ctx = Context(num, age, sex_sql, "b._geo, b._time, b._hh")
    for v in sorted(spec.variables):
        if v in SILC_DERIVED:
            items.append(f"{SILC_DERIVED[v].sql(ctx)} AS {quote(VAR_PREFIX + v)}")
        elif v in ESTIMATOR_VARIABLES:
            continue
        else:
            items.append(f"{num(v)} AS {quote(VAR_PREFIX + v)}")
    where = (
        "WHERE (b._geo, b._time, b._id) NOT IN (SELECT (_geo, _time, k) FROM _silc_bad_p) "
        "AND (b._geo, b._time, b._hh) NOT IN (SELECT (_geo, _time, k) FROM _silc_bad_h)"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE silc_records AS SELECT {', '.join(items)} "
        f"FROM {' '.join(joins)} {where}"
    )
    n_rows = int(_one(con, f"SELECT count(*) FROM _silc_k{base}"))
    kept = int(_one(con, "SELECT count(*) FROM silc_records"))
    # the whole population is weighted when the weight is the register's (every member)
    full = weight_col in bcols and base in ("R", "M") and (weight_col != "PB040")
    notes = [] if full else [NO_REGISTER_NOTE]
    if base != "M" and hk is not None and lk.household_of_person(base).startswith("CAST(TRY_CAST"):
        notes.append(
            f"persons linked to households by their id without its last "
            f"{'digit' if lk.divisor(base) == 10 else 'two digits'} (no RX030/PX030)"
        )
    return SilcPrepared(
        con,
        "silc_records",
        n_rows,
        n_rows - kept,
        {f"{r.rule} ({r.column})": c for r, c in broken},
        lk.files,
        frozenset(allcols),
        full,
        notes,
        problems,
        reps,
    )


def _num_expr(sql: str) -> str:
    return number_sql(sql)


def _text_expr(sql: str) -> str:
    return f"NULLIF(upper(trim(CAST({sql} AS VARCHAR))), '')"


def _group_from(sql: str, geo: str) -> str:
    """Migrant group of a citizenship / birth-country code, as on the EU-LFS side."""
    if sql == "NULL":
        return "'UNK'"
    # reuse the EU-LFS mapping on a column name, then point it at this expression
    expr = _group_expr("__CODE__", geo)
    raw = f"CAST({quote('__CODE__')} AS VARCHAR)"
    code = f"CAST({sql} AS VARCHAR)"
    expr = expr.replace(raw, code)
    # the PUF and R write a missing code as NA
    blank = _in_list(list(_MISSING_TEXT))
    return f"(CASE WHEN upper(trim({code})) IN {blank} THEN 'UNK' ELSE {expr} END)"


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


def silc_input_columns(paths: Sequence[str | Path], columns: ColumnMap | None = None) -> set[str]:
    """Return the column names of the files (as mapped), reading headers only."""
    con = duckdb.connect()
    out: set[str] = set()
    for i, p in enumerate(paths):
        out |= set(open_microdata([p], columns=columns, con=con, view=f"_peek{i}").columns)
    return out


def looks_like_silc(columns: set[str]) -> bool:
    """Whether files with ``columns`` (:func:`silc_input_columns`) carry EU-SILC id
    columns (and no EU-LFS ``COEFF``)."""
    return bool(columns & {"DB030", "HB030", "RB030", "PB030"}) and "COEFF" not in columns
