"""URLs: pages under a language prefix (``/en/``, ``/fr/``, ``/de/``), the API under ``/api/``."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from zaragoza.portal.monitoring.api import api, not_found
from zaragoza.portal.monitoring.views import nuts_geojson

urlpatterns = [
    path("api/", api.urls),
    re_path(r"^api/(?P<path>.*)$", not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", RedirectView.as_view(url="/en/", permanent=False)),
    # NUTS boundaries from the local cache (never shipped: GISCO's licence).
    path("geo/nuts/<int:year>/<str:scale>/<int:level>.geojson", nuts_geojson, name="nuts-geojson"),
    # Browsers ask for /favicon.ico whatever the page links (the API docs, error pages).
    path("favicon.ico", RedirectView.as_view(url=static("monitoring/favicon.svg"), permanent=True)),
]
urlpatterns += i18n_patterns(
    path("", include("zaragoza.portal.monitoring.urls")),
    path("", include("zaragoza.portal.knowledge.urls")),
    path("", include("zaragoza.portal.toolbox.urls")),
    path("", include("zaragoza.portal.skills.urls")),
    path("", include("zaragoza.portal.benchmarks.urls")),
    path("", include("zaragoza.portal.accounts.urls")),
    prefix_default_language=True,
)
