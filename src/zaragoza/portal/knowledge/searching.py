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
import uuid
from collections.abc import Iterable
from typing import Any

import numpy as np
from django.db import ProgrammingError, connection, transaction

from zaragoza.knowledge.rules import State
from zaragoza.knowledge.schema import PRACTICE_TEXT_FIELDS
from zaragoza.knowledge.search import (
    FacetIndex,
    Hits,
    IndexEntry,
    SearchQuery,
    SearchResult,
    TextQuery,
)

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


def _text_sql(lang: str) -> tuple[str, str, str]:
    """SQL for a practice's title, summary and body in ``lang`` (columns of ``p``, the
    practice, and ``o``, its organisation); a missing text is empty. English carries the
    original title and the organisation's name in its body."""
    title = f"coalesce(p.title_{lang}, '')"
    summary = f"coalesce(p.summary_{lang}, '')"
    body = [f"coalesce(p.{f}_{lang}, '')" for f in _BODY]
    if lang == "en":
        body += ["coalesce(p.original_title, '')", "coalesce(o.name, '')"]
    return title, summary, " || char(10) || ".join(body)


def _pg_document_sql() -> str:
    """The ``tsvector`` of a practice: every language's texts in that language's
    configuration and in ``simple``; title weighs A, summary B, the rest D. An empty text
    adds nothing, so a language without texts leaves the document as it was."""
    parts = []
    for lang in _LANGUAGES:
        title, summary, body = _text_sql(lang)
        body = body.replace("char(10)", "E'\\n'")
        for cfg in (PG_CONFIGS[lang], _PG_SIMPLE):
            for text, weight in ((title, "A"), (summary, "B"), (body, "D")):
                parts.append(f"setweight(to_tsvector('{cfg}', {text}), '{weight}')")
    return " || ".join(parts)


def _fts5_columns_sql() -> str:
    """FTS5's three columns (title, summary, body), each the texts of every language one
    after another (a line apart: line breaks only separate words)."""
    texts = [_text_sql(lang) for lang in _LANGUAGES]
    return ", ".join(" || char(10) || ".join(t[i] for t in texts) for i in range(3))


_FROM_PUBLISHED = (
    "FROM knowledge_practice p LEFT JOIN knowledge_organisation o ON o.id = p.organisation_id "
    f"WHERE p.state = '{State.PUBLISHED.value}' AND p.id {{among}}"
)


#: From this many practices on, PostgreSQL builds their documents in parallel.
PARALLEL_REINDEX = 2000


def reindex(ids: Iterable[int]) -> None:
    """Bring the full-text rows of practices ``ids`` up to date (published ones indexed,
    others removed).

    The database builds each row from the practice's own columns in one ``INSERT ...
    SELECT`` per 500 practices: no text travels to Python and back (for an import of
    50,000 practices, that round trip was most of the import's time on PostgreSQL).
    PostgreSQL makes the rows of :data:`PARALLEL_REINDEX` practices or more with its
    parallel workers (:func:`_reindex_in_parallel`).
    """
    ids = list(ids)
    parallel = connection.vendor == "postgresql" and len(ids) >= PARALLEL_REINDEX
    if parallel and _reindex_in_parallel(ids):
        return
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        where = _FROM_PUBLISHED.format(among=f"IN ({marks})")
        with connection.cursor() as cur:
            if connection.vendor == "sqlite":
                cur.execute(f"DELETE FROM knowledge_practice_fts WHERE rowid IN ({marks})", chunk)
                cur.execute(
                    "INSERT INTO knowledge_practice_fts(rowid, title, summary, body) "
                    f"SELECT p.id, {_fts5_columns_sql()} {where}",
                    chunk,
                )
            else:
                cur.execute(
                    f"DELETE FROM knowledge_practice_search WHERE practice_id IN ({marks})", chunk
                )
                cur.execute(
                    "INSERT INTO knowledge_practice_search(practice_id, document) "
                    f"SELECT p.id, {_pg_document_sql()} {where}",
                    chunk,
                )


