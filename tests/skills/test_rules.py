"""Next-step rules on hand-made profiles: each rule fires when, and only when, it should."""

from __future__ import annotations

from pathlib import Path

import pytest

from zaragoza.errors import ContentError
from zaragoza.skills.profile import Expectations, Language
from zaragoza.skills.rules import check_measures, load_rules, next_steps

from .profiles import BUILDING_CLEANER, Education, Work, german, isco, profile


def rules_of(p: object) -> list[str]:
    return [s.rule for s in next_steps(p)]  # type: ignore[arg-type]


def test_bundled_rules_load_and_name_real_toolbox_measures() -> None:
    from zaragoza.toolbox.loader import load_toolbox

    rules = load_rules()
    toolbox = load_toolbox()
    ids = [m.id for mod in toolbox.modules for comp in mod.components for m in comp.measures]
    assert check_measures(rules, ids) == []
    assert all(r.measures for r in rules.rules)
    assert check_measures(rules, ["other"])  # the check can fail


def test_tertiary_wish_at_that_level_no_recognition_gives_recognition() -> None:
    engineer = isco(2)
    p = profile(
        education=[Education(isced_level=7, country="SY", recognition="not_applied")],
        expectations=Expectations(wished_occupations=(engineer,)),
        languages=[german("B2")],
    )
    steps = next_steps(p)
    recognition = [s for s in steps if s.rule == "recognition-procedure"]
    assert len(recognition) == 1
    assert recognition[0].step == "recognition"
    assert recognition[0].measures == ("recognition-advice-and-procedure",)
    assert set(recognition[0].reason) == {"en", "fr", "de", "ar", "uk"}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"education": [Education(isced_level=4)]}, "not tertiary"),
        ({"education": [Education(isced_level=7, recognition="recognised")]}, "recognised"),
        ({"education": [Education(isced_level=7, recognition="partial")]}, "partly recognised"),
        ({"education": [Education(isced_level=7, completed=False)]}, "not completed"),
        ({"expectations": Expectations(wished_occupations=())}, "no wish"),
    ],
)
def test_recognition_not_suggested(change: dict[str, object], why: str) -> None:
    base: dict[str, object] = {
        "education": [Education(isced_level=7)],
        "expectations": Expectations(wished_occupations=(isco(2),)),
    }
    base.update(change)
    assert "recognition-procedure" not in rules_of(profile(**base)), why


def test_recognition_not_suggested_for_an_elementary_wish() -> None:
    p = profile(
        education=[Education(isced_level=7)],
        expectations=Expectations(wished_occupations=(BUILDING_CLEANER,)),
    )
    assert "recognition-procedure" not in rules_of(p)


def test_host_language_below_b1_gives_a_course_at_the_persons_level() -> None:
    mixed = Language(language="de", levels={"listening": "B2", "writing": "A2"})
    steps = {s.rule: s for s in next_steps(profile(languages=[mixed]))}
    assert steps["host-language-course"].language_level == "A2"
    # no German at all: a course from A1
    assert {s.rule: s for s in next_steps(profile())}["host-language-course"].language_level == (
        "A1"
    )
    assert "host-language-course" not in rules_of(profile(languages=[german("B1")]))
    # another language at C2 does not count for the host language
    fr = Language(language="fr", native=True)
    assert "host-language-course" in rules_of(profile(languages=[fr]))


def test_tertiary_in_an_elementary_occupation_is_an_over_qualification_risk() -> None:
    work = [Work(occupation=BUILDING_CLEANER, current=True)]
    p = profile(education=[Education(isced_level=6)], work=work)
    risk = [s for s in next_steps(p) if s.rule == "over-qualification-risk"]
    assert risk
    assert risk[0].step == "over_qualification_risk"
    # past work only, or upper secondary education: no risk flagged
    past = [Work(occupation=BUILDING_CLEANER, current=False)]
    assert "over-qualification-risk" not in rules_of(
        profile(education=[Education(isced_level=6)], work=past)
    )
    assert "over-qualification-risk" not in rules_of(
        profile(education=[Education(isced_level=3)], work=work)
    )
    # ISCO 4-8 counts for the monitoring's rate, but this rule is about group 9 only
    clerk = [Work(occupation=isco(4), current=True)]
    assert "over-qualification-risk" not in rules_of(
        profile(education=[Education(isced_level=6)], work=clerk)
    )


def test_other_rules() -> None:
    assert "literacy-course" in rules_of(profile(education=[Education(isced_level=1)]))
    assert "literacy-course" not in rules_of(profile(education=[Education(isced_level=2)]))
    partial = profile(education=[Education(isced_level=6, recognition="partial")])
    assert "bridging-course" in rules_of(partial)
    worker = profile(education=[Education(isced_level=2)], work=[Work(occupation=isco(7))])
    assert "validation-non-formal" in rules_of(worker)
    assert "validation-non-formal" not in rules_of(profile(education=[Education(isced_level=2)]))
    assert "job-search" in rules_of(profile(languages=[german("B1")]))
    assert "job-search" not in rules_of(
        profile(languages=[german("B1")], work=[Work(occupation=isco(5), current=True)])
    )
    business = profile(expectations=Expectations(wish_to_start_business=True))
    assert "business-start-up" in rules_of(business)
    assert "business-start-up" not in rules_of(profile())


def test_a_bad_rule_file_names_file_rule_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "version: 1\nchecked: 2026-01-01\nrules:\n"
        "  - id: odd\n    step: recognition\n    when: {shoe_size_min: 40}\n"
        "    reason: {en: a, fr: b, de: c, ar: d, uk: e}\n    sources: [x]\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as err:
        load_rules(bad)
    text = str(err.value) + " ".join(err.value.problems)
    assert "rules.yaml" in text
    assert "'odd'" in text
    assert "shoe_size_min" in text
