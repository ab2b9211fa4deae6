"""Skills profiles (sealed), the person's consents, and who read or changed which profile."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from zaragoza.portal.accounts.permissions import Scope

__all__ = ["AccessLog", "Consent", "LinkCode", "Profile", "Retention"]


class Profile(models.Model):
    """One person's profile. Everything about the person is in ``sealed`` (encrypted);
    the clear columns say only which organisation keeps it and its state.

    The id is random (a UUID): profile URLs say nothing about the person, and ids
    cannot be guessed or counted.
    """

    STATES = [("active", "active"), ("erased", "erased")]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.CharField(max_length=100, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="skills_profiles",
    )
    state = models.CharField(max_length=10, choices=STATES, default="active")
    sealed = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # an invented profile ("Synthetic person N", zaragoza.skills.synthetic): figures
    # counting it are marked synthetic
    synthetic = models.BooleanField(default=False)
    owner_id: int | None

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"profile {self.pk}"  # never the person's name

    def access_scope(self) -> Scope:
        return Scope(
            "skills_profile",
            owner_id=self.owner_id,
            state=self.state,
            organisation=self.organisation,
        )


class Consent(models.Model):
    """The person's answer for one purpose, with the version of the text they were shown."""

    PURPOSES = [("counselling", "counselling"), ("statistics", "statistics")]

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=PURPOSES)
    given = models.BooleanField()
    text_version = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class AccessLog(models.Model):
    """Who did what to which profile, when; nothing about the person.

    ``profile_id`` is not a foreign key: the log outlives an erased profile.
    """

    profile_id = models.UUIDField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class Retention(models.Model):
    """How long an organisation keeps its profiles: those unchanged for ``days`` days are
    erased by the purge (``zaragoza profiles purge``, also run daily by the server).

    An organisation without a period keeps its profiles until they are erased by hand
    or purged with an explicit period. Set by an admin (the admin site) or with
    ``zaragoza profiles retention --organisation ORG --days N``.
    """

    organisation = models.CharField(max_length=100, unique=True)
    days = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.days} days"


class LinkCode(models.Model):
    """A one-time code with which the person links their own account to their profile.

    A counsellor makes it and hands it to the person (printed or read out); the person
    enters it on the claim page, signed in or creating their account there. Only its
    SHA-256 digest is kept: the database never holds a usable code. A code is valid once
    and until ``expires_at``; a new code for the same profile replaces the unused ones.
    """

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="link_codes")
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
