"""Search of published practices: full text in the database, facets in the library.

Full text runs where the data is: an FTS5 table on SQLite (the embedded default;
``porter unicode61`` tokens, so English words are stemmed and accents folded) and a
``tsvector`` column with a GIN index on PostgreSQL (each text in its language's
configuration and in ``simple``, so stemmed and exact words both match). Both index
every language a practice is written in, title, summary and the other texts with
decreasing weights, and return a relevance score per practice.

Filtering, facet counts, ordering and pages are the library's
(:class:`zaragoza.knowledge.search.FacetIndex`), built from the published practices and
rebuilt when :class:`~.models.KnowledgeVersion` moves, so both databases give the same
results in the same order rules.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection

from zaragoza.knowledge.rules import State
from zaragoza.knowledge.schema import PRACTICE_TEXT_FIELDS
from zaragoza.knowledge.search import FacetIndex, IndexEntry, SearchQuery, SearchResult, TextQuery

__all__ = ["create_search_schema", "current_index", "drop_search_schema", "reindex", "search"]

_LANGUAGES = ("en", "fr", "de")
#: The project's PostgreSQL text-search configurations: each language's own, and
#: ``simple`` (no stemming), with accents folded; ``{name: (copied from, stemmer)}``.
_PG_OWN = {
    "zaragoza_simple": ("simple", "simple"),
    "zaragoza_english": ("english", "english_stem"),
    "zaragoza_french": ("french", "french_stem"),
    "zaragoza_german": ("german", "german_stem"),
}
#: The configuration for each of the portal's languages.
PG_CONFIGS = {"en": "zaragoza_english", "fr": "zaragoza_french", "de": "zaragoza_german"}
_PG_SIMPLE = "zaragoza_simple"
_BODY = tuple(f for f in PRACTICE_TEXT_FIELDS if f != "summary")


def create_search_schema(schema_editor: Any) -> None:
    """Create the full-text table of the database in use (a migration step)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE knowledge_practice_fts USING fts5("
            "title, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    elif vendor == "postgresql":
        # Accents folded as on SQLite: the unaccent dictionary (a trusted extension, which a
        # database owner may create) before each language's stemmer.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        for cfg, (parent, stem) in _PG_OWN.items():
            schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {cfg} (COPY = {parent})")
            schema_editor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {cfg} ALTER MAPPING FOR hword, hword_part, "
                f"word WITH unaccent, {stem}"
            )
        schema_editor.execute(
            "CREATE TABLE knowledge_practice_search (practice_id bigint PRIMARY KEY "
            "REFERENCES knowledge_practice(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED, "
            "document tsvector NOT NULL)"
        )
        schema_editor.execute(
            "CREATE INDEX knowledge_practice_search_gin ON knowledge_practice_search "
            "USING gin (document)"
        )
    else:
        raise RuntimeError(f"full-text search is written for SQLite and PostgreSQL, not {vendor}")


