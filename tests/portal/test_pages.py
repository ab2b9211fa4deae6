"""The portal's pages on the embedded default: figures as in the warehouse, flags and
missing values shown, state in the URL, three languages, clear errors for bad requests."""

from __future__ import annotations

import gettext
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from zaragoza.catalog.loader import load_catalog
from zaragoza.catalog.targets import bundled_targets
from zaragoza.portal.monitoring import numbers, pages, svg
from zaragoza.portal.monitoring.catalog_messages import (
    DEFINITIONS,
    TARGET_SOURCES,
    TITLES,
    indicator_definition,
    target_source,
)
from zaragoza.portal.monitoring.labels import country_name, flag_text, group_label
from zaragoza.warehouse.store import sandboxed


class _Tables(HTMLParser):
    """Collect the text of every ``data-table`` table: rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._name: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("data-table"):
            self._name = a["data-table"]
            self.tables[self._name] = []
        elif self._name and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._name = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._name:
            self.tables[self._name].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(html: bytes) -> dict[str, list[list[str]]]:
    """Each table's rows as cell texts; a row group's heading row (one cell spanning the
    table, such as the ranking's "EU member states") is left out."""
    parser = _Tables()
    parser.feed(html.decode())
    return {
        name: [r for i, r in enumerate(rows) if i == 0 or len(r) > 1]
        for name, rows in parser.tables.items()
    }


def warehouse(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sandboxed(path)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def get(client: Client, url: str, status: int = 200) -> bytes:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return bytes(response.content)


# The pages write ranges with an en dash and negative numbers with a minus sign.
DASH = "\u2013"
MINUS = "\u2212"

PAGES = [
    "/en/",
    "/en/indicators/",
    "/en/indicators/employment_rate/",
    "/en/indicators/employment_rate/?source=computed&geo=AT",
    "/en/indicators/educational_attainment_low/?geo=DE",
    "/en/indicators/median_equivalised_income/",
    "/en/indicators/naturalisation_rate/",
    "/en/countries/",
    "/en/countries/AT/",
    "/en/countries/EU27_2020/",
    "/en/countries/MT/?source=published",
    "/en/compare/",
    "/en/compare/?indicator=unemployment_rate&geo=AT,MT,SE,EU27_2020",
    "/en/data/",
    "/en/data/?indicator=naturalisation_rate&geo=AT,SE&time=2020,2021",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_with_data_and_no_inline_script(
    portal: Path, client: Client, url: str
) -> None:
    html = get(client, url).decode()
    assert "data-table=" in html or "data-list=" in html
    for tag in re.findall(r"<script[^>]*>", html):
        # CSP allows scripts from files only; JSON data blocks are not executed.
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " on" not in " ".join(re.findall(r"<[^>]+ on[a-z]+=", html))


def test_every_indicator_with_figures_has_a_page(portal: Path, client: Client) -> None:
    rows = warehouse(portal, "SELECT DISTINCT indicator, source FROM observations")
    for indicator, source in rows:
        get(client, f"/en/indicators/{indicator}/?source={source}")


def test_series_table_equals_the_warehouse_with_flags(portal: Path, client: Client) -> None:
    html = get(client, "/en/indicators/employment_rate/?geo=EU27_2020&sex=T")
    table = tables(html)["series"]
    header = table[0]
    assert header[:4] == ["Year", "Nationals, Total", "Citizens of other EU countries, Total",
                          "Non-EU citizens, Total"]  # fmt: skip
    expected = warehouse(
        portal,
        "SELECT time, citizen, value, flag FROM observations WHERE indicator = 'employment_rate' "
        "AND source = 'published' AND geo = 'EU27_2020' AND sex = 'T' AND compare_to = ''",
    )
    column = {"NAT": 1, "EU27_2020_FOR": 2, "NEU27_2020_FOR": 3}
    by_year = {int(r[0]): r for r in table[1:]}
    assert len(expected) == 3 * len(by_year)
    for time, citizen, value, flag in expected:
        text = by_year[int(time)][column[citizen]]
        assert text.startswith(f"{value:.1f}"), (time, citizen, text)
        if flag:
            assert f"{flag} ({flag_text(flag)})" in text
    # 2021 is a break in series in Eurostat's table, shown as a flag with its meaning.
    assert "b (break in time series)" in by_year[2021][1]
    assert b"break in time series" in html


def test_missing_values_are_shown_as_missing(portal: Path, client: Client) -> None:
    geo, time, flag = warehouse(
        portal,
        "SELECT geo, time, flag FROM observations WHERE indicator = 'employment_rate' "
        "AND source = 'published' AND sex = 'T' AND citizen = 'NEU27_2020_FOR' "
        "AND value IS NULL AND geo NOT LIKE 'E%' ORDER BY geo, time LIMIT 1",
    )[0]
    html = get(client, f"/en/indicators/employment_rate/?geo={geo}&time={time}")
    series = tables(html)["series"]
    row = next(r for r in series[1:] if r[0] == str(time))
    cell = row[series[0].index("Non-EU citizens, Total")]
    assert cell.startswith("no data")
    assert "not available" in cell  # the ':' flag
    ranking = tables(html)["ranking"]
    shown = next(r for r in ranking[1:] if r[1] == country_name(geo, "en"))
    assert shown[0] == DASH
    assert shown[2].startswith("no data")
    assert flag.startswith(":")


def test_ranking_has_intervals_gaps_and_every_country(portal: Path, client: Client) -> None:
    html = get(client, "/en/indicators/employment_rate/?source=computed&group=NEU27_2020_FOR")
    ranking = tables(html)["ranking"]
    assert ranking[0][:4] == ["Rank", "Country", "Value", "95% confidence interval"]
    rows = warehouse(
        portal,
        "SELECT geo, value, ci_lo, ci_hi FROM observations WHERE indicator = 'employment_rate' "
        "AND source = 'computed' AND sex = 'T' AND citizen = 'NEU27_2020_FOR' "
        "AND c_birth = 'TOTAL' AND compare_to = '' ORDER BY value DESC",
    )
    assert [r[1] for r in ranking[1:]] == [country_name(g, "en") for g, *_ in rows]
    for (_, value, lo, hi), shown in zip(rows, ranking[1:], strict=True):
        assert shown[2] == f"{value:.1f}"
        assert shown[3] == f"{lo:.1f} {DASH} {hi:.1f}"
    assert b"synthetic example records" in html
    assert b"data-synthetic" in html


def test_map_draws_countries_and_says_what_it_omits(portal: Path, client: Client) -> None:
    html = get(client, "/en/indicators/employment_rate/?time=2024").decode()
    assert '<svg class="map"' in html
    assert 'data-geo="EL"' in html
    assert 'data-geo="UK"' in html
    assert "The map omits countries too small at its scale (Malta" in html
    ranking = tables(html.encode())["ranking"]
    assert any(r[1] == "Malta" for r in ranking)
    assert "Regions (NUTS) are not shown" in html
    assert 'data-chart="map" data-renderer="plotly" data-source="map-data"' in html


def test_map_data_for_plotly_matches_the_ranking(portal: Path, client: Client) -> None:
    html = get(client, "/en/indicators/employment_rate/?time=2024").decode()
    found = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html)
    assert found is not None
    spec = json.loads(found.group(1))
    assert spec["geojson"].endswith("monitoring/europe.geojson")
    boundaries = client.get(spec["geojson"])
    assert boundaries.status_code == 200
    # reading a streamed answer to its end closes it the way Django's test client means
    # to (an explicit close() would check a database connection outside any db test)
    assert b"".join(boundaries.streaming_content)
    drawn = svg.europe_geo_ids()
    assert set(spec["locations"]) | set(spec["noData"]["locations"]) == drawn
    assert not set(spec["locations"]) & set(spec["noData"]["locations"])
    assert spec["colours"] == list(svg.PALETTE)
    assert spec["noData"]["colour"] == svg.NO_DATA
    ranking = {r[1]: r[2] for r in tables(html.encode())["ranking"][1:]}
    for geo, z, text in zip(spec["locations"], spec["z"], spec["text"], strict=True):
        name, shown = text.split(": ", 1)
        assert name == country_name(geo, "en")
        # The hover says what the table says: the value, then each flag with its meaning.
        assert ranking[name].split()[0] == shown.split()[0]
        assert 0 <= z < len(spec["colours"])
    # Countries of the map without figures are grey and say so.
    assert "United Kingdom: no data : (not available)" in spec["noData"]["text"]
    assert f"{country_name('TR', 'en')}: no data" in spec["noData"]["text"]


def test_chart_data_matches_the_table_and_downloads_use_the_api(
    portal: Path, client: Client
) -> None:
    html = get(client, "/en/indicators/unemployment_rate/?geo=AT&sex=T,F").decode()
    assert 'data-chart="series"' in html
    data = re.search(r'<script id="series-data" type="application/json">(.*?)</script>', html)
    assert data is not None
    chart = json.loads(data.group(1))
    names = [t["name"] for t in chart["traces"]]
    assert "Non-EU citizens, Females" in names
    table = tables(html.encode())["series"]
    trace = chart["traces"][names.index("Nationals, Total")]
    col = table[0].index("Nationals, Total")
    for year, value in zip(trace["x"], trace["y"], strict=True):
        row = next(r for r in table[1:] if r[0] == str(year))
        assert row[col].startswith("no data" if value is None else f"{value:.1f}")
    # the downloads serve the page's own figures (tests/portal/test_page_figures.py)
    links = [unescape(u) for u in re.findall(r'href="(/api/v1/indicators/[^"]+)"', html)]
    formats = {re.search(r"format=([a-z-]+)", u).group(1) for u in links}  # type: ignore[union-attr]
    assert formats == {"csv", "xlsx", "jsonstat", "sdmx-csv", "json"}
    assert any(
        u.startswith("/api/v1/indicators/unemployment_rate/figures?") and "geo=AT" in u
        for u in links
    )
    assert '<script src="/static/vendor/plotly/plotly.min.js">' in html


def test_url_state_round_trips(portal: Path, client: Client) -> None:
    url = (
        "/en/indicators/employment_rate/?source=published&by=citizen&geo=AT&sex=T&sex=F"
        "&group=EU27_2020_FOR&time=2020"
    )
    html = get(client, url).decode()
    assert '<option value="AT" selected>' in html
    assert '<option value="EU27_2020_FOR" selected>' in html
    assert '<option value="2020" selected>' in html
    assert 'name="sex" value="F" checked' in html
    assert 'name="sex" value="M">' in html
    assert "Across Europe: Citizens of other EU countries, 2020" in html
    # The language links keep the page and its query (in canonical form: sorted, lists
    # comma-joined, as the page's cache key).
    switch = re.findall(r'href="([^"]+)"[^>]*data-language="fr"', html)
    assert switch == [
        "/fr/indicators/employment_rate/?by=citizen&amp;geo=AT&amp;group=EU27_2020_FOR"
        "&amp;sex=T,F&amp;source=published&amp;time=2020"
    ]
    compare = get(client, "/en/compare/?indicator=employment_rate&geo=AT,MT&geo=SE").decode()
    for n, geo in enumerate(["AT", "MT", "SE"], start=1):
        select = re.search(rf'<select id="f-geo{n}" name="geo">(.*?)</select>', compare, re.S)
        assert select is not None
        assert f'<option value="{geo}" selected>' in select.group(1)


def test_compare_shows_the_year_of_each_value(portal: Path, client: Client) -> None:
    html = get(client, "/en/compare/?indicator=naturalisation_rate&geo=AT,SE,EU27_2020")
    latest = tables(html)["compare-latest"]
    assert latest[0][:3] == ["Country or region", "Value", "Year"]
    rows = warehouse(
        portal,
        "SELECT geo, max(time) FROM observations WHERE indicator = 'naturalisation_rate' "
        "AND value IS NOT NULL AND geo IN ('AT', 'SE', 'EU27_2020') GROUP BY geo",
    )
    years = {country_name(g, "en"): str(t) for g, t in rows}
    for row in latest[1:]:
        assert row[2] == years[row[0]]
    # two decimals, as published
    at = warehouse(
        portal,
        "SELECT value FROM observations WHERE indicator = 'naturalisation_rate' AND geo = 'AT' "
        "AND time = 2023",
    )[0][0]
    assert latest[1][1] == f"{at:.2f}"


def test_home_gaps_equal_the_warehouse(portal: Path, client: Client) -> None:
    html = get(client, "/en/").decode()
    (nat,), (neu,) = (
        warehouse(
            portal,
            "SELECT value FROM observations WHERE indicator = 'employment_rate' AND geo = "
            "'EU27_2020' AND sex = 'T' AND time = 2024 AND source = 'published' AND citizen = ?",
            code,
        )[0]
        for code in ("NAT", "NEU27_2020_FOR")
    )
    card = html.split('data-headline="employment_rate"')[1].split("</section>")[0]
    assert f"{MINUS}{abs(neu - nat):.1f}" in card
    assert "Non-EU citizens compared with nationals, EU, 2024" in card
    assert '<svg class="sparkline" role="img"' in card
    for indicator in ("unemployment_rate", "median_equivalised_income", "naturalisation_rate"):
        assert f'data-headline="{indicator}"' in html
    assert 'data-table="trend-poverty"' in html


def test_country_profile_has_gaps_eu_average_and_targets(portal: Path, client: Client) -> None:
    html = get(client, "/en/countries/AT/?year=2024")
    t = tables(html)
    employment = t["profile-employment"]
    row = next(r for r in employment if r[0] == "Employment rate (20-64) (%)")
    assert row[1] == "2024"
    assert "Non-EU citizens: 63.0" in row[3]
    assert row[4] == f"Non-EU citizens: {MINUS}16.2"
    assert row[5].replace(" ", "") == "Non-EUcitizens:64.2Nationals:76.7"  # one item a group
    targets = t["targets"]
    assert any("Europe 2020: at least 75 %" in r[0] for r in targets)
    eu2030 = next(r for r in targets if r[0].startswith("EU 2030: at least 78 %"))
    assert "Nationals: +1.2 (79.2 %, 2024) — met" in eu2030[2]
    assert f"Non-EU citizens: {MINUS}15.0 (63.0 %, 2024) — not met" in eu2030[2]
    assert "All persons: no data" in eu2030[2]


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("fr", ["L'intégration des migrants en Europe", "Autriche", "Taux d'emploi (20-64 ans)",
                "Citoyens de pays hors UE", "Nationaux"]),
        ("de", ["Integration von Migranten in Europa", "Österreich",
                "Erwerbstätigenquote (20-64 Jahre)", "Nicht-EU-Staatsangehörige", "Inländer"]),
    ],
)  # fmt: skip
def test_french_and_german_pages(portal: Path, client: Client, lang: str, texts: list[str]) -> None:
    home = get(client, f"/{lang}/").decode()
    profile = get(client, f"/{lang}/countries/AT/").decode()
    both = unescape(home + profile)
    for text in texts:
        assert text in both, text
    assert f'<html lang="{lang}">' in home
    ranking = get(client, f"/{lang}/indicators/employment_rate/?time=2021").decode()
    assert ("rupture de série" if lang == "fr" else "Zeitreihenbruch") in ranking
    assert ("pas de données" if lang == "fr" else "keine Daten") in ranking


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/en/indicators/no_such_thing/", 404, "There is no indicator no_such_thing."),
        ("/en/indicators/employment_rate/?geo=ZZ", 404, "ZZ"),
        ("/en/indicators/employment_rate/?time=abc", 400, "must be a number"),
        ("/en/indicators/employment_rate/?time=1990", 404, "No figures for 1990"),
        ("/en/indicators/employment_rate/?source=guessed", 400, "Unknown source guessed"),
        ("/en/indicators/employment_rate/?group=MARS", 400, "Unknown group MARS"),
        ("/en/indicators/employment_rate/?by=religion", 400, "Unknown by religion"),
        ("/en/indicators/employment_rate/?sex=X", 400, "Unknown sex X"),
        ("/en/countries/ZZ/", 404, "There are no figures for the country or region ZZ."),
        ("/en/compare/?geo=AT", 400, "two to four"),
        ("/en/compare/?geo=AT,DE,FR,IT,ES", 400, "two to four"),
        ("/en/compare/?geo=AT,XX", 404, "XX"),
        ("/en/compare/?indicator=nope&geo=AT,DE", 404, "nope"),
        ("/en/data/?geo=ZZ", 404, "Unknown geo: ZZ."),
        ("/en/data/?time=abc", 400, "Unknown time: abc."),
        ("/de/countries/ZZ/", 404, "Für das Land oder die Region ZZ liegen keine Zahlen vor."),
    ],
)
def test_bad_parameters_give_a_clear_page(
    portal: Path, client: Client, url: str, status: int, says: str
) -> None:
    html = get(client, url, status).decode()
    assert says in html
    assert f'data-error="{status}"' in html


