"""A WSGI layer in front of Django: kept pages answered before the middleware runs.

A page kept for anonymous readers (``knowledge.pagecache``) still cost each reader
Django's whole middleware stack (sessions, locale, CSRF, messages, security headers) and
a response object: a few milliseconds of CPU, which under 20 concurrent readers on two
cores queue into tens. This layer keeps, besides the page, the whole answer Django gave
the first reader (status, final headers, body) under the page's own key, and answers
the next reader of that URL from it, asking only the versions the key holds.

A request is answered here only when Django would answer it the same way without
looking at who asks: a ``GET`` under a language prefix (``/en/...``), with no session
and no message waiting (no such cookie), for a host Django allows, over TLS where TLS
is required. An answer is kept only when the view asked for it (the page was kept for
anonymous readers), it is a ``200`` and it sets no cookie. Everything else goes to
Django as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import request_finished, request_started
from django.db import DatabaseError
from django.http import HttpResponse
from django.http.cookie import parse_cookie

from zaragoza.portal.monitoring.caching import keep_shared, recall_shared

__all__ = ["FRONT_KEY", "FrontCache", "ask_front_to_keep"]

#: Set in the WSGI environment of the requests this layer passes on and could keep.
FRONT_KEY = "zaragoza.front"
# the view's answer to the layer: keep me under this key (never sent to the client)
_KEEP = "X-Zaragoza-Front-Keep"

StartResponse = Callable[..., Any]
Application = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def ask_front_to_keep(response: HttpResponse, key: str) -> None:
    """Ask the front layer to keep ``response`` whole under the page key ``key``."""
    response[_KEEP] = key


class FrontCache:
    """Answer the requests described in the module's docstring from kept answers.

    ``key_of(language, full_path)`` must give the key the view keeps its page under
    (``knowledge.pagecache.page_key``), so that an answer is found only for the URL,
    language and versions it was made for.
    """

    def __init__(self, app: Application, key_of: Callable[[str, str], str]) -> None:
        self.app = app
        self.key_of = key_of
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        found = self._eligible(environ)
        if found is None:
            return self.app(environ, start_response)
        request, language = found
        # the key's version queries, between the signals Django sends around a request
        # (its database connections are checked and closed when too old)
        request_started.send(sender=self.__class__, environ=environ)
        try:
            key = self.key_of(language, request.get_full_path())
        except DatabaseError:
            key = None
        finally:
            request_finished.send(sender=self.__class__)
        if key is None:
            return self.app(environ, start_response)  # Django answers (and reports) it
        kept = recall_shared("front:" + key)
        if kept is not None:
            status, headers, body = kept
            start_response(status, list(headers))
            return [body]
        environ[FRONT_KEY] = "1"
        return self._kept_if_asked(environ, start_response)

    def _eligible(self, environ: dict[str, Any]) -> tuple[WSGIRequest, str] | None:
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        path = str(environ.get("PATH_INFO", ""))
        language = path.split("/", 2)[1] if path.startswith("/") and path.count("/") >= 2 else ""
        if language not in self.languages:
            return None
        cookies = parse_cookie(str(environ.get("HTTP_COOKIE", "")))
        if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
            return None
        request = WSGIRequest(environ)
        try:
            request.get_host()  # Django answers a host it does not serve with a 400
        except DisallowedHost:
            return None
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            return None  # Django redirects it to https
        return request, language

    def _kept_if_asked(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent = [(k, v) for k, v in headers if k.lower() != _KEEP.lower()]
            keep = next((v for k, v in headers if k.lower() == _KEEP.lower()), None)
            answer.update(status=status, headers=sent, keep=keep)
            if exc_info is not None:
                return start_response(status, sent, exc_info)
            return start_response(status, sent)

        body = self.app(environ, capture)
        keep = answer.get("keep")
        if (
            not keep
            or not str(answer["status"]).startswith("200 ")
            or any(k.lower() == "set-cookie" for k, _v in answer["headers"])
        ):
            return body
        try:
            content = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()  # Django's request_finished
        keep_shared("front:" + keep, (answer["status"], tuple(answer["headers"]), content))
        return [content]
