"""The portal in a real browser: headless Debian Chromium driven by Playwright.

Against ``zaragoza serve`` (gunicorn) on the embedded default: every page renders with
data and without a console error (CSP violations included), plotly draws its charts,
a table shows the warehouse's figure, downloads arrive with the selected cells, the
language switch keeps the page and its query, and the keyboard reaches the content.
Screenshots are kept in ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from zaragoza.warehouse.store import sandboxed

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/en/",
    "indicators": "/en/indicators/",
    "indicator": "/en/indicators/employment_rate/?geo=AT",
    # computed figures: the series table's cells hold interval, SE and n
    "indicator-computed": "/en/indicators/employment_rate/?geo=AT&source=computed&sex=T,F",
    "countries": "/en/countries/",
    "country": "/en/countries/AT/",
    "compare": "/en/compare/?geo=AT,DE,SE&indicator=employment_rate",
    "data": "/en/data/?indicator=employment_rate&geo=AT&citizen=NAT&sex=T&source=published",
}
#: Pages with plotly charts: each container must hold plotly's drawing (svg.main-svg).
PLOTLY = {"indicator", "indicator-computed", "compare", "country"}
#: The charts each of those pages must have (the indicator page: its series, the gap
#: over time and its map; the country profile: dot plots and gaps over time).
CHARTS = {
    "indicator": {"series", "gap", "map"},
    "indicator-computed": {"series", "gap", "map"},
    "compare": {"compare"},
    "country": {"dots", "trend"},
}
#: Pages that list links instead of showing a table.
LISTS = {"countries"}


@pytest.fixture
def page(browser: Any, live_portal: str) -> Iterator[Any]:
    """A fresh page that records console errors and uncaught exceptions."""
    context = browser.new_context(base_url=live_portal, accept_downloads=True)
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("response", lambda r: r.status >= 400 and pg.errors.append(f"{r.status} {r.url}"))
    yield pg
    context.close()


def _warehouse_value(path: Path, **cell: Any) -> float:
    where = " AND ".join(f"{k} = ?" for k in cell)
    with sandboxed(path) as con:
        row = con.execute(
            f"SELECT value FROM observations WHERE {where} AND compare_to = ''",
            list(cell.values()),
        ).fetchone()
    assert row is not None, cell
    return float(row[0])


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_renders_with_data_and_no_console_error(
    page: Any, name: str, screenshots: Path
) -> None:
    response = page.goto(PAGES[name])
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    if name in LISTS:
        assert page.locator("[data-list] li a").count() >= 30
    else:
        assert page.locator("table[data-table] tbody tr").count() >= 1
    if name in PLOTLY:
        charts = page.locator("[data-chart][data-renderer=plotly]")
        kinds = {charts.nth(i).get_attribute("data-chart") for i in range(charts.count())}
        assert kinds == CHARTS[name]
        for i in range(charts.count()):
            charts.nth(i).locator("svg.main-svg").first.wait_for(timeout=15_000)
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    assert page.errors == [], page.errors


def test_the_map_is_drawn_by_plotly_with_every_country(page: Any, screenshots: Path) -> None:
    page.goto("/en/indicators/employment_rate/?geo=AT&time=2024")
    chart = page.locator("[data-chart=map][data-renderer=plotly]")
    chart.locator("svg.main-svg").first.wait_for(timeout=15_000)
    # a function, not an expression: Playwright evaluates expressions with eval, which the
    # site's Content-Security-Policy forbids once polling starts
    page.wait_for_function(
        "() => document.querySelector('[data-chart=map]').getAttribute('data-drawn') === 'true'"
    )
    # Every country of the bundled map, with a value or grey, and the SVG drawing hidden.
    assert chart.locator("path.choroplethlocation").count() == 40
    assert not page.locator("[data-map-fallback]").is_visible()
    fills = chart.locator("path.choroplethlocation").evaluate_all(
        "paths => paths.map(p => p.style.fill || p.getAttribute('fill'))"
    )
    assert "rgb(230, 230, 230)" in fills
    assert len(set(fills)) >= 4
    chart.screenshot(path=str(screenshots / "indicator-map.png"))
    assert page.errors == [], page.errors


def test_table_shows_the_warehouse_figure(
    page: Any, default_warehouse: Path, screenshots: Path
) -> None:
    page.goto(PAGES["data"])
    expected = _warehouse_value(
        default_warehouse,
        indicator="employment_rate",
        geo="AT",
        time=2023,
        citizen="NAT",
        c_birth="TOTAL",
        sex="T",
        source="published",
    )
    rows = page.locator("table[data-table=data] tbody tr")
    found = None
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td, th")
        texts = [cells.nth(j).inner_text().strip() for j in range(cells.count())]
        if "2023" in texts:
            found = texts
    assert found is not None
    shown = next(t for t in found if t.replace(".", "", 1).split(" ")[0].isdigit() and "." in t)
    assert float(shown.split()[0]) == pytest.approx(expected, abs=0.05)
    assert page.errors == []


def test_csv_download_holds_the_selected_cells(page: Any, default_warehouse: Path) -> None:
    page.goto(PAGES["data"])
    with page.expect_download() as info:
        page.locator("[data-downloads] a[data-format=csv]").first.click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    assert {r["indicator"] for r in rows} == {"employment_rate"}
    assert {r["geo"] for r in rows} == {"AT"}
    row = next(r for r in rows if r["time"] == "2023")
    expected = _warehouse_value(
        default_warehouse,
        indicator="employment_rate",
        geo="AT",
        time=2023,
        citizen="NAT",
        c_birth="TOTAL",
        sex="T",
        source="published",
    )
    assert float(row["value"]) == pytest.approx(expected)


@pytest.mark.parametrize("fmt", ["xlsx", "jsonstat", "sdmx-csv"])
def test_other_downloads_arrive(page: Any, fmt: str) -> None:
    page.goto(PAGES["data"])
    link = page.locator(f"[data-downloads] a[data-format={fmt}]").first
    with page.expect_download() as info:
        link.click()
    assert Path(info.value.path()).stat().st_size > 100


@pytest.mark.parametrize("width", [390, 1280])
def test_factsheet_and_indicator_charts_fit_with_their_axes(
    browser: Any, live_portal: str, width: int, screenshots: Path
) -> None:
    """At a phone's width and a desktop's, every chart of the country profile and the
    indicator page is drawn inside its box and the page, with both axes' ticks; the
    employment chart has its EU target lines and its break in series."""
    context = browser.new_context(base_url=live_portal, viewport={"width": width, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    for url in ("/en/countries/AT/?year=2023", "/en/indicators/employment_rate/?geo=AT"):
        pg.goto(url)
        pg.wait_for_function(
            "() => [...document.querySelectorAll('[data-chart][data-renderer=plotly]')]"
            ".filter(e => !e.hidden).every(e => e.getAttribute('data-drawn') === 'true')",
            timeout=30_000,
        )
        boxes = pg.evaluate(
            """() => [...document.querySelectorAll('[data-chart][data-renderer=plotly]')]
              .filter(e => !e.hidden && e.getAttribute('data-chart') !== 'map')
              .map(e => ({chart: e.getAttribute('data-chart'), box: e.getBoundingClientRect().right,
                svg: e.querySelector('svg.main-svg').getBoundingClientRect().right,
                height: e.querySelector('svg.main-svg').getBoundingClientRect().height,
                xticks: e.querySelectorAll('.xtick').length,
                yticks: e.querySelectorAll('.ytick').length}))"""
        )
        assert boxes, url
        for b in boxes:
            assert b["svg"] <= b["box"] + 1 <= width + 1, (url, b)
            assert b["xticks"] > 0, (url, b)
            assert b["yticks"] > 0, (url, b)
            assert b["height"] > 150, (url, b)
        name = "country" if "countries" in url else "indicator"
        pg.screenshot(path=str(screenshots / f"{name}-charts-{width}.png"), full_page=True)
    # the employment rate's levels: a line for each of its two EU targets, one break (2021)
    pg.goto("/en/countries/AT/?year=2023")
    chart = pg.locator("#chart-trend-employment_rate")
    chart.locator("svg.main-svg").first.wait_for(timeout=15_000)
    notes = chart.locator(".annotation-text").evaluate_all("els => els.map(e => e.textContent)")
    assert "Europe 2020 target: 75 %" in notes
    assert "EU 2030 target: 78 %" in notes
    assert notes.count("b") == 1
    context.close()
    assert errors == [], errors


def test_the_factsheet_link_downloads_a_pdf(page: Any) -> None:
    page.goto("/en/countries/AT/?year=2023")
    with page.expect_download(timeout=120_000) as download:
        page.locator("[data-factsheet]").click()
    assert download.value.suggested_filename == "zaragoza-AT-2023.pdf"
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"


def test_language_switch_keeps_page_and_query(page: Any, screenshots: Path) -> None:
    page.goto(PAGES["indicator"])
    page.locator("a[data-language=fr]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/fr/indicators/employment_rate/?geo=AT")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.screenshot(path=str(screenshots / "indicator-fr.png"), full_page=True)
    page.locator("a[data-language=de]").click()
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.errors == []


def test_keyboard_reaches_the_content(page: Any) -> None:
    page.goto(PAGES["home"])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_tables_read_without_javascript(browser: Any, live_portal: str) -> None:
    context = browser.new_context(base_url=live_portal, java_script_enabled=False)
    pg = context.new_page()
    pg.goto(PAGES["indicator"])
    assert pg.locator("table[data-table=series] tbody tr").count() >= 1
    # Without JavaScript the map is the server's SVG drawing.
    assert pg.locator("[data-map-fallback] svg.map").is_visible()
    assert not pg.locator("[data-chart=map]").is_visible()
    context.close()


def test_api_docs_render_from_this_site(page: Any, screenshots: Path) -> None:
    response = page.goto("/api/docs")
    assert response.status == 200
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=15_000)
    assert page.locator(".swagger-ui .opblock").count() >= 4
    page.screenshot(path=str(screenshots / "api-docs.png"), full_page=True)
    assert page.errors == [], page.errors


def test_the_site_icon_loads(page: Any) -> None:
    page.goto(PAGES["home"])
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert href is not None
    assert href.endswith(".svg")
    for url in (href, "/favicon.ico"):
        response = page.goto(url)
        assert response.status == 200, url
        assert response.headers["content-type"].startswith("image/svg+xml")
    assert page.errors == [], page.errors


def _axe_script() -> Path | None:
    """axe-core (npm), from ``$ZARAGOZA_AXE_JS`` or the global npm folder."""
    given = os.environ.get("ZARAGOZA_AXE_JS")
    if given:
        return Path(given)
    npm = shutil.which("npm")
    if npm is None:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False)
    path = Path(root.stdout.strip()) / "axe-core" / "axe.min.js"
    return path if path.exists() else None


def _audit(pg: Any, axe: Path) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page ``pg`` shows."""
    pg.add_script_tag(path=str(axe))
    found: list[dict[str, Any]] = pg.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, "
        "help: v.help, target: v.nodes[0].target}))"
    )
    return found


