"""Page URLs of the local benchmarks (mounted under the language prefix)."""

from __future__ import annotations

from django.urls import path

from zaragoza.portal.benchmarks import views

app_name = "benchmarks"
urlpatterns = [
    path("benchmarks/", views.index, name="index"),
    path("benchmarks/frameworks/<str:key>/", views.framework_page, name="framework"),
    path("benchmarks/rounds/new/", views.round_create, name="round-create"),
    path("benchmarks/rounds/<slug:slug>/", views.round_page, name="round"),
    path("benchmarks/rounds/<slug:slug>/invite/", views.round_invite, name="round-invite"),
    path("benchmarks/rounds/<slug:slug>/in-review/", views.round_review, name="round-review"),
    path("benchmarks/rounds/<slug:slug>/publish/", views.round_publish, name="round-publish"),
    path(
        "benchmarks/rounds/<slug:slug>/report/",
        views.round_report,
        {"fmt": "html"},
        name="round-report",
    ),
    path(
        "benchmarks/rounds/<slug:slug>/report.pdf",
        views.round_report,
        {"fmt": "pdf"},
        name="round-pdf",
    ),
    path("benchmarks/entities/<str:code>/", views.entity_page, name="entity"),
    path("benchmarks/assessments/<int:pk>/", views.assessment_page, name="assessment"),
    path("benchmarks/assessments/<int:pk>/assign/", views.assign, name="assign"),
    path("benchmarks/assessments/<int:pk>/answer/", views.answer, name="answer"),
    path("benchmarks/assessments/<int:pk>/documents/<int:doc>/", views.document, name="document"),
    path("benchmarks/assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("benchmarks/assessments/<int:pk>/start-review/", views.start_review, name="start-review"),
    path("benchmarks/assessments/<int:pk>/publish/", views.publish, name="publish"),
    path("benchmarks/assessments/<int:pk>/survey/", views.survey_create, name="survey-create"),
    path("benchmarks/assessments/<int:pk>/team/", views.review_team, name="team"),
    path("benchmarks/assessments/<int:pk>/review/", views.review_page, name="review"),
    path("benchmarks/assessments/<int:pk>/review/edit/", views.review_edit, name="review-edit"),
    path("benchmarks/assessments/<int:pk>/review/finding/", views.review_finding, name="finding"),
    path(
        "benchmarks/assessments/<int:pk>/review/recommendation/",
        views.review_recommendation,
        name="recommendation",
    ),
    path(
        "benchmarks/assessments/<int:pk>/report/", views.city_report, {"fmt": "html"}, name="report"
    ),
    path(
        "benchmarks/assessments/<int:pk>/report.pdf",
        views.city_report,
        {"fmt": "pdf"},
        name="report-pdf",
    ),
    path("benchmarks/survey/<str:token>/", views.survey, name="survey"),
    path("benchmarks/commitments/", views.commitments, name="commitments"),
    path("benchmarks/commitments/<str:code>/", views.commitments_edit, name="commitments-edit"),
]
