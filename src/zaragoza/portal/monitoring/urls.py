"""Page URLs of the ``monitoring`` app (mounted under the language prefix)."""

from __future__ import annotations

from django.urls import path

from zaragoza.portal.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.home, name="home"),
]
