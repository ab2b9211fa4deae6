"""The ``skills`` app."""

from __future__ import annotations

from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "zaragoza.portal.skills"
    label = "skills"
    verbose_name = "Skills profiles"
    default_auto_field = "django.db.models.BigAutoField"
