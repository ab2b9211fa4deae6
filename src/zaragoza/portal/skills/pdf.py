"""The profile as a bilingual PDF: every question in the counsellor's and the person's
language, the answers, the next steps: what a person can hand to an employer or a
recognition office. Laid out by the portal's one PDF renderer (WeasyPrint, nothing
fetched), so that Arabic is shaped and runs right to left."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from zaragoza.portal.monitoring.factsheet import render_pdf
from zaragoza.portal.skills import questions
from zaragoza.skills.classifications import ESCO_LANGUAGES, label, occupation
from zaragoza.skills.profile import Profile as Record
from zaragoza.skills.rules import next_steps

__all__ = ["profile_pdf"]


def _occupation(uri: str, first: str, second: str) -> str:
    occ = occupation(uri)
    names = [occ.label(first if first in ESCO_LANGUAGES else "en")]
    if second in ESCO_LANGUAGES and occ.label(second) not in names:
        names.append(occ.label(second))
    return " / ".join(names) + f" (ISCO-08 {occ.isco_group}, ESCO)"


def _both(kind: str, code: str | int, first: str, second: str) -> str:
    """A classification label in the two languages ("label / label" when they differ)."""
    names = [label(kind, code, first)]
    if label(kind, code, second) not in names:
        names.append(label(kind, code, second))
    return " / ".join(names)


def profile_pdf(record: Record, first: str, second: str) -> bytes:
    """The PDF of ``record`` in the languages ``first`` (counsellor) and ``second``."""

    def q(key: str) -> tuple[str, str]:
        return questions.both(key, first, second)

    def slash(pair: tuple[str, str]) -> str:
        return pair[0] if pair[0] == pair[1] else f"{pair[0]} / {pair[1]}"

    def a(kind: str, code: str) -> str:
        return slash(questions.answer(kind, code, first, second))

    def w(word: str) -> str:
        return a("word", word)

    p = record.person
    person: list[tuple[tuple[str, str], Any]] = [
        (q("name"), p.name),
        (q("year_of_birth"), p.year_of_birth or "-"),
        (q("citizenship"), p.citizenship),
        (q("country_of_birth"), p.country_of_birth or "-"),
        (q("year_of_arrival"), p.year_of_arrival or "-"),
    ]
    education = [
        (
            q("education"),
            f"ISCED {e.isced_level} ({_both('isced2011_level', e.isced_level, first, second)})"
            + (f", {_both('iscedf2013_field', e.field, first, second)}" if e.field else "")
            + (f", {e.country}" if e.country else "")
            + (f", {e.year}" if e.year else "")
            + ("" if e.completed else f", {w('not_completed')}")
            + f"; {slash(q('recognition'))}: {a('recognition', e.recognition)}",
        )
        for e in record.education
    ]
    work = [
        (
            q("occupation"),
            _occupation(job.occupation, first, second)
            + f", {job.years:g} {w('years')}"
            + (f", {job.country}" if job.country else "")
            + (f" ({w('current')})" if job.current else ""),
        )
        for job in record.work
    ]
    languages = []
    for lang in record.languages:
        if lang.native:
            text = f"C2 ({w('mother_tongue')})"
        else:
            text = ", ".join(f"{q(s)[0]} {v}" for s, v in lang.levels.items())
            if lang.certificate:
                text += f"; certificate {lang.certificate}"
        languages.append(((lang.language, lang.language), text or "-"))
    digital = [
        (
            (label("digcomp_area", a, first), label("digcomp_area", a, second)),
            f"DigComp {v}",
        )
        for a, v in record.digital.items()
    ]
    steps = [
        (
            (s.reason.get(first, s.reason["en"]), s.reason.get(second, "")),
            a("step", s.step) + (f" ({s.language_level})" if s.language_level else ""),
        )
        for s in next_steps(record)
    ]
    sections = [
        {"title": q("person"), "rows": person},
        {"title": q("education"), "rows": education},
        {"title": q("work"), "rows": work},
        {"title": q("languages"), "rows": languages},
        {"title": q("digital"), "rows": digital},
        {"title": q("next_steps"), "rows": steps},
    ]
    if record.appraisal:
        sections.append({"title": q("appraisal"), "rows": [(q("appraisal"), record.appraisal)]})
    html = render_to_string(
        "skills/profile_pdf.html",
        {
            "record": record,
            "first": first,
            "second": second,
            "second_dir": "rtl" if questions.is_rtl(second) else "ltr",
            "title": questions.both("skills_profile", first, second),
            "sections": sections,
            "note": "EU Skills Profile (self-declared; not a recognition of qualifications)",
        },
    )
    return render_pdf(html)
