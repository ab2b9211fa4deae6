"""DuckDB SQL text for reading survey variables: the EU-SILC input's building blocks.

EU-SILC files are linked and validated in DuckDB SQL (``sources.silc``); these helpers
make the SQL of a column as text, as a finite number, as a Eurostat geo code and as a
migrant group. The EU-LFS input states the same rules as Ibis expressions
(``sources.lfs``), which run on DuckDB and on Spark.
"""

from __future__ import annotations

from collections.abc import Sequence

from zaragoza.catalog.codes import EU27_2020, GROUPED_EU, ISO_TO_EUROSTAT
from zaragoza.sources.readers import quote
from zaragoza.sources.variables import UNKNOWN_GROUP_CODES

__all__ = ["GEO", "geo_sql", "group_sql", "in_list", "lit", "num", "number_sql", "text"]


def lit(s: str) -> str:
    """An SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def in_list(values: Sequence[str]) -> str:
    """An SQL list of string literals, sorted."""
    return "(" + ", ".join(lit(v) for v in sorted(values)) + ")"


def text(col: str) -> str:
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


def num(col: str) -> str:
    """The column as a finite double, NULL when blank, not a number, NaN or infinite."""
    return number_sql(quote(col))


def geo_sql(col: str) -> str:
    """A country code as Eurostat writes it (``GR`` -> ``EL``, ``GB`` -> ``UK``)."""
    t = text(col)
    cases = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in ISO_TO_EUROSTAT.items())
    return f"(CASE {t} {cases} ELSE {t} END)"


GEO = geo_sql("COUNTRY")


def group_sql(col: str, geo: str = GEO) -> str:
    """SQL mapping a citizenship / birth-country column to Eurostat's migrant groups.

    ``geo`` is the SQL of the reporting country (EU-SILC ``DB020``).
    """
    code = geo_sql(col)
    return (
        f"(CASE WHEN {code} IS NULL OR {code} IN {in_list(list(UNKNOWN_GROUP_CODES))} "
        f"THEN 'UNK' WHEN {code} = {geo} THEN 'NAT' "
        f"WHEN {code} IN {in_list(sorted(EU27_2020 | GROUPED_EU))} THEN 'EU27_2020_FOR' "
        "ELSE 'NEU27_2020_FOR' END)"
    )
