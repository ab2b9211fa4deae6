"""Eurostat's published tables as observations: the published layer of the warehouse.

Rows of the parsed Eurostat files (``sources.eurostat_files``) or API answers
(``sources.eurostat_api``) become observations of catalogue indicators through
``catalog/eurostat_datasets.yaml``. Values and flags are kept exactly as published: a
value Eurostat marks not available (``:``) is an empty value with flag ``:`` plus any
letters (``:u``); a confidentiality status (SDMX ``CONF_STATUS``, e.g. ``C``) becomes
the flag ``c``, as Eurostat's TSV files write a confidential cell (``: c``); standard
errors and counts are empty (Eurostat publishes none).

A mapping must pick one cell per indicator, country, year, group and sex: once its
``where`` is applied, a dimension other than those with more than one code means the
mapping does not say which code is the indicator (a dataset gained a dimension, say),
and loading stops with the dimension, its codes and what to add to ``where``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, TypeAdapter, model_validator

from zaragoza.catalog.datafile import read_yaml_data
from zaragoza.catalog.loader import Catalog
from zaragoza.errors import CatalogError

__all__ = ["DatasetMapping", "PublishedSet", "load_mappings", "to_observations"]

#: Columns that may vary within a mapping's rows: the cell's key (country, year, group,
#: sex) and what is not a dimension.
_KEY_COLUMNS = frozenset(
    {"dataset", "geo", "time", "citizen", "c_birth", "sex", "value", "flag", "conf_status"}
)
#: SDMX ``CL_CONF_STATUS`` codes that withhold a value: C confidential, D secondary
#: confidentiality set by the sender, S set by the receiver, N not for publication
#: (``F``, free, and ``""`` withhold nothing).
_CONFIDENTIAL = frozenset({"C", "D", "S", "N"})
#: The dimensions that say the migrant group.
_GROUP_DIMENSIONS = ("citizen", "c_birth")


class DatasetMapping(BaseModel):
    """Which rows of ``dataset`` are observations of ``indicator``.

    ``where`` gives each dimension's code; a group dimension (``citizen``, ``c_birth``)
    may list several, the groups to load (``lfsa_eoqgan`` also publishes stateless
    persons, ``STLS``, and non-response, ``NRP``, which are no group of Zaragoza's).
    ``citizen`` fixes the group of every row: for a dataset without a group dimension
    (``migr_acqs``: the non-nationals, ``FOR``), or one whose group code means another
    group in Zaragoza's model once ``where`` has picked it (``migr_resshare``: its
    ``citizen`` ``TOTAL`` is every non-EU citizen, ``NEU27_2020_FOR``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    dataset: str
    indicator: str
    where: dict[str, str | tuple[str, ...]] = {}
    citizen: str | None = None

    @model_validator(mode="after")
    def _lists_only_for_groups(self) -> DatasetMapping:
        for dim, codes in self.where.items():
            if not isinstance(codes, str) and (dim not in _GROUP_DIMENSIONS or not codes):
                raise ValueError(
                    f"where: {dim} lists {list(codes)}: only a group dimension "
                    f"({', '.join(_GROUP_DIMENSIONS)}) may list codes, at least one; "
                    "any other dimension takes one code, or its cells would mix statistics"
                )
        return self

    def codes(self, dim: str) -> tuple[str, ...]:
        """The codes ``where`` accepts in dimension ``dim``."""
        codes = self.where[dim]
        return (codes,) if isinstance(codes, str) else codes


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


def _flag(value: pd.Series, flag: pd.Series, conf_status: pd.Series) -> pd.Series:
    letters = flag.fillna("").astype(str).str.replace(":", "").str.strip()
    withheld = conf_status.fillna("").astype(str).str.strip().isin(_CONFIDENTIAL)
    letters = letters.where(~withheld | letters.str.contains("c", regex=False), letters + "c")
    return pd.Series(np.where(value.isna(), ":" + letters, letters), index=value.index)


def _check_one_code_per_cell(rows: pd.DataFrame, mapping: DatasetMapping) -> None:
    """Raise when a dimension outside the cell's key still has several codes.

    Eurostat restructures datasets (the 2025 EU-SILC tables gained ``statinfo`` and
    ``rskpovth``); such a dimension with one code is harmless, with several the rows
    are different statistics and the mapping must pick one.
    """
    for dim in rows.columns:
        if dim in _KEY_COLUMNS or dim in mapping.where:
            continue
        codes = sorted(str(c) for c in rows[dim].dropna().unique())
        if len(codes) > 1:
            shown = ", ".join(codes[:12]) + (" …" if len(codes) > 12 else "")
            raise CatalogError(
                f"dataset {mapping.dataset} has {len(codes)} codes of dimension {dim} "
                f"({shown}) for indicator {mapping.indicator}: the mapping does not say "
                "which one is the indicator",
                column=dim,
                value=codes,
                hint=f"add the indicator's code to the where of the {mapping.dataset} row "
                f"for {mapping.indicator} in catalog/eurostat_datasets.yaml: where: "
                f"{{..., {dim}: <one of the codes>}} (Eurostat's data browser says what "
                "each code means)",
            )


def _group(rows: pd.DataFrame, dim: str, fixed: str | None) -> pd.Series | str:
    """The group codes of ``rows`` in dimension ``dim``; ``fixed`` wins, and a dataset
    without the dimension is everybody (``TOTAL``)."""
    if fixed is not None:
        return fixed
    if dim in rows and rows[dim].notna().all():
        return rows[dim]
    return "TOTAL"


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
        for dim in m.where:
            if dim not in rows.columns:
                sel &= False
                continue
            sel &= rows[dim].isin(m.codes(dim))
        r = rows[sel]
        if r.empty:
            continue
        _check_one_code_per_cell(r, m)
        used |= sel
        obs = pd.DataFrame(
            {
                "indicator": ind.id,
                "geo": r["geo"],
                "time": r["time"].astype("int64"),
                "citizen": _group(r, "citizen", m.citizen),
                "c_birth": _group(r, "c_birth", None),
                "sex": r["sex"] if "sex" in r and r["sex"].notna().all() else "T",
                "age": ind.age_code,
                "compare_to": "",
                "value": r["value"].astype(float),
            },
            index=r.index,
        )
        for col in ("se", "ci_lo", "ci_hi", "cv", "n", "n_missing"):
            obs[col] = np.nan
        blank = pd.Series("", index=r.index)
        obs["flag"] = _flag(r["value"], r.get("flag", blank), r.get("conf_status", blank))
        parts.append(obs)
    unmapped = rows.loc[~used, "dataset"].value_counts().to_dict()
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return PublishedSet(out, {str(k): int(v) for k, v in unmapped.items()})
