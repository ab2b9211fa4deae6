"""Eurostat's published tables as observations: the published layer of the warehouse.

Rows of the parsed Eurostat files (``sources.eurostat_files``) become observations of
catalogue indicators through ``catalog/eurostat_datasets.yaml``. Values and flags are
kept exactly as published: a value Eurostat marks not available (``:``) is an empty
value with flag ``:`` plus any letters (``:u``); standard errors and counts are empty
(Eurostat publishes none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, TypeAdapter

from zaragoza.catalog.datafile import read_yaml_data
from zaragoza.catalog.loader import Catalog

__all__ = ["DatasetMapping", "PublishedSet", "load_mappings", "to_observations"]


class DatasetMapping(BaseModel):
    """Which rows of ``dataset`` are observations of ``indicator``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    dataset: str
    indicator: str
    where: dict[str, str] = {}
    citizen: str | None = None  # a fixed group when the dataset has no group dimension


def load_mappings(path: str | Path | None = None) -> list[DatasetMapping]:
    """Return the dataset-to-indicator mappings (the bundled file by default)."""
    src = (
        Path(path)
        if path
        else Path(str(resources.files("zaragoza.catalog") / "eurostat_datasets.yaml"))
    )
    return read_yaml_data(
        src, "dataset mappings", TypeAdapter(list[DatasetMapping]).validate_python
    )


@dataclass
class PublishedSet:
    """Observations made from published rows, and what was left aside."""

    observations: pd.DataFrame
    unmapped: dict[str, int] = field(default_factory=dict)


def _flag(value: pd.Series, flag: pd.Series) -> pd.Series:
    letters = flag.fillna("").astype(str).str.replace(":", "").str.strip()
    return pd.Series(np.where(value.isna(), ":" + letters, letters), index=value.index)


def to_observations(
    rows: pd.DataFrame, catalog: Catalog, mappings: list[DatasetMapping] | None = None
) -> PublishedSet:
    """Return the observations of catalogue indicators found in parsed Eurostat rows."""
    maps = mappings if mappings is not None else load_mappings()
    parts = []
    used = pd.Series(False, index=rows.index)
    for m in maps:
        ind = catalog[m.indicator]
        sel = rows["dataset"] == m.dataset
        for dim, code in m.where.items():
            if dim not in rows.columns:
                sel &= False
                continue
            sel &= rows[dim] == code
        r = rows[sel]
        if r.empty:
            continue
        used |= sel
        obs = pd.DataFrame(
            {
                "indicator": ind.id,
                "geo": r["geo"],
                "time": r["time"].astype("int64"),
                "citizen": r["citizen"]
                if "citizen" in r and r["citizen"].notna().all()
                else (m.citizen or "TOTAL"),
                "c_birth": r["c_birth"]
                if "c_birth" in r and r["c_birth"].notna().all()
                else "TOTAL",
                "sex": r["sex"] if "sex" in r and r["sex"].notna().all() else "T",
                "age": ind.age_code,
                "compare_to": "",
                "value": r["value"].astype(float),
            },
            index=r.index,
        )
        for col in ("se", "ci_lo", "ci_hi", "cv", "n", "n_missing"):
            obs[col] = np.nan
        obs["flag"] = _flag(r["value"], r["flag"] if "flag" in r else pd.Series("", r.index))
        parts.append(obs)
    unmapped = rows.loc[~used, "dataset"].value_counts().to_dict()
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return PublishedSet(out, {str(k): int(v) for k, v in unmapped.items()})
