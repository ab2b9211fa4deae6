"""Pages. Views are thin: they hand the query string to :mod:`.pages` and render.

A parameter a page cannot use (an unknown country or indicator, a malformed year) gives
a page that says what is wrong, with status 404 or 400, never a server error.

A page depends only on its URL (path, language prefix, query) and on the warehouse's
content, so each worker keeps rendered pages in its cache under a key made of both: a
new warehouse (a new version tag) starts a new set of keys. Pages also carry an ETag and
Last-Modified, so browsers revalidate with a 304.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from zaragoza.portal.monitoring import pages
from zaragoza.portal.monitoring.caching import (
    BusyError,
    canonical_query,
    content_stamp,
    heavy,
    remember,
)
from zaragoza.sources import gisco
from zaragoza.warehouse.reader import WarehouseReader, reader_for

View = Callable[..., HttpResponse]


def _reader() -> WarehouseReader:
    return reader_for(settings.ZARAGOZA_WAREHOUSE)


def _page(
    template: str, params: tuple[str, ...] = (), pdf: bool = False
) -> Callable[[Callable[..., dict[str, Any]]], View]:
    """Render ``template`` with what the wrapped function returns; a
    :class:`~.pages.PageError` renders the error page with its status.

    ``params`` are the query parameters the page reads: the page sees them alone, in
    canonical form, and they alone make its cache key (a parameter it ignores, such as a
    cache-buster, neither changes the page nor adds an entry to the cache). Pages answer
    ``GET`` and ``HEAD``; any other method is a 405 naming them.

    With ``pdf`` the page is a printable PDF (:func:`~.factsheet.render_pdf`) of the
    template rendered with the page's charts drawn on the server; an error is the error
    page, in HTML.
    """

    def decorate(build: Callable[..., dict[str, Any]]) -> View:
        def make(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                data = build(request, *args, **kwargs)
            except pages.PageError as err:
                return render(
                    request,
                    "monitoring/error.html",
                    {"status": err.status, "message": err.message},
                    status=err.status,
                )
            if not pdf:
                return render(request, template, data)
            from zaragoza.portal.monitoring import factsheet

            html = render_to_string(template, factsheet.factsheet_charts(data), request)
            response = HttpResponse(factsheet.render_pdf(html), content_type="application/pdf")
            name = "-".join(str(data[k]) for k in ("geo", "year") if k in data)
            response["Content-Disposition"] = f'attachment; filename="zaragoza-{name}.pdf"'
            return response

        @wraps(build)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            canonical = canonical_query(request.GET, params)
            request.GET = QueryDict(canonical)
            request.META["QUERY_STRING"] = canonical
            version = _reader().version()
            url = f"{get_language()}|{request.path}?{canonical}"
            # NUTS boundaries fetched into the cache change the indicator page's map.
            tag = f"{version.tag}|{gisco.cache_stamp()}|{content_stamp()}"
            key = "page:" + hashlib.sha256(f"{tag}|{url}".encode()).hexdigest()
            etag = f'"{key[5:37]}"'
            stamp = int(version.modified.timestamp())
            conditional = get_conditional_response(request, etag=etag, last_modified=stamp)
            if conditional is not None:
                return conditional

            def rendered() -> tuple[bytes, int, str, str]:
                response = make(request, *args, **kwargs)
                return (
                    response.content,
                    response.status_code,
                    response["Content-Type"],
                    response.get("Content-Disposition", ""),
                )

            try:
                if pdf:
                    # a factsheet takes a second or two: one at a time per worker
                    with heavy():
                        content, status, content_type, disposition = remember(key, rendered)
                else:
                    content, status, content_type, disposition = remember(key, rendered)
            except BusyError:
                busy = HttpResponse(
                    "Busy making another factsheet; try again in a few seconds.\n",
                    status=503,
                    content_type="text/plain; charset=utf-8",
                )
                busy["Retry-After"] = "5"
                return busy
            response = HttpResponse(content, status=status, content_type=content_type)
            if disposition:
                response["Content-Disposition"] = disposition
            response["ETag"] = etag
            response["Last-Modified"] = http_date(stamp)
            response["Cache-Control"] = "public, max-age=0, must-revalidate"
            return response

        return csrf_exempt(require_safe(view))  # read-only: 405 before any CSRF check

    return decorate


@_page("monitoring/home.html")
def home(request: HttpRequest) -> dict[str, Any]:
    """The EU picture in a few headline gaps."""
    return pages.home_page(_reader())


@_page("monitoring/indicator.html", pages.INDICATOR_PARAMETERS)
def indicator(request: HttpRequest, ident: str) -> dict[str, Any]:
    """One indicator: series by group and sex, map and ranking."""
    return pages.indicator_page(_reader(), ident, request.GET)


@_page("monitoring/metadata.html")
def indicator_metadata(request: HttpRequest, ident: str) -> dict[str, Any]:
    """One indicator's metadata: definition, sources and their updates, method, breaks,
    how to cite."""
    return pages.metadata_page(_reader(), ident)


@_page("monitoring/indicators.html")
def indicators(request: HttpRequest) -> dict[str, Any]:
    """The list of indicators, by area."""
    return pages.indicator_list(_reader())


@_page("monitoring/country.html", (*pages.PROFILE_PARAMETERS, "watch"))
def country(request: HttpRequest, geo: str) -> dict[str, Any]:
    """One country's profile."""
    return pages.country_page(_reader(), geo, request.GET)


