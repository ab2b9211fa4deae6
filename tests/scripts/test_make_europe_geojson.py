"""The map script: Eurostat ids, Europe's frame, rounded coordinates (on a tiny shapefile)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import shapefile

SCRIPT = Path(__file__).parents[2] / "scripts" / "make_europe_geojson.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_europe_geojson", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _square(lon: float, lat: float, size: float = 1.0) -> list[list[float]]:
    # Clockwise, as shapefile outer rings are.
    return [[lon, lat], [lon, lat + size], [lon + size, lat + size], [lon + size, lat], [lon, lat]]


def _shapefile(path: Path) -> Path:
    with shapefile.Writer(str(path), shapeType=shapefile.POLYGON) as w:
        for name in ("NAME", "ISO_A2", "ISO_A2_EH", "CONTINENT"):
            w.field(name, "C", size=40)
        w.poly([_square(22.123456, 39.987654)])
        w.record("Greece", "GR", "GR", "Europe")
        # France: mainland plus French Guiana, which lies outside Europe's frame.
        w.poly([_square(2.0, 46.0), _square(-53.0, 4.0)])
        w.record("France", "-99", "FR", "Europe")
        w.poly([_square(-2.0, 53.0)])
        w.record("United Kingdom", "GB", "GB", "Europe")
        w.poly([_square(33.0, 35.0, 0.5)])
        w.record("Cyprus", "CY", "CY", "Asia")
        w.poly([_square(40.0, 55.0)])
        w.record("Russia", "RU", "RU", "Europe")
        w.poly([_square(100.0, 40.0)])
        w.record("Mongolia", "MN", "MN", "Asia")
    return path.with_suffix(".shp")


def test_europe_has_eurostat_ids_clipped_and_rounded(tmp_path: Path) -> None:
    collection = _script().europe(_shapefile(tmp_path / "ne"))
    features = {f["id"]: f for f in collection["features"]}
    assert list(features) == ["CY", "EL", "FR", "UK"]
    assert "Natural Earth" in collection["attribution"]
    france = features["FR"]["geometry"]["coordinates"]
    assert len(france) == 1  # French Guiana left out
    greece = features["EL"]["geometry"]["coordinates"][0][0]
    assert greece[0] == [22.12, 39.99]
    assert features["EL"]["properties"] == {"geo": "EL", "name": "Greece"}


def test_main_writes_the_file(tmp_path: Path) -> None:
    shp = _shapefile(tmp_path / "ne")
    out = tmp_path / "europe.geojson"
    assert _script().main([str(shp), str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["type"] == "FeatureCollection"


def test_the_bundled_map_is_small_and_european() -> None:
    bundled = SCRIPT.parents[1] / "src/zaragoza/portal/monitoring/static/monitoring/europe.geojson"
    assert bundled.stat().st_size < 60_000
    ids = {f["id"] for f in json.loads(bundled.read_text(encoding="utf-8"))["features"]}
    assert {"EL", "UK", "FR", "NO", "XK", "CY", "IS"} <= ids
    assert not ids & {"GR", "GB", "RU", "-99"}
