"""Values at the precision an indicator is published with, the same in every format.

Eurostat publishes each table with a fixed number of decimal places (EU-LFS and EU-SILC
rates with one, incomes in whole euros, the S80/S20 ratio with two); the catalogue
records it per indicator (``decimals``, :attr:`~zaragoza.catalog.schema.Indicator.precision`).
Estimates carry every digit of the computation (``72.34016336420636``), which suggests a
precision no survey has. The API and the pages therefore round, by default:

* ``value``, ``ci_lo`` and ``ci_hi`` (and so gaps) to the indicator's decimals;
* ``se`` to one place more (a standard error read with the value it qualifies);
* ``cv`` (a percentage) to one decimal.

Counts are whole numbers already. Rounding is half away from zero on the shortest
decimal form of the number (``2.675`` gives ``2.68``), as the pages' ``floatformat``
writes it, so that a figure reads the same on a page and in every download.
``precision=full`` keeps every digit.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import numpy as np
import pandas as pd

__all__ = ["PRECISIONS", "round_half_up", "round_observations", "statistic_decimals"]

#: Values of the API's ``precision`` parameter: ``published`` (the default) or ``full``.
PRECISIONS = ("published", "full")
#: Decimal places of the coefficient of variation (a percentage).
CV_DECIMALS = 1


@cache
def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def round_half_up(value: float, places: int) -> float:
    """``value`` rounded to ``places`` decimals, half away from zero, on its shortest
    decimal form (``repr``): what Django's ``floatformat`` shows."""
    if not np.isfinite(value):
        return value
    return float(Decimal(repr(float(value))).quantize(_quantum(places), rounding=ROUND_HALF_UP))


def statistic_decimals(places: int) -> dict[str, int]:
    """Decimal places of each rounded statistic for an indicator published with ``places``."""
    return {"value": places, "ci_lo": places, "ci_hi": places, "se": places + 1,
            "cv": CV_DECIMALS}  # fmt: skip


def round_observations(df: pd.DataFrame, decimals: Mapping[str, int]) -> pd.DataFrame:
    """Return ``df`` with its statistics rounded to each indicator's published precision.

    ``decimals`` maps an indicator id to its decimal places; an indicator it does not
    know keeps every digit. Missing values stay missing.
    """
    if df.empty or "indicator" not in df.columns:
        return df
    out = df.copy()
    for ind, rows in out.groupby("indicator", sort=False).groups.items():
        places = decimals.get(str(ind))
        if places is None:
            continue
        for col, dec in statistic_decimals(places).items():
            if col not in out.columns:
                continue
            column = out.loc[rows, col].astype(float)
            out.loc[rows, col] = [
                v if np.isnan(v) else round_half_up(v, dec) for v in column.to_numpy()
            ]
    return out
