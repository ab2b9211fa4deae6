"""The knowledge base's pages for anonymous readers, kept once for every worker.

A search, practice or profile page an anonymous reader gets depends only on the
published content's version, the warehouse's version, the language and the URL
(:func:`page_key`), so it is rendered once and kept in the worker's memory and in the
page cache the workers share (``caching.remember_shared``). Behind the front layer
(:mod:`zaragoza.portal.front`) the whole answer, headers included, is kept as well, so
that the next reader of that URL is answered before Django's middleware.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

import duckdb
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from zaragoza.errors import ZaragozaError
from zaragoza.portal.front import FRONT_KEY, ask_front_to_keep
from zaragoza.portal.knowledge.searching import content_version
from zaragoza.portal.monitoring.caching import remember_shared
from zaragoza.sources import gisco
from zaragoza.warehouse.reader import reader_for

__all__ = ["page_key", "public_cache"]


def page_key(language: str, full_path: str) -> str:
    """The cache key of the page at ``full_path`` (path and query string, as
    ``HttpRequest.get_full_path`` gives them) in ``language``: it holds the published
    content's version, the warehouse's and the cached NUTS boundaries' (the search
    page's regional map), so a publication, an edit of published content, a new
    warehouse or newly fetched boundaries are never answered from an old entry."""
    try:
        warehouse = reader_for(settings.ZARAGOZA_WAREHOUSE).version().tag
    except (ZaragozaError, OSError, duckdb.Error):
        warehouse = "none"
    # the search page's regional map depends on the NUTS boundaries cached on the server
    raw = f"{content_version()}|{warehouse}|{gisco.cache_stamp()}|{language}|{full_path}"
    return "kb-page:" + hashlib.sha256(raw.encode()).hexdigest()


class _NotKeptError(Exception):
    """A page not to keep in the cache (not a success), carried to the reader."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def public_cache(view: Any) -> Any:
    """Keep the pages anonymous readers get (see the module's docstring). Signed-in
    users (their pages show their own actions) are never cached, nor a reader with a
    message waiting, and only successful pages are kept (a draft's page is a 404 for
    the public, never kept)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            request.method != "GET"
            or request.user.is_authenticated
            or len(messages.get_messages(request))  # a message is for this reader alone
        ):
            return view(request, *args, **kwargs)  # type: ignore[no-any-return]
        key = page_key(get_language(), request.get_full_path())

        def render_it() -> tuple[bytes, int, str]:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                raise _NotKeptError(response)  # errors are not kept: no cache filled by bad URLs
            return response.content, response.status_code, response["Content-Type"]

        try:
            content, status, content_type = remember_shared(key, render_it)
        except _NotKeptError as answer:
            return answer.response
        response = HttpResponse(content, status=status, content_type=content_type)
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        if request.META.get(FRONT_KEY):
            ask_front_to_keep(response, key)
        return response

    return wrapped