def test_data_page_previews_the_selection_with_download_links(portal: Path, client: Client) -> None:
    html = get(client, "/en/data/?indicator=naturalisation_rate&geo=AT&geo=SE&time=2020,2021")
    rows = tables(html)["data"]
    assert len(rows) == 1 + 4
    assert b"4 cells selected" in html
    text = html.decode()
    assert (
        'href="/api/v1/observations?indicator=naturalisation_rate&amp;geo=AT,SE&amp;time=2020,2021&amp;format=sdmx-csv"'
        in text
    )
    assert "format=xlsx" in text
    assert "format=jsonstat" in text


def test_catalogue_titles_are_translatable() -> None:
    # Every title listed for translation is the catalogue's; an indicator not listed yet
    # shows its English title.
    cat = load_catalog()
    assert {i: cat[i].title for i in TITLES if i in cat} == TITLES
    assert {"employment_rate", "naturalisation_rate", "median_equivalised_income"} <= set(TITLES)


def test_catalogue_definitions_and_target_sources_are_translatable() -> None:
    # Every bundled indicator's definition and every bundled target's source is listed,
    # with the catalogue's own text, and translated in both catalogues: not fuzzy (fuzzy
    # entries are not compiled), with the same numbers, codes' digits and age bands.
    cat = load_catalog()
    assert {i: cat[i].definition for i in cat.indicators} == DEFINITIONS
    assert {t.id: t.source for t in bundled_targets()} == TARGET_SOURCES
    folder = Path(__file__).parents[2] / "src/zaragoza/portal/monitoring/locale"
    for lang in ("fr", "de"):
        po = folder / lang / "LC_MESSAGES" / "django.po"
        translated = {msgid: msgstr for _, msgid, msgstr in _po_entries(po)}
        fuzzy = _po_fuzzy(po)
        for text in [*DEFINITIONS.values(), *TARGET_SOURCES.values()]:
            assert translated.get(text), f"{lang}: {text[:60]!r} is not translated"
            assert text not in fuzzy, f"{lang}: {text[:60]!r} is fuzzy"
            numbers = sorted(re.findall(r"\d+", text))
            assert sorted(re.findall(r"\d+", translated[text])) == numbers, (lang, text[:60])


