"""Grants of roles to users, and the opt-in public profile."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zaragoza.portal.accounts.roles import Role

__all__ = ["Grant", "PublicProfile"]


class Grant(models.Model):
    """A role granted to a user, for one scope (a country, an entity, an organisation, a
    network or a review team) or for everything (an empty scope, for roles without one)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(max_length=20, choices=[(r.value, r.value) for r in Role])
    country = models.CharField(max_length=2, blank=True, default="")
    entity = models.CharField(max_length=20, blank=True, default="")
    organisation = models.CharField(max_length=100, blank=True, default="")
    network = models.CharField(max_length=100, blank=True, default="")
    #: A peer-review team (the id of a benchmark review): a peer reviewer's scope.
    review = models.CharField(max_length=20, blank=True, default="")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "country", "entity", "organisation", "network", "review"],
                name="accounts_grant_scope_unique",
            )
        ]

    def __str__(self) -> str:
        scope = self.country or self.entity or self.organisation or self.network or self.review
        return f"{self.user} {self.role}" + (f" {scope}" if scope else "")


class PublicProfile(models.Model):
    """What a user chose to show the public about themselves: nothing unless ``public``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="public_profile"
    )
    public = models.BooleanField(default=False)
    display_name = models.CharField(max_length=100, blank=True, default="")
    affiliation = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return self.display_name or str(self.user)