@_page("monitoring/factsheet.html", pages.PROFILE_PARAMETERS, pdf=True)
def country_pdf(request: HttpRequest, geo: str) -> dict[str, Any]:
    """One country's profile as a printable PDF factsheet."""
    return pages.country_page(_reader(), geo, request.GET)


@_page("monitoring/countries.html")
def countries(request: HttpRequest) -> dict[str, Any]:
    """The list of countries and aggregates."""
    return pages.country_list(_reader())


@_page("monitoring/compare.html", pages.COMPARE_PARAMETERS)
def compare(request: HttpRequest) -> dict[str, Any]:
    """Two to four countries or regions side by side."""
    return pages.compare_page(_reader(), request.GET)


@_page("monitoring/data.html", pages.DATA_PARAMETERS)
def _data(request: HttpRequest) -> dict[str, Any]:
    """Filter and download."""
    return pages.data_page(_reader(), request.GET)


@csrf_exempt
@require_safe
def data(request: HttpRequest) -> HttpResponse:
    """Filter and download; what the page's form sends is first tidied into the page's
    canonical URL (empty fields dropped, names resolved to codes) by a redirect."""
    if pages.FORM_MARKER in request.GET:
        query = pages.data_form_target(_reader(), request.GET)
        return redirect(request.path + (f"?{query}" if query else ""))
    return _data(request)


@_page("monitoring/search.html", ("q",))
def search(request: HttpRequest) -> dict[str, Any]:
    """The site search: indicators, countries, regions, pages and practices."""
    return pages.search_page(_reader(), request.GET)


@require_safe
def nuts_geojson(
    request: HttpRequest, year: int, scale: str, level: int
) -> HttpResponse | FileResponse:
    """NUTS region boundaries from the server's cache (``zaragoza geo fetch``), with an
    ETag; 404 when they are not cached. Never from GISCO directly: the page's scripts
    may only connect to this site."""
    entry = next(
        (c for c in gisco.list_cached() if (c.year, c.scale, c.level) == (year, scale, level)),
        None,
    )
    if entry is None:
        raise Http404("these NUTS boundaries are not cached")
    stat = entry.path.stat()
    etag = f'"nuts-{year}-{scale}-{level}-{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    conditional = get_conditional_response(request, etag=etag, last_modified=int(stat.st_mtime))
    if conditional is not None:
        return conditional
    response = FileResponse(entry.path.open("rb"), content_type="application/geo+json")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(int(stat.st_mtime))
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response
