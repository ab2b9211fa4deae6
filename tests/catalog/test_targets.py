"""EU headline targets: the bundled file, its checks against the catalogue, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from zaragoza.catalog.loader import load_catalog
from zaragoza.catalog.targets import Target, load_targets, targets_for
from zaragoza.errors import CatalogError

GOOD = """\
- id: t_employment
  framework: eu_2030
  year: 2030
  indicator: employment_rate
  value: 78
  direction: at_least
  source: A document that sets the target
"""


def test_bundled_targets_are_the_eu_headline_targets() -> None:
    targets = {t.id: t for t in load_targets()}
    expected = {
        "europe2020_employment": ("employment_rate", 75, "at_least", 2020),
        "europe2020_early_leavers": ("early_leavers", 10, "at_most", 2020),
        "europe2020_tertiary": ("tertiary_attainment_30_34", 40, "at_least", 2020),
        "eu2030_employment": ("employment_rate", 78, "at_least", 2030),
        "eu2030_early_leavers": ("early_leavers", 9, "at_most", 2030),
        "eu2030_tertiary": ("tertiary_attainment", 45, "at_least", 2030),
        "eu2030_neet": ("neet_rate", 9, "at_most", 2030),
    }
    assert set(targets) == set(expected)
    cat = load_catalog()
    for ident, (indicator, value, direction, year) in expected.items():
        t = targets[ident]
        assert (t.indicator, t.value, t.direction, t.year) == (indicator, value, direction, year)
        assert indicator in cat
        assert (t.population.sex, t.population.citizen, t.population.c_birth) == (
            "T",
            "TOTAL",
            "TOTAL",
        )
        assert "COM(20" in t.source or "2021/C 66/01" in t.source


def test_met_and_distance_follow_the_direction() -> None:
    at_least = Target.model_validate(
        {"id": "a", "framework": "eu_2030", "year": 2030, "indicator": "employment_rate",
         "value": 78, "direction": "at_least", "source": "somewhere official"}
    )  # fmt: skip
    below = at_least.model_copy(update={"direction": "at_most", "value": 9, "inclusive": False})
    assert at_least.met(78.0)
    assert not at_least.met(77.9)
    assert at_least.distance(75.5) == pytest.approx(-2.5)
    assert below.met(8.9)
    assert not below.met(9.0)
    assert below.distance(12.0) == pytest.approx(-3.0)
    assert below.model_copy(update={"inclusive": True}).met(9.0)


def test_targets_for_an_indicator_in_year_order() -> None:
    assert [t.year for t in targets_for("employment_rate")] == [2020, 2030]
    assert targets_for("median_equivalised_income") == []


def test_an_unknown_indicator_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(GOOD.replace("employment_rate", "employment_rat"), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_targets(path)
    assert err.value.file == str(path)
    assert err.value.column == "0.indicator"
    assert "employment_rat" in err.value.message


def test_a_bad_direction_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(GOOD + GOOD.replace("t_employment", "t2").replace("at_least", "above"))
    with pytest.raises(CatalogError) as err:
        load_targets(path)
    assert err.value.file == str(path)
    assert err.value.column == "1.direction"


def test_duplicate_ids_and_non_lists_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_text(GOOD + GOOD, encoding="utf-8")
    with pytest.raises(CatalogError, match="defined twice"):
        load_targets(path)
    path.write_text("id: x\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot read the targets"):
        load_targets(path)
