"""The one exception tree of Zaragoza.

Every error carries structured fields so that the CLI can print one clear message and
the API can map it to a JSON error::

    ZaragozaError                 what, file, column, row, value, hint
    ├── CatalogError              an indicator or rules file is malformed or unknown
    ├── InputError                a microdata file cannot be read or mapped
    │   └── ValidationError       the data break rules; carries the full report
    ├── DesignError               the survey design cannot be used (lonely PSU, replicates)
    ├── ContentError              knowledge-base content (seed files, an import) breaks the
    │                             schema; carries every problem found
    └── UsageError                options that contradict each other
        └── ParameterError        one parameter's value is not among the valid ones

Data-quality findings on estimates (small cells, high CV) are values in the output
(the ``flag`` column), never exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CatalogError",
    "ContentError",
    "DesignError",
    "InputError",
    "ParameterError",
    "Problem",
    "UsageError",
    "ValidationError",
    "ZaragozaError",
]


class ZaragozaError(Exception):
    """Base class: a message plus where the problem is and what would be valid."""

    def __init__(
        self,
        what: str,
        *,
        file: str | None = None,
        column: str | None = None,
        row: int | None = None,
        value: Any = None,
        hint: str | None = None,
    ) -> None:
        self.what = what
        self.file = file
        self.column = column
        self.row = row
        self.value = value
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = []
        if self.file is not None:
            where.append(f"file {self.file}")
        if self.column is not None:
            where.append(f"column {self.column}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.value is not None:
            where.append(f"value {self.value!r}")
        text = self.what
        if where:
            text += " (" + ", ".join(where) + ")"
        if self.hint:
            # a multi-line report ends with a newline: the hint is its last line
            text = text + self.hint if text.endswith("\n") else f"{text}. {self.hint}"
        return text


class CatalogError(ZaragozaError):
    """An indicator, rules or mapping file is malformed, or an id is unknown."""


class InputError(ZaragozaError):
    """A microdata file cannot be read, or a needed column is absent."""


class DesignError(ZaragozaError):
    """The survey design cannot be used as given."""


class ResourceError(ZaragozaError):
    """The work needs more memory than it was given."""


class ContentError(ZaragozaError):
    """Knowledge-base content is invalid; ``problems`` lists every problem found.

    Each problem names where it is (a file or a record number), the field and what would
    be valid, so that a whole file or import is reported at once, not one error at a time.
    """

    def __init__(self, what: str, problems: list[str], *, hint: str | None = None) -> None:
        self.problems = problems
        lines = "\n".join("  - " + p for p in problems)
        super().__init__(f"{what}: {len(problems)} problem(s)\n{lines}\n", hint=hint)


class UsageError(ZaragozaError):
    """Options that contradict each other or name nothing."""


class ParameterError(UsageError):
    """A parameter of a request has a value that is not valid.

    ``parameter`` is the library's name (``lonely_psu``); the CLI shows its flag
    (``--lonely-psu``) instead, with :meth:`for_flag`. ``valid`` is the list of valid
    values, or a phrase saying what would be valid.
    """

    def __init__(self, parameter: str, value: Any, valid: Sequence[Any] | str) -> None:
        self.parameter = parameter
        self.valid = valid
        shown = valid if isinstance(valid, str) else ", ".join(map(str, valid))
        super().__init__(f"invalid {parameter}", value=value, hint=f"Valid: {shown}")

    def for_flag(self, flag: str) -> str:
        """The message with the parameter named as the command-line flag ``flag``."""
        return self.message.replace(f"invalid {self.parameter}", f"invalid {flag}", 1)


@dataclass(frozen=True)
class Problem:
    """One finding of input validation: which rule, where, and what would be valid."""

    rule: str
    file: str
    column: str
    row: int | None
    value: str | None
    expected: str
    count: int = 1

    def describe(self) -> str:
        if self.row is None and self.value is None:  # the column itself is absent
            return f"{self.file}: {self.rule} {self.column}; expected {self.expected}"
        where = f"{self.file}, column {self.column}"
        if self.row is not None:
            where += f", row {self.row}"
        more = f" (and {self.count - 1} more rows)" if self.count > 1 else ""
        shown = "missing" if self.value is None else repr(self.value)
        return f"{where}: {self.rule}: {shown}{more}; expected {self.expected}"


class ValidationError(InputError):
    """The input breaks validation rules; ``problems`` lists every one of them."""

    def __init__(
        self, problems: list[Problem], *, hint: str | None = None, rows: int | None = None
    ) -> None:
        self.problems = problems
        lines = "\n".join("  - " + p.describe() for p in problems)
        in_rows = [p for p in problems if p.row is not None]
        if in_rows:
            # one row may break several rules: the rows are counted once when known
            n = sum(p.count for p in in_rows)
            where = f"in {rows:,} row(s)" if rows is not None else f"({n:,} invalid value(s))"
            what = f"input is invalid: {len(problems)} problem(s) {where}"
            default = (
                "Fix the data, map your columns with --columns, or pass --drop-invalid "
                "to leave the invalid rows out (they are counted and reported)"
            )
        else:
            what = f"input is invalid: {len(problems)} column(s) missing"
            default = (
                "Add the columns, or name yours with --columns map.yaml "
                "(and --weight for the weight)"
            )
        super().__init__(f"{what}\n{lines}\n", hint=hint or default)
