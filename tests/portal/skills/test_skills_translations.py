"""The skills pages' catalogues: French, German and Ukrainian complete and compiled; a
person's language (Arabic, Ukrainian) offered because every question and consent text is
translated."""

from __future__ import annotations

import gettext
import re
import typing
from pathlib import Path

import pytest

LOCALE = Path(__file__).parents[3] / "src/zaragoza/portal/skills/locale"


def _entries(po: Path) -> dict[str, str]:
    text = po.read_text(encoding="utf-8")
    out = {}
    for block in text.split("\n\n"):
        mid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        mstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if mid and mstr:
            msgid = "".join(re.findall(r'"(.*)"', mid.group(1)))
            if msgid:
                out[msgid] = "".join(re.findall(r'"(.*)"', mstr.group(1)))
    return out


def _mo(lang: str) -> gettext.GNUTranslations:
    with (LOCALE / lang / "LC_MESSAGES" / "django.mo").open("rb") as fh:
        return gettext.GNUTranslations(fh)


@pytest.mark.parametrize("lang", ["fr", "de", "uk"])
def test_page_languages_are_complete_and_compiled(lang: str) -> None:
    entries = _entries(LOCALE / lang / "LC_MESSAGES" / "django.po")
    assert len(entries) > 80
    mo = _mo(lang)
    for msgid, msgstr in entries.items():
        assert msgstr, f"{lang}: {msgid!r} is not translated"
        # the .po keeps escapes (\"); the .mo holds the text
        assert mo.gettext(msgid.replace('\\"', '"')) == msgstr.replace('\\"', '"'), msgid
    assert "fuzzy" not in (LOCALE / lang / "LC_MESSAGES" / "django.po").read_text()


def test_interview_languages_offered_only_when_complete() -> None:
    from zaragoza.portal.skills.questions import (
        ANSWERS,
        CONSENT_TEXTS,
        QUESTIONS,
        complete_languages,
    )

    answers = [m for labels in ANSWERS.values() for m in labels.values()]
    for lang in ("ar", "uk"):
        mo = _mo(lang)
        for message in [*QUESTIONS.values(), *CONSENT_TEXTS.values(), *answers]:
            assert mo.gettext(message) != message, (lang, message)
    offered = complete_languages()
    assert {"en", "fr", "de", "ar", "uk"} <= set(offered)
    assert "fa" not in offered  # no Persian catalogue yet


def test_every_coded_answer_has_a_label() -> None:
    from zaragoza.portal.skills.questions import ANSWERS, answer
    from zaragoza.skills.profile import LEGAL_STATUSES, RECOGNITION_STATUSES, Person
    from zaragoza.skills.rules import STEPS

    assert tuple(ANSWERS["legal_status"]) == LEGAL_STATUSES
    assert tuple(ANSWERS["recognition"]) == RECOGNITION_STATUSES
    assert tuple(ANSWERS["step"]) == STEPS
    assert set(ANSWERS["sex"]) == set(typing.get_args(Person.model_fields["sex"].annotation))
    assert answer("recognition", "partial", "en", "de") == (
        "Partly recognised",
        "Teilweise anerkannt",
    )
    assert answer("legal_status", "temporary_protection", "en", "uk")[1] == "Тимчасовий захист"
