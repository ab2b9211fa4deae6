"""The data page and the metadata pages for people: labels beside codes in the page's
language, filters that need no script (datalists, check boxes, a form tidied into a clean
URL), age and gap filters, year ranges, Eurostat's EL and UK, the published precision;
a metadata page per indicator; a last-update date on every table."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from zaragoza.catalog.loader import load_catalog
from zaragoza.portal.monitoring.labels import country_name, group_label
from zaragoza.sources.eurostat_dates import last_update
from zaragoza.warehouse.store import sandboxed

DATA = "/en/data/"


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    return response.content.decode()


def rows_of(html: str, table: str = "data") -> list[list[str]]:
    body = html.split(f'data-table="{table}"')[1].split("</table>")[0]
    body = body.split("<tbody>")[1]
    out = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        out.append([" ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return out


# ---------------------------------------------------------------------- the data page


def test_labels_beside_codes_in_the_pages_language(portal: Path, client: Client) -> None:
    query = "?indicator=employment_rate&geo=AT&time=2023&citizen=NAT&sex=T&source=published"
    rows = rows_of(page(client, DATA + query))
    assert len(rows) == 1
    indicator, geo, year, citizen, c_birth, mig_bg, sex, age, _value, *_, source = rows[0]
    assert indicator == "Employment rate (20-64) employment_rate"
    assert source == "published"
    assert geo == "Austria AT"
    assert (year, citizen, c_birth, mig_bg, sex) == (
        "2023",
        "Nationals NAT",
        "All persons TOTAL",
        "All persons TOTAL",
        "Total T",
    )
    assert age == "20 to 64 years Y20-64"
    french = rows_of(page(client, "/fr/data/" + query))[0]
    with translation.override("fr"):
        assert french[1] == f"{country_name('AT', 'fr')} AT"
        assert french[3] == f"{group_label('NAT')} NAT"
    assert french[1] != geo
    assert french[3] != citizen


def test_filters_are_search_as_you_type_lists_that_need_no_script(
    portal: Path, client: Client
) -> None:
    html = page(client, DATA + "?indicator=employment_rate&geo=AT")
    form = html.split('id="data-form"')[1].split("</form>")[0]
    assert "<select" not in form  # no Ctrl-click lists
    assert '<input type="hidden" name="form" value="1">' in form
    for dim in ("indicator", "geo"):
        assert f'<label for="f-{dim}">' in form
        assert f'id="f-{dim}" name="{dim}" list="dl-{dim}"' in form
        assert f'<datalist id="dl-{dim}">' in form
    assert '<option value="EL">Greece</option>' in form
    assert '<option value="employment_rate">Employment rate (20-64)</option>' in form
    # the chosen ones are ticked boxes, to untick
    assert '<input type="checkbox" name="geo" value="AT" checked>' in form
    for dim in ("citizen", "c_birth", "sex", "age", "source"):
        assert f'data-filter="{dim}"><legend>' in form
        assert f'type="checkbox" name="{dim}"' in form
    assert 'type="radio" name="gap" value="only"' in form
    assert 'id="f-time" name="time"' in form


@pytest.mark.parametrize(
    ("sent", "target"),
    [
        (
            "form=1&indicator=employment_rate&indicator=&geo=AT&geo=Sweden&geo=&time=&sex=T"
            "&gap=false",
            "/en/data/?indicator=employment_rate&geo=AT,SE&sex=T",
        ),
        (
            "form=1&geo=Greece+(EL)&time=2015-2020&gap=only",
            "/en/data/?geo=EL&time=2015-2020&gap=only",
        ),
        (
            "form=1&geo=austria&indicator=Naturalisation+rate",
            "/en/data/?indicator=naturalisation_rate&geo=AT",
        ),
        ("form=1&geo=&indicator=", "/en/data/"),
        ("form=1&geo=Atlantis", "/en/data/?geo=Atlantis"),
    ],
)
def test_the_form_is_tidied_into_the_pages_url(
    portal: Path, client: Client, sent: str, target: str
) -> None:
    response = client.get(f"{DATA}?{sent}")
    assert response.status_code == 302
    assert response["Location"] == target


def test_the_form_resolves_names_in_the_pages_language(portal: Path, client: Client) -> None:
    with translation.override("fr"):
        austria = country_name("AT", "fr")
    response = client.get(f"/fr/data/?form=1&geo={austria}")
    assert response["Location"] == "/fr/data/?geo=AT"
    # typed names that are not known reach the page, which says so
    assert "Unknown geo: Atlantis." in page(client, f"{DATA}?geo=Atlantis", 404)


def test_age_and_gap_filters(portal: Path, client: Client) -> None:
    base = f"{DATA}?indicator=employment_rate,employment_rate_15_64&geo=AT&time=2023&sex=T"
    rows = rows_of(page(client, base + "&age=Y15-64"))
    assert rows
    assert {r[7] for r in rows} == {"15 to 64 years Y15-64"}
    only = page(client, base + "&source=computed&gap=only")
    assert '<th scope="col">Gap to</th>' in only
    gaps = rows_of(only)
    assert gaps
    assert {r[8] for r in gaps} == {"Nationals NAT"}
    both = rows_of(page(client, base + "&source=computed&gap=true"))
    levels = rows_of(page(client, base + "&source=computed"))
    assert len(both) == len(levels) + len(gaps)
    assert "gap=only" in only.split("data-downloads")[1].split("</p>")[0]
    assert "Unknown gap sometimes" in page(client, base + "&gap=sometimes", 400)


def test_year_ranges_and_eurostats_codes(portal: Path, client: Client) -> None:
    rows = rows_of(page(client, f"{DATA}?indicator=naturalisation_rate&geo=AT&time=2015-2020"))
    assert [r[2] for r in rows] == [str(y) for y in range(2015, 2021)]
    html = page(client, f"{DATA}?indicator=naturalisation_rate&geo=AT&time=2021-")
    assert [r[2] for r in rows_of(html)] == ["2021", "2022", "2023"]
    link = re.search(r'href="(/api/v1/observations\?[^"]*format=csv[^"]*)"', html)
    assert link is not None
    csv_link = unescape(link.group(1))
    assert "time=2021-" in csv_link
    assert "labels=true" in csv_link
    assert "lang=en" in csv_link
    assert client.get(csv_link).content.decode().count("\n") == 1 + 3
    assert "reversed" in page(client, f"{DATA}?time=2020-2015", 400)
    greece = page(client, f"{DATA}?geo=GR", 404)
    assert "Eurostat writes Greece EL, not GR: did you mean EL?" in greece
    uk = page(client, f"{DATA}?geo=GB", 404)
    assert "did you mean UK?" in uk


def test_the_page_shows_the_figures_the_downloads_carry(portal: Path, client: Client) -> None:
    query = "?indicator=employment_rate&geo=AT&time=2023&sex=T&source=computed&citizen=NAT,FOR"
    rows = rows_of(page(client, DATA + query))
    api = json.loads(client.get("/api/v1/observations" + query).content)["results"]
    shown = sorted(r[8].split()[0] for r in rows)
    assert shown == sorted(f"{r['value']:.1f}" for r in api)
    full = json.loads(client.get("/api/v1/observations" + query + "&precision=full").content)
    assert any(len(repr(r["value"])) > 6 for r in full["results"])


# ---------------------------------------------------------------------- metadata


def test_a_metadata_page_for_every_indicator(portal: Path, client: Client) -> None:
    cat = load_catalog()
    for ident in cat:
        html = page(client, f"/en/indicators/{ident}/metadata/")
        for section in ("definition", "sources", "method", "comparability", "cite"):
            assert f'data-meta="{section}"' in html, (ident, section)
        assert cat[ident].id in html
    page(client, "/en/indicators/nope/metadata/", 404)
    assert "metadata" in page(client, "/fr/indicators/employment_rate/metadata/").lower()


def test_metadata_of_a_published_and_computed_indicator(portal: Path, client: Client) -> None:
    html = page(client, "/en/indicators/employment_rate/metadata/")
    sources = rows_of(html, "sources")
    assert [r[0] for r in sources] == [
        "lfsa_ergacob (by country of birth)",
        "lfsa_ergan (by citizenship)",
    ]
    ergan = sources[1]
    assert ergan[1] == "unit = PC, age = Y20-64"
    assert ergan[2] == "not recorded in the file"  # a TSV download carries no date
    assert "lfsa_ergan_y20-64_EU-NEU-NAT_2015-2024.tsv" in ergan[3]
    assert "https://ec.europa.eu/eurostat/cache/metadata/en/lfsa_esms.htm" in html
    assert "https://ec.europa.eu/eurostat/databrowser/view/lfsa_ergan/default/table" in html
    assert "/data/eurostat/" not in html  # no server path, only file names
    assert str(portal.parent) not in html
    runs = rows_of(html, "runs")
    assert len(runs) == 2  # by citizenship and by country of birth
    assert all("STRATUM" in r[3] and "PSU" in r[4] for r in runs)
    assert all(r[5] == "Taylor linearisation" and r[6] == "95%" for r in runs)
    assert all("example_lfs.csv.gz" in r[1] and "synthetic" in r[1] for r in runs)
    assert "must not be cited" in html
    breaks = {r[0]: r[1] for r in rows_of(html, "breaks")}
    assert "Austria AT" in breaks["2021"]
    assert 'data-cite="published"' in html
    # only the tables the warehouse loaded figures from are cited
    assert "Eurostat (lfsa_ergan), Employment rate (20-64)" in unescape(html)
    assert "ILOSTAT ∈ {1}" in html


def test_metadata_gives_eurostats_last_update_when_the_file_has_it(
    portal: Path, client: Client
) -> None:
    html = page(client, "/en/indicators/median_equivalised_income/metadata/")
    assert 'data-eurostat-updated="2025-03-21"' in html
    assert "last update 2025-03-21" in html
    nat = page(client, "/en/indicators/naturalisation_rate/metadata/")
    assert "Administrative statistics" in nat
    assert "This warehouse holds no computed figures" not in nat  # published only
    assert 'data-table="runs"' not in nat


def test_metadata_is_linked_from_the_indicator_and_data_pages(portal: Path, client: Client) -> None:
    link = 'href="/en/indicators/employment_rate/metadata/"'
    assert link in page(client, "/en/indicators/employment_rate/")
    assert link in page(client, f"{DATA}?indicator=employment_rate&geo=AT")
    assert link in page(client, "/en/indicators/")


@pytest.mark.parametrize(
    "url",
    [
        "/en/",
        "/en/indicators/",
        "/en/indicators/employment_rate/?geo=AT",
        "/en/countries/AT/",
        "/en/compare/?geo=AT,SE",
        f"{DATA}?indicator=employment_rate&geo=AT",
        "/en/indicators/employment_rate/metadata/",
    ],
)
def test_every_table_says_when_its_figures_were_last_updated(
    portal: Path, client: Client, url: str
) -> None:
    html = page(client, url)
    captions = re.findall(r"<caption[^>]*>(.*?)</caption>", html, re.S)
    assert captions
    con = sandboxed(portal)
    try:
        loaded = {d.date() for (d,) in con.execute("SELECT loaded_at FROM runs").fetchall()}
    finally:
        con.close()
    for caption in captions:
        found = re.search(r'data-updated="(\d{4}-\d{2}-\d{2})"', caption)
        assert found, caption[:200]
        assert date.fromisoformat(found.group(1)) in loaded
        assert "last updated" in caption


# ---------------------------------------------------------------------- Eurostat's dates


def test_eurostats_last_update_read_from_the_files(tmp_path: Path) -> None:
    labelled = tmp_path / "x.labels.csv"
    labelled.write_text(
        "DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
        "ESTAT:X(1.0),21/03/25 23:00:00,Annual,Austria,2020,1.0,,\n"
        "ESTAT:X(1.0),02/04/25 11:00:00,Annual,Austria,2021,1.0,,\n",
        encoding="utf-8",
    )
    assert last_update(labelled) == date(2025, 4, 2)
    stat = tmp_path / "x.json"
    stat.write_text(json.dumps([{"respuesta": {"updated": "2026-06-30T11:00:00+0200"}}]))
    assert last_update(stat) == date(2026, 6, 30)
    tsv = tmp_path / "x.tsv"
    tsv.write_text("freq,geo\\TIME_PERIOD\t2020 \nA,AT\t1.0 \n", encoding="utf-8")
    assert last_update(tsv) is None
    assert last_update(tmp_path / "missing.csv") is None


def test_loads_record_the_datasets_and_eurostats_update(portal: Path) -> None:
    con = sandboxed(portal)
    try:
        (inputs,) = con.execute(
            "SELECT CAST(inputs AS VARCHAR) FROM runs WHERE kind = 'eurostat-files'"
        ).fetchone() or ("[]",)
    finally:
        con.close()
    files = {Path(i["path"]).name: i for i in json.loads(inputs)}
    income = files["ilc_di15_median_income_by_citizenship_2015-2024.labels.csv"]
    assert income["datasets"] == ["ilc_di15"]
    assert income["eurostat_updated"] == "2025-03-21"
    assert files["lfsa_ergan_y20-64_EU-NEU-NAT_2015-2024.tsv"]["eurostat_updated"] is None
