"""Roles in the admin site (open to admins only: Django's admin requires staff, which
only the ``admin`` role sets)."""

from __future__ import annotations

from django.contrib import admin

from zaragoza.portal.accounts.models import Grant, PublicProfile

admin.site.register(Grant)
admin.site.register(PublicProfile)