def test_definitions_and_target_sources_in_the_page_language() -> None:
    cat = load_catalog()
    ind = cat["employment_rate"]
    target = next(t for t in bundled_targets() if t.id == "eu2030_employment")
    with translation.override("fr"):
        assert indicator_definition(ind).startswith("Personnes ayant un emploi (définition du BIT")
        assert target_source(target).startswith("Commission européenne, Plan d'action sur le")
    with translation.override("de"):
        assert indicator_definition(ind).startswith("Erwerbstätige (nach ILO-Definition")
        assert "Säule sozialer Rechte" in target_source(target)
    with translation.override("en"):
        assert indicator_definition(ind) == ind.definition
        assert target_source(target) == target.source
    # A user's catalogue that redefines a bundled indicator keeps its own (English) text:
    # the translation of the bundled text would not describe it.
    mine = ind.model_copy(update={"definition": "Employed persons, counted my way."})
    other = target.model_copy(update={"source": "A national action plan, 2024."})
    with translation.override("fr"):
        assert indicator_definition(mine) == "Employed persons, counted my way."
        assert target_source(other) == "A national action plan, 2024."


def test_pages_show_definitions_and_target_sources_translated_and_the_api_in_english(
    portal: Path, client: Client
) -> None:
    fr = unescape(get(client, "/fr/indicators/employment_rate/").decode())
    assert "Personnes ayant un emploi (définition du BIT, ILOSTAT = 1)" in fr
    assert "Commission européenne, Europe 2020 : Une stratégie pour une croissance" in fr
    assert "Employed persons (ILO definition" not in fr
    assert "European Commission" not in fr
    de = unescape(get(client, "/de/indicators/employment_rate/").decode())
    assert "Erwerbstätige (nach ILO-Definition, ILOSTAT = 1)" in de
    assert "Aktionsplan zur europäischen Säule sozialer Rechte" in de
    en = unescape(get(client, "/en/indicators/employment_rate/").decode())
    assert load_catalog()["employment_rate"].definition in en
    profile = unescape(get(client, "/de/countries/AT/").decode())
    assert "Entschließung des Rates zu einem strategischen Rahmen" in profile
    assert "Council Resolution" not in profile
    # The API's catalogue is data: English whatever the language asked for.
    api = client.get("/api/v1/indicators/employment_rate", headers={"accept-language": "fr"})
    assert api.status_code == 200
    assert api.json()["definition"] == load_catalog()["employment_rate"].definition