def drop_search_schema(schema_editor: Any) -> None:
    """Drop what :func:`create_search_schema` made."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS knowledge_practice_fts")
        return
    schema_editor.execute("DROP TABLE IF EXISTS knowledge_practice_search")
    for cfg in _PG_OWN:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {cfg}")


def _texts(row: Mapping[str, Any]) -> dict[str, tuple[str, str, str]]:
    """Title, summary and body of each language the practice has text in."""
    out = {}
    for lang in _LANGUAGES:
        title = row.get(f"title_{lang}") or ""
        summary = row.get(f"summary_{lang}") or ""
        body = "\n".join(row.get(f"{f}_{lang}") or "" for f in _BODY)
        if lang == "en":
            extra = [row.get("original_title") or "", row.get("organisation__name") or ""]
            body = "\n".join([body, *extra])
        if title or summary or body.strip():
            out[lang] = (title, summary, body)
    return out


def _fts_row(row: Mapping[str, Any]) -> tuple[int, str, str, str]:
    texts = list(_texts(row).values())
    return (
        int(row["id"]),
        "\n".join(t[0] for t in texts),
        "\n".join(t[1] for t in texts),
        "\n".join(t[2] for t in texts),
    )


_TEXT_COLUMNS = (
    "id",
    "original_title",
    "organisation__name",
    *(f"{f}_{lang}" for f in ("title", *PRACTICE_TEXT_FIELDS) for lang in _LANGUAGES),
)


def reindex(ids: Iterable[int]) -> None:
    """Bring the full-text rows of practices ``ids`` up to date (published ones indexed,
    others removed)."""
    from zaragoza.portal.knowledge.models import Practice

    ids = list(ids)
    if not ids:
        return
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = list(
            Practice.objects.filter(id__in=chunk, state=State.PUBLISHED).values(*_TEXT_COLUMNS)
        )
        with connection.cursor() as cur:
            marks = ", ".join(["%s"] * len(chunk))
            if connection.vendor == "sqlite":
                cur.execute(f"DELETE FROM knowledge_practice_fts WHERE rowid IN ({marks})", chunk)
                cur.executemany(
                    "INSERT INTO knowledge_practice_fts(rowid, title, summary, body) "
                    "VALUES (%s, %s, %s, %s)",
                    [_fts_row(r) for r in rows],
                )
            else:
                cur.execute(
                    f"DELETE FROM knowledge_practice_search WHERE practice_id IN ({marks})", chunk
                )
                for r in rows:
                    parts, params = [], []
                    for lang, (title, summary, body) in _texts(r).items():
                        for cfg in (PG_CONFIGS[lang], _PG_SIMPLE):
                            for text, weight in ((title, "A"), (summary, "B"), (body, "D")):
                                parts.append(f"setweight(to_tsvector('{cfg}', %s), '{weight}')")
                                params.append(text)
                    vector = " || ".join(parts) or "''::tsvector"
                    cur.execute(
                        "INSERT INTO knowledge_practice_search(practice_id, document) "
                        f"VALUES (%s, {vector})",
                        [r["id"], *params],
                    )


def _fts5(text: TextQuery) -> str:
    def quote(words: Iterable[str]) -> str:
        return '"' + " ".join(words).replace('"', "") + '"'

    parts = [quote([t]) for t in text.terms] + [quote(p) for p in text.phrases]
    query = " AND ".join(parts)
    for word in text.excluded:
        query += f" NOT {quote([word])}"
    return query


def _tsquery(text: TextQuery) -> tuple[str, list[str]]:
    configs = (_PG_SIMPLE, *PG_CONFIGS.values())

    def any_config(fn: str, words: str) -> tuple[str, list[str]]:
        return "(" + " || ".join(f"{fn}('{c}', %s)" for c in configs) + ")", [words] * len(configs)

    parts, params = [], []
    for t in text.terms:
        sql, p = any_config("plainto_tsquery", t)
        parts.append(sql)
        params += p
    for phrase in text.phrases:
        sql, p = any_config("phraseto_tsquery", " ".join(phrase))
        parts.append(sql)
        params += p
    for word in text.excluded:
        sql, p = any_config("plainto_tsquery", word)
        parts.append(f"!!{sql}")
        params += p
    return " && ".join(parts), params


def match(text: TextQuery) -> dict[int, float]:
    """Return ``{practice id: relevance}`` of the published practices matching ``text``
    (higher is more relevant)."""
    if text.empty:
        return {}
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            # bm25: lower is better; title, summary and body weigh 10, 4 and 1.
            cur.execute(
                "SELECT rowid, -bm25(knowledge_practice_fts, 10.0, 4.0, 1.0) "
                "FROM knowledge_practice_fts WHERE knowledge_practice_fts MATCH %s",
                [_fts5(text)],
            )
        else:
            query, params = _tsquery(text)
            cur.execute(
                f"SELECT practice_id, ts_rank('{{0.1, 0.2, 0.4, 1.0}}', document, q) "
                f"FROM knowledge_practice_search, (SELECT {query} AS q) AS query "
                "WHERE document @@ q",
                params,
            )
        return {int(pid): float(score) for pid, score in cur.fetchall()}


_lock = threading.Lock()
_index: FacetIndex | None = None


def content_version() -> str:
    """Return the version of the published content (database and change counter)."""
    return _version()


def _version() -> str:
    from zaragoza.portal.knowledge.models import KnowledgeVersion

    row = KnowledgeVersion.objects.filter(pk=1).values_list("counter", "token").first()
    counter, token = row or (0, "")
    return f"{connection.settings_dict.get('NAME')}|{counter}|{token}"


def current_index() -> FacetIndex:
    """Return this process's facet index of the published practices, rebuilt when
    published content has changed since it was built."""
    global _index
    version = _version()
    index = _index
    if index is not None and index.version == version:
        return index
    with _lock:
        if _index is None or _index.version != version:
            from zaragoza.portal.knowledge.models import Practice

            rows = Practice.objects.filter(state=State.PUBLISHED).values_list(
                "id", "published_at", "title_en", "start", "facet_codes"
            )
            entries = [
                IndexEntry(pid, at.timestamp() if at else 0.0, title or "", start or "", codes)
                for pid, at, title, start, codes in rows.iterator(chunk_size=5000)
            ]
            _index = FacetIndex(entries, version)
        return _index


def search(query: SearchQuery) -> SearchResult:
    """Return the page of published practices ``query`` asks for, with facet counts."""
    index = current_index()
    hits = None if query.text.empty else match(query.text)
    return index.run(query, hits)
