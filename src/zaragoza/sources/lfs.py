"""EU-LFS input: validation report and harmonisation to the engine's record layout.

Validation collects every problem (rule, file, column, first row, value, what is valid)
before anything is estimated, as frictionless does, and refuses invalid input unless the
caller drops the invalid rows (counted by rule). Harmonisation derives, per record:

``geo``, ``region``, ``time``, ``sex`` (``M``/``F``), ``age``, ``citizen`` and ``c_birth``
(``NAT``, ``EU27_2020_FOR``, ``NEU27_2020_FOR``, or ``UNK`` when blank), the weight ``w``,
``strata`` and ``psu`` when given, replicate weights ``r0``..``rK``, and the variables the
indicators need as ``var_<NAME>`` numbers (plus ``ISCED`` from ``HATLEVEL`` and ``ISCO`` from
``ISCO1D``).

The rules and the harmonisation are Ibis expressions over the input as read, so they
run where the records are: in DuckDB for files read on this machine, in Spark for files
Spark reads (``pipeline.spark``), and no record passes through Python. Where the input
numbers its rows (DuckDB) a problem names its first row; on Spark it names the file, the
first offending value and how many rows break the rule.

Migrant groups follow Eurostat (``../reference``: indicators §2): relative to the
reporting country and the EU27_2020 composition; stateless persons and the grouped
non-EU codes of anonymised files count as non-EU; unknowns are only in ``TOTAL``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from zaragoza.catalog.codes import (
    EU27_2020,
    GROUPED_EU,
    GROUPED_NON_EU,
    ISO_TO_EUROSTAT,
    country_codes,
)
from zaragoza.errors import InputError, Problem, ValidationError
from zaragoza.sources.variables import (
    DERIVED,
    LFS_VARIABLES,
    REQUIRED,
    UNKNOWN_GROUP_CODES,
    VAR_PREFIX,
    WEIGHT_EXPECTED,
    WEIGHT_RULE,
    replicate_columns,
)

__all__ = ["InputSpec", "LfsInput", "Prepared", "prepare_lfs"]

#: The largest finite double: a value above it (or NaN, which Spark and DuckDB order
#: above every number) is not a finite number.
_MAX = 1.7976931348623157e308


@dataclass(frozen=True)
class InputSpec:
    """Which columns carry the design, and which variables the indicators read."""

    weight: str = "COEFF"
    strata: str | None = None
    psu: str | None = None
    replicate_pattern: str | None = None
    variables: frozenset[str] = frozenset()
    regions: bool = False


@dataclass(frozen=True)
class LfsInput:
    """The input as read, on any Ibis backend, with what locates a problem.

    ``records`` has the input's columns under EU-LFS names and ``_file``; ``numbered``
    the same with ``_row`` (1-based data row in its file), used only to locate problems
    (None where rows are not numbered, as on Spark).
    """

    records: ir.Table
    files: list[str]
    numbered: ir.Table | None = None

    @property
    def columns(self) -> list[str]:
        return [c for c in self.records.columns if not c.startswith("_")]


@dataclass
class Prepared:
    """The harmonised records (an Ibis table) and what validation found."""

    records: ir.Table
    n_rows: int
    n_dropped: int
    dropped_by_rule: dict[str, int]
    replicate_columns: list[str]
    problems: list[Problem] = field(default_factory=list)


def text(t: ir.Table, col: str, clean: Collection[str] = ()) -> ir.StringValue:
    """Trimmed, upper-cased text of a column, NULL when blank.

    A column named in ``clean`` is known to hold such text already in every row (see
    ``_broken_rules``) and is taken as it is: the same values, without the string
    functions, which cost about a second per 10M records and column in every query.
    """
    value = t[col]
    if not value.type().is_string():
        value = value.cast("string")
    return value if col in clean else value.strip().upper().nullif("")


def number(t: ir.Table, col: str) -> ir.FloatingValue:
    """The column as a finite double: NULL when blank, not a number, NaN or infinite.

    NaN and infinity are bad input, never values: mapping them to NULL makes every rule
    that refuses a missing number refuse them too (NaN would otherwise pass a positivity
    check: both engines order it above every number). A column already numeric (Parquet,
    SPSS) is read as it is; text is parsed.
    """
    value = t[col]
    if value.type().is_numeric() or value.type().is_boolean():
        x = value.cast("float64")
    else:
        x = value.cast("string").strip().nullif("").try_cast("float64")
    return ibis.ifelse(x.abs() <= _MAX, x, ibis.null("float64"))


def geo_code(t: ir.Table, col: str, clean: Collection[str] = ()) -> ir.StringValue:
    """A country code as Eurostat writes it (``GR`` -> ``EL``, ``GB`` -> ``UK``)."""
    return text(t, col, clean).substitute(ISO_TO_EUROSTAT)


def migrant_group(t: ir.Table, col: str, clean: Collection[str] = ()) -> ir.StringValue:
    """Eurostat's migrant group of a citizenship / birth-country code, for the record's
    reporting country: NAT, EU27_2020_FOR, NEU27_2020_FOR, or UNK when unknown."""
    code = geo_code(t, col, clean)
    return ibis.cases(
        (code.isnull() | code.isin(sorted(UNKNOWN_GROUP_CODES)), "UNK"),
        (code == geo_code(t, "COUNTRY", clean), "NAT"),
        (code.isin(sorted(EU27_2020 | GROUPED_EU)), "EU27_2020_FOR"),
        else_="NEU27_2020_FOR",
    )


@dataclass(frozen=True)
class _Rule:
    """A rule checked row by row: ``invalid`` is true where a row breaks it."""

    rule: str
    column: str
    invalid: Callable[[ir.Table], ir.BooleanValue]
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
        texts = sorted(b for b in bad if b is not None)
        has_null = None in bad

        def invalid(t: ir.Table) -> ir.BooleanValue:
            raw = t[self.column].cast("string")
            hit = raw.isin(texts) if texts else ibis.literal(False)
            if has_null:
                hit = hit | t[self.column].isnull()
            return hit.fill_null(False)

        return _Rule(self.rule, self.column, invalid, self.expected)


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def _py_text(v: str | None) -> str | None:
    """Python twin of ``text``: trimmed, upper-cased, None when blank."""
    t = v.strip().upper() if v is not None else ""
    return t or None


def _py_num(v: str | None) -> float | None:
    """Python twin of ``number`` for codes: a number, None when blank or not a number."""
    t = v.strip() if v is not None else ""
    return float(t) if _NUMBER.fullmatch(t) else None


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
    rules = [_Rule(WEIGHT_RULE, w, lambda t: (number(t, w) <= 0).fill_null(True), WEIGHT_EXPECTED)]
    for design_col, what in ((spec.strata, "stratum"), (spec.psu, "PSU")):
        if design_col is not None:

            def absent(t: ir.Table, c: str = design_col) -> ir.BooleanValue:
                return text(t, c).isnull()

            rules.append(_Rule(f"missing {what}", design_col, absent, f"a {what} identifier"))
    for r in reps:

        def negative(t: ir.Table, c: str = r) -> ir.BooleanValue:
            return (number(t, c) < 0).fill_null(True)

        rules.append(
            _Rule(
                "missing, non-finite or negative replicate weight",
                r,
                negative,
                "a finite number of zero or more",
            )
        )
    if spec.regions and "REGION" in cols:

        def outside(t: ir.Table) -> ir.BooleanValue:
            region = text(t, "REGION")
            shape = region.re_search("^[A-Z]{2}[0-9A-Z]{1,3}$")
            return (~shape | (region.left(2) != geo_code(t, "COUNTRY"))).fill_null(False)

        rules.append(
            _Rule(
                "region outside the reporting country",
                "REGION",
                outside,
                "a NUTS code starting with the reporting country's code",
            )
        )
    return rules


def _text_columns(cols: Collection[str], spec: InputSpec) -> list[str]:
    """The input columns the harmonisation reads through ``text`` (``prepare_lfs``).

    A column left out here is only never found clean: harmonised as always, slower."""
    out = [c for c in ("COUNTRY", "NATIONAL", "COUNTRYB") if c in cols]
    if spec.regions and "REGION" in cols:
        out.append("REGION")
    out += [c for c in (spec.strata, spec.psu) if c]
    for v in sorted(spec.variables):
        if v not in ("ISCED", "ISCO") and not (v in LFS_VARIABLES and LFS_VARIABLES[v].numeric):
            out.append(v)
    return list(dict.fromkeys(c for c in out if c in cols))


def _broken_rules(
    data: LfsInput, spec: InputSpec, reps: Sequence[str]
) -> tuple[int, list[tuple[_Rule, int]], frozenset[str]]:
    """Return the number of rows, every rule that some rows break, with their count,
    and the columns whose text is clean (``text`` would return it unchanged).

    One pass collects each coded column's distinct values, counts the row rules and
    tests each text column for a value that trimming or upper-casing would change, or a
    blank; only rules with invalid values get a second, row-level count.
    """
    t = data.records
    codes = _code_rules(data.columns)
    rows = _row_rules(data.columns, spec, reps)
    aggs: dict[str, ir.Scalar] = {"_n": t.count()}
    for i, r in enumerate(rows):
        aggs[f"_r{i}"] = r.invalid(t).cast("int64").sum()
    texts = _text_columns(data.columns, spec)
    # a text column with a code rule is judged on its distinct values (collected
    # below), any other (strata, PSUs, regions) row by row
    coded = {c.column for c in codes if t[c.column].type().is_string()}
    for i, name in enumerate(texts):
        if name not in coded:
            aggs[f"_t{i}"] = _changed(t, name).cast("int64").max()
    for i, c in enumerate(codes):
        col = t[c.column]
        # an integer column's distinct values are collected as they are and written as
        # text here, as SQL writes them (2.7 s -> 1 s for 11 columns of 10M records);
        # any other type as the engine writes it
        aggs[f"_d{i}"] = (col if col.type().is_integer() else col.cast("string")).collect(
            distinct=True
        )
        aggs[f"_z{i}"] = col.isnull().cast("int64").sum()
    got = t.aggregate(**aggs).to_pandas().iloc[0]
    n_rows = int(got["_n"])
    broken = [(r, int(got[f"_r{i}"] or 0)) for i, r in enumerate(rows) if got[f"_r{i}"]]
    found = []
    distinct_values: list[list[str | None]] = []
    for i, rule in enumerate(codes):
        seen = got[f"_d{i}"] if got[f"_d{i}"] is not None else []
        values: list[str | None] = [None if v is None else str(v) for v in seen]
        if got[f"_z{i}"]:
            values.append(None)
        distinct_values.append(values)
        bad = [v for v in dict.fromkeys(values) if not rule.valid(v)]
        if bad:
            found.append(rule.as_row_rule(bad))
    if found:
        counts = t.aggregate(
            **{f"_c{i}": r.invalid(t).cast("int64").sum() for i, r in enumerate(found)}
        ).to_pandas()
        broken += [(r, int(counts[f"_c{i}"].iloc[0])) for i, r in enumerate(found)]
    changed = {name for i, name in enumerate(texts) if name not in coded and got[f"_t{i}"] != 0}
    distinct = {c.column: distinct_values[i] for i, c in enumerate(codes) if c.column in coded}
    changed |= _changed_codes(t, {k: v for k, v in distinct.items() if k in texts})
    return n_rows, broken, frozenset(texts) - changed


def _changed(t: ir.Table, name: str) -> ir.BooleanValue:
    """Whether ``text`` changes the value of column ``name`` (a blank becomes NULL)."""
    return ~text(t, name, clean=(name,)).identical_to(text(t, name))


def _changed_codes(t: ir.Table, values: dict[str, list[str | None]]) -> set[str]:
    """The columns among ``values`` (each with its distinct values) in which ``text``
    changes some value: one small query on the records' own backend, so that trimming
    and upper-casing mean what they mean to the engine."""
    rows = [(c, v) for c, vs in values.items() for v in vs]
    if not rows:
        return set()
    m = ibis.memtable(
        {"c": [c for c, _ in rows], "v": [v for _, v in rows]},
        schema={"c": "string", "v": "string"},
    )
    got = m.group_by("c").aggregate(changed=_changed(m, "v").cast("int64").max())
    frame = t._find_backend().execute(got)
    return {str(c) for c, x in zip(frame["c"], frame["changed"], strict=True) if x != 0}


def _needed_columns(spec: InputSpec) -> list[str]:
    out = [*REQUIRED, spec.weight]
    out += [c for c in (spec.strata, spec.psu) if c]
    for v in sorted(spec.variables):
        out.append(DERIVED[v][0] if v in DERIVED else v)
    return list(dict.fromkeys(out))


def _problems(data: LfsInput, bad: Sequence[tuple[_Rule, int]]) -> list[Problem]:
    """Where each broken rule is broken: per file, the first row and value, and how many."""
    numbered = data.numbered
    t = numbered if numbered is not None else data.records
    problems = []
    for r, _ in bad:
        value = t[r.column].cast("string")
        hit = t.filter(r.invalid(t))
        if numbered is not None:
            agg = hit.group_by("_file").aggregate(
                first=hit._row.min(), count=hit.count(), value=value.argmin(hit._row)
            )
        else:
            agg = hit.group_by("_file").aggregate(count=hit.count(), value=value.arbitrary())
        for row in agg.order_by("_file").to_pandas().to_dict("records"):
            first = int(row["first"]) if numbered is not None else None
            shown = None if row["value"] is None else str(row["value"])
            problems.append(
                Problem(
                    r.rule, str(row["_file"]), r.column, first, shown, r.expected, int(row["count"])
                )
            )
    return problems


def prepare_lfs(
    data: LfsInput, spec: InputSpec, *, drop_invalid: bool = False, view: str = "records"
) -> Prepared:
    """Validate EU-LFS records and return them harmonised, as an Ibis table (a view
    named ``view`` on the input's backend).

    Raises
    ------
    ValidationError
        With every problem found, unless ``drop_invalid`` (then rows breaking a rule are
        left out and counted by rule). Missing columns are always an error.
    InputError
        The input holds no records.
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

    n_rows, bad, clean = _broken_rules(data, spec, reps)
    if n_rows == 0:
        raise InputError(
            "the input holds no records",
            file=", ".join(data.files),
            hint="The file(s) have a header but no data rows",
        )
    t = data.records
    n_dropped = 0
    problems: list[Problem] = []
    if bad:
        problems = _problems(data, bad)
        broken = ibis.literal(False)
        for r, _ in bad:
            broken = broken | r.invalid(t)
        n_dropped = int(t.filter(broken).count().to_pandas())
        if not drop_invalid:
            raise ValidationError(problems, rows=n_dropped)
        t = t.filter(~broken)

    items: dict[str, ir.Value] = {
        "geo": geo_code(t, "COUNTRY", clean),
        "time": number(t, "YEAR").cast("int32"),
        "sex": ibis.ifelse(number(t, "SEX") == 1, "M", "F"),
        "age": number(t, "AGE"),
        "citizen": (
            migrant_group(t, "NATIONAL", clean) if "NATIONAL" in cols else ibis.literal("UNK")
        ),
        "c_birth": (
            migrant_group(t, "COUNTRYB", clean) if "COUNTRYB" in cols else ibis.literal("UNK")
        ),
        "w": number(t, spec.weight),
    }
    if spec.regions and "REGION" in cols:
        items["region"] = text(t, "REGION", clean)
    if spec.strata:
        items["strata"] = text(t, spec.strata, clean)
    if spec.psu:
        items["psu"] = text(t, spec.psu, clean)
    for i, rep in enumerate(reps):
        items[f"r{i}"] = number(t, rep)
    for v in sorted(spec.variables):
        name = VAR_PREFIX + v
        if v == "ISCED":
            items[name] = (number(t, "HATLEVEL") / 100).floor().cast("float64")
        elif v == "ISCO":
            items[name] = number(t, "ISCO1D")
        elif v in LFS_VARIABLES and LFS_VARIABLES[v].numeric:
            items[name] = number(t, v)
        else:  # coded text, or a user's own variable: conditions with numeric codes parse it
            items[name] = text(t, v, clean)
    dropped_by_rule = {f"{r.rule} ({r.column})": c for r, c in bad}
    # A view keeps the harmonisation one step below the engine's queries: each record's
    # columns are derived once per query, not again at every reference to them (Ibis
    # would otherwise fold the expressions into each of the engine's sums).
    records = data.records.get_backend().create_view(view, t.select(**items), overwrite=True)
    return Prepared(records, n_rows, n_dropped, dropped_by_rule, reps, problems)
