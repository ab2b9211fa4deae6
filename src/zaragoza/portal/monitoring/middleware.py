"""Security headers Django 5.2 does not set itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# No inline or third-party scripts: every script is a static file of this site. Inline
# styles stay allowed because plotly.js writes style attributes and elements.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicy:
    """Add ``Content-Security-Policy`` (and ``Permissions-Policy``) to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


API_PREFIX = "/api/"
API_METHODS = "GET, HEAD, OPTIONS"
# What a browser may send with a cross-origin GET: content negotiation and the
# conditional headers the API answers with 304.
API_REQUEST_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"


class ApiMethods:
    """``HEAD`` and ``OPTIONS`` on the open-data API, which django-ninja answers with 405.

    ``HEAD`` is the ``GET`` answer without its body (headers, ``ETag`` and
    ``Content-Length`` included, RFC 9110 9.3.2), so a client can check a resource's
    version without downloading it. ``OPTIONS`` on an API path that exists answers
    ``204`` with ``Allow`` and the CORS preflight headers (any origin, the read
    methods, the request headers above, kept a day), as browsers ask before a
    cross-origin request with headers such as ``If-None-Match``. Other methods keep
    django-ninja's 405, with the full ``Allow`` list.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS" and _exists(request.path_info):
            response = HttpResponse(status=204)
            response["Allow"] = API_METHODS
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Allow-Methods"] = API_METHODS
            response["Access-Control-Allow-Headers"] = API_REQUEST_HEADERS
            response["Access-Control-Max-Age"] = "86400"
            return response
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response = self.get_response(request)
        if head:
            request.method = "HEAD"
            if not response.streaming:
                response["Content-Length"] = str(len(response.content))
                response.content = b""
        if response.status_code == 405:
            response["Allow"] = API_METHODS
        return response


def _exists(path: str) -> bool:
    """Whether ``path`` is an endpoint of the API (not the JSON 404 for other paths)."""
    from django.urls import Resolver404, resolve

    from zaragoza.portal.monitoring.api import not_found

    try:
        return resolve(path).func is not not_found
    except Resolver404:
        return False
