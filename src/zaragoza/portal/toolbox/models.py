"""A signed-in user's plan of toolbox measures (an anonymous visitor's stays in the session)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from zaragoza.portal.accounts.permissions import Scope


class Plan(models.Model):
    """One plan per user: the kept measures (ids and notes, in order), the geo and level it
    was made for, the selection's query string and the toolbox version it used."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="toolbox_plan"
    )
    geo = models.CharField(max_length=8, blank=True)
    level = models.CharField(max_length=16, blank=True)
    query = models.TextField(blank=True)
    items: Any = models.JSONField(default=list)
    toolbox_version = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    owner_id: int

    class Meta:
        verbose_name = "toolbox plan"

    def __str__(self) -> str:
        return f"plan of {self.owner_id} for {self.geo or '-'}"

    def access_scope(self) -> Scope:
        return Scope("toolbox_plan", owner_id=self.owner_id)
