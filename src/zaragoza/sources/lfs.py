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
from collections.abc import Sequence
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

__all__ = ["VAR_PREFIX", "InputSpec", "Prepared", "prepare_lfs"]

UNKNOWN_GROUP_CODES = frozenset({"NRP"})

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


def _num(col: str) -> str:
    """The column as a double, NULL when blank or not a number."""
    return f"TRY_CAST(NULLIF(trim(CAST({quote(col)} AS VARCHAR)), '') AS DOUBLE)"


def _geo_expr(col: str) -> str:
    t = _text(col)
    cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in ISO_TO_EUROSTAT.items())
    return f"(CASE {t} {cases} ELSE {t} END)"


GEO = _geo_expr("COUNTRY")


def _group_expr(col: str) -> str:
    code = _geo_expr(col)
    return (
        f"(CASE WHEN {code} IS NULL OR {code} IN {_in_list(list(UNKNOWN_GROUP_CODES))} "
        f"THEN 'UNK' WHEN {code} = {GEO} THEN 'NAT' "
        f"WHEN {code} IN {_in_list(sorted(EU27_2020 | GROUPED_EU))} THEN 'EU27_2020_FOR' "
        "ELSE 'NEU27_2020_FOR' END)"
    )


@dataclass(frozen=True)
class _Rule:
    rule: str
    column: str
    invalid: str  # SQL, TRUE when the row breaks the rule (never NULL)
    value: str  # SQL showing the offending value
    expected: str


def _raw(col: str) -> str:
    return f"CAST({quote(col)} AS VARCHAR)"


def _rules(cols: Sequence[str], spec: InputSpec, reps: Sequence[str]) -> list[_Rule]:
    rules: list[_Rule] = []
    geos = sorted(country_codes() | set(ISO_TO_EUROSTAT))
    rules.append(
        _Rule(
            "unknown country code",
            "COUNTRY",
            f"coalesce({_text('COUNTRY')} NOT IN {_in_list(geos)}, true)",
            _raw("COUNTRY"),
            "a Eurostat geo code such as AT, EL, UK",
        )
    )
    for name in ("YEAR", "AGE"):
        var = LFS_VARIABLES[name]
        assert var.range is not None
        lo, hi = var.range
        n = _num(name)
        rule = "age out of range" if name == "AGE" else "year out of range"
        rules.append(
            _Rule(
                rule,
                name,
                f"coalesce(NOT ({n} BETWEEN {lo} AND {hi} AND {n} = floor({n})), true)",
                _raw(name),
                var.expected(),
            )
        )
    LFS_VARIABLES["SEX"]
    rules.append(
        _Rule(
            "unknown code",
            "SEX",
            f"coalesce({_num('SEX')} NOT IN (1, 2), true)",
            _raw("SEX"),
            "1 (male) or 2 (female)",
        )
    )
    w = spec.weight
    rules.append(
        _Rule(
            "missing or non-positive weight",
            w,
            f"coalesce({_num(w)} <= 0, true)",
            _raw(w),
            "a positive number",
        )
    )
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
                "missing or negative replicate weight",
                r,
                f"coalesce({_num(r)} < 0, true)",
                _raw(r),
                "a number of zero or more",
            )
        )
    groups = sorted(
        country_codes() | set(ISO_TO_EUROSTAT) | GROUPED_EU | GROUPED_NON_EU | UNKNOWN_GROUP_CODES
    )
    for gcol in ("NATIONAL", "COUNTRYB"):
        if gcol in cols:
            rules.append(
                _Rule(
                    "unknown code",
                    gcol,
                    f"coalesce({_text(gcol)} NOT IN {_in_list(groups)}, false)",
                    _raw(gcol),
                    "a country code (AT, EL, ...), STLS, or a grouped code "
                    "(EU, NEU, OTH, OTHER), or blank",
                )
            )
    if spec.regions and "REGION" in cols:
        rules.append(
            _Rule(
                "region outside the reporting country",
                "REGION",
                f"coalesce(NOT regexp_full_match({_text('REGION')}, '[A-Z]{{2}}[0-9A-Z]{{1,3}}') "
                f"OR left({_text('REGION')}, 2) <> {GEO}, false)",
                _raw("REGION"),
                "a NUTS code starting with the reporting country's code",
            )
        )
    for name, var in LFS_VARIABLES.items():
        if name in REQUIRED or name not in cols or var.codes is None:
            continue
        if var.numeric:
            codes = ", ".join(f"{float(c):g}" for c in sorted(var.codes, key=float))
            inv = f"coalesce({_num(name)} NOT IN ({codes}), {_text(name)} IS NOT NULL)"
        else:
            inv = f"coalesce({_text(name)} NOT IN {_in_list([str(c) for c in var.codes])}, false)"
        rules.append(_Rule("unknown code", name, inv, _raw(name), var.expected()))
    return rules


def _needed_columns(spec: InputSpec) -> list[str]:
    out = [*REQUIRED, spec.weight]
    out += [c for c in (spec.strata, spec.psu) if c]
    for v in sorted(spec.variables):
        out.append(DERIVED[v][0] if v in DERIVED else v)
    return list(dict.fromkeys(out))


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
    reps: list[str] = []
    if spec.replicate_pattern:
        try:
            rx = re.compile(spec.replicate_pattern)
        except re.error as exc:
            raise InputError(
                "invalid --replicate-weights pattern", value=spec.replicate_pattern, hint=str(exc)
            ) from None
        reps = [c for c in cols if rx.fullmatch(c)]
        if not reps:
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

    rules = _rules(cols, spec, reps)
    counts_sql = ", ".join(f"count(*) FILTER (WHERE {r.invalid})" for r in rules)
    total_row = data.one(f"SELECT count(*), {counts_sql} FROM {quote(data.view)}")
    n_rows, counts = int(total_row[0]), [int(c) for c in total_row[1:]]
    bad = [(r, c) for r, c in zip(rules, counts, strict=True) if c]
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
        if not drop_invalid:
            raise ValidationError(problems)

    where = ""
    n_dropped = 0
    if bad:
        where = "WHERE NOT (" + " OR ".join(r.invalid for r, _ in bad) + ")"
        kept = data.one(f"SELECT count(*) FROM {quote(data.view)} {where}")
        n_dropped = n_rows - int(kept[0])

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
