"""Shared fixtures. With ZARAGOZA_REQUIRE_ALL=1 (set by CI) a missing component fails."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

REQUIRE_ALL = os.environ.get("ZARAGOZA_REQUIRE_ALL") == "1"


def _need(ok: bool, what: str) -> None:
    if ok:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{what} is required (ZARAGOZA_REQUIRE_ALL=1) but not available")
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def spark_available() -> Iterator[None]:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _need(False, "pyspark (uv sync --extra spark)")
    _need(shutil.which("java") is not None, "a Java runtime for Spark")
    return
