"""The portal's tests again with Django's database on a real PostgreSQL server.

CI (``.ci/run``) starts a server and sets ``ZARAGOZA_TEST_POSTGRES_URL``; this test runs
every other portal test in a fresh pytest process with ``DATABASE_URL`` pointing there
(pytest-django creates and drops its own test database on that server).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.mark.postgres
@pytest.mark.slow
def test_portal_suite_passes_on_postgresql(require: Callable[[bool, str], None]) -> None:
    url = os.environ.get("ZARAGOZA_TEST_POSTGRES_URL", "")
    require(bool(url), "a PostgreSQL server (set ZARAGOZA_TEST_POSTGRES_URL=postgres://...)")
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE), "-m", "not postgres", "-q",
         "-p", "no:cacheprovider"],
        env=env,
        cwd=HERE.parent.parent,
        capture_output=True,
        text=True,
        timeout=1800,  # the whole portal suite again, on a shared 2-core machine
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
