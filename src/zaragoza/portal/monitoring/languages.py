"""The portal's languages (English, French, German)."""

from __future__ import annotations

LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch")]
