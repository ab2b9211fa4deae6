"""Portal fixtures: the embedded default warehouse, built once per test session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

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


@pytest.fixture(autouse=True)
def _pages_read_the_database(db: None) -> None:
    """Every portal page may read Django's database: the monitoring pages list the
    knowledge base's published practices and key their cache on its version."""


@pytest.fixture
def portal(default_warehouse: Path, settings: LazySettings) -> Path:
    """Point the portal at the embedded default for one test."""
    settings.ZARAGOZA_WAREHOUSE = default_warehouse
    return default_warehouse


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(warehouse: Path, home: Path, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """Run ``zaragoza serve`` (gunicorn, one worker) on ``warehouse`` from ``home`` on a
    free loopback port, with ``env`` added to the environment; yield its base URL."""
    port = _free_port()
    full_env = {**os.environ, "ZARAGOZA_WAREHOUSE": str(warehouse), **(env or {})}
    log = (home / "serve.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from zaragoza.cli import app; app()",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=home,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/en/", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                pytest.fail(f"zaragoza serve did not start:\n{(home / 'serve.log').read_text()}")
            time.sleep(0.2)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def live_portal(default_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``zaragoza serve`` (gunicorn) on the embedded default, on a free loopback port.

    The server runs as users run it, in its own process; its Django database follows
    ``DATABASE_URL`` like the tests' own.
    """
    with serving(default_warehouse, tmp_path_factory.mktemp("serve")) as base:
        yield base


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(require: Callable[[bool, str], None]) -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require(chromium is not None, "Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where browser tests keep their screenshots (``test-artifacts/screenshots``)."""
    out = Path(os.environ.get("ZARAGOZA_ARTIFACTS", "test-artifacts")) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out