#: A phone (an iPhone 12-15 is 390 CSS pixels wide) and a desktop.
WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_have_no_wcag_violations(
    browser: Any, live_portal: str, name: str, require: Callable[[bool, str], None]
) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation (``npm install -g axe-core@4``) at a
    desktop's width; :func:`test_no_page_is_wider_than_the_window` audits a phone's."""
    axe = _axe_script()
    require(axe is not None, "axe-core (npm install -g axe-core@4, or ZARAGOZA_AXE_JS)")
    assert axe is not None
    # The site's CSP refuses scripts it did not serve; axe is injected for the audit only.
    context = browser.new_context(base_url=live_portal, bypass_csp=True)
    pg = context.new_page()
    pg.goto(PAGES[name])
    pg.wait_for_load_state("networkidle")
    result = _audit(pg, axe)
    context.close()
    assert result == [], result


#: What the page measures: how wide the document is against the window, where each
#: plotly drawing ends, and each table wider than the window that no box of its own
#: scrolls (a table in a ``.table-wrap`` scrolls there, not the page).
MEASURE = """() => {
  const width = window.innerWidth;
  const charts = [...document.querySelectorAll('[data-chart] svg.main-svg')]
    .map(s => Math.round(s.getBoundingClientRect().right));
  const loose = [...document.querySelectorAll('table')].filter(t => {
    if (t.getBoundingClientRect().width <= width) return false;
    const box = t.closest('.table-wrap');
    return !box || getComputedStyle(box).overflowX !== 'auto' || box.scrollWidth <= box.clientWidth;
  }).map(t => t.getAttribute('data-table'));
  return {scroll: document.documentElement.scrollWidth, width, charts, loose};
}"""


def _main_pages(pg: Any) -> dict[str, str]:
    """Every page of the main navigation (read from the page, so a new one is measured
    too) and the pages with their parameters."""
    pg.goto(PAGES["home"])
    links = pg.locator("nav.main-nav a").evaluate_all("links => links.map(a => a.pathname)")
    assert len(links) >= 5
    more = {
        "country-de": "/de/countries/AT/",
        "data-computed": "/en/data/?indicator=employment_rate&geo=AT&source=computed",
    }
    return {**{f"nav {u}": u for u in links}, **PAGES, **more}


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_no_page_is_wider_than_the_window(
    browser: Any,
    live_portal: str,
    width: str,
    screenshots: Path,
    require: Callable[[bool, str], None],
) -> None:
    """No horizontal overflow of the page (``document.documentElement.scrollWidth <=
    innerWidth``) on any main page, at a phone's width and a desktop's: tables scroll in
    their own box, controls shrink, charts fit. At a phone's width each page is also
    audited by axe-core, as :func:`test_pages_have_no_wcag_violations` does on a desktop."""
    axe = _axe_script() if width == "phone" else None
    # axe is injected into the pages for the audit, which their CSP would refuse
    context = browser.new_context(
        base_url=live_portal,
        viewport={"width": WIDTHS[width], "height": 844},
        bypass_csp=axe is not None,
    )
    pg = context.new_page()
    violations: dict[str, Any] = {}
    for name, url in _main_pages(pg).items():
        assert pg.goto(url).status == 200, url
        pg.wait_for_load_state("networkidle")
        for kind in CHARTS.get(name, ()):
            pg.locator(f"[data-chart={kind}] svg.main-svg").first.wait_for(timeout=15_000)
        got = pg.evaluate(MEASURE)
        assert got["scroll"] <= got["width"], (name, url, got)
        assert all(right <= got["width"] for right in got["charts"]), (name, got)
        assert got["loose"] == [], (name, got)
        if width == "phone" and not name.startswith("nav "):
            pg.screenshot(path=str(screenshots / f"phone-{name}.png"), full_page=True)
        if axe is not None:
            found = _audit(pg, axe)
            if found:
                violations[name] = found
    context.close()
    assert violations == {}, violations
    if width == "phone":
        require(axe is not None, "axe-core (npm install -g axe-core@4, or ZARAGOZA_AXE_JS)")


@pytest.mark.parametrize("name", sorted(PLOTLY))
def test_charts_resize_with_the_window(browser: Any, live_portal: str, name: str) -> None:
    """A chart drawn on a desktop shrinks to a phone's width when the window does (and
    never widens the page)."""
    context = browser.new_context(base_url=live_portal, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(PAGES[name])
    for kind in CHARTS[name]:
        pg.locator(f"[data-chart={kind}] svg.main-svg").first.wait_for(timeout=15_000)
    wide = pg.evaluate(MEASURE)
    assert max(wide["charts"]) > 600, wide
    pg.set_viewport_size({"width": WIDTHS["phone"], "height": 844})
    pg.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart] svg.main-svg')]"
        ".every(s => s.getBoundingClientRect().right <= window.innerWidth)",
        timeout=10_000,
    )
    narrow = pg.evaluate(MEASURE)
    assert narrow["scroll"] <= narrow["width"], narrow
    context.close()


REGIONAL_CELLS = """\
indicator,geo,time,citizen,c_birth,sex,age,compare_to,value,se,ci_lo,ci_hi,cv,n,n_missing,flag
employment_rate,AT,2023,NAT,TOTAL,T,Y20-64,,80.1,0.5,79.1,81.1,0.6,900,0,
employment_rate,AT,2023,FOR,TOTAL,T,Y20-64,,70.2,1.5,67.3,73.1,2.1,300,0,
employment_rate,AT13,2023,FOR,TOTAL,T,Y20-64,,64.5,2.5,59.6,69.4,3.9,120,0,u
employment_rate,AT12,2023,FOR,TOTAL,T,Y20-64,,73.0,2.0,69.1,76.9,2.7,90,0,
employment_rate,EL30,2023,FOR,TOTAL,T,Y20-64,,60.0,2.0,56.1,63.9,3.3,150,0,
"""


@pytest.fixture(scope="module")
def regional_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``zaragoza serve`` on a small warehouse with NUTS 2 cells, its cache holding the
    hand-made NUTS fixture (never GISCO's data)."""
    import json

    from portal_server import serving

    from zaragoza.sources.gisco import reduce_nuts
    from zaragoza.warehouse.loads import load_observation_files
    from zaragoza.warehouse.store import Warehouse

    home = tmp_path_factory.mktemp("regional")
    cells = home / "regional.csv"
    cells.write_text(REGIONAL_CELLS, encoding="utf-8")
    warehouse = home / "regional.duckdb"
    with Warehouse(warehouse) as wh:
        load_observation_files(wh, [cells], source="computed", synthetic=False)
    fixture = Path(__file__).parent.parent / "data/gisco/nuts_rg_level2_handmade.geojson"
    (home / "cache" / "gisco").mkdir(parents=True)
    reduced = reduce_nuts(json.loads(fixture.read_text(encoding="utf-8")), level=2)
    (home / "cache/gisco/nuts-2021-20M-2.geojson").write_text(json.dumps(reduced))
    with serving(warehouse, home, {"ZARAGOZA_CACHE": str(home / "cache")}) as base:
        yield base


