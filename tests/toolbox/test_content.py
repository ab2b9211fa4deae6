"""The bundled toolbox content validates: the three European modules, at least 30
measures, every measure with a source, every referenced practice and indicator real."""

from __future__ import annotations

from pathlib import Path

import pytest

from zaragoza.catalog.loader import load_catalog
from zaragoza.toolbox.loader import Toolbox, bundled_practice_ids, bundled_toolbox_dir, load_toolbox
from zaragoza.toolbox.selfcheck import self_check


@pytest.fixture(scope="module")
def bundled() -> Toolbox:
    return load_toolbox()


def test_the_bundled_toolbox_validates(bundled: Toolbox) -> None:
    assert bundled.origin == "bundled"
    assert [m.id for m in bundled.modules] == [
        "introductory-language",
        "participation",
        "receiving-society",
    ]
    assert len(list(bundled.measures())) >= 30
    for module in bundled.modules:
        assert len(module.components) >= 2
        assert module.sources


def test_every_measure_has_a_source_and_real_references(bundled: Toolbox) -> None:
    practices = bundled_practice_ids()
    indicators = set(load_catalog())
    for _, _, m in bundled.measures():
        assert m.sources, m.id
        assert all(s.url.startswith(("https://", "http://")) for s in m.sources), m.id
        assert m.indicators, m.id
        assert {t.id for t in m.indicators} <= indicators, m.id
        assert set(m.evidence.practices) <= practices, m.id
        assert {"en", "fr", "de"} <= set(m.title), m.id
        assert {"en", "fr", "de"} <= set(m.summary), m.id


def test_the_content_is_not_labelled_as_an_example(bundled: Toolbox) -> None:
    # invented examples live in tests/data/toolbox; the bundled content is real
    for _, _, m in bundled.measures():
        assert not m.title["en"].lower().startswith("example"), m.id
        assert all("example.org" not in s.url for s in m.sources), m.id


def test_each_module_works_as_a_checklist(bundled: Toolbox) -> None:
    for module in bundled.modules:
        first = module.components[0].measures[0].id
        result = self_check(module, {first: "yes"})
        assert result.components[0].coverage == 100.0
        assert all(c.coverage is None for c in result.components[1:])


def test_the_bundled_folder_is_the_one_shipped() -> None:
    folder = bundled_toolbox_dir()
    assert (folder / "toolbox.yaml").exists()
    assert sorted(p.stem for p in (folder / "modules").glob("*.yaml")) == [
        "introductory-language",
        "participation",
        "receiving-society",
    ]
    assert Path(folder).is_dir()
