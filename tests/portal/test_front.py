"""The front layer: kept pages answered before Django's middleware, exactly as Django
answered them, and only when Django would answer anyone the same way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client

from zaragoza.portal.front import FrontCache
from zaragoza.portal.knowledge.models import Practice
from zaragoza.portal.knowledge.pagecache import page_key

PAGE = "/en/practices/example-language-cafe/"
KEEP = "x-zaragoza-front-keep"


@pytest.fixture(autouse=True)
def _in_the_test_transaction() -> Iterator[None]:
    """As Django's test client does: requests do not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class Counted:
    """A WSGI application counting the requests it answers."""

    def __init__(self, app: Any) -> None:
        self.app, self.calls = app, 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.calls += 1
        return self.app(environ, start_response)  # type: ignore[no-any-return]


def call(app: Any, path: str, *, method: str = "GET", **headers: str) -> tuple[str, Any, bytes]:
    """``app``'s answer to one request: status, headers (a list of pairs), body."""
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    path_info, _, query = path.partition("?")
    environ.update(REQUEST_METHOD=method, PATH_INFO=path_info, QUERY_STRING=query)
    environ.update(HTTP_HOST="127.0.0.1", SERVER_NAME="127.0.0.1")
    environ.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    got: dict[str, Any] = {}

    def start_response(status: str, sent: list[tuple[str, str]], exc_info: Any = None) -> None:
        got.update(status=status, headers=sent)

    body = app(environ, start_response)
    try:
        content = b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()
    return got["status"], got["headers"], content


@pytest.fixture
def front(portal: Path, kb: Any) -> tuple[FrontCache, Counted]:
    django = Counted(get_wsgi_application())
    return FrontCache(django, page_key), django


def test_a_kept_page_is_answered_before_django_as_django_answered_it(
    front: tuple[FrontCache, Counted],
) -> None:
    app, django = front
    first = call(app, PAGE)
    assert first[0] == "200 OK"
    assert django.calls == 1
    again = call(app, PAGE)
    assert django.calls == 1  # not asked again
    assert again == first
    names = {k.lower() for k, _v in again[1]}
    assert {"content-security-policy", "x-frame-options", "x-content-type-options"} <= names
    assert KEEP not in names  # the view's request to the layer never reaches the client
    # a reader with cookies that change nothing for the public (a CSRF token) too
    assert call(app, PAGE, cookie="csrftoken=abc")[2] == first[2]
    assert django.calls == 1


def test_a_change_to_published_content_is_never_answered_from_an_old_answer(
    front: tuple[FrontCache, Counted],
) -> None:
    app, django = front
    assert b"Renamed for the test" not in call(app, PAGE)[2]
    p = Practice.objects.get(slug="example-language-cafe")
    p.title_en = "Renamed for the test"
    p.save()
    assert b"Renamed for the test" in call(app, PAGE)[2]
    assert django.calls == 2


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        ("GET", {"cookie": "sessionid=someone"}),  # signed in, perhaps
        ("GET", {"cookie": "messages=waiting"}),  # a message for this reader
        ("HEAD", {}),
        ("GET", {"host": "evil.example"}),  # Django refuses a host it does not serve
    ],
)
def test_requests_django_might_answer_otherwise_go_to_django(
    front: tuple[FrontCache, Counted], method: str, headers: dict[str, str]
) -> None:
    app, django = front
    call(app, PAGE)  # kept
    answers = [call(app, PAGE, method=method, **headers) for _ in range(2)]
    assert django.calls == 3
    if "host" in headers:
        assert all(status.startswith("400") for status, _h, _b in answers)


def test_only_successful_answers_the_view_asked_for_are_kept(
    front: tuple[FrontCache, Counted],
) -> None:
    app, django = front
    for path in (
        "/en/practices/no-such-practice/",  # 404
        "/en/practices/?sort=nonsense",  # 400
        "/en/indicators/",  # a monitoring page: not one of the kept pages
        "/api/v1/practices?limit=1",  # no language prefix
    ):
        before = django.calls
        call(app, path)
        call(app, path)
        assert django.calls == before + 2, path


def test_an_answer_setting_a_cookie_is_never_kept(settings: Any) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        headers = [("Content-Type", "text/plain"), ("X-Zaragoza-Front-Keep", "k")]
        if environ["PATH_INFO"] == "/en/cookie/":
            headers.append(("Set-Cookie", "csrftoken=for-one-reader"))
        start_response("200 OK", headers)
        return [b"page"]

    django = Counted(app)
    layer = FrontCache(django, lambda language, path: "k")
    for _ in range(2):
        assert ("Set-Cookie", "csrftoken=for-one-reader") in call(layer, "/en/cookie/")[1]
    assert django.calls == 2
    for _ in range(2):
        _status, headers, body = call(layer, "/en/page/")
        assert body == b"page"
        assert all(k != "X-Zaragoza-Front-Keep" for k, _v in headers)
    assert django.calls == 3


def test_without_the_front_layer_nothing_is_asked_of_it(
    portal: Path, client: Client, kb: Any
) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    assert KEEP not in {k.lower() for k in response.headers}


def test_a_database_error_while_asking_the_versions_leaves_the_answer_to_django() -> None:
    from django.db import DatabaseError

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"Django's own answer"]

    def failing(language: str, path: str) -> str:
        raise DatabaseError("the server is gone")

    django = Counted(app)
    status, _headers, body = call(FrontCache(django, failing), PAGE)
    assert status.startswith("503")
    assert body == b"Django's own answer"
    assert django.calls == 1
