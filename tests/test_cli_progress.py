"""Long commands print progress lines when their standard error is not a terminal."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from zaragoza.cli import common


def test_progress_lines_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert not common.err.is_terminal  # captured: as in a pipe or a log file
    with common.progress("building w.duckdb") as say:
        say("loading the bundled Eurostat tables")
        say("estimating the computed indicators by citizen from the example")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3
    assert all(re.match(r"^\[ +\d+\.\d s\] \S", line) for line in lines)
    assert lines[0].endswith("building w.duckdb")
    assert lines[2].endswith("by citizen from the example")


def test_zaragoza_init_prints_each_step_as_a_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import zaragoza.pipeline
    from zaragoza.cli import app

    def build(path: Path, example: Path, *, progress: Any = None) -> dict[str, Any]:
        # the real build's steps, without its half minute of estimation
        progress("loading the bundled Eurostat tables")
        progress("estimating the computed indicators by citizen from the example")
        return {}

    monkeypatch.setattr(zaragoza.pipeline, "build_default_warehouse", build)
    app(["init", "--warehouse", str(tmp_path / "w.duckdb")], standalone_mode=False)
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("[")]
    assert [ln.split("] ", 1)[1] for ln in lines] == [
        f"building {tmp_path / 'w.duckdb'}",
        "loading the bundled Eurostat tables",
        "estimating the computed indicators by citizen from the example",
    ]