def test_labels_in_three_languages() -> None:
    assert country_name("EL", "en") == "Greece"
    assert country_name("EL", "fr") == "Grèce"
    assert country_name("UK", "de") == "Vereinigtes Königreich"
    assert country_name("XK", "en") == "Kosovo*"
    with translation.override("de"):
        assert country_name("EU27_2020") == "Europäische Union (27 Länder)"
        assert group_label("NEU27_2020_FOR", "c_birth") == "Außerhalb der EU Geborene"
    with translation.override("en"):
        assert group_label("NAT", "c_birth") == "Native-born"
        assert flag_text("bu") == "break in time series, low reliability"


def test_sparkline_breaks_at_missing_values_and_bins_cover_the_values() -> None:
    line = str(svg.sparkline([(2020, 1.0), (2021, 2.0), (2022, None), (2023, 3.0), (2024, 2.5)],
                             label="trend"))  # fmt: skip
    assert line.count("<polyline") == 2
    assert 'aria-label="trend"' in line
    assert str(svg.sparkline([(2020, 1.0)], label="x")) == ""
    classes = svg.bins([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert classes[0].lo == 1.0
    assert classes[-1].hi == 6.0
    assert len({b.colour for b in classes}) == len(classes)
    assert {"EL", "UK", "DE", "IS", "CY"} <= svg.europe_geo_ids()
    assert "MT" not in svg.europe_geo_ids()


def _po_entries(path: Path) -> list[tuple[str, str, str]]:
    """(context, msgid, msgstr or first plural form) of a .po file, header left out."""
    out = []
    for block in path.read_text(encoding="utf-8").split("\n\n")[1:]:

        def field(name: str, text: str = block) -> str:
            m = re.search(rf"^{re.escape(name)} ((?:\".*\"\n?)+)", text, re.M)
            raw = "".join(re.findall(r'"(.*)"', m.group(1))) if m else ""
            return raw.replace('\\"', '"').replace("\\n", "\n")

        msgstr = field("msgstr") or field("msgstr[0]")
        out.append((field("msgctxt"), field("msgid"), msgstr))
    return out


def _po_fuzzy(path: Path) -> set[str]:
    """The msgids of a .po file's fuzzy entries (``compilemessages`` leaves them out)."""
    return {
        msgid
        for (_, msgid, _), block in zip(
            _po_entries(path), path.read_text(encoding="utf-8").split("\n\n")[1:], strict=True
        )
        if re.search(r"^#,.*\bfuzzy\b", block, re.M)
    }


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_message_catalogues_are_complete_and_compiled(lang: str) -> None:
    folder = Path(__file__).parents[2] / "src/zaragoza/portal/monitoring/locale" / lang
    po = folder / "LC_MESSAGES" / "django.po"
    with (folder / "LC_MESSAGES" / "django.mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    entries = _po_entries(po)
    assert len(entries) > 150
    for context, msgid, msgstr in entries:
        assert msgstr, f"{lang}: {msgid!r} is not translated"
        got = mo.pgettext(context, msgid) if context else mo.gettext(msgid)
        # A plural entry is looked up with ngettext; the others must read back as in the .po.
        plural = msgid.startswith("%(n)s")
        got = mo.ngettext(msgid, msgid, 1) if plural else got
        assert got == msgstr, f"{lang}: the .mo file is stale for {msgid!r}"


def test_negative_numbers_have_the_minus_sign_on_pages_and_a_hyphen_in_downloads(
    portal: Path, client: Client
) -> None:
    html = get(client, "/en/countries/AT/").decode()
    intervals = re.findall(r'<span class="ci"[^>]*>\[([^\]]*)\]</span>', html)
    assert any(MINUS in i for i in intervals)
    assert not any("-" in i for i in intervals)
    home = get(client, "/en/")
    trends = [row[1] for name, rows in tables(home).items() if name.startswith("trend-")
              for row in rows[1:]]  # fmt: skip
    assert any(t.startswith(MINUS) for t in trends)
    assert not any("-" in t for t in trends)
    gaps = pages.api_url("csv", indicator=["employment_rate"], geo=["AT"], compare_to=["NAT"])
    csv = get(client, gaps)
    text = csv.decode("utf-8-sig")
    assert ",-" in text
    assert MINUS not in text


def test_numbers_as_shown() -> None:
    assert numbers.number(-3.45, "1") == f"{MINUS}3.5"
    assert numbers.number(-12345.6, "0g") == f"{MINUS}12,346"
    assert numbers.number(-0.02, "1") == "0.0"
    assert numbers.number(None) == ""
    assert numbers.signed(2.0, "1") == "+2.0"
    assert numbers.signed(-0.02, "1") == f"{MINUS}0.0"
    assert numbers.signed(0.0, "2") == "0.00"
    with translation.override("fr"):
        assert numbers.number(-3.45, "1") == f"{MINUS}3,5"


def test_an_unknown_address_gives_the_site_s_404_page(portal: Path, client: Client) -> None:
    page = get(client, "/fr/nowhere/", 404).decode()
    assert "Il n'y a pas de page à cette adresse." in page
    assert 'href="/de/" lang="de"' in page


def test_the_site_has_its_own_icon(portal: Path, client: Client) -> None:
    page = get(client, "/en/").decode()
    link = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert link is not None
    icon = client.get(link.group(1))
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)
    # Browsers ask for /favicon.ico on pages that link none (the API docs).
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 301
    assert legacy["Location"] == link.group(1)


SMALL = """\
indicator,geo,time,citizen,c_birth,sex,age,compare_to,value,se,ci_lo,ci_hi,cv,n,n_missing,flag
employment_rate,AT,2023,NAT,TOTAL,T,Y20-64,,80.1,0.5,79.1,81.1,0.6,900,0,
employment_rate,AT,2023,FOR,TOTAL,T,Y20-64,,70.2,1.5,67.3,73.1,2.1,300,0,u
employment_rate,AT,2023,NAT,TOTAL,F,Y20-64,,76.0,0.7,74.6,77.4,0.9,450,0,
employment_rate,AT,2023,FOR,TOTAL,T,Y20-64,NAT,-9.9,1.6,-13.0,-6.8,,1200,0,
"""


@pytest.fixture
def small_warehouse(tmp_path: Path, settings: Any) -> Path:
    """A warehouse of a few computed cells from a file that is not synthetic."""
    from zaragoza.warehouse.loads import load_observation_files
    from zaragoza.warehouse.store import Warehouse

    csv = tmp_path / "estimates.csv"
    csv.write_text(SMALL, encoding="utf-8")
    path = tmp_path / "small.duckdb"
    with Warehouse(path) as wh:
        load_observation_files(wh, [csv], source="computed", synthetic=False)
    settings.ZARAGOZA_WAREHOUSE = path
    return path


def test_series_without_any_cell_are_named_not_dropped(
    small_warehouse: Path, client: Client
) -> None:
    page = get(client, "/en/indicators/employment_rate/?geo=AT&sex=T,F").decode()
    assert "No figures at all for Austria: Foreign citizens, Females." in page
    ranking = tables(page.encode())["ranking"]
    assert ranking[1][1:4] == ["Austria", "70.2 u (low reliability)", f"67.3 {DASH} 73.1"]
    assert ranking[1][4] == f"{MINUS}9.9 [{MINUS}13.0; {MINUS}6.8]"


def test_computed_figures_from_real_files_are_not_called_synthetic(
    small_warehouse: Path, client: Client
) -> None:
    page = get(client, "/en/indicators/employment_rate/").decode()
    assert "data-synthetic" not in page
    assert "Computed by Zaragoza from survey microdata." in page


def test_home_without_eu_figures_says_so(small_warehouse: Path, client: Client) -> None:
    assert b"The warehouse holds no EU figures yet." in get(client, "/en/")


def test_translations_read_as_sentences(portal: Path, client: Client) -> None:
    """Groups inside a sentence are declined and in lower case (dative in German)."""
    de = get(client, "/de/").decode()
    assert "im Vergleich zu Inländern, EU" in de
    assert "im Vergleich zu Inländer," not in de
    fr = get(client, "/fr/").decode()
    assert "par rapport aux nationaux, UE" in fr
    assert "par rapport aux Nationaux" not in fr
    fr_data = get(client, "/fr/data/?indicator=employment_rate&geo=AT").decode()
    assert "Indicateurs :" not in fr_data


def test_target_verdicts_respect_intervals_and_synthetic_figures(
    portal: Path, client: Client
) -> None:
    from zaragoza.catalog.targets import INDISTINGUISHABLE, MET, NOT_MET, bundled_targets

    target = next(t for t in bundled_targets() if t.id == "eu2030_employment")
    assert target.verdict(80.0, 79.0, 81.0) == MET
    assert target.verdict(70.0, 69.0, 71.0) == NOT_MET
    assert target.verdict(78.2, 76.0, 80.4) == INDISTINGUISHABLE
    assert target.verdict(78.2) == MET  # a published figure: by its value
    computed = get(client, "/en/countries/AT/?source=computed").decode()
    assert "no verdict: synthetic figures" in computed
    published = get(client, "/en/countries/AT/?source=published").decode()
    assert "no verdict: synthetic figures" not in published


def test_a_lower_is_better_indicator_ranks_the_lowest_first(portal: Path, client: Client) -> None:
    html = get(client, "/en/indicators/unemployment_rate/?source=published&group=NEU27_2020_FOR")
    rows = [r for r in tables(html)["ranking"][1:] if r[0] != DASH]
    values = [float(r[2].split()[0].replace(MINUS, "-")) for r in rows[:8]]
    assert values == sorted(values)  # rank 1: the lowest unemployment
    assert b"EU member states" in html
    res = client.get(
        "/api/v1/compare/ranks?indicator=unemployment_rate&source=published&time=2023"
        "&citizen=NEU27_2020_FOR&sex=T"
    )
    assert res.status_code == 200
    top = min(res.json()["results"], key=lambda r: r["rank"])
    lowest = min(r["value"] for r in res.json()["results"])
    assert top["value"] == lowest
    flipped = client.get(
        "/api/v1/compare/ranks?indicator=unemployment_rate&source=published&time=2023"
        "&citizen=NEU27_2020_FOR&sex=T&lower_is_better=false&eu_apart=true"
    )
    assert flipped.status_code == 200
    assert "rank_group" in flipped.json()["columns"]


def test_computed_ranks_are_intervals(portal: Path, client: Client) -> None:
    html = get(client, "/en/indicators/employment_rate/?source=computed&group=NEU27_2020_FOR")
    ranks = [r[0] for r in tables(html)["ranking"][1:]]
    assert any(DASH in r for r in ranks), ranks  # overlapping intervals: a range of ranks


def test_the_navigation_follows_the_language_and_the_prefix_the_site_is_served_under(
    portal: Path, client: Client
) -> None:
    """The navigation's URLs are reversed once per language, URL configuration and
    script prefix: each time the same as Django's own reversal."""
    from django.urls import reverse, set_script_prefix

    from zaragoza.portal.monitoring.templatetags.portal import _SITE_URLS, site_urls

    try:
        for prefix in ("/", "/sub/", "/"):
            set_script_prefix(prefix)
            for language in ("en", "fr", "de"):
                with translation.override(language):
                    urls = site_urls()
                    assert urls == {k: reverse(name) for k, name in _SITE_URLS.items()}
                    assert urls["practices"] == f"{prefix}{language}/practices/"
    finally:
        set_script_prefix("/")
    header = client.get("/fr/indicators/").content.decode().split("<header", 1)[1]
    nav = re.findall(r'<a href="([^"]+)"', header.split("</nav>", 1)[0])
    assert "/fr/practices/" in nav
    assert "/fr/toolbox/" in nav
    assert all(u.startswith("/fr/") for u in nav), nav
