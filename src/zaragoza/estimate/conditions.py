"""Compile catalogue conditions to Ibis boolean expressions, with SQL's Kleene logic.

A condition on a missing (NULL) value is unknown, and unknown propagates through
``all``/``any``/``not`` exactly as in SQL: ``false AND unknown`` is false, so a record
outside the population is never "missing" for a variable it does not need.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import ibis
import ibis.expr.types as ir

from zaragoza.catalog.schema import AllOf, AnyOf, Condition, Not, VarCondition
from zaragoza.errors import CatalogError
from zaragoza.sources.variables import VAR_PREFIX

__all__ = ["compile_condition"]


def _column(t: ir.Table, var: str, numeric: bool) -> ir.Value:
    name = VAR_PREFIX + var
    if name not in t.columns:
        raise CatalogError(f"the input has no variable {var!r} that a definition needs")
    col = t[name]
    if numeric and col.type().is_string():
        return col.try_cast("float64")
    if not numeric and not col.type().is_string():
        return col.cast("string")
    return col


def compile_condition(t: ir.Table, cond: Condition) -> ir.BooleanValue:
    """Return ``cond`` as a nullable boolean expression over the records ``t``."""
    if isinstance(cond, VarCondition):
        if cond.range is not None:
            col: Any = _column(t, cond.var, numeric=True)
            return col.between(cond.range[0], cond.range[1])
        assert cond.in_ is not None
        numeric = all(isinstance(c, int | float) for c in cond.in_)
        col = _column(t, cond.var, numeric)
        codes = [float(c) for c in cond.in_] if numeric else [str(c) for c in cond.in_]
        return col.isin(codes)
    if isinstance(cond, AllOf):
        return reduce(lambda a, b: a & b, (compile_condition(t, c) for c in cond.all))
    if isinstance(cond, AnyOf):
        return reduce(lambda a, b: a | b, (compile_condition(t, c) for c in cond.any))
    if isinstance(cond, Not):
        return ~compile_condition(t, cond.not_)
    raise TypeError(f"not a condition: {cond!r}")  # pragma: no cover


def literal_true() -> ir.BooleanValue:
    return ibis.literal(True)
