"""Taxonomy, schema and content loading: strict, every problem named by file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zaragoza.errors import ContentError
from zaragoza.knowledge.content import bundled_content_dir, load_content
from zaragoza.knowledge.schema import Practice, validation_context
from zaragoza.knowledge.taxonomy import LABEL_LANGUAGES, LISTS, load_taxonomy

FIXTURES = Path(__file__).parent.parent / "data" / "knowledge" / "content"

#: The codes the content format fixes (the format's own list).
FORMAT_CODES = {
    "level": "eu national regional local",
    "themes": "introduction language employment recognition entrepreneurship education health "
    "housing social_inclusion participation anti_discrimination receiving_society "
    "pre_departure local_governance citizenship family culture_sport",
    "agenda_areas": "participation local_action countries_of_origin",
    "target_groups": "tcn bip asylum_seekers women youth children unaccompanied_minors "
    "low_educated high_skilled family_migrants labour_migrants students elderly newcomers "
    "general_public employers public_servants",
    "funding": "amif eif erf esf esf_plus erdf erasmus_plus horizon national regional local "
    "private other",
    "evidence": "none monitoring external_evaluation quasi_experimental",
    "organisation_types": "public_authority ngo migrant_organisation employer social_partner "
    "research international network",
}


def test_the_bundled_taxonomy_holds_exactly_the_format_codes_with_three_labels() -> None:
    tax = load_taxonomy()
    for name, codes in FORMAT_CODES.items():
        assert tax.codes(name) == tuple(codes.split()), name
    for name in LISTS:
        for code in tax.codes(name):
            assert set(tax.lists[name][code]) == set(LABEL_LANGUAGES)
    assert tax.label("themes", "language", "de") == "Spracherwerb"


def test_the_bundled_content_is_valid() -> None:
    content = load_content()
    assert {p.id for p in content.practices} == {
        p.stem for p in (bundled_content_dir() / "practices").glob("*.yaml")
    }


def test_fixture_content_loads() -> None:
    content = load_content(FIXTURES)
    assert [p.id for p in content.practices] == [
        "example-job-mentoring", "example-language-cafe", "example-school-bridge",
    ]  # fmt: skip
    cafe = content.practices[1]
    assert cafe.start == "2019-03"
    assert cafe.translations["fr"].title.startswith("Exemple")
    assert content.countries[0].sections.programmes is not None
    assert content.countries[0].sections.programmes.hours == 300


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURES, target)
    return target


def test_every_problem_is_reported_with_its_file_and_field(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    cafe = root / "practices" / "example-language-cafe.yaml"
    text = cafe.read_text()
    text = text.replace("themes: [language, participation]", "themes: [language, cooking]")
    text = text.replace("level: local", "level: local\nlead_country: AT")
    text = text.replace("{fund: local}", "{fund: local, amount_eur: .nan}")
    cafe.write_text(text)
    (root / "practices" / "example-school-bridge.yaml").write_text(
        (root / "practices" / "example-school-bridge.yaml")
        .read_text()
        .replace("countries: [AT, DE]", "countries: [AT, GR]")
        .replace('activities: "Twenty', 'activities: "<script>alert(1)</script> Twenty')
    )
    (root / "countries" / "AT.yaml").write_text(
        (root / "countries" / "AT.yaml").read_text().replace("geo: AT", "geo: DE")
    )
    with pytest.raises(ContentError) as info:
        load_content(root)
    problems = info.value.problems
    text = "\n".join(problems)
    assert "example-language-cafe.yaml, field themes: unknown theme 'cooking'" in text
    assert "example-language-cafe.yaml, field lead_country: unknown field" in text
    assert "example-language-cafe.yaml, field funding.1.amount_eur" in text
    assert "example-school-bridge.yaml, field countries: unknown country 'GR'" in text
    assert "valid: AT, BE" in text
    assert "example-school-bridge.yaml, field activities: HTML is not allowed" in text
    assert "AT.yaml, field geo: 'DE' differs from the file name" in text
    assert len(problems) == 6, problems


def test_unknown_organisations_and_incomplete_records_are_refused(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "practices" / "example-job-mentoring.yaml"
    text = path.read_text().replace("organisation: example-ngo", "organisation: nobody")
    text = text.replace(
        'context: "Engineers with refugee status rarely found jobs in their field."\n', ""
    )
    path.write_text(text)
    with pytest.raises(ContentError) as info:
        load_content(root)
    text = "\n".join(info.value.problems)
    assert "field organisation: unknown organisation 'nobody'" in text
    assert "field context: must not be empty" in text


def test_a_malformed_taxonomy_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "taxonomy.yaml"
    bad.write_text("version: 1\nlevel:\n  eu: {en: EU}\n")
    with pytest.raises(ContentError) as info:
        load_taxonomy(bad)
    text = "\n".join(info.value.problems)
    assert "field level.eu: expected labels in exactly en, fr, de" in text
    assert "field themes: missing or empty list of codes" in text


@pytest.mark.parametrize(
    ("value", "ok"),
    [(2017, "2017"), ("2017-09", "2017-09"), ("2017-09-01", "2017-09-01"), ("2017-13", None),
     ("yesterday", None), (True, None), (1800, None)],
)  # fmt: skip
def test_start_dates_may_be_years_months_or_days(value: object, ok: str | None) -> None:
    data = {
        "id": "example-x",
        "title": "Example",
        "language": "en",
        "level": "local",
        "start": value,
    }
    if ok is None:
        with pytest.raises(ValueError, match="start"):
            Practice.model_validate(data, context=validation_context())
    else:
        assert Practice.model_validate(data, context=validation_context()).start == ok


def test_only_the_portal_languages_take_translations() -> None:
    data = {"id": "example-x", "title": "Example", "language": "en", "level": "local",
            "translations": {"es": {"title": "Ejemplo"}}}  # fmt: skip
    with pytest.raises(ValueError, match="unknown translation language 'es'; valid: fr, de"):
        Practice.model_validate(data, context=validation_context())
