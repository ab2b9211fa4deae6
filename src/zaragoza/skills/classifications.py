"""The classifications of the skills profile, bundled as data with their sources.

* ISCED 2011 levels 0-8 (UNESCO Institute for Statistics, *International Standard
  Classification of Education: ISCED 2011*, 2012) with Eurostat's attainment aggregates
  (ED0-2, ED3_4, ED5-8).
* ISCED-F 2013 broad and narrow fields (UNESCO-UIS, *ISCED Fields of Education and
  Training 2013*, 2014); the detailed fields and the inter-disciplinary and "not
  elsewhere classified" codes are left out.
* CEFR levels A1-C2 (Council of Europe, *Common European Framework of Reference for
  Languages*, 2001, 3.3) and the five skills of its self-assessment grid (table 2):
  listening, reading, spoken interaction, spoken production, writing.
* DigComp proficiency levels 1-8 in four bands and five competence areas (Carretero,
  Vuorikari and Punie, *DigComp 2.1*, JRC, 2017; kept in DigComp 2.2, 2022).
* ISCO-08 major groups with their skill levels (ILO, *ISCO-08*, 2012, vol. 1, table 1).
* The labels of the classifications above in French, German, Arabic and Ukrainian
  (``content/classification_labels.csv``, :func:`label`), so that the interview shows
  them in the counsellor's and the person's language.
* ESCO occupations (European Commission, ESCO v1.0), one per ISCO-08 unit group, with
  the ESCO URI and the preferred and alternative labels in English and French
  (``scripts/make_esco_occupations.py``; ``content/SOURCES.md``).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from zaragoza.errors import ContentError, UsageError

__all__ = [
    "CEFR_LEVELS",
    "CEFR_SKILLS",
    "DIGCOMP_AREAS",
    "DIGCOMP_LEVELS",
    "ESCO_LANGUAGES",
    "ISCED_FIELDS",
    "ISCED_LEVELS",
    "ISCO_MAJOR_GROUPS",
    "LABEL_LANGUAGES",
    "Occupation",
    "attainment_aggregate",
    "cefr_rank",
    "fold",
    "label",
    "occupation",
    "occupations",
    "search_occupations",
]

#: The languages the bundled ESCO file holds labels in.
ESCO_LANGUAGES = ("en", "fr")


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("zaragoza.skills").joinpath("content", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _column(name: str, key: str, label: str) -> dict[str, str]:
    return {r[key]: r[label] for r in _rows(name)}


#: ISCED 2011 level (``"0"`` to ``"8"``) -> English label.
ISCED_LEVELS: dict[str, str] = _column("isced2011_levels.csv", "isced2011_level", "label_en")
_AGGREGATE = _column("isced2011_levels.csv", "isced2011_level", "eurostat_attainment_aggregate")
#: ISCED-F 2013 field code (2 digits broad, 3 digits narrow) -> English label.
ISCED_FIELDS: dict[str, str] = _column("iscedf2013_fields.csv", "code", "label_en")
#: CEFR levels in order, lowest first.
CEFR_LEVELS: tuple[str, ...] = tuple(
    r["cefr_level"] for r in sorted(_rows("cefr_levels.csv"), key=lambda r: int(r["order"]))
)
#: CEFR self-assessment skills (the Council of Europe's names) -> English label.
CEFR_SKILLS: dict[str, str] = _column("cefr_skills.csv", "skill", "label_en")
#: DigComp proficiency level (1-8) -> English label.
DIGCOMP_LEVELS: dict[int, str] = {
    int(k): v for k, v in _column("digcomp_levels.csv", "level", "label_en").items()
}
DIGCOMP_AREAS: dict[str, str] = _column("digcomp_areas.csv", "area", "label_en")
#: ISCO-08 major group (``"0"`` to ``"9"``) -> English label.
ISCO_MAJOR_GROUPS: dict[str, str] = _column(
    "isco08_major_groups.csv", "isco08_major_group", "label_en"
)

#: The languages every classification label is bundled in (English from each file).
LABEL_LANGUAGES = ("en", "fr", "de", "ar", "uk")
_ENGLISH: dict[str, dict[str, str]] = {
    "isced2011_level": ISCED_LEVELS,
    "iscedf2013_field": ISCED_FIELDS,
    "digcomp_level": {str(k): v for k, v in DIGCOMP_LEVELS.items()},
    "digcomp_area": DIGCOMP_AREAS,
    "isco08_major_group": ISCO_MAJOR_GROUPS,
}


@cache
def _translated() -> dict[tuple[str, str], dict[str, str]]:
    """The translated labels by (classification, code), checked once against the English
    files: every code of each classification, no other, every language filled in."""
    name = "classification_labels.csv"
    out: dict[tuple[str, str], dict[str, str]] = {}
    problems = []
    for i, row in enumerate(_rows(name), start=1):
        kind, code = row["classification"], row["code"]
        if code not in _ENGLISH.get(kind, {}):
            problems.append(f"{name}, row {i}: {kind!r} has no code {code!r}")
        if (kind, code) in out:
            problems.append(f"{name}, row {i}: {kind} {code} twice")
        texts = {lang: (row.get(lang) or "").strip() for lang in LABEL_LANGUAGES[1:]}
        problems += [f"{name}, row {i}, column {lang}: empty" for lang, t in texts.items() if not t]
        out[(kind, code)] = texts
    for kind, codes in _ENGLISH.items():
        problems += [f"{name}: no row for {kind} {c}" for c in codes if (kind, c) not in out]
    if problems:
        raise ContentError("the bundled classification labels are malformed", problems)
    return out


def label(classification: str, code: str | int, lang: str) -> str:
    """The label of a code in ``lang``; English for a language not bundled.

    ``classification`` is one of ``isced2011_level``, ``iscedf2013_field``,
    ``digcomp_level``, ``digcomp_area``, ``isco08_major_group``; an unknown one or code
    is an error naming it.
    """
    english = _ENGLISH.get(classification)
    if english is None:
        raise UsageError(
            "not a classification with labels",
            value=classification,
            hint="Valid: " + ", ".join(_ENGLISH),
        )
    key = str(code)
    if key not in english:
        raise UsageError(f"not a code of {classification}", value=key)
    if lang == "en" or lang not in LABEL_LANGUAGES:
        return english[key]
    return _translated()[(classification, key)][lang]


def attainment_aggregate(level: int) -> str:
    """Eurostat's attainment aggregate of an ISCED 2011 level: ED0-2, ED3_4 or ED5-8."""
    try:
        return _AGGREGATE[str(level)]
    except KeyError:
        raise UsageError("not an ISCED 2011 level", value=level, hint="Valid: 0 to 8") from None


