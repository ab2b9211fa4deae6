"""The ``toolbox`` app."""

from __future__ import annotations

from django.apps import AppConfig


class ToolboxConfig(AppConfig):
    name = "zaragoza.portal.toolbox"
    label = "toolbox"
    verbose_name = "European toolbox"
    default_auto_field = "django.db.models.BigAutoField"
