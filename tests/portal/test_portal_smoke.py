"""The portal starts on the embedded default and answers with security headers."""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client


def test_home_renders_with_security_headers(portal: Path, client: Client) -> None:
    response = client.get("/en/")
    assert response.status_code == 200
    assert b"employment_rate" in response.content
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_root_redirects_to_a_language(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"


@pytest.mark.django_db
def test_django_database_follows_database_url() -> None:
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected


@pytest.mark.django_db
def test_admin_needs_a_login(portal: Path, client: Client) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.headers["Location"]
    User.objects.create_superuser("curator", "curator@example.org", "a-long-test-passphrase")
    # through the login form, as a person logs in (django-axes watches that path)
    res = client.post(
        "/admin/login/", {"username": "curator", "password": "a-long-test-passphrase"}
    )
    assert res.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_gunicorn_serves_the_portal(live_portal: str) -> None:
    with urllib.request.urlopen(live_portal + "/en/") as response:
        assert response.status == 200
        assert response.headers["Server"] == "gunicorn"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    with urllib.request.urlopen(live_portal + "/static/vendor/plotly/plotly.min.js") as js:
        assert js.status == 200
        assert js.read(200).startswith(b"/**")


def test_pages_are_cached_per_warehouse_version_and_revalidate(
    portal: Path, client: Client
) -> None:
    first = client.get("/en/countries/AT/")
    again = client.get("/en/countries/AT/")
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert client.get("/en/countries/AT/", headers={"If-None-Match": etag}).status_code == 304
    other = client.get("/fr/countries/AT/")
    assert other.headers["ETag"] != etag
    assert other.content != first.content
