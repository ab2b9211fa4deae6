"""The Atom feed of newly published practices."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from zaragoza.knowledge.rules import State
from zaragoza.portal.knowledge.models import Practice


class LatestPractices(Feed):  # type: ignore[type-arg]
    """The 50 practices published last, newest first."""

    feed_type = Atom1Feed
    title = "Zaragoza: newly published practices of integration"
    subtitle = "Practices published in the Zaragoza knowledge base, newest first."

    def link(self) -> str:
        return reverse("knowledge:practices")

    def items(self) -> Any:
        return Practice.objects.filter(state=State.PUBLISHED).order_by("-published_at", "id")[:50]

    def item_title(self, item: Practice) -> str:
        return ("[Example] " if item.example else "") + str(item.title)

    def item_description(self, item: Practice) -> str:
        return str(item.summary)

    def item_link(self, item: Practice) -> str:
        return reverse("knowledge:practice", args=[item.slug])

    def item_pubdate(self, item: Practice) -> Any:
        return item.published_at

    def item_updateddate(self, item: Practice) -> Any:
        return item.updated

    def item_categories(self, item: Practice) -> list[str]:
        return [*item.countries, *item.themes]
