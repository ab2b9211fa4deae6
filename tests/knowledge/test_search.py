"""The search model: text parsing, parameters, facet counts and the ordering rules."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zaragoza.catalog.loader import load_catalog
from zaragoza.knowledge.search import (
    FACETS,
    FacetIndex,
    IndexEntry,
    SearchError,
    SearchQuery,
    TextQuery,
    parse_search,
    parse_text,
    running_years,
)
from zaragoza.knowledge.taxonomy import load_taxonomy


def _parse(**params: list[str]) -> SearchQuery:
    return parse_search(params, taxonomy=load_taxonomy(), indicators=load_catalog().indicators)


def test_text_is_words_phrases_and_exclusions() -> None:
    assert parse_text('Language  "one-stop shop" -women café') == TextQuery(
        terms=("language", "café"), phrases=(("one", "stop", "shop"),), excluded=("women",)
    )
    assert parse_text("-only").empty
    assert parse_text('"single"').terms == ("single",)
    assert parse_text("") == TextQuery()


def test_parameters_are_checked_and_written_back() -> None:
    q = _parse(q=["mentoring"], country=["AT,SE"], theme=["employment"], sort=["title"], page=["2"])
    assert q.selected("country") == ("AT", "SE")
    assert q.offset == 20
    assert q.params() == [("q", "mentoring"), ("country", "AT"), ("country", "SE"),
                          ("theme", "employment"), ("sort", "title"), ("offset", "20")]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"country": ["GR"]}, "country"), ({"theme": ["cooking"]}, "theme"),
     ({"indicator": ["gdp"]}, "indicator"), ({"year": ["20x0"]}, "year"),
     ({"sort": ["random"]}, "sort"), ({"limit": ["0"]}, "limit"), ({"offset": ["-1"]}, "offset"),
     ({"colour": ["red"]}, "colour"), ({"region": ["austria"]}, "region"),
     ({"q": ["x" * 201]}, "q")],
)  # fmt: skip
def test_bad_parameters_name_the_parameter_and_what_is_valid(
    params: dict[str, list[str]], parameter: str
) -> None:
    with pytest.raises(SearchError) as info:
        _parse(**params)
    assert info.value.parameter == parameter


def test_running_years() -> None:
    assert list(running_years("2019-03", "2021")) == [2019, 2020, 2021]
    assert list(running_years(None, None)) == []


def _entries() -> list[IndexEntry]:
    def e(i: int, t: float, title: str, start: str, **facets: list[str]) -> IndexEntry:
        return IndexEntry(i, t, title, start, facets)

    return [
        e(1, 100.0, "Beta", "2018", country=["AT"], theme=["language"]),
        e(2, 300.0, "alpha", "2020", country=["AT", "SE"], theme=["employment"]),
        e(3, 200.0, "Gamma", "2015", country=["SE"], theme=["language", "employment"]),
        e(4, 300.0, "Delta", "2020", country=["DE"], theme=["housing"]),
    ]


def test_facet_counts_apply_the_other_facets_filters() -> None:
    index = FacetIndex(_entries())
    res = index.run(SearchQuery(filters=(("country", ("AT",)), ("theme", ("language",)))))
    assert res.ids == (1,)
    # Countries are counted under the theme filter only, themes under the country filter.
    assert res.facets["country"] == {"AT": 1, "SE": 1, "DE": 0}
    assert res.facets["theme"] == {"language": 1, "employment": 1, "housing": 0}
    both = index.run(SearchQuery(filters=(("country", ("AT", "SE")),)))
    assert both.total == 3  # codes of one facet are OR-ed


def test_ordering_rules() -> None:
    index = FacetIndex(_entries())
    newest = index.run(SearchQuery())
    assert newest.ids == (2, 4, 3, 1)  # latest first, ties by id
    assert index.run(SearchQuery(sort="title")).ids == (2, 1, 4, 3)  # case-insensitive
    assert index.run(SearchQuery(sort="start")).ids == (2, 4, 1, 3)
    text = TextQuery(terms=("x",))
    ranked = index.run(SearchQuery(q="x", text=text), hits={1: 2.0, 3: 5.0, 4: 2.0, 99: 9.0})
    assert ranked.ids == (3, 4, 1)  # score, then newest; unknown ids ignored
    assert ranked.total == 3
    page = index.run(SearchQuery(limit=2, offset=2))
    assert page.ids == (3, 1)
    assert page.total == 4


codes = st.sampled_from(["a", "b", "c"])
entry_lists = st.lists(
    st.tuples(st.lists(codes, unique=True), st.lists(codes, unique=True)), min_size=0, max_size=25
)


@settings(max_examples=60, deadline=None)
@given(entry_lists, st.lists(codes, unique=True), st.lists(codes, unique=True))
def test_counts_match_a_brute_force_count(
    rows: list[tuple[list[str], list[str]]], cs: list[str], ts: list[str]
) -> None:
    entries = [
        IndexEntry(i, float(i), f"t{i}", "2020", {"country": c, "theme": t})
        for i, (c, t) in enumerate(rows)
    ]
    filters = tuple((f, tuple(v)) for f, v in (("country", cs), ("theme", ts)) if v)
    res = FacetIndex(entries).run(SearchQuery(filters=filters, limit=100))

    def keep(e: IndexEntry, skip: str | None = None) -> bool:
        return all(set(e.facets[f]) & set(v) for f, v in filters if f != skip)

    assert set(res.ids) == {e.id for e in entries if keep(e)}
    for facet, code in itertools.product(("country", "theme"), "abc"):
        expected = sum(1 for e in entries if code in e.facets[facet] and keep(e, facet))
        assert res.facets[facet].get(code, 0) == expected
    assert set(res.facets) == set(FACETS)
