"""Computed against published: how a statistician checks an estimate against Eurostat.

Every computed cell (not a gap row) that has a published twin (same indicator, geo,
time, citizen, c_birth, sex and age) is compared: the difference, its size in standard
errors, and whether the published figure lies outside the computed confidence interval.
A published cell without a value (flag ``:``) is reported, not compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zaragoza.warehouse.store import Warehouse

__all__ = ["REPORT_COLUMNS", "compare_published"]

CELL = ["indicator", "geo", "time", "citizen", "c_birth", "sex", "age"]
REPORT_COLUMNS = [
    *CELL, "computed", "se", "ci_lo", "ci_hi", "computed_flag", "published",
    "published_flag", "difference", "z", "outside_ci",
]  # fmt: skip


def compare_published(wh: Warehouse, *, indicator: list[str] | None = None) -> pd.DataFrame:
    """Return one row per computed cell that Eurostat also publishes (``REPORT_COLUMNS``).

    ``difference`` = published - computed (the unit of the indicator: percentage points
    for rates); ``z`` = difference / se; ``outside_ci`` when the published value lies
    outside [ci_lo, ci_hi].
    """
    obs = wh.observations(indicator=indicator or [])
    computed = obs[(obs["source"] == "computed") & (obs["compare_to"] == "")]
    published = obs[(obs["source"] == "published") & (obs["compare_to"] == "")]
    m = computed[[*CELL, "value", "se", "ci_lo", "ci_hi", "flag"]].merge(
        published[[*CELL, "value", "flag"]], on=CELL, suffixes=("", "_pub")
    )
    out = m.rename(
        columns={
            "value": "computed",
            "flag": "computed_flag",
            "value_pub": "published",
            "flag_pub": "published_flag",
        }
    )
    out["difference"] = out["published"] - out["computed"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["z"] = out["difference"] / out["se"]
    out["outside_ci"] = (out["published"] < out["ci_lo"]) | (out["published"] > out["ci_hi"])
    return out[REPORT_COLUMNS].sort_values(CELL).reset_index(drop=True)
