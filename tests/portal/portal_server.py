"""A live ``zaragoza serve`` for the browser tests, run as users run it.

A module of its own (not the conftest) so that test files import it by a name no other
folder's conftest shares.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["serving"]


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
