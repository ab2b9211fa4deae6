"""The profile record: minimal, strict, with clear errors."""

from __future__ import annotations

import pydantic
import pytest

from .profiles import BUILDING_CLEANER, Education, Language, Work, profile


def test_unknown_field_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="religion"):
        profile(person={"religion": "any"})


def test_work_takes_its_isco_group_from_esco() -> None:
    assert Work(occupation=BUILDING_CLEANER).isco_group == "9112"
    with pytest.raises(pydantic.ValidationError, match="differs from ESCO"):
        Work(occupation=BUILDING_CLEANER, isco_group="2111")


def test_bad_codes_name_the_field() -> None:
    with pytest.raises(pydantic.ValidationError, match="ISCED-F"):
        Education(isced_level=6, field="0612x")
    with pytest.raises(pydantic.ValidationError, match="unknown CEFR skill"):
        Language(language="de", levels={"speaking": "B1"})
    with pytest.raises(pydantic.ValidationError, match="isced_level"):
        Education(isced_level=9)
    with pytest.raises(pydantic.ValidationError, match="years"):
        Work(occupation=BUILDING_CLEANER, years=float("nan"))


def test_lowest_language_level() -> None:
    assert Language(language="de", levels={"reading": "B2", "writing": "A2"}).lowest() == "A2"
    assert Language(language="de", native=True).lowest() == "C2"
    # a certificate stands for every skill; a higher self-assessment keeps its level
    cert = Language(language="de", levels={"reading": "C1"}, certificate="B1")
    assert cert.lowest() == "B1"
    assert Language(language="de").lowest() is None


def test_highest_level_counts_completed_levels_only() -> None:
    p = profile(education=[Education(isced_level=3), Education(isced_level=6, completed=False)])
    assert p.highest_isced() == 3
    assert p.tertiary() == ()


def test_json_round_trip() -> None:
    p = profile(
        education=[Education(isced_level=7, field="061", country="SY", recognition="pending")],
        work=[Work(occupation=BUILDING_CLEANER, current=True, years=2.5)],
        languages=[Language(language="ar", native=True)],
        digital={"1": 4},
    )
    again = type(p).model_validate_json(p.model_dump_json())
    assert again == p
