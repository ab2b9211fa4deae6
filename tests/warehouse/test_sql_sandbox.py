"""SQL from a person reaches the warehouse's tables and nothing else.

`zaragoza warehouse query --sql` and the portal's reader open the file read-only with
external access disabled and the configuration locked: every attempt below used to write
or read files beside the warehouse.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zaragoza.cli import app
from zaragoza.warehouse.reader import WarehouseReader
from zaragoza.warehouse.store import Warehouse

runner = CliRunner()


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("sandbox")
    res = runner.invoke(app, ["estimate", "--indicators", "employment_rate", "--out",
                              str(folder / "est.csv")])  # fmt: skip
    assert res.exit_code == 0, res.output
    for name in ("w.duckdb", "other.duckdb"):
        res = runner.invoke(
            app,
            ["warehouse", "load", str(folder / "est.csv"), "--source", "computed",
             "--warehouse", str(folder / name)],
        )  # fmt: skip
        assert res.exit_code == 0, res.output
    (folder / "secret.txt").write_text("not for you\n")
    return folder / "w.duckdb", folder / "other.duckdb"


def attempts(folder: Path, other: Path) -> list[str]:
    secret = folder / "secret.txt"
    return [
        f"COPY observations TO '{other}'",
        f"COPY observations TO '{folder / 'out.csv'}'",
        f"COPY (SELECT 1) TO '{folder / 'x.parquet'}' (FORMAT parquet)",
        f"EXPORT DATABASE '{folder / 'dump'}'",
        f"SELECT * FROM read_text('{secret}')",
        "SELECT * FROM read_text('/etc/shadow')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_csv_auto('/etc/passwd')",
        f"SELECT * FROM '{secret}'",
        "SELECT * FROM glob('/root/**')",
        "SELECT * FROM read_blob('/etc/passwd')",
        "SELECT * FROM read_json_auto('/etc/hostname')",
        "SELECT * FROM sniff_csv('/etc/passwd')",
        f"SELECT * FROM read_parquet('{folder / '*.parquet'}')",
        f"SELECT * FROM parquet_metadata('{folder / 'x.parquet'}')",
        f"ATTACH '{other}' AS other",
        f"ATTACH '{folder / 'new.duckdb'}' AS fresh",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "SET lock_configuration = false",
        "SET memory_limit = '100GB'",
        "PRAGMA threads = 64",
        "SELECT * FROM read_csv('https://example.org/x.csv')",
    ]


def test_cli_query_refuses_every_escape(warehouses: tuple[Path, Path]) -> None:
    wh, other = warehouses
    folder = wh.parent
    before = other.read_bytes()
    for sql in attempts(folder, other):
        res = runner.invoke(app, ["warehouse", "query", "--sql", sql, "--warehouse", str(wh)])
        assert res.exit_code == 2, (sql, res.output)
        out = " ".join(res.output.split())
        assert "query was refused" in out or "query failed" in out, (sql, out)
        assert "Traceback" not in out
        assert "not for you" not in res.output
    assert other.read_bytes() == before
    assert not (folder / "out.csv").exists()
    assert not (folder / "dump").exists()
    assert not (folder / "new.duckdb").exists()


def test_a_refusal_says_why(warehouses: tuple[Path, Path]) -> None:
    wh, _ = warehouses
    res = runner.invoke(
        app, ["warehouse", "query", "--sql", "SELECT * FROM read_text('/etc/shadow')",
              "--warehouse", str(wh)],
    )  # fmt: skip
    out = " ".join(res.output.split())
    assert "the query was refused: it may only read the warehouse's tables" in out


def test_reading_the_tables_still_works(warehouses: tuple[Path, Path]) -> None:
    wh, _ = warehouses
    res = runner.invoke(
        app,
        ["warehouse", "query", "--sql",
         "SELECT count(*) AS n, count(DISTINCT geo) AS g FROM observations",
         "--warehouse", str(wh)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[1].split(",")[1] == "3"


def test_the_portal_reader_is_sandboxed_too(warehouses: tuple[Path, Path]) -> None:
    wh, other = warehouses
    reader = WarehouseReader(wh)
    assert len(reader.observations()) > 0
    cur = reader._cursor()
    try:
        for sql in attempts(wh.parent, other):
            with pytest.raises(Exception, match=r"(?i)permission|locked|disabled|not exist"):
                cur.execute(sql).fetchall()
    finally:
        cur.close()


def test_a_read_only_warehouse_refuses_the_same(warehouses: tuple[Path, Path]) -> None:
    wh, other = warehouses
    with Warehouse(wh, read_only=True) as opened:
        for sql in attempts(wh.parent, other)[:6]:
            with pytest.raises(Exception, match=r"refused|failed"):
                opened.query(sql)
