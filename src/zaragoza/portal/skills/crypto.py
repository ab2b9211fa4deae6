"""Sealing profiles at rest: Fernet (AES-128-CBC with HMAC-SHA256, ``cryptography``).

Keys come from the environment, never from the repository:

``ZARAGOZA_PROFILE_KEYS``
    Comma-separated Fernet keys (``Fernet.generate_key()``), the newest first. Every
    key decrypts; the first encrypts. To rotate: put a new key first, keep the old ones
    after it, run :func:`zaragoza.portal.skills.services.rotate` (all profiles are sealed
    again with the new key), then drop the old keys.

Without it, a random key is made once and kept in a file only its owner can read,
beside the portal's database (as ``DJANGO_SECRET_KEY`` is): there is no default key. A
profile that no configured key opens is a clear :class:`LostKeyError` error, never garbage.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["LostKeyError", "fernet", "open_sealed", "seal"]


class LostKeyError(Exception):
    """No configured key opens a sealed profile (a key lost, or rotated away too soon)."""


def _from_file(path: Path) -> list[str]:
    try:
        return [path.read_text().strip()]
    except FileNotFoundError:
        key = Fernet.generate_key().decode()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return [key]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    made = []
    for i, key in enumerate(keys, start=1):
        try:
            made.append(Fernet(key.encode()))
        except ValueError:
            # never echo the key itself
            raise ImproperlyConfigured(
                f"ZARAGOZA_PROFILE_KEYS: key {i} of {len(keys)} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with "
                "`python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)"
            ) from None
    return MultiFernet(made)


def fernet() -> MultiFernet:
    """The keys in force: the environment's, or the installation's own key file."""
    keys = [k.strip() for k in settings.ZARAGOZA_PROFILE_KEYS if k.strip()]
    if not keys:
        keys = _from_file(Path(settings.ZARAGOZA_PROFILE_KEY_FILE))
    return _fernet(tuple(keys))


def seal(data: dict[str, Any]) -> str:
    """Encrypt a JSON-able record with the newest key."""
    return fernet().encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def open_sealed(token: str) -> dict[str, Any]:
    """Decrypt a sealed record; :class:`LostKeyError` when no configured key opens it."""
    try:
        raw = fernet().decrypt(token.encode())
    except InvalidToken:
        raise LostKeyError(
            "this profile cannot be opened with the keys configured in "
            "ZARAGOZA_PROFILE_KEYS (the key that sealed it is missing)"
        ) from None
    data: dict[str, Any] = json.loads(raw)
    return data


def rotate_token(token: str) -> str:
    """The same record sealed again with the newest key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise LostKeyError("a profile cannot be opened with the configured keys") from None