def test_the_regional_map_is_drawn_from_the_cached_boundaries(
    browser: Any, regional_portal: str, screenshots: Path
) -> None:
    context = browser.new_context(base_url=regional_portal)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    pg.goto("/en/indicators/employment_rate/?geo=AT&group=FOR&time=2023")
    # Drawn, and its three regions laid out (plotly may still be fitting the view to them
    # when its promise resolves on a loaded machine).
    pg.wait_for_function(
        "() => { const el = document.querySelector('[data-chart=regions]');"
        " const paths = el.querySelectorAll('path.choroplethlocation');"
        " return el.getAttribute('data-drawn') === 'true' && paths.length === 3"
        " && [...paths].every(p => p.getBBox().width > 0); }",
        timeout=30_000,
    )
    chart = pg.locator("[data-chart=regions]")
    # The three regions of the fixture, in two classes (Attiki and Wien, then Niederösterreich).
    assert chart.locator("path.choroplethlocation").count() == 3
    fills = chart.locator("path.choroplethlocation").evaluate_all(
        "paths => paths.map(p => p.style.fill || p.getAttribute('fill'))"
    )
    assert len(set(fills)) == 2
    # Rings wound as plotly.js reads them: no region is drawn as the rest of the globe.
    widths = chart.locator("path.choroplethlocation").evaluate_all(
        "paths => paths.map(p => p.getBBox().width)"
    )
    assert max(widths) < 0.5 * chart.bounding_box()["width"], widths
    chart.screenshot(path=str(screenshots / "indicator-regions.png"))
    assert errors == [], errors
    context.close()


def test_the_practices_regional_map_filters_by_region(
    browser: Any, regional_portal: str, screenshots: Path, require: Callable[[bool, str], None]
) -> None:
    """The search page's map of practices by NUTS region (the bundled practices; the
    fixture draws Wien, AT13): a region is a link that filters, at phone width too, and
    the page has no WCAG 2.1 A/AA violation."""
    axe = _axe_script()
    require(axe is not None, "axe-core (npm install -g axe-core@4, or ZARAGOZA_AXE_JS)")
    assert axe is not None
    context = browser.new_context(
        base_url=regional_portal, viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    pg = context.new_page()
    pg.goto("/en/practices/")
    region = pg.locator("svg[data-map=regions] a:has(path[data-geo=AT13])")
    assert region.count() == 1
    box = pg.locator("svg[data-map=regions]").bounding_box()
    assert box is not None
    assert box["width"] <= 390
    pg.locator("#practice-region-map").screenshot(path=str(screenshots / "kb-regions-390.png"))
    assert _audit(pg, axe) == []
    region.click()
    pg.wait_for_url("**/practices/?region=AT13")
    assert pg.locator("[data-practice]").count() >= 1
    assert pg.locator("[data-chip]").count() == 1
    context.close()
