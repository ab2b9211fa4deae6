"""The real Eurostat files bundled with Zaragoza (credits in NOTICE)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from zaragoza.sources.eurostat_files import (
    RESERVED,
    FileFormat,
    read_eurostat_file,
    read_jsonstat_file,
    read_transcribed_csv,
    read_tsv_bulk,
)

__all__ = ["BundledFile", "bundled_files", "read_bundled"]


def _bundled_dir() -> Path:
    return Path(str(resources.files("zaragoza") / "data" / "eurostat"))


@dataclass(frozen=True)
class BundledFile:
    """One real Eurostat file shipped in ``zaragoza/data/eurostat`` (credits in NOTICE)."""

    name: str
    dataset: str
    format: FileFormat

    @property
    def path(self) -> Path:
        return _bundled_dir() / self.name

    def read(self) -> pd.DataFrame:
        """Return this file's observations (the layout of the module docstring)."""
        if self.format == "tsv":
            return read_tsv_bulk(self.path, self.dataset)
        if self.format == "transcribed_csv":
            return read_transcribed_csv(self.path, self.dataset)
        if self.format == "jsonstat":
            return read_jsonstat_file(self.path, self.dataset)
        return read_eurostat_file(self.path, self.dataset)


_BUNDLED = (
    BundledFile("lfsa_ergan_y20-64_EU-NEU-NAT_2015-2024.tsv", "lfsa_ergan", "tsv"),
    BundledFile("lfsa_urgan_y20-64_EU-NEU-NAT_2015-2024.tsv", "lfsa_urgan", "tsv"),
    BundledFile("edat_lfs_9912_cbirth_2015-2024.tsv", "edat_lfs_9912", "tsv"),
    BundledFile("migr_resfirst_by_reason_2023.tsv", "migr_resfirst", "tsv"),
    BundledFile("lfsa_ergan_y15-64_FOR-NAT-TOTAL_1995-2024.sdmx.csv.gz", "lfsa_ergan", "sdmx_csv"),
    BundledFile("lfsa_urgan_y15-64_FOR-NAT-TOTAL_1995-2024.sdmx.csv.gz", "lfsa_urgan", "sdmx_csv"),
    BundledFile("edat_lfs_9911_FOR_y15-64_2014-2024.sdmx.csv", "edat_lfs_9911", "sdmx_csv"),
    BundledFile(
        "ilc_di15_median_income_by_citizenship_2015-2024.labels.csv", "ilc_di15", "labelled_csv"
    ),
    BundledFile("migr_acqs_naturalisation_rate_2009-2023.csv", "migr_acqs", "transcribed_csv"),
    BundledFile(
        "hlth_silc_24_self_perceived_health_by_citizenship_2015-2024.labels.csv.gz",
        "hlth_silc_24",
        "labelled_csv",
    ),
    BundledFile(
        "lfsa_eoqgan_y20-64_citizen_2024_EU-2014.jsonstat-wrapped.json", "lfsa_eoqgan", "jsonstat"
    ),
)


def bundled_files() -> tuple[BundledFile, ...]:
    """Return the real Eurostat files bundled with Zaragoza, with dataset and format."""
    return _BUNDLED


def read_bundled(datasets: Collection[str] | None = None) -> pd.DataFrame:
    """Return the observations of every bundled Eurostat file, stacked.

    With ``datasets``, only the files of those datasets are read.

    Returns
    -------
    pandas.DataFrame
        ``dataset``, every dimension of any bundled dataset (in order of first
        appearance; NaN where a dataset does not have that dimension), ``time``,
        ``value``, ``flag``, ``conf_status`` (NaN for the formats without it).
    """
    frames = [f.read() for f in _BUNDLED if datasets is None or f.dataset in datasets]
    dims: list[str] = []
    for frame in frames:
        dims += [c for c in frame.columns if c not in RESERVED and c not in dims]
    columns = ["dataset", *dims, "time", "value", "flag", "conf_status"]
    return pd.concat([f.reindex(columns=columns) for f in frames], ignore_index=True)
