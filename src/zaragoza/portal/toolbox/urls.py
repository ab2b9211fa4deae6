"""Page URLs of the toolbox (mounted under the language prefix)."""

from __future__ import annotations

from django.urls import path

from zaragoza.portal.toolbox import views

app_name = "toolbox"
urlpatterns = [
    path("toolbox/", views.index, name="index"),
    path("toolbox/recommend/", views.recommend, name="recommend"),
    path("toolbox/plan/", views.plan, name="plan"),
    path("toolbox/plan/change/", views.plan_change, name="plan-change"),
    path("toolbox/plan.csv", views.plan_download, {"fmt": "csv"}, name="plan-csv"),
    path("toolbox/plan.pdf", views.plan_download, {"fmt": "pdf"}, name="plan-pdf"),
    path("toolbox/modules/<slug:ident>/", views.module, name="module"),
    path("toolbox/modules/<slug:ident>/self-check/", views.selfcheck, name="selfcheck"),
    path("toolbox/components/<slug:ident>/", views.component, name="component"),
    path("toolbox/measures/<slug:ident>/", views.measure, name="measure"),
]
