"""Toolbox fixtures: the example toolbox (tests/data/toolbox, invented and labelled so),
small hand-made toolboxes written from a template, and a small warehouse of hand-made
observations whose gaps are known (labelled as invented: they are not statistics)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from zaragoza.toolbox.loader import Toolbox, load_toolbox

EXAMPLE = Path(__file__).parent.parent / "data" / "toolbox"


@pytest.fixture(scope="session")
def example_toolbox() -> Toolbox:
    return load_toolbox(EXAMPLE)


def measure(ident: str, **changes: Any) -> dict[str, Any]:
    """A measure card (invented, for tests) with ``changes`` applied."""
    card: dict[str, Any] = {
        "id": ident,
        "title": {"en": f"Example {ident}", "fr": f"Exemple {ident}", "de": f"Beispiel {ident}"},
        "summary": {"en": "Invented.", "fr": "Inventé.", "de": "Erfunden."},
        "purpose": {"en": "Invented for tests."},
        "themes": ["employment"],
        "target_groups": ["tcn"],
        "levels": ["national", "regional", "local"],
        "migrant_groups": ["labour"],
        "preconditions": [],
        "implementation": [{"en": "Do it."}],
        "follow_up": {"en": "Count."},
        "cost": {"class": "low"},
        "indicators": [{"id": "employment_rate", "direction": "increase"}],
        "funds": ["esf_plus"],
        "evidence": {"practices": [], "evaluations": []},
        "sources": [{"title": "Invented example", "url": "https://example.org/x"}],
    }
    card.update(copy.deepcopy(changes))
    return card


@pytest.fixture(scope="session")
def card() -> Callable[..., dict[str, Any]]:
    """:func:`measure`: a measure card (invented, for tests) with changes applied."""
    return measure


@pytest.fixture
def make_toolbox(tmp_path: Path) -> Callable[..., Toolbox]:
    """Write one toolbox file with the given measures (one module, one component) and
    load it."""
    settings = yaml.safe_load((EXAMPLE / "toolbox.yaml").read_text())
    counter = iter(range(1000))

    def make(*measures: dict[str, Any], weights: dict[str, float] | None = None) -> Toolbox:
        data = {
            **settings,
            "weights": weights or settings["weights"],
            "modules": [
                {
                    "id": "example-module",
                    "version": 1,
                    "title": {"en": "Example", "fr": "Exemple", "de": "Beispiel"},
                    "summary": {"en": "Invented.", "fr": "Inventé.", "de": "Erfunden."},
                    "sources": [{"title": "Invented example", "url": "https://example.org/m"}],
                    "checked": "2026-12-01",
                    "components": [
                        {
                            "id": "example-component",
                            "title": {"en": "Example", "fr": "Exemple", "de": "Beispiel"},
                            "summary": {"en": "Invented.", "fr": "Inventé.", "de": "Erfunden."},
                            "measures": list(measures),
                        }
                    ],
                }
            ],
        }
        path = tmp_path / f"toolbox-{next(counter)}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return load_toolbox(path)

    return make


def _cells(
    geo: str, indicator: str, nat: float, neu: float, se: float, flag: str = "", age: str = "Y20-64"
) -> list[dict[str, Any]]:
    base = {
        "indicator": indicator,
        "geo": geo,
        "time": 2023,
        "c_birth": "TOTAL",
        "sex": "T",
        "age": age,
        "n": 500,
        "n_missing": 0,
        "cv": None,
    }
    rows = []
    for citizen, value in (("NAT", nat), ("NEU27_2020_FOR", neu), ("FOR", neu + 1)):
        rows.append(
            {
                **base,
                "citizen": citizen,
                "compare_to": "",
                "value": value,
                "se": se,
                "ci_lo": value - 2 * se,
                "ci_hi": value + 2 * se,
                "flag": flag if citizen != "NAT" else "",
            }
        )
    return rows


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of invented observations (not statistics) for the geo ``SE``, gaps of
    non-EU citizens to nationals (SEs of the two levels combined as independent): a
    large significant employment gap (-20 pp, SE 1.41), a small significant
    unemployment gap (+3 pp, SE 0.71), an overqualification gap of +20 pp flagged ``u``,
    a not-significant early-leavers gap (+4 pp, SE 2.83); ``DK`` has an employment gap
    of -10 pp, so that Europe's largest gaps have two countries."""
    from zaragoza.warehouse.store import Warehouse

    rows = (
        _cells("SE", "employment_rate", 80, 60, 1)
        + _cells("SE", "unemployment_rate", 5, 8, 0.5)
        + _cells("SE", "overqualification_rate", 20, 40, 1, flag="u")
        + _cells("SE", "early_leavers", 6, 10, 2, age="Y18-24")
        + _cells("DK", "employment_rate", 80, 70, 1)
    )
    df = pd.DataFrame(rows)
    path = tmp_path_factory.mktemp("toolbox") / "invented.duckdb"
    with Warehouse(path) as wh:
        wh.load(
            df,
            source="computed",
            kind="estimate",
            inputs=[{"path": "invented.csv"}],
            options={"note": "invented observations for the toolbox tests"},
        )
    return path
