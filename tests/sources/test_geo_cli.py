"""``zaragoza geo fetch`` and ``geo list`` on a cache holding the hand-made NUTS fixture
(offline: nothing here touches the network)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.sources.gisco import reduce_nuts

FIXTURE = Path(__file__).parent.parent / "data" / "gisco" / "nuts_rg_level2_handmade.geojson"
runner = CliRunner()


def test_geo_fetch_offline_and_list(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    res = runner.invoke(app, ["geo", "list", "--cache", str(cache)])
    assert res.exit_code == 0
    assert "no NUTS boundaries cached" in res.output
    res = runner.invoke(app, ["geo", "fetch", "--level", "2", "--offline", "--cache", str(cache)])
    assert res.exit_code == 2
    assert "offline and NUTS 2021 level 2 (20M) is not cached" in res.output
    assert "NUTS_RG_20M_2021_4326_LEVL_2.geojson" in res.output
    (cache / "gisco").mkdir(parents=True)
    body = reduce_nuts(json.loads(FIXTURE.read_text(encoding="utf-8")), level=2)
    (cache / "gisco" / "nuts-2021-20M-2.geojson").write_text(json.dumps(body), encoding="utf-8")
    res = runner.invoke(app, ["geo", "fetch", "--level", "2", "--offline", "--cache", str(cache)])
    assert res.exit_code == 0, res.output
    assert "NUTS 2021 level 2 (20M): 3 regions" in res.output
    res = runner.invoke(app, ["geo", "list", "--cache", str(cache)])
    assert res.exit_code == 0
    assert "NUTS 2021\tlevel 2\t20M" in res.output


def test_geo_fetch_rejects_an_unknown_level(tmp_path: Path) -> None:
    res = runner.invoke(app, ["geo", "fetch", "--level", "5", "--cache", str(tmp_path)])
    assert res.exit_code == 2
    assert "unknown NUTS level" in res.output
