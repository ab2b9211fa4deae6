"""The ``knowledge`` app."""

from __future__ import annotations

from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "zaragoza.portal.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The monitoring pages list published practices: their cache keys carry the
        # knowledge base's version, so a publication shows at once.
        from zaragoza.portal.knowledge.searching import content_version
        from zaragoza.portal.monitoring.caching import STAMPS

        if content_version not in STAMPS:
            STAMPS.append(content_version)
        # Any change the public sees raises that version (see services).
        from zaragoza.portal.knowledge.services import connect_version_signals

        connect_version_signals()
