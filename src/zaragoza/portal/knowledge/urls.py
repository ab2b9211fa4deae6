"""Page URLs of the knowledge base (mounted under the language prefix)."""

from __future__ import annotations

from django.urls import path

from zaragoza.portal.knowledge import feeds, views

app_name = "knowledge"
urlpatterns = [
    path("practices/", views.practices, name="practices"),
    path("practices/feed.atom", feeds.LatestPractices(), name="feed"),
    path("practices/new/", views.new, name="new"),
    path("practices/<slug:slug>/", views.practice, name="practice"),
    path("practices/<slug:slug>/edit/", views.edit, name="edit"),
    path("practices/<slug:slug>/step/", views.step, name="step"),
    path("practices/<slug:slug>/history/", views.history, name="history"),
    path("practices/<slug:slug>/history/<int:number>/", views.revision, name="revision"),
    path("practices/<slug:slug>/documents/", views.upload, name="upload"),
    path("practices/<slug:slug>/documents/<int:pk>/", views.document, name="document"),
    path("work/", views.work, name="work"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("governance/", views.profiles, name="profiles"),
    path("governance/<str:geo>/", views.profile, name="profile"),
]
