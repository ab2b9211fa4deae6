"""The open-data API (django-ninja; OpenAPI schema at ``/api/docs``)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI

from zaragoza import __version__

api = NinjaAPI(
    title="Zaragoza open data API",
    version="1",
    description="Migrant-integration indicators: the catalogue and observation cells.",
    urls_namespace="api",
)


@api.get("/v1/indicators")
def indicators(request: HttpRequest) -> list[dict[str, str]]:
    """The indicator catalogue."""
    from zaragoza.catalog.loader import load_catalog

    cat = load_catalog()
    return [{"id": i, "title": cat[i].title, "version": __version__} for i in sorted(cat)]
