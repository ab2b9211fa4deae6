"""Pages. Views are thin: they hand the query string to :mod:`.pages` and render.

A parameter a page cannot use (an unknown country or indicator, a malformed year) gives
a page that says what is wrong, with status 404 or 400, never a server error.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zaragoza.portal.monitoring import pages
from zaragoza.warehouse.reader import WarehouseReader, reader_for

View = Callable[..., HttpResponse]


def _reader() -> WarehouseReader:
    return reader_for(settings.ZARAGOZA_WAREHOUSE)


def _page(template: str) -> Callable[[Callable[..., dict[str, Any]]], View]:
    """Render ``template`` with what the wrapped function returns; a
    :class:`~.pages.PageError` renders the error page with its status."""

    def decorate(build: Callable[..., dict[str, Any]]) -> View:
        @wraps(build)
        def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                data = build(request, *args, **kwargs)
            except pages.PageError as err:
                return render(
                    request,
                    "monitoring/error.html",
                    {"status": err.status, "message": err.message},
                    status=err.status,
                )
            return render(request, template, data)

        return view

    return decorate


@_page("monitoring/home.html")
def home(request: HttpRequest) -> dict[str, Any]:
    """The EU picture in a few headline gaps."""
    return pages.home_page(_reader())


@_page("monitoring/indicator.html")
def indicator(request: HttpRequest, ident: str) -> dict[str, Any]:
    """One indicator: series by group and sex, map and ranking."""
    return pages.indicator_page(_reader(), ident, request.GET)


@_page("monitoring/indicators.html")
def indicators(request: HttpRequest) -> dict[str, Any]:
    """The list of indicators, by area."""
    return pages.indicator_list(_reader())


@_page("monitoring/country.html")
def country(request: HttpRequest, geo: str) -> dict[str, Any]:
    """One country's profile."""
    return pages.country_page(_reader(), geo, request.GET)


@_page("monitoring/countries.html")
def countries(request: HttpRequest) -> dict[str, Any]:
    """The list of countries and aggregates."""
    return pages.country_list(_reader())


@_page("monitoring/compare.html")
def compare(request: HttpRequest) -> dict[str, Any]:
    """Two to four countries or regions side by side."""
    return pages.compare_page(_reader(), request.GET)


@_page("monitoring/data.html")
def data(request: HttpRequest) -> dict[str, Any]:
    """Filter and download."""
    return pages.data_page(_reader(), request.GET)
