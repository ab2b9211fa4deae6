"""Translated fields (django-modeltranslation): each gets a column per portal language
(``title_en``, ``title_fr``, ``title_de``); reading ``title`` gives the active language's
text, falling back to English."""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from zaragoza.knowledge.schema import TRANSLATABLE_FIELDS
from zaragoza.portal.knowledge.models import Practice


@register(Practice)
class PracticeTranslation(TranslationOptions):
    fields = TRANSLATABLE_FIELDS
