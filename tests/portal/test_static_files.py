"""Static files are served compressed (gzip and brotli), plotly.js included."""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path

import brotli
import plotly
import pytest

from zaragoza.portal.static_files import collect_static

PLOTLY = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _get(url: str, encoding: str | None) -> tuple[dict[str, str], bytes]:
    headers = {"Accept-Encoding": encoding} if encoding else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as res:
        return dict(res.headers), res.read()


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br"), (None, None)],
)
@pytest.mark.parametrize(
    "path", ["/static/vendor/plotly/plotly.min.js", "/static/monitoring/site.css"]
)
def test_gunicorn_serves_static_files_compressed(
    live_portal: str, path: str, accept: str | None, encoding: str | None
) -> None:
    headers, body = _get(live_portal + path, accept)
    assert headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in headers.get("Vary", "")
    plain = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding](body)
    _, uncompressed = _get(live_portal + path, None)
    assert plain == uncompressed
    if path.endswith("plotly.min.js"):
        assert plain == PLOTLY.read_bytes()
        if encoding is not None:
            assert len(body) < len(plain) / 3  # 4.8 MB -> about 1.3 MB


def test_collected_once_and_reused(settings: object, tmp_path: Path) -> None:
    cache = tmp_path / "static"  # its own folder: the page cache lives in tmp_path too
    first = collect_static(cache)
    assert (first / "vendor/plotly/plotly.min.js.br").is_file()
    assert (first / "vendor/plotly/plotly.min.js.gz").is_file()
    assert (first / "monitoring/charts.js.br").is_file()
    stamp = (first / "vendor/plotly/plotly.min.js.br").stat().st_mtime_ns
    said: list[str] = []
    again = collect_static(cache, progress=said.append)
    assert again == first
    assert said == []  # nothing compressed again
    assert (first / "vendor/plotly/plotly.min.js.br").stat().st_mtime_ns == stamp
    assert [p.name for p in cache.iterdir()] == [first.name]  # no half-made folder left
