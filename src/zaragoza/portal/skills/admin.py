"""The retention period of each organisation, in the admin site (open to admins only:
Django's admin requires staff, which only the ``admin`` role sets). Profiles themselves
are not in the admin site: they are sealed, and read only through the skills pages."""

from __future__ import annotations

from django.contrib import admin

from zaragoza.portal.skills.models import Retention


@admin.register(Retention)
class RetentionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("organisation", "days", "updated_at")
    search_fields = ("organisation",)
