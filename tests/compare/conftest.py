"""The embedded default warehouse (bundled Eurostat tables plus the example's estimates),
built once for the comparison tests."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from zaragoza.compare._frame import load_observations
from zaragoza.pipeline import build_default_warehouse


@pytest.fixture(scope="session")
def default_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compare-wh") / "zaragoza.duckdb"
    example = Path(str(resources.files("zaragoza") / "data" / "example_lfs.csv.gz"))
    build_default_warehouse(path, example)
    return path


@pytest.fixture(scope="session")
def default_obs(default_warehouse: Path) -> pd.DataFrame:
    return load_observations(default_warehouse)
