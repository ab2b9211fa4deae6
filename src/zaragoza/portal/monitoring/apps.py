"""App configuration for ``monitoring``."""

from __future__ import annotations

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "zaragoza.portal.monitoring"
    label = "monitoring"
    verbose_name = "Integration monitoring"
