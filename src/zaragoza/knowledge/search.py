"""The search query model and the facet index, the same for every database.

A :class:`SearchQuery` is what a search page or an API call asks: free text, facet
filters, a sort and a page; :func:`parse_search` reads it from URL parameters and refuses
an unknown parameter, code or sort with a :class:`SearchError` naming the parameter, the
value and what is valid. ``SearchQuery.params()`` writes it back, so all state lives in the
URL.

Free text is parsed once (:func:`parse_text`): words, "quoted phrases" and ``-excluded``
words; each database backend turns that into its own full-text query (SQLite FTS5,
PostgreSQL ``tsquery``) and returns a relevance score per matching practice.

A :class:`FacetIndex` holds the published practices' facet codes as boolean columns
(numpy). Given the text hits it filters (codes of one facet OR-ed, facets AND-ed),
orders and pages the results and counts every facet's codes. A facet's counts apply the
*other* facets' filters but not its own, so a reader sees how many practices each
alternative would add. Ordering rules are the same on every backend:

``relevance``  text score, highest first (the default with text; without text: newest)
``newest``     publication time, latest first
``title``      title, alphabetical (case-insensitive)
``start``      start date, latest first

and ties are broken by publication time (latest first), then by id.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from zaragoza.knowledge.taxonomy import COUNTRIES, NUTS_PATTERN, Taxonomy

__all__ = [
    "DEFAULT_LIMIT",
    "FACETS",
    "MAX_LIMIT",
    "SORTS",
    "FacetIndex",
    "Hits",
    "IndexEntry",
    "SearchError",
    "SearchQuery",
    "SearchResult",
    "TextQuery",
    "parse_search",
    "parse_text",
    "running_years",
]

#: Facets, in the order pages show them; each is also a URL parameter.
FACETS = (
    "country", "region", "level", "theme", "target_group", "funding", "evidence",
    "year", "language", "indicator",
)  # fmt: skip
#: The taxonomy list behind each coded facet.
FACET_LISTS = {
    "level": "level", "theme": "themes", "target_group": "target_groups",
    "funding": "funding", "evidence": "evidence",
}  # fmt: skip
SORTS = ("relevance", "newest", "title", "start")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
MAX_TERMS = 12
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
Bool = npt.NDArray[np.bool_]


class SearchError(ValueError):
    """A search parameter that cannot be used: which, the value given, what is valid."""

    def __init__(self, parameter: str, value: object, detail: str, valid: object = None) -> None:
        super().__init__(detail)
        self.parameter = parameter
        self.value = value
        self.detail = detail
        self.valid = valid


@dataclass(frozen=True)
class TextQuery:
    """Free text as words (all required), phrases (words in a row) and excluded words."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether there is nothing to match (excluded words alone match nothing)."""
        return not self.terms and not self.phrases


def parse_text(q: str) -> TextQuery:
    """Return the words, phrases and ``-excluded`` words of ``q``, lower-cased.

    Punctuation separates words, as in both full-text engines; at most
    :data:`MAX_TERMS` words are kept.
    """
    terms: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[str] = []
    for m in _TOKEN.finditer(q):
        neg = bool(m.group(1) or m.group(3))
        text = m.group(2) if m.group(2) is not None else m.group(4)
        words = [w.lower() for w in _WORD.findall(text)]
        if not words:
            continue
        if neg:
            excluded.extend(words)
        elif m.group(2) is not None and len(words) > 1:
            phrases.append(tuple(words))
        else:
            terms.extend(words)
    terms = list(dict.fromkeys(terms))[:MAX_TERMS]
    return TextQuery(tuple(terms), tuple(phrases[:MAX_TERMS]), tuple(dict.fromkeys(excluded)))


@dataclass(frozen=True)
class SearchQuery:
    """One search: text, facet filters, sort, and the slice of results asked for."""

    q: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sort: str = "relevance"
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    text: TextQuery = field(default_factory=TextQuery)

    def selected(self, facet: str) -> tuple[str, ...]:
        """Return the codes selected in ``facet``."""
        return dict(self.filters).get(facet, ())

    @property
    def effective_sort(self) -> str:
        """Return the sort applied: ``relevance`` without text means ``newest``."""
        return "newest" if self.sort == "relevance" and self.text.empty else self.sort

    def params(self, *, paging: bool = True) -> list[tuple[str, str]]:
        """Return the URL parameters that ask for this search again."""
        out: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        for facet, codes in self.filters:
            out += [(facet, c) for c in codes]
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if paging and self.offset:
            out.append(("offset", str(self.offset)))
        return out


