"""The bundled frameworks load, say whose text they are, and score."""

from __future__ import annotations

from typing import Any

import pytest

from zaragoza.errors import CatalogError
from zaragoza.frameworks import (
    Framework,
    Question,
    bundled_framework,
    bundled_frameworks,
    score_assessment,
)

KEYS = {"inti-cities@1", "dive@1", "intercultural-index@1", "mipex-shaped@1"}


def extreme(q: Question, best: bool) -> Any:
    """The answer with the highest (or lowest) score; for unscored questions any answer."""
    if q.type == "text":
        return "An answer."
    if q.type == "number":
        assert q.number is not None
        return q.number.max if best else q.number.min
    if q.type == "yes_no" and not q.options:
        return "yes"
    if q.type == "multiple":
        return [o.id for o in q.options] if best else []
    scored = [o for o in q.options if o.score is not None] or q.options
    pick = max if best else min
    return pick(scored, key=lambda o: o.score or 0).id


def test_the_bundled_set() -> None:
    frameworks = bundled_frameworks()
    assert set(frameworks) == KEYS
    for key, fw in frameworks.items():
        assert fw.key == key
        assert "rendering" in fw.rendering, key
        assert "not the official" in fw.rendering.lower(), key
        assert all(s.url and s.url.startswith("http") for s in fw.sources), key
        assert fw.core_questions(), key  # each has questions comparable across versions


@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_bundled_framework_scores(key: str) -> None:
    fw = bundled_frameworks()[key]
    every = len(fw.questions())
    best = score_assessment(fw, {q.id: extreme(q, True) for _, _, q in fw.questions()})
    worst = score_assessment(fw, {q.id: extreme(q, False) for _, _, q in fw.questions()})
    assert best[0].node == "overall"
    assert best[0].n_answered == every
    if fw.qualitative:
        assert all(n.score is None for n in best + worst)
        return
    # every question at its best option scores 100 everywhere; at its worst 0
    assert best[0].score == pytest.approx(100)
    assert worst[0].score == pytest.approx(0)
    assert all(n.score == pytest.approx(100) for n in best if n.n_scored)
    empty = score_assessment(fw, {})
    assert (empty[0].score, empty[0].low, empty[0].high) == (None, 0, 100)


def test_structures_named_by_the_sources() -> None:
    inti = bundled_framework("inti-cities")
    assert [d.title for d in inti.dimensions] == [
        "General governance arrangements for migrant integration",
        "Individual migrant empowerment",
        "Structures and effectiveness of administrative cooperation",
        "Partnership with civil society and migrant associations",
    ]
    dive = bundled_framework("dive@1")
    assert [d.id for d in dive.dimensions] == ["policy-maker", "employer", "service-provider",
                                               "buyer"]  # fmt: skip
    assert inti.qualitative
    assert dive.qualitative
    icc = bundled_framework("intercultural-index")
    assert set(icc.aggregation.values()) == {"weighted"}
    assert icc.bands
    areas = {d.id for d in icc.dimensions}
    assert {"education", "neighbourhoods", "public-services", "business", "cultural-civil-life",
            "public-space", "mediation", "language", "media", "international-outlook",
            "competence", "welcoming", "governance", "anti-discrimination",
            "participation"} <= areas  # fmt: skip
    mipex = bundled_framework("mipex-shaped")
    assert mipex.kind == "country"
    assert set(mipex.aggregation.values()) == {"mean"}
    assert len(mipex.dimensions) == 8


def test_unknown_bundled_framework() -> None:
    with pytest.raises(CatalogError, match="no bundled framework") as err:
        bundled_framework("nope")
    assert "inti-cities@1" in (err.value.hint or "")
    with pytest.raises(CatalogError):
        bundled_framework("dive@9")
    assert isinstance(bundled_framework("dive"), Framework)


def test_latest_version_in_natural_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from zaragoza.frameworks import loading

    base = bundled_framework("dive")
    made = {f"dive@{v}": base.model_copy(update={"version": v}) for v in ("2", "10", "9.1")}
    monkeypatch.setattr(loading, "_bundled", lambda: made)
    assert bundled_framework("dive").version == "10"  # 10 after 9.1 and 2, not before
    assert bundled_framework("dive@9.1").version == "9.1"


@pytest.mark.parametrize("key", sorted(KEYS))
def test_titles_in_french_and_german(key: str) -> None:
    fw = bundled_frameworks()[key]
    assert fw.languages == ["en", "fr", "de"]
    for d in fw.dimensions:
        for node in [d.id, *(s.id for s in d.standards)]:
            for lang in ("fr", "de"):
                assert node in fw.translations[lang], (key, lang, node)
    q = fw.questions()[0][2]
    # question texts and option labels too: tests/frameworks/test_translations.py
    assert fw.text(q.id, "fr") != q.text


@pytest.mark.parametrize("key", sorted(KEYS))
def test_json_round_trip(key: str) -> None:
    # the API serves a framework as JSON; read back, it is the same framework
    from zaragoza.frameworks import parse_framework

    fw = bundled_frameworks()[key]
    again = parse_framework(fw.model_dump(mode="json"), "round-trip")
    assert again == fw
    assert again.key == key