def cefr_rank(level: str) -> int:
    """Position of a CEFR level, A1 = 1 to C2 = 6; an unknown level is an error."""
    try:
        return CEFR_LEVELS.index(level) + 1
    except ValueError:
        raise UsageError(
            "not a CEFR level", value=level, hint="Valid: " + ", ".join(CEFR_LEVELS)
        ) from None


@dataclass(frozen=True)
class Occupation:
    """An ESCO occupation: its URI, ISCO-08 unit group and labels per language."""

    uri: str
    isco_group: str
    preferred: dict[str, str]
    alternatives: dict[str, tuple[str, ...]]

    @property
    def isco_major(self) -> int:
        return int(self.isco_group[0])

    def label(self, lang: str) -> str:
        """The preferred label in ``lang``, English when ESCO's file has none in it."""
        return self.preferred.get(lang) or self.preferred["en"]

    def labels(self, lang: str | None = None) -> Iterator[str]:
        """Every label (preferred and alternative), in one language or all."""
        for code in (lang,) if lang else tuple(self.preferred):
            if code in self.preferred:
                yield self.preferred[code]
            yield from self.alternatives.get(code, ())


@cache
def occupations() -> dict[str, Occupation]:
    """The bundled ESCO occupations by URI, checked once: a bad row is a clear error."""
    pref: dict[str, dict[str, str]] = {}
    alts: dict[str, dict[str, tuple[str, ...]]] = {}
    group: dict[str, str] = {}
    problems = []
    for i, row in enumerate(_rows("esco_occupations.csv"), start=1):
        uri, isco, lang = row["uri"], row["isco_group"], row["lang"]
        if not uri.startswith("http://data.europa.eu/esco/occupation/"):
            problems.append(f"esco_occupations.csv, row {i}, column uri: {uri!r} (not ESCO's)")
        if len(isco) != 4 or not isco.isdigit() or group.get(uri, isco) != isco:
            problems.append(f"esco_occupations.csv, row {i}, column isco_group: {isco!r}")
        if lang not in ESCO_LANGUAGES or not row["preferred"]:
            problems.append(f"esco_occupations.csv, row {i}: language {lang!r} or empty label")
        group[uri] = isco
        pref.setdefault(uri, {})[lang] = row["preferred"]
        split = tuple(a for a in row["alternatives"].split(" | ") if a)
        alts.setdefault(uri, {})[lang] = split
    if problems:
        raise ContentError("the bundled ESCO occupations are malformed", problems)
    return {u: Occupation(u, group[u], pref[u], alts[u]) for u in pref}


def occupation(uri: str) -> Occupation:
    """The occupation of an ESCO URI; an unknown URI is an error naming it."""
    found = occupations().get(uri)
    if found is None:
        raise UsageError(
            "not an ESCO occupation of the bundled classification",
            value=uri,
            hint="Search occupations by label (search_occupations)",
        )
    return found


def fold(text: str) -> str:
    """Case- and accent-insensitive form, so that 'electricien' finds 'électricien'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _index() -> list[tuple[str, str, str]]:
    return [
        (fold(label), lang, occ.uri)
        for occ in occupations().values()
        for lang in occ.preferred
        for label in occ.labels(lang)
    ]


def search_occupations(text: str, lang: str | None = None, limit: int = 20) -> list[Occupation]:
    """Occupations any of whose labels (preferred or alternative) holds every word of ``text``.

    ``lang`` limits the search to that language's labels (None: every language the
    bundled source has). An exact label comes first, then labels that start with the
    text, then the others, each by preferred label.
    """
    words = fold(text).split()
    if not words:
        return []
    if lang is not None and lang not in ESCO_LANGUAGES:
        raise UsageError(
            "no ESCO labels bundled in that language",
            value=lang,
            hint="Valid: " + ", ".join(ESCO_LANGUAGES),
        )
    start = " ".join(words)
    score: dict[str, int] = {}
    for label, code, uri in _index():
        if (lang is None or code == lang) and all(w in label for w in words):
            rank = 0 if label == start else 1 if label.startswith(start) else 2
            score[uri] = min(score.get(uri, 3), rank)
    found = sorted(score, key=lambda u: (score[u], occupations()[u].label(lang or "en")))
    return [occupations()[u] for u in found[:limit]]