def _codes_of(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    return [p.strip() for v in params.get(name, ()) for p in str(v).split(",") if p.strip()]


def _check(facet: str, codes: list[str], valid: Sequence[str]) -> None:
    for c in codes:
        if c not in valid:
            raise SearchError(facet, c, f"unknown {facet} {c!r}", list(valid))


def _int(params: Mapping[str, Sequence[str]], name: str, default: int, lo: int, hi: int) -> int:
    values = params.get(name) or ()
    if not values or values[-1] == "":
        return default
    try:
        value = int(values[-1])
    except ValueError:
        raise SearchError(
            name, values[-1], f"{name} must be a whole number", {"ge": lo, "le": hi}
        ) from None
    if not lo <= value <= hi:
        raise SearchError(
            name, value, f"{name} must lie between {lo} and {hi}", {"ge": lo, "le": hi}
        )
    return value


def parse_search(
    params: Mapping[str, Sequence[str]],
    *,
    taxonomy: Taxonomy,
    indicators: Iterable[str],
    extra: Iterable[str] = (),
    page_size: int = DEFAULT_LIMIT,
) -> SearchQuery:
    """Return the search that URL ``params`` ask for (a mapping of lists, as a QueryDict).

    ``page`` (1-based, with ``page_size`` results a page) or ``limit`` and ``offset``
    choose the slice. ``extra`` names other parameters the caller handles itself.

    Raises
    ------
    SearchError
        For an unknown parameter, code or sort, or a malformed number.
    """
    allowed = {"q", "sort", "page", "limit", "offset", *FACETS, *extra}
    for name in params:
        if name not in allowed:
            raise SearchError(name, None, f"unknown parameter {name!r}", sorted(allowed))
    q = " ".join(str(v) for v in params.get("q", ()) if str(v).strip()).strip()
    if len(q) > 200:
        raise SearchError("q", q[:40] + "...", "the text may be at most 200 characters long")
    filters = []
    for facet in FACETS:
        codes = list(dict.fromkeys(_codes_of(params, facet)))
        if not codes:
            continue
        if facet == "country":
            _check(facet, codes, COUNTRIES)
        elif facet == "region":
            for c in codes:
                if not NUTS_PATTERN.match(c):
                    raise SearchError(facet, c, f"not a NUTS code: {c!r} (e.g. ES52)")
        elif facet in FACET_LISTS:
            _check(facet, codes, taxonomy.codes(FACET_LISTS[facet]))
        elif facet == "indicator":
            _check(facet, codes, sorted(indicators))
        elif facet == "year":
            for c in codes:
                if not (c.isdigit() and 1900 <= int(c) <= 2100):
                    raise SearchError(facet, c, f"not a year: {c!r}", {"ge": 1900, "le": 2100})
        elif facet == "language":
            for c in codes:
                if not re.fullmatch(r"[a-z]{2}", c):
                    raise SearchError(facet, c, f"not an ISO 639-1 language code: {c!r}")
        filters.append((facet, tuple(codes)))
    sorts = params.get("sort") or ()
    sort = sorts[-1] if sorts and sorts[-1] else "relevance"
    if sort not in SORTS:
        raise SearchError("sort", sort, f"unknown sort {sort!r}", list(SORTS))
    limit = _int(params, "limit", page_size, 1, MAX_LIMIT)
    if params.get("page"):
        page = _int(params, "page", 1, 1, MAX_OFFSET // limit)
        offset = (page - 1) * limit
    else:
        offset = _int(params, "offset", 0, 0, MAX_OFFSET)
    return SearchQuery(q, tuple(filters), sort, limit, offset, parse_text(q))


def running_years(start: str | None, end: str | None, today: dt.date | None = None) -> range:
    """Return the years a practice ran: from its start year to its end year (or this
    year while it is running)."""
    if not start:
        return range(0)
    last = int(end[:4]) if end else (today or dt.date.today()).year
    return range(int(start[:4]), max(last, int(start[:4])) + 1)


@dataclass(frozen=True)
class IndexEntry:
    """What the index needs of one published practice."""

    id: int
    published: float
    title: str
    start: str
    facets: Mapping[str, Iterable[str]]


@dataclass(frozen=True)
class SearchResult:
    """A page of results: practice ids in order, the total, and every facet's counts."""

    ids: tuple[int, ...]
    total: int
    facets: Mapping[str, Mapping[str, int]]


def _dense_rank(values: Sequence[str]) -> npt.NDArray[np.int64]:
    """Return each value's rank among the distinct values (equal values, equal ranks)."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    _, inverse = np.unique(np.array(values, dtype=str), return_inverse=True)
    return inverse.astype(np.int64)


@dataclass(frozen=True)
class Hits:
    """Text matches as arrays: practice ids and, when the order needs them, their
    relevance scores (higher is more relevant)."""

    ids: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64] | None = None

    @classmethod
    def of(cls, hits: Mapping[int, float]) -> Hits:
        """Return the hits of a ``{practice id: score}`` mapping."""
        return cls(
            np.fromiter(hits.keys(), dtype=np.int64, count=len(hits)),
            np.fromiter(hits.values(), dtype=np.float64, count=len(hits)),
        )


class FacetIndex:
    """The published practices' facets as boolean columns, for filtering and counting."""

    def __init__(self, entries: Sequence[IndexEntry], version: str = "") -> None:
        self.version = version
        ordered = sorted(entries, key=lambda e: e.id)
        self.size = len(ordered)
        self.ids = np.array([e.id for e in ordered], dtype=np.int64)
        self._position = {e.id: i for i, e in enumerate(ordered)}
        self.published = np.array([e.published for e in ordered], dtype=np.float64)
        cells: dict[str, dict[str, list[int]]] = {f: {} for f in FACETS}
        for i, e in enumerate(ordered):
            for facet, codes in e.facets.items():
                column = cells[facet]
                for code in codes:
                    column.setdefault(code, []).append(i)
        self.columns: dict[str, dict[str, Bool]] = {}
        for facet, codes in cells.items():
            self.columns[facet] = {}
            for code, rows in codes.items():
                col = np.zeros(self.size, dtype=np.bool_)
                col[np.array(rows, dtype=np.int64)] = True
                self.columns[facet][code] = col
        by_id = self.ids
        self._newest = np.lexsort((by_id, -self.published))
        # Dense ranks: equal titles (or starts) tie, and the tie rules decide.
        title_rank = _dense_rank([e.title.casefold() for e in ordered])
        self._title = np.lexsort((by_id, -self.published, title_rank))
        start_rank = _dense_rank([e.start or "" for e in ordered])
        self._start = np.lexsort((by_id, -self.published, -start_rank))

    def _filter(self, facet: str, codes: Sequence[str]) -> Bool:
        mask = np.zeros(self.size, dtype=np.bool_)
        for code in codes:
            col = self.columns.get(facet, {}).get(code)
            if col is not None:
                mask |= col
        return mask

    def run(
        self, query: SearchQuery, hits: Mapping[int, float] | Hits | None = None
    ) -> SearchResult:
        """Return the page of ``query``: ``hits`` are the text matches with their scores
        (``None`` when the query has no text), as a mapping or as :class:`Hits`."""
        base = np.ones(self.size, dtype=np.bool_)
        scores = None
        if not query.text.empty:
            if not isinstance(hits, Hits):
                hits = Hits.of(hits or {})
            base = np.zeros(self.size, dtype=np.bool_)
            scores = np.full(self.size, -np.inf)
            # ids are sorted: each hit's row by binary search, those not indexed dropped
            rows = np.searchsorted(self.ids, hits.ids)
            known = rows < self.size
            known[known] = self.ids[rows[known]] == hits.ids[known]
            base[rows[known]] = True
            if hits.scores is not None:
                scores[rows[known]] = hits.scores[known]
        masks = {facet: self._filter(facet, codes) for facet, codes in query.filters}
        final = base.copy()
        for m in masks.values():
            final &= m
        counts: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            scope = base.copy()
            for other, m in masks.items():
                if other != facet:
                    scope &= m
            counts[facet] = {
                code: int(np.count_nonzero(col & scope))
                for code, col in self.columns[facet].items()
            }
        sort = query.effective_sort
        if sort == "relevance" and scores is not None:
            if not isinstance(hits, Hits) or hits.scores is None:
                raise ValueError("a search by relevance needs the hits' scores")
            rows = np.flatnonzero(final)
            order = rows[np.lexsort((self.ids[rows], -self.published[rows], -scores[rows]))]
        else:
            pre = {"newest": self._newest, "title": self._title, "start": self._start}[sort]
            order = pre[final[pre]]
        page = order[query.offset : query.offset + query.limit]
        return SearchResult(
            ids=tuple(int(i) for i in self.ids[page]), total=int(final.sum()), facets=counts
        )


def facets_of(
    countries: Iterable[str],
    regions: Iterable[str],
    level: str,
    themes: Iterable[str],
    target_groups: Iterable[str],
    funds: Iterable[str],
    evidence: str,
    start: str | None,
    end: str | None,
    languages: Iterable[str],
    indicators: Iterable[str],
) -> dict[str, list[str]]:
    """Return a practice's codes per facet (``year``: every year it ran; ``language``: the
    languages its record and its original material are in)."""
    return {
        "country": list(countries),
        "region": list(regions),
        "level": [level],
        "theme": list(themes),
        "target_group": list(target_groups),
        "funding": sorted(set(funds)),
        "evidence": [evidence],
        "year": [str(y) for y in running_years(start, end)],
        "language": sorted(set(languages)),
        "indicator": list(indicators),
    }
