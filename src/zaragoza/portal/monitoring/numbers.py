"""Numbers as the pages show them: localised, negatives with the minus sign (U+2212).

Display only: the downloads and the API carry plain numbers (an ASCII hyphen-minus).
"""

from __future__ import annotations

from django.template.defaultfilters import floatformat

__all__ = ["MINUS", "number", "signed"]

MINUS = "\N{MINUS SIGN}"


def number(value: float | None, decimals: str = "1") -> str:
    """Return ``value`` as Django's ``floatformat`` with ``decimals`` writes it in the
    active language, a negative number with the minus sign; ``""`` for ``None``."""
    if value is None:
        return ""
    text = str(floatformat(value, decimals))
    return MINUS + text[1:] if text.startswith("-") else text


def signed(value: float | None, decimals: str = "1") -> str:
    """Return ``value`` like :func:`number` with its sign always written, ``+`` above zero
    and ``U+2212`` below (a gap, a distance to a target), even where it rounds to zero."""
    if value is None:
        return ""
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return sign + number(abs(value), decimals)
