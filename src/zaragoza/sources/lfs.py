"""EU-LFS input: validation report and harmonisation to the engine's record layout.

Validation collects every problem (rule, file, column, first row, value, what is valid)
before anything is estimated, as frictionless does, and refuses invalid input unless the
caller drops the invalid rows (counted by rule). Harmonisation derives, per record:

``geo``, ``region``, ``time``, ``sex`` (``M``/``F``), ``age``, ``citizen`` and ``c_birth``
(``NAT``, ``EU27_2020_FOR``, ``NEU27_2020_FOR``, or ``UNK`` when blank), the weight ``w``,
``strata`` and ``psu`` when given, replicate weights ``r0``..``rK``, and the variables the
indicators need as ``var_<NAME>`` numbers (plus ``ISCED`` from ``HATLEVEL`` and ``ISCO`` from
``ISCO1D``).

Migrant groups follow Eurostat (``../reference``: indicators §2): relative to the
reporting country and the EU27_2020 composition; stateless persons and the grouped
non-EU codes of anonymised files count as non-EU; unknowns are only in ``TOTAL``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from zaragoza.catalog.codes import (
    EU27_2020,
    GROUPED_EU,
    GROUPED_NON_EU,
    ISO_TO_EUROSTAT,
    country_codes,
)
from zaragoza.errors import InputError, Problem, ValidationError
from zaragoza.sources.readers import Microdata, quote
from zaragoza.sources.variables import DERIVED, LFS_VARIABLES, REQUIRED

__all__ = [
    "VAR_PREFIX",
    "WEIGHT_EXPECTED",
    "WEIGHT_RULE",
    "InputSpec",
    "Prepared",
    "number_sql",
    "prepare_lfs",
    "replicate_columns",
]

UNKNOWN_GROUP_CODES = frozenset({"NRP"})

#: The rule refusing a weight, and what a valid one is (EU-LFS and EU-SILC alike).
WEIGHT_RULE = "missing, non-finite or non-positive weight"
WEIGHT_EXPECTED = "a positive finite number"

#: Prefix of the survey variables in the harmonised records, so that ``SEX`` or ``AGE``
#: used in a definition never collides with the derived ``sex`` or ``age`` columns.
VAR_PREFIX = "var_"


@dataclass(frozen=True)
class InputSpec:
    """Which columns carry the design, and which variables the indicators read."""

    weight: str = "COEFF"
    strata: str | None = None
    psu: str | None = None
    replicate_pattern: str | None = None
    variables: frozenset[str] = frozenset()
    regions: bool = False


@dataclass
class Prepared:
    """The harmonised records (a DuckDB view) and what validation found."""

    view: str
    n_rows: int
    n_dropped: int
    dropped_by_rule: dict[str, int]
    replicate_columns: list[str]
    problems: list[Problem] = field(default_factory=list)


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _in_list(values: Sequence[str]) -> str:
    return "(" + ", ".join(_lit(v) for v in sorted(values)) + ")"


def _text(col: str) -> str:
    """Trimmed, upper-cased text of a column, NULL when blank."""
    return f"NULLIF(upper(trim(CAST({quote(col)} AS VARCHAR))), '')"


def number_sql(sql: str) -> str:
    """SQL of an expression as a finite double: NULL when blank, not a number, NaN or infinite.

    NaN and infinity are bad input, never values: DuckDB orders NaN above every number,
    so ``NaN <= 0`` is false and a NaN weight would pass a positivity check. Mapping them
    to NULL makes every rule that refuses a missing number refuse them too.
    """
    x = f"TRY_CAST(NULLIF(trim(CAST({sql} AS VARCHAR)), '') AS DOUBLE)"
    return f"(CASE WHEN isfinite({x}) THEN {x} END)"


def _num(col: str) -> str:
    """The column as a finite double, NULL when blank, not a number, NaN or infinite."""
    return number_sql(quote(col))


def _geo_expr(col: str) -> str:
    t = _text(col)
    cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in ISO_TO_EUROSTAT.items())
    return f"(CASE {t} {cases} ELSE {t} END)"


GEO = _geo_expr("COUNTRY")


def _group_expr(col: str, geo: str = GEO) -> str:
    """SQL mapping a citizenship / birth-country column to Eurostat's migrant groups.

    ``geo`` is the SQL of the reporting country (EU-LFS ``COUNTRY``; EU-SILC ``DB020``).
    """
    code = _geo_expr(col)
    return (
        f"(CASE WHEN {code} IS NULL OR {code} IN {_in_list(list(UNKNOWN_GROUP_CODES))} "
        f"THEN 'UNK' WHEN {code} = {geo} THEN 'NAT' "
        f"WHEN {code} IN {_in_list(sorted(EU27_2020 | GROUPED_EU))} THEN 'EU27_2020_FOR' "
        "ELSE 'NEU27_2020_FOR' END)"
    )


@dataclass(frozen=True)
class _Rule:
    """A rule checked row by row: ``invalid`` is SQL, TRUE when a row breaks it."""

    rule: str
    column: str
    invalid: str
    value: str  # SQL showing the offending value
    expected: str


@dataclass(frozen=True)
class _CodeRule:
    """A rule on a coded column, checked on its distinct values (few, even at 10M rows)."""

    rule: str
    column: str
    valid: Callable[[str | None], bool]
    expected: str

    def as_row_rule(self, bad: Sequence[str | None]) -> _Rule:
        """The row-level rule matching exactly the distinct values found invalid."""
        raw = _raw(self.column)
        texts = [b for b in bad if b is not None]
        parts = [f"{raw} IN {_in_list(texts)}"] if texts else []
        if None in bad:
            parts.append(f"{quote(self.column)} IS NULL")
        return _Rule(
            self.rule, self.column, f"coalesce({' OR '.join(parts)}, false)", raw, self.expected
        )


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _py_text(v: str | None) -> str | None:
    """Python twin of ``_text``: trimmed, upper-cased, None when blank."""
    t = v.strip().upper() if v is not None else ""
    return t or None


def _py_num(v: str | None) -> float | None:
    """Python twin of ``_num``: a number, None when blank or not a number."""
    t = v.strip() if v is not None else ""
    return float(t) if _NUMBER.fullmatch(t) else None


def _raw(col: str) -> str:
    return f"CAST({quote(col)} AS VARCHAR)"


def _code_rules(cols: Sequence[str]) -> list[_CodeRule]:
    geos = country_codes() | set(ISO_TO_EUROSTAT)
    groups = geos | GROUPED_EU | GROUPED_NON_EU | UNKNOWN_GROUP_CODES
    rules = [
        _CodeRule(
            "unknown country code",
            "COUNTRY",
            lambda v: _py_text(v) in geos,
            "a Eurostat geo code such as AT, EL, UK",
        ),
        _CodeRule(
            "unknown code", "SEX", lambda v: _py_num(v) in (1.0, 2.0), "1 (male) or 2 (female)"
        ),
    ]
    for name in ("YEAR", "AGE"):
        var = LFS_VARIABLES[name]
        assert var.range is not None
        lo, hi = var.range

        def in_range(v: str | None, lo: float = lo, hi: float = hi) -> bool:
            x = _py_num(v)
            return x is not None and lo <= x <= hi and x == int(x)

        rule = "age out of range" if name == "AGE" else "year out of range"
        rules.append(_CodeRule(rule, name, in_range, var.expected()))
    for gcol in ("NATIONAL", "COUNTRYB"):
        if gcol in cols:
            rules.append(
                _CodeRule(
                    "unknown code",
                    gcol,
                    lambda v: _py_text(v) in groups or _py_text(v) is None,
                    "a country code (AT, EL, ...), STLS, or a grouped code "
                    "(EU, NEU, OTH, OTHER), or blank",
                )
            )
    for name, var in LFS_VARIABLES.items():
        if name in REQUIRED or name not in cols or var.codes is None:
            continue
        codes = var.codes

        def coded(
            v: str | None,
            codes: frozenset[float] | frozenset[str] = codes,
            numeric: bool = var.numeric,
        ) -> bool:
            if _py_text(v) is None:
                return True  # blank: missing, not invalid
            return (_py_num(v) if numeric else _py_text(v)) in codes

        rules.append(_CodeRule("unknown code", name, coded, var.expected()))
    return rules


def _row_rules(cols: Sequence[str], spec: InputSpec, reps: Sequence[str]) -> list[_Rule]:
    w = spec.weight
    rules = [
        _Rule(
            WEIGHT_RULE,
            w,
            f"coalesce({_num(w)} <= 0, true)",
            _raw(w),
            WEIGHT_EXPECTED,
        )
    ]
    for design_col, what in ((spec.strata, "stratum"), (spec.psu, "PSU")):
        if design_col is not None:
            rules.append(
                _Rule(
                    f"missing {what}",
                    design_col,
                    f"{_text(design_col)} IS NULL",
                    _raw(design_col),
                    f"a {what} identifier",
                )
            )
    for r in reps:
        rules.append(
            _Rule(
                "missing, non-finite or negative replicate weight",
                r,
                f"coalesce({_num(r)} < 0, true)",
                _raw(r),
                "a finite number of zero or more",
            )
        )
    if spec.regions and "REGION" in cols:
        region = _text("REGION")
        rules.append(
            _Rule(
                "region outside the reporting country",
                "REGION",
                f"coalesce(NOT regexp_full_match({region}, '[A-Z]{{2}}[0-9A-Z]{{1,3}}') "
                f"OR left({region}, 2) <> {GEO}, false)",
                _raw("REGION"),
                "a NUTS code starting with the reporting country's code",
            )
        )
    return rules


def _broken_rules(
    data: Microdata, spec: InputSpec, reps: Sequence[str]
) -> tuple[int, list[tuple[_Rule, int]]]:
    """Return the number of rows and every rule that some rows break, with their count.

    One pass collects each coded column's distinct values and counts the row rules;
    only rules with invalid values get a second, row-level count.
    """
    codes = _code_rules(data.columns)
    rows = _row_rules(data.columns, spec, reps)
    distinct = ", ".join(
        f"list(DISTINCT {_raw(r.column)}), count(*) FILTER (WHERE {quote(r.column)} IS NULL)"
        for r in codes
    )
    counts = ", ".join(f"count(*) FILTER (WHERE {r.invalid})" for r in rows)
    got = data.one(f"SELECT count(*), {counts}, {distinct} FROM {quote(data.view)}")
    n_rows = int(got[0])
    broken = [(r, int(c)) for r, c in zip(rows, got[1 : 1 + len(rows)], strict=True) if c]
    found = got[1 + len(rows) :]
    for i, rule in enumerate(codes):
        values: list[str | None] = list(found[2 * i] or [])
        if found[2 * i + 1]:
            values.append(None)
        bad = [v for v in dict.fromkeys(values) if not rule.valid(v)]
        if bad:
            row_rule = rule.as_row_rule(bad)
            n = data.one(f"SELECT count(*) FROM {quote(data.view)} WHERE {row_rule.invalid}")
            broken.append((row_rule, int(n[0])))
    return n_rows, broken


def _needed_columns(spec: InputSpec) -> list[str]:
    out = [*REQUIRED, spec.weight]
    out += [c for c in (spec.strata, spec.psu) if c]
    for v in sorted(spec.variables):
        out.append(DERIVED[v][0] if v in DERIVED else v)
    return list(dict.fromkeys(out))


def replicate_columns(pattern: str | None, columns: Iterable[str]) -> list[str]:
    """The columns whose whole name matches the ``--replicate-weights`` pattern, in order.

    Raises
    ------
    InputError
        The pattern is not a valid regular expression.
    """
    if not pattern:
        return []
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        raise InputError(
            "invalid --replicate-weights pattern", value=pattern, hint=str(exc)
        ) from None
    return [c for c in columns if rx.fullmatch(c)]


def prepare_lfs(data: Microdata, spec: InputSpec, *, drop_invalid: bool = False) -> Prepared:
    """Validate EU-LFS records and return them harmonised as the view ``records``.

    Raises
    ------
    ValidationError
        With every problem found, unless ``drop_invalid`` (then rows breaking a rule are
        left out and counted by rule). Missing columns are always an error.
    """
    cols = data.columns
    missing = [c for c in _needed_columns(spec) if c not in cols]
    reps = replicate_columns(spec.replicate_pattern, cols)
    if spec.replicate_pattern and not reps:
        missing.append(f"replicate weights matching {spec.replicate_pattern!r}")
    if missing:
        files = ", ".join(data.files)
        absent = [
            Problem(
                "missing column", files, c, None, None, "the column, or a --columns map naming it"
            )
            for c in missing
        ]
        raise ValidationError(absent)

    n_rows, bad = _broken_rules(data, spec, reps)
    if n_rows == 0:
        raise InputError(
            "the input holds no records",
            file=", ".join(data.files),
            hint="The file(s) have a header but no data rows",
        )
    problems: list[Problem] = []
    if bad:
        numbered = " UNION ALL BY NAME ".join(f"({s})" for s in data.numbered.values())
        for r, _c in bad:
            rows = data.con.execute(
                f"SELECT _file, min(_row), count(*), arg_min({r.value}, _row) "
                f"FROM ({numbered}) WHERE {r.invalid} GROUP BY _file ORDER BY _file"
            ).fetchall()
            for f, first, cnt, val in rows:
                problems.append(Problem(r.rule, f, r.column, int(first), val, r.expected, int(cnt)))

    where = ""
    n_dropped = 0
    if bad:
        where = "WHERE NOT (" + " OR ".join(r.invalid for r, _ in bad) + ")"
        kept = data.one(f"SELECT count(*) FROM {quote(data.view)} {where}")
        n_dropped = n_rows - int(kept[0])
        if not drop_invalid:
            raise ValidationError(problems, rows=n_dropped)

    items = [
        f"{GEO} AS geo",
        f"CAST({_num('YEAR')} AS INTEGER) AS time",
        f"CASE {_num('SEX')} WHEN 1 THEN 'M' ELSE 'F' END AS sex",
        f"{_num('AGE')} AS age",
        f"{_group_expr('NATIONAL') if 'NATIONAL' in cols else repr('UNK')} AS citizen",
        f"{_group_expr('COUNTRYB') if 'COUNTRYB' in cols else repr('UNK')} AS c_birth",
        f"{_num(spec.weight)} AS w",
    ]
    if spec.regions and "REGION" in cols:
        items.append(f"{_text('REGION')} AS region")
    if spec.strata:
        items.append(f"{_text(spec.strata)} AS strata")
    if spec.psu:
        items.append(f"{_text(spec.psu)} AS psu")
    for i, rep in enumerate(reps):
        items.append(f"{_num(rep)} AS r{i}")
    for v in sorted(spec.variables):
        if v == "ISCED":
            items.append(f"floor({_num('HATLEVEL')} / 100) AS {quote(VAR_PREFIX + v)}")
        elif v == "ISCO":
            items.append(f"{_num('ISCO1D')} AS {quote(VAR_PREFIX + v)}")
        elif v in LFS_VARIABLES and not LFS_VARIABLES[v].numeric:
            items.append(f"{_text(v)} AS {quote(VAR_PREFIX + v)}")
        elif v in LFS_VARIABLES:
            items.append(f"{_num(v)} AS {quote(VAR_PREFIX + v)}")
        else:  # a user's own variable: text; conditions with numeric codes parse it
            items.append(f"{_text(v)} AS {quote(VAR_PREFIX + v)}")
    data.con.execute(
        f"CREATE OR REPLACE TEMP VIEW records AS SELECT {', '.join(items)} "
        f"FROM {quote(data.view)} {where}"
    )
    dropped_by_rule = {f"{r.rule} ({r.column})": c for r, c in bad}
    return Prepared("records", n_rows, n_dropped, dropped_by_rule, reps, problems)
