"""The ``benchmarks`` app."""

from __future__ import annotations

from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "zaragoza.portal.benchmarks"
    label = "benchmarks"
    verbose_name = "Local benchmarks"
    default_auto_field = "django.db.models.BigAutoField"
