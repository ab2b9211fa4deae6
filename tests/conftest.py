"""Shared fixtures. With ZARAGOZA_REQUIRE_ALL=1 (set by CI) a missing component fails."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator

import pytest

# The portal's settings are read once, when pytest-django sets Django up: point them at a
# scratch folder first, so that no test writes a secret key or a database into the
# working tree (the settings module is named here, not in pyproject.toml, because
# pytest-django imports it as soon as it knows it). Portal tests override the warehouse.
_SCRATCH = tempfile.mkdtemp(prefix="zaragoza-tests-")
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("ZARAGOZA_WAREHOUSE", os.path.join(_SCRATCH, "zaragoza.duckdb"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaragoza.portal.settings")
# Playwright's synchronous API runs an event loop in the test process's main thread; the
# database tests that follow the browser tests in the same session would otherwise be
# refused as "async" by Django. The portal itself never runs in an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    """Set Django up with the settings above (pytest-django then finds it ready)."""
    import django

    django.setup()


REQUIRE_ALL = os.environ.get("ZARAGOZA_REQUIRE_ALL") == "1"


def need(ok: bool, what: str) -> None:
    if ok:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{what} is required (ZARAGOZA_REQUIRE_ALL=1) but not available")
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def require() -> Callable[[bool, str], None]:
    """``require(ok, what)``: skip without ``what``, or fail under ZARAGOZA_REQUIRE_ALL=1."""
    return need


@pytest.fixture(scope="session")
def spark_available() -> Iterator[None]:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        need(False, "pyspark (uv sync --extra spark)")
    need(shutil.which("java") is not None, "a Java runtime for Spark")
    return


@pytest.fixture(scope="session")
def spark_cluster(spark_available: None) -> str:
    """The master URL of a standalone Spark cluster (``ZARAGOZA_TEST_SPARK_MASTER``).

    ``.ci/run`` starts one on loopback (a master and two workers); without it these
    tests skip, or fail under ZARAGOZA_REQUIRE_ALL=1.
    """
    url = os.environ.get("ZARAGOZA_TEST_SPARK_MASTER", "")
    need(bool(url), "a standalone Spark cluster (set ZARAGOZA_TEST_SPARK_MASTER=spark://...)")
    return url
