"""The indicator catalogue: bundled definitions, users' folders, schema errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from zaragoza.catalog.loader import load_catalog
from zaragoza.catalog.schema import AllOf, Not, VarCondition
from zaragoza.errors import CatalogError

REQUIRED = {
    "employment_rate": "Y20-64",
    "unemployment_rate": "Y20-64",
    "unemployment_rate_15_74": "Y15-74",
    "activity_rate": "Y20-64",
    "self_employment_share": "Y20-64",
    "temporary_employment_share": "Y20-64",
    "overqualification_rate": "Y20-64",
    "educational_attainment_low": "Y25-64",
    "educational_attainment_medium": "Y25-64",
    "educational_attainment_high": "Y25-64",
    "tertiary_attainment": "Y25-34",
    "tertiary_attainment_30_34": "Y30-34",
    "early_leavers": "Y18-24",
    "neet_rate": "Y15-29",
}

USER_INDICATOR = """\
id: employment_rate_25_54
area: employment
title: Employment rate (25-54)
definition: Employed persons as a percentage of the population aged 25-54.
survey: EU-LFS
population:
  age: {min: 25, max: 54}
numerator: {var: ILOSTAT, in: [1]}
"""


def test_bundled_catalogue_has_the_required_indicators() -> None:
    cat = load_catalog()
    for ident, age in REQUIRED.items():
        assert cat[ident].age_code == age, ident
        assert cat[ident].survey == "EU-LFS"
        assert cat[ident].references
        assert cat[ident].eurostat_tables.citizen, ident
    assert len(cat.version) == 12


def test_definitions_follow_the_issue_table() -> None:
    cat = load_catalog()
    unemp = cat["unemployment_rate"]
    assert unemp.denominator == VarCondition(var="ILOSTAT", **{"in": [1, 2]})
    temp = cat["temporary_employment_share"]
    assert temp.population.filter is not None
    assert temp.population.filter.variables() == {"ILOSTAT", "STAPRO"}
    assert temp.numerator == VarCondition(var="TEMP", **{"in": [2]})
    over = cat["overqualification_rate"]
    assert over.variables() == {"ILOSTAT", "ISCED", "ISCO"}
    neet = cat["neet_rate"].numerator
    assert isinstance(neet, AllOf)
    assert isinstance(neet.all[0], Not)
    assert cat["early_leavers"].variables() == {"ISCED", "EDUC4WN"}


def test_user_folder_adds_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "e2554.yaml").write_text(USER_INDICATOR)
    (tmp_path / "override.yaml").write_text(
        USER_INDICATOR.replace("employment_rate_25_54", "employment_rate")
    )
    cat = load_catalog([tmp_path])
    assert cat["employment_rate_25_54"].age_code == "Y25-54"
    assert cat["employment_rate"].age_code == "Y25-54"
    assert cat.origins["employment_rate"].endswith("override.yaml")
    assert cat.version != load_catalog().version


@pytest.mark.parametrize(
    ("text", "field", "what"),
    [
        (USER_INDICATOR.replace("min: 25", "min: -4"), "population.age.min", "greater than"),
        (USER_INDICATOR.replace("survey: EU-LFS", "survey: TIMSS"), "survey", "EU-LFS"),
        (USER_INDICATOR + "colour: red\n", "colour", "Extra inputs"),
        (USER_INDICATOR.replace("in: [1]", "range: [5, 1]"), "numerator", "empty"),
        (
            USER_INDICATOR.replace("{var: ILOSTAT, in: [1]}", "{var: ILOSTAT}"),
            "numerator",
            "exactly one",
        ),
        (USER_INDICATOR.replace("id: employment_rate_25_54", "id: Bad-Id"), "id", "pattern"),
    ],
)
def test_schema_errors_name_file_and_field(
    tmp_path: Path, text: str, field: str, what: str
) -> None:
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(CatalogError) as exc:
        load_catalog([tmp_path])
    assert exc.value.file == str(tmp_path / "bad.yaml")
    assert exc.value.column is not None
    assert exc.value.column.startswith(field)
    assert what in exc.value.message


def test_yaml_cannot_build_python_objects(tmp_path: Path) -> None:
    (tmp_path / "evil.yaml").write_text("!!python/object/apply:os.system ['true']\n")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog([tmp_path])


def test_duplicate_ids_in_one_folder(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(USER_INDICATOR)
    (tmp_path / "b.yaml").write_text(USER_INDICATOR)
    with pytest.raises(CatalogError, match="defined twice"):
        load_catalog([tmp_path])


def test_unknown_id_lists_known_ones() -> None:
    with pytest.raises(CatalogError, match=r"unknown indicator .employment.*employment_rate"):
        load_catalog()["employment"]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="catalogue folder not found"):
        load_catalog([tmp_path / "nope"])


def test_published_only_indicators(tmp_path: Path) -> None:
    cat = load_catalog()
    nat = cat["naturalisation_rate"]
    assert (nat.estimator, nat.numerator, nat.age_code) == ("published", None, "TOTAL")
    assert cat["median_equivalised_income"].unit == "EUR"
    (tmp_path / "a.yaml").write_text(
        USER_INDICATOR.replace("numerator: {var: ILOSTAT, in: [1]}\n", "")
    )
    with pytest.raises(CatalogError, match="a ratio indicator needs a numerator"):
        load_catalog([tmp_path])
    (tmp_path / "a.yaml").write_text(USER_INDICATOR + "estimator: published\n")
    with pytest.raises(CatalogError, match="has no numerator"):
        load_catalog([tmp_path])


def test_published_only_indicators_are_not_estimated() -> None:
    from zaragoza.cli import example_file
    from zaragoza.pipeline import estimate_files

    with pytest.raises(CatalogError, match="known from published tables only"):
        estimate_files([example_file()], ["employment_rate", "naturalisation_rate"])
