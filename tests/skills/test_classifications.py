"""The bundled classifications: complete, coded as their sources, searchable by any label."""

from __future__ import annotations

import pytest

from zaragoza.errors import UsageError
from zaragoza.skills import classifications as c

from .profiles import BUILDING_CLEANER, DOMESTIC_CLEANER


def test_isced_levels_and_aggregates() -> None:
    assert list(c.ISCED_LEVELS) == [str(i) for i in range(9)]
    assert [c.attainment_aggregate(i) for i in (0, 2, 3, 4, 5, 8)] == [
        "ED0-2", "ED0-2", "ED3_4", "ED3_4", "ED5-8", "ED5-8",
    ]  # fmt: skip
    with pytest.raises(UsageError, match="ISCED"):
        c.attainment_aggregate(9)


def test_isced_fields_broad_and_narrow() -> None:
    broad = [k for k in c.ISCED_FIELDS if len(k) == 2]
    assert broad == ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "99"]
    assert c.ISCED_FIELDS["061"] == "Information and Communication Technologies (ICTs)"
    assert c.ISCED_FIELDS["091"] == "Health"
    # every narrow field lies in a broad field
    assert all(k[:2] in broad for k in c.ISCED_FIELDS if len(k) == 3)


def test_cefr_levels_and_the_council_of_europes_skills() -> None:
    assert c.CEFR_LEVELS == ("A1", "A2", "B1", "B2", "C1", "C2")
    assert list(c.CEFR_SKILLS.values()) == [
        "Listening", "Reading", "Spoken interaction", "Spoken production", "Writing",
    ]  # fmt: skip
    assert c.cefr_rank("B1") == 3
    with pytest.raises(UsageError, match="CEFR"):
        c.cefr_rank("B3")


def test_digcomp_levels() -> None:
    assert list(c.DIGCOMP_LEVELS) == list(range(1, 9))
    assert c.DIGCOMP_LEVELS[5].startswith("Advanced")
    assert len(c.DIGCOMP_AREAS) == 5


def test_esco_subset_one_occupation_per_isco_unit_group() -> None:
    occs = c.occupations()
    assert 400 <= len(occs) <= 440  # ISCO-08 has 436 unit groups; ESCO v1.0 codes 426
    groups = [o.isco_group for o in occs.values()]
    assert len(groups) == len(set(groups))
    assert {o.isco_major for o in occs.values()} == set(range(10))
    for o in occs.values():
        assert set(o.preferred) == {"en", "fr"}, o.uri


def test_search_by_preferred_label_in_english() -> None:
    found = c.search_occupations("building cleaner", "en")
    assert found[0].uri == BUILDING_CLEANER
    assert found[0].isco_group == "9112"


def test_search_by_alternative_label_in_english() -> None:
    # "janitor" is only an alternative label of building cleaner
    uris = [o.uri for o in c.search_occupations("janitor", "en")]
    assert BUILDING_CLEANER in uris
    assert "janitor" not in c.occupation(BUILDING_CLEANER).preferred["en"]


def test_search_in_french_by_preferred_and_alternative_label() -> None:
    occ = c.occupation(DOMESTIC_CLEANER)
    pref, alts = occ.preferred["fr"], occ.alternatives["fr"]
    assert alts, "ESCO gives French alternative labels"
    assert DOMESTIC_CLEANER in [o.uri for o in c.search_occupations(pref, "fr")]
    assert DOMESTIC_CLEANER in [o.uri for o in c.search_occupations(alts[-1], "fr")]


def test_search_ignores_case_and_accents() -> None:
    with_accent = c.search_occupations("électricien", "fr")
    assert with_accent
    assert [o.uri for o in c.search_occupations("ELECTRICIEN", "fr")] == [
        o.uri for o in with_accent
    ]


def test_search_in_every_language_and_unknown_language() -> None:
    assert c.search_occupations("janitor")
    assert c.search_occupations("électricien")
    assert c.search_occupations("   ") == []
    with pytest.raises(UsageError, match="no ESCO labels bundled"):
        c.search_occupations("cleaner", "de")


def test_unknown_uri_is_a_clear_error() -> None:
    with pytest.raises(UsageError, match="not an ESCO occupation"):
        c.occupation("http://data.europa.eu/esco/occupation/nope")


def test_an_exact_label_comes_first() -> None:
    # an alternative label of land planner (ISCO 2164), before "civil engineering worker"
    found = c.search_occupations("civil engineer", "en")
    assert "civil engineer" in found[0].alternatives["en"]
    assert found[0].isco_group == "2164"
    assert [o.isco_group for o in found[1:]].count("9312") == 1


def test_labels_in_every_bundled_language() -> None:
    kinds = {
        "isced2011_level": c.ISCED_LEVELS,
        "iscedf2013_field": c.ISCED_FIELDS,
        "digcomp_level": c.DIGCOMP_LEVELS,
        "digcomp_area": c.DIGCOMP_AREAS,
        "isco08_major_group": c.ISCO_MAJOR_GROUPS,
    }
    for kind, codes in kinds.items():
        for code in codes:
            english = c.label(kind, code, "en")
            assert english == codes[code]  # type: ignore[index]
            for lang in c.LABEL_LANGUAGES[1:]:
                text = c.label(kind, code, lang)
                # a translation, not the English left in place (the ICT acronym aside)
                assert text, (kind, code, lang)
                assert text != english or kind == "iscedf2013_field", (kind, code, lang)
    assert c.label("isced2011_level", 6, "uk").startswith("Бакалавр ")
    assert c.label("isco08_major_group", "9", "de") == "Hilfsarbeitskräfte"
    assert c.label("digcomp_area", "4", "fa") == "Safety"  # not bundled: English
    with pytest.raises(UsageError, match="isced2011_level"):
        c.label("isced2011_level", "9", "uk")
    with pytest.raises(UsageError, match="classification"):
        c.label("isced1997_level", "1", "uk")


def test_a_missing_or_unknown_label_row_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from zaragoza.errors import ContentError

    good = c._rows("classification_labels.csv")
    broken = [r for r in good if (r["classification"], r["code"]) != ("isco08_major_group", "9")]
    broken.append({**good[0], "code": "9", "uk": ""})
    monkeypatch.setattr(c, "_rows", lambda name: broken)
    c._translated.cache_clear()
    try:
        with pytest.raises(ContentError) as exc:
            c._translated()
        text = str(exc.value) + " ".join(getattr(exc.value, "problems", []))
        assert "no row for isco08_major_group 9" in text
        assert "'isced2011_level' has no code '9'" in text
        assert "column uk: empty" in text
    finally:
        monkeypatch.undo()
        c._translated.cache_clear()
