"""Small made-up frameworks for the engine's tests (not real benchmarks)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from zaragoza.frameworks import Framework, load_framework, parse_framework

DATA = Path(__file__).resolve().parents[1] / "data" / "frameworks"
SMALL = DATA / "small-weighted.yaml"


def small_raw() -> dict[str, Any]:
    """The parsed YAML of ``small-weighted.yaml`` (a fresh copy to change)."""
    return copy.deepcopy(yaml.safe_load(SMALL.read_text(encoding="utf-8")))


def choice(qid: str, *scores: float | None, **extra: Any) -> dict[str, Any]:
    """A single-choice question whose options ``o0, o1 …`` score ``scores``."""
    opts: list[dict[str, Any]] = [
        {"id": f"o{i}", "label": f"Option {i}"} for i in range(len(scores))
    ]
    for opt, score in zip(opts, scores, strict=True):
        if score is not None:
            opt["score"] = score
    return {"id": qid, "text": f"Question {qid}", "type": "single", "options": opts, **extra}


def framework(dimensions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A framework mapping: ``dimensions`` given as ``{id: {standard: [questions]}}``
    lists of ``(dimension id, weight, [(standard id, weight, [questions])])``."""
    raw: dict[str, Any] = {
        "id": "made-up",
        "version": "1",
        "title": "Made up for the tests",
        "rendering": "Made up for the tests; not a real benchmark.",
        "sources": [{"title": "None (made up)"}],
        "aggregation": "mean",
        "dimensions": dimensions,
    }
    raw.update(extra)
    return raw


def dim(did: str, *standards: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": did, "title": f"Dimension {did}", "standards": list(standards), **extra}


def std(sid: str, *questions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": sid, "title": f"Standard {sid}", "questions": list(questions), **extra}


def build(raw: dict[str, Any]) -> Framework:
    return parse_framework(raw, "made-up.yaml")


@pytest.fixture(scope="session")
def small() -> Framework:
    return load_framework(SMALL)


def write(tmp_path: Path, raw: dict[str, Any], name: str = "fw.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path
