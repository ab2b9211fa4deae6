"""The full-text table of the database in use (SQLite FTS5 or PostgreSQL tsvector)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _create(apps: Any, schema_editor: Any) -> None:
    from zaragoza.portal.knowledge.searching import create_search_schema

    create_search_schema(schema_editor)
    apps.get_model("knowledge", "KnowledgeVersion").objects.get_or_create(pk=1)


def _drop(apps: Any, schema_editor: Any) -> None:
    from zaragoza.portal.knowledge.searching import drop_search_schema

    drop_search_schema(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [migrations.RunPython(_create, _drop)]
