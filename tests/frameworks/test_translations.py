"""The bundled frameworks are complete in French and German: every dimension and standard
title, question text and option label, as the portal shows them to cities in their
language."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.frameworks import Framework, bundled_frameworks

KEYS = ["dive@1", "intercultural-index@1", "inti-cities@1", "mipex-shaped@1"]
LANGUAGES = ("fr", "de")

#: (framework key, language, node) whose translation is rightly the English text itself.
#: Identical by nature only: a proper name, an acronym, or a word spelt the same in both
#: languages. Each entry says which; an entry that is no longer identical fails below.
IDENTICAL: dict[tuple[str, str, str], str] = {
    ("intercultural-index@1", "fr", "participation"): "same word in French and English",
}

#: what must survive translation unchanged: numbers, format placeholders, units
_KEPT = re.compile(r"\d+(?:[.,]\d+)?|\{[^{}]*\}|%\(?\w*\)?[sdif]|%|€")


def english_texts(fw: Framework) -> dict[str, str]:
    """Every translatable text of a framework, by the id its translation is keyed by."""
    texts: dict[str, str] = {}
    for d in fw.dimensions:
        texts[d.id] = d.title
        for s in d.standards:
            texts[s.id] = s.title
            for q in s.questions:
                texts[q.id] = q.text
                for o in q.options:
                    texts[f"{q.id}:{o.id}"] = o.label
    return texts


def cases() -> list[tuple[str, str]]:
    return [(key, lang) for key in KEYS for lang in LANGUAGES]


def test_every_bundled_framework_is_covered() -> None:
    assert sorted(bundled_frameworks()) == KEYS


@pytest.mark.parametrize(("key", "lang"), cases())
def test_every_text_is_translated(key: str, lang: str) -> None:
    fw = bundled_frameworks()[key]
    assert lang in fw.languages
    given = fw.translations[lang]
    texts = english_texts(fw)
    missing = [node for node in texts if node not in given]
    assert not missing, (key, lang, missing)
    for node, english in texts.items():
        translated = given[node]
        assert translated.strip(), (key, lang, node)
        assert fw.text(node, lang) == translated
        if (key, lang, node) in IDENTICAL:
            assert translated == english, (key, lang, node, "no longer identical")
        else:
            assert translated.strip().casefold() != english.strip().casefold(), (
                key,
                lang,
                node,
                "left in English",
            )


@pytest.mark.parametrize(("key", "lang"), cases())
def test_numbers_placeholders_and_punctuation_kept(key: str, lang: str) -> None:
    fw = bundled_frameworks()[key]
    for node, english in english_texts(fw).items():
        translated = fw.translations[lang][node]
        assert sorted(_KEPT.findall(translated)) == sorted(_KEPT.findall(english)), (
            key,
            lang,
            node,
        )
        # a question stays a question, an instruction an instruction
        for mark in "?.":
            assert translated.rstrip().endswith(mark) == english.rstrip().endswith(mark), (
                key,
                lang,
                node,
            )
        assert translated == translated.strip(), (key, lang, node)
        assert "  " not in translated, (key, lang, node)


@pytest.mark.parametrize("key", KEYS)
def test_french_and_german_differ(key: str) -> None:
    # a text pasted into the wrong language would be the same in both
    fw = bundled_frameworks()[key]
    for node in english_texts(fw):
        assert fw.translations["fr"][node] != fw.translations["de"][node], (key, node)


def test_french_typography() -> None:
    # a no-break space before ? : ; ! so that the mark never starts a line on its own
    for key in KEYS:
        for node, text in bundled_frameworks()[key].translations["fr"].items():
            assert not re.search(r" [?:;!]", text), (key, node, text)


def test_show_prints_german() -> None:
    fw = bundled_frameworks()["intercultural-index@1"]
    res = CliRunner().invoke(app, ["frameworks", "show", "intercultural-index", "--language", "de"])
    assert res.exit_code == 0, res.output
    out = res.output
    # known German renderings (titles, a question, the answer options and their scores)
    assert "commitment  Interkulturelles Engagement\n" in out
    assert "  commitment.standard  Interkulturelles Engagement: Politik und Praxis\n" in out
    assert (
        "    commitment.strategy  [single, weight 2, core, evidence]  Hat der Stadtrat bzw. "
        "Gemeinderat eine interkulturelle Strategie (oder eine Strategie für Vielfalt und "
        "Inklusion) beschlossen?\n"
    ) in out
    assert "      - funded: Ja, mit eigenem Budget und einer zuständigen Stelle = 100\n" in out
    assert "      - yes: Ja = 100\n" in out
    assert "      - no: Nein = 0\n" in out
    # every question and option is printed in German, none in English
    for _, _, q in fw.questions():
        assert f"  {fw.translations['de'][q.id]}\n" in out, q.id
        assert q.text not in out, q.id
        for o in q.options:
            label = fw.translations["de"][f"{q.id}:{o.id}"]
            assert f"      - {o.id}: {label} = {o.score:g}\n" in out, (q.id, o.id)
            assert f"      - {o.id}: {o.label} =" not in out, (q.id, o.id)


def test_show_falls_back_to_english_for_other_languages() -> None:
    res = CliRunner().invoke(app, ["frameworks", "show", "intercultural-index", "--language", "it"])
    assert res.exit_code == 0, res.output
    assert "commitment  Intercultural commitment\n" in res.output
    assert "      - yes: Yes = 100\n" in res.output
