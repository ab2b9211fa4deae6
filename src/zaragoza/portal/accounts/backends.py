"""Login throttling (django-axes) for every sign-in that comes with a request."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend

__all__ = ["ThrottledBackend"]


class ThrottledBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """django-axes' check, first of the authentication backends.

    Web sign-ins always carry their request (user name and address are what is
    throttled). An ``authenticate()`` without one (a shell, a management command, the
    test client's ``login``) has no address to throttle: it is left to Django's model
    backend instead of failing.
    """

    def authenticate(self, request: Any, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> Any:  # fmt: skip
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
