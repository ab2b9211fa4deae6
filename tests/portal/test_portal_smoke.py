"""The portal starts on the embedded default and answers with security headers."""

from __future__ import annotations

from pathlib import Path

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
