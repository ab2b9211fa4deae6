"""What an estimation returns, and how it enters the warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from zaragoza.warehouse.loads import describe_file
from zaragoza.warehouse.store import LoadResult, Warehouse

__all__ = ["EstimateRun", "store_run"]


@dataclass
class EstimateRun:
    """The observations of one request and a summary of what went in.

    The same type for every survey: ``observations`` has the columns of
    :data:`zaragoza.observations.ESTIMATE_COLUMNS`.
    """

    observations: pd.DataFrame
    n_rows: int
    n_dropped: int
    dropped_by_rule: dict[str, int]
    files: list[str]
    catalog_version: str
    variance: str
    seconds: float
    #: the request as given (``EstimationRequest.describe``), kept in the provenance
    options: dict[str, Any] = field(default_factory=dict)
    #: what the user should know about the estimates (e.g. a threshold not Eurostat's)
    notes: list[str] = field(default_factory=list)


def store_run(run: EstimateRun, wh: Warehouse) -> LoadResult:
    """Load an estimate's observations as ``computed``, with their provenance: the
    microdata files and their SHA-256, the request as given, the catalogue version."""
    return wh.load(
        run.observations,
        source="computed",
        kind="estimate",
        # a file Spark reads from a cluster's storage is recorded by its address
        inputs=[{"path": f} if _is_uri(f) else describe_file(f) for f in run.files],
        options=run.options | {"variance": run.variance},
        catalog_version=run.catalog_version,
        origin="zaragoza estimate",
    )


def _is_uri(path: str) -> bool:
    return "://" in path and not path.startswith("file://")
