"""Page URLs of the ``monitoring`` app (mounted under the language prefix)."""

from __future__ import annotations

from django.urls import path

from zaragoza.portal.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/<str:ident>/", views.indicator, name="indicator"),
    path("indicators/<str:ident>/metadata/", views.indicator_metadata, name="indicator_metadata"),
    path("countries/", views.countries, name="countries"),
    path("countries/<str:geo>/", views.country, name="country"),
    path("countries/<str:geo>/factsheet.pdf", views.country_pdf, name="country_pdf"),
    path("compare/", views.compare, name="compare"),
    path("data/", views.data, name="data"),
    path("search/", views.search, name="search"),
]
