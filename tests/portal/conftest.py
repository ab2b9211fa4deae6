"""Portal fixtures: the embedded default warehouse, built once per test session."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from django.conf import LazySettings

from zaragoza.pipeline import build_default_warehouse


@pytest.fixture(scope="session")
def default_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded default (bundled Eurostat tables + estimates from the example)."""
    path = tmp_path_factory.mktemp("portal") / "zaragoza.duckdb"
    example = Path(str(resources.files("zaragoza") / "data" / "example_lfs.csv.gz"))
    build_default_warehouse(path, example)
    return path


@pytest.fixture
def portal(default_warehouse: Path, settings: LazySettings) -> Path:
    """Point the portal at the embedded default for one test."""
    settings.ZARAGOZA_WAREHOUSE = default_warehouse
    return default_warehouse
