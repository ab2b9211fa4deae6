"""Page URLs of the skills profile (mounted under the language prefix). Profiles are
addressed by their random id only."""

from __future__ import annotations

from django.urls import path

from zaragoza.portal.skills import views

app_name = "skills"
urlpatterns = [
    path("skills/", views.index, name="index"),
    path("skills/new/", views.new, name="new"),
    path("skills/claim/", views.claim, name="claim"),
    path("skills/import/", views.import_profile, name="import"),
    path("skills/caseload.csv", views.caseload_csv, name="caseload-csv"),
    path("skills/occupations.json", views.occupation_search, name="occupations"),
    path("skills/p/<uuid:pk>/", views.profile, name="profile"),
    path("skills/p/<uuid:pk>/export.json", views.export, name="export"),
    path("skills/p/<uuid:pk>/profile.pdf", views.export_pdf, name="pdf"),
    path("skills/p/<uuid:pk>/erase/", views.erase, name="erase"),
    path("skills/p/<uuid:pk>/consent/", views.consent, name="consent"),
    path("skills/p/<uuid:pk>/link-code/", views.link_code, name="link-code"),
    path("skills/p/<uuid:pk>/unlink/", views.unlink, name="unlink"),
]