def _reindex_in_parallel(ids: list[int]) -> bool:
    """Build the documents of many practices with the server's parallel workers.

    Making the ``tsvector`` of a practice (its texts parsed in two configurations each)
    is the server's whole work in a large import: about 45 s for 50,000 practices on one
    core. PostgreSQL runs an ``INSERT ... SELECT`` on one process only, but the query of
    a ``CREATE TABLE ... AS`` on several; so the documents are made into a staging table
    of this transaction, unlogged (a rollback or a crash leaves nothing), and copied
    into the search table. The workers see the transaction's own rows (the practices
    just written).

    Returns False, having changed nothing, when the database role may not create a
    table (the rows are then made one statement per 500 practices, on one process).
    """
    stage = _stage_name()
    where = _FROM_PUBLISHED.format(among="= ANY(%s)")
    # the planner's default costs keep a statement of 50,000 rows on one process
    parallel = (
        "parallel_setup_cost",
        "parallel_tuple_cost",
        "min_parallel_table_scan_size",
        "min_parallel_index_scan_size",
    )
    try:
        # a transaction of its own within the caller's (SET LOCAL and the staging table
        # end with it; a refused CREATE rolls back to here)
        with transaction.atomic(), connection.cursor() as cur:
            for name in parallel:
                cur.execute(f"SET LOCAL {name} = 0")
            cur.execute(
                f"CREATE UNLOGGED TABLE {stage} AS "
                f"SELECT p.id AS practice_id, {_pg_document_sql()} AS document {where}",
                [ids],
            )
            # back to the defaults for the rest of the caller's transaction (a failure
            # above rolls them back with the savepoint)
            for name in parallel:
                cur.execute(f"SET LOCAL {name} TO DEFAULT")
            cur.execute("DELETE FROM knowledge_practice_search WHERE practice_id = ANY(%s)", [ids])
            cur.execute(
                "INSERT INTO knowledge_practice_search(practice_id, document) "
                f"SELECT practice_id, document FROM {stage}"
            )
            cur.execute(f"DROP TABLE {stage}")
    except ProgrammingError as error:
        if getattr(error.__cause__, "sqlstate", None) != _INSUFFICIENT_PRIVILEGE:
            raise
        return False
    return True


def _stage_name() -> str:
    """A name no other transaction's staging table has."""
    return f"knowledge_practice_search_stage_{uuid.uuid4().hex}"


#: PostgreSQL's error code for a statement the role may not run.
_INSUFFICIENT_PRIVILEGE = "42501"


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


def match(text: TextQuery, *, scored: bool = True) -> Hits:
    """Return the published practices matching ``text``, with their relevance (higher is
    more relevant) when ``scored``: scoring every match is most of a search's time in
    both databases, and an order other than relevance does not need it."""
    if text.empty:
        return Hits(np.zeros(0, dtype=np.int64), np.zeros(0) if scored else None)
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            # bm25: lower is better; title, summary and body weigh 10, 4 and 1.
            score = ", -bm25(knowledge_practice_fts, 10.0, 4.0, 1.0)" if scored else ""
            cur.execute(
                f"SELECT rowid{score} "
                "FROM knowledge_practice_fts WHERE knowledge_practice_fts MATCH %s",
                [_fts5(text)],
            )
        else:
            query, params = _tsquery(text)
            score = ", ts_rank('{0.1, 0.2, 0.4, 1.0}', document, q)" if scored else ""
            cur.execute(
                f"SELECT practice_id{score} "
                f"FROM knowledge_practice_search, (SELECT {query} AS q) AS query "
                "WHERE document @@ q",
                params,
            )
        rows = cur.fetchall()
    if not scored:
        return Hits(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
    table = np.array(rows, dtype=np.float64).reshape(-1, 2)
    return Hits(table[:, 0].astype(np.int64), table[:, 1])


_lock = threading.Lock()
_index: FacetIndex | None = None


def content_version() -> str:
    """Return the version of the published content (database and change counter)."""
    return _version()


def _version() -> str:
    from zaragoza.portal.knowledge.models import KnowledgeVersion

    # Asked by every page served from the cache: plain SQL, not the ORM's query building.
    with connection.cursor() as cur:
        cur.execute(f"SELECT counter, token FROM {KnowledgeVersion._meta.db_table} WHERE id = 1")
        row = cur.fetchone()
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
    hits = None
    if not query.text.empty:
        hits = match(query.text, scored=query.effective_sort == "relevance")
    return index.run(query, hits)
