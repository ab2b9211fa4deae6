"""Output formats, read back by real readers: pandas (CSV, JSON), openpyxl (Excel),
pyjstat (JSON-stat 2.0) and sdmx1 (SDMX-CSV 2.0)."""

from __future__ import annotations

import io
import json
import math
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from zaragoza.errors import UsageError
from zaragoza.publish import formats
from zaragoza.publish.formats import FORMATS, add_labels, get_format, metadata_for
from zaragoza.warehouse.reader import PUBLIC_COLUMNS

NAN = float("nan")
UPDATED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def cells() -> pd.DataFrame:
    """Seven cells covering every case: levels, a gap, suppressed, missing, flags."""
    columns = [
        "indicator",
        "geo",
        "time",
        "citizen",
        "compare_to",
        "value",
        "se",
        "ci_lo",
        "ci_hi",
        "cv",
        "n",
        "n_missing",
        "flag",
        "source",
    ]
    rows = [
        # computed level rows with precision; one of low reliability
        ["employment_rate", "AT", 2023, "NAT", "", 76.25, 0.5, 75.27, 77.23, 0.66, 5000, 3,
         "", "computed"],
        ["employment_rate", "AT", 2023, "NEU27_2020_FOR", "", 60.125, 2.5, 55.2, 65.0, 4.2,
         400, 0, "u", "computed"],
        # the gap to nationals, in percentage points
        ["employment_rate", "AT", 2023, "NEU27_2020_FOR", "NAT", -16.125, 2.55, -21.1, -11.1,
         NAN, 400, 0, "", "computed"],
        # suppressed: blank as the reader returns it, the count kept
        ["employment_rate", "AT", 2023, "EU27_2020_FOR", "", NAN, NAN, NAN, NAN, NAN, 31, 0,
         "c", "computed"],
        # published by Eurostat: a zero with a break, a value, a missing value
        ["employment_rate", "SE", 2022, "NAT", "", 0.0, NAN, NAN, NAN, NAN, None, None, "b",
         "published"],
        ["employment_rate", "SE", 2023, "NAT", "", 81.4, NAN, NAN, NAN, NAN, None, None, "",
         "published"],
        ["employment_rate", "SE", 2023, "NEU27_2020_FOR", "", NAN, NAN, NAN, NAN, NAN, None,
         None, ":u", "published"],
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=columns)
    df = df.assign(
        c_birth="TOTAL", mig_bg="TOTAL", sex="T", age="Y20-64",
        compare_to=df["compare_to"].fillna(""),
    )  # fmt: skip
    df["n"] = df["n"].astype("Int64")
    df["n_missing"] = df["n_missing"].astype("Int64")
    return df[PUBLIC_COLUMNS]


@pytest.fixture
def df() -> pd.DataFrame:
    return cells()


@pytest.fixture
def meta(df: pd.DataFrame) -> formats.Metadata:
    return metadata_for(df, updated=UPDATED, extra={"count": len(df)})


def same(a: Any, b: Any) -> bool:
    """Equal values, or both missing."""
    missing_a = a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA
    missing_b = b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    return (missing_a and missing_b) or (not missing_a and not missing_b and a == b)


def test_registry_names_media_types_and_extensions() -> None:
    assert set(FORMATS) >= {"csv", "json", "xlsx", "jsonstat", "sdmx-csv"}
    assert get_format("csv").media_type.startswith("text/csv")
    assert get_format("sdmx-csv").media_type.startswith("application/vnd.sdmx.data+csv")
    assert get_format("xlsx").extension == "xlsx"
    assert all(f.name == name and f.description for name, f in FORMATS.items())
    with pytest.raises(UsageError, match="unknown output format") as err:
        get_format("xml")
    assert "csv, json" in str(err.value)


def test_csv_reads_back_with_missing_empty_and_flags(df: pd.DataFrame, meta: Any) -> None:
    text = get_format("csv").write(df, meta).decode()
    assert text.splitlines()[0] == ",".join(PUBLIC_COLUMNS)
    suppressed = text.splitlines()[4].split(",")
    assert suppressed[PUBLIC_COLUMNS.index("value")] == ""  # empty, never 0
    assert suppressed[PUBLIC_COLUMNS.index("flag")] == "c"
    back = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values={"value": [""]})
    assert back["value"].tolist()[:3] == [76.25, 60.125, -16.125]
    assert math.isnan(back["value"][3])
    assert back["value"][4] == 0.0
    assert back["flag"].tolist() == df["flag"].tolist()
    assert back["compare_to"].tolist() == df["compare_to"].tolist()


def test_json_null_for_missing_and_extra_fields(df: pd.DataFrame, meta: Any) -> None:
    doc = json.loads(get_format("json").write(df, meta))
    assert doc["count"] == 7
    rows = doc["results"]
    assert rows[0] == {
        "indicator": "employment_rate", "geo": "AT", "time": 2023, "citizen": "NAT",
        "c_birth": "TOTAL", "mig_bg": "TOTAL", "sex": "T", "age": "Y20-64", "compare_to": "",
        "value": 76.25,
        "se": 0.5, "ci_lo": 75.27, "ci_hi": 77.23, "cv": 0.66, "n": 5000, "n_missing": 3,
        "flag": "", "source": "computed",
    }  # fmt: skip
    assert rows[3]["value"] is None
    assert rows[3]["n"] == 31
    assert rows[3]["flag"] == "c"
    assert rows[4]["value"] == 0.0
    assert rows[6]["value"] is None
    assert rows[6]["flag"] == ":u"


def test_xlsx_read_by_openpyxl(df: pd.DataFrame, meta: Any) -> None:
    from openpyxl import load_workbook

    data = get_format("xlsx").write(df, meta)
    assert data == get_format("xlsx").write(df, meta)  # same bytes for the same input
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["data", "about"]
    rows = list(wb["data"].iter_rows(values_only=True))
    assert list(rows[0]) == PUBLIC_COLUMNS
    value, flag = PUBLIC_COLUMNS.index("value"), PUBLIC_COLUMNS.index("flag")
    assert [r[value] for r in rows[1:]] == [76.25, 60.125, -16.125, None, 0, 81.4, None]
    assert rows[4][flag] == "c"
    assert rows[4][PUBLIC_COLUMNS.index("n")] == 31
    about = {r[0]: r[1] for r in wb["about"].iter_rows(values_only=True)}
    assert "Eurostat" in about["source"]
    assert about["updated"].startswith("2026-11-25")


def test_xlsx_text_is_never_a_formula(df: pd.DataFrame, meta: Any) -> None:
    from openpyxl import load_workbook

    hostile = df.assign(geo='=HYPERLINK("http://example.invalid","AT")')
    wb = load_workbook(io.BytesIO(get_format("xlsx").write(hostile, meta)))
    cell = wb["data"].cell(row=2, column=PUBLIC_COLUMNS.index("geo") + 1)
    assert cell.data_type == "s"
    assert cell.value == hostile["geo"].iloc[0]


def read_jsonstat(data: bytes) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The dataset as pyjstat reads it: one row per cell, with its value and status."""
    from pyjstat import pyjstat

    with warnings.catch_warnings():  # pyjstat's own deprecated helper, called inside
        warnings.simplefilter("ignore", DeprecationWarning)
        ds = pyjstat.Dataset.read(data.decode())
        values = ds.write("dataframe", naming="id")
        status = ds.write("dataframe", naming="id", value="status")
    values["status"] = status["status"]
    return values, json.loads(data)


def test_jsonstat_read_back_by_pyjstat(df: pd.DataFrame, meta: Any) -> None:
    cube, doc = read_jsonstat(get_format("jsonstat").write(df, meta))
    assert doc["version"] == "2.0"
    assert doc["class"] == "dataset"
    assert doc["id"][-1] == "statistic"
    assert doc["role"]["time"] == ["time"]
    assert doc["role"]["geo"] == ["geo"]
    assert doc["role"]["metric"] == ["indicator"]
    assert doc["size"] == [len(doc["dimension"][d]["category"]["index"]) for d in doc["id"]]
    assert doc["dimension"]["geo"]["category"]["label"]["AT"] == "Austria"
    assert doc["dimension"]["indicator"]["category"]["unit"]["employment_rate"]["label"] == (
        "percentage"
    )
    assert doc["updated"] == "2026-11-25T12:00:00Z"
    assert doc["extension"]["count"] == 7
    assert doc["extension"]["units"]["employment_rate"] == {"level": "PC", "gap": "PP"}
    assert isinstance(doc["value"], list)  # a dense cube: an array with nulls

    key = ["indicator", "source", "geo", "time", "citizen", "c_birth", "sex", "age"]
    cube["time"] = cube["time"].astype(int)
    expected = df.assign(compare_to=df["compare_to"].replace("", "_Z"))
    for stat in ("value", "se", "n"):
        got = cube[cube["statistic"] == stat].merge(
            expected, on=[*key, "compare_to"], suffixes=("_js", "")
        )
        assert len(got) == len(df)
        for a, b in zip(got["value_js"], got[stat], strict=True):
            assert same(a, None if pd.isna(b) else float(b))
        for a, b in zip(got["status"], got["flag"], strict=True):
            assert (a or "") == b
    # cells outside the selection are null, with no status
    present = cube.merge(expected[[*key, "compare_to"]], on=[*key, "compare_to"])
    assert len(cube) - len(present) == cube["value"].isna().sum() - (present["value"].isna().sum())


def test_jsonstat_gap_rows_and_suppressed_cells(df: pd.DataFrame, meta: Any) -> None:
    cube, doc = read_jsonstat(get_format("jsonstat").write(df, meta))
    gap = cube[(cube["compare_to"] == "NAT") & (cube["statistic"] == "value")].dropna(
        subset=["value"]
    )
    assert gap["value"].tolist() == [-16.125]
    assert doc["dimension"]["compare_to"]["category"]["label"]["_Z"] == "None (level)"
    hidden = cube[
        (cube["citizen"] == "EU27_2020_FOR")
        & (cube["geo"] == "AT")
        & (cube["time"].astype(str) == "2023")
        & (cube["source"] == "computed")
        & (cube["compare_to"] == "_Z")
    ].set_index("statistic")
    assert hidden.loc["value", "value"] is None or math.isnan(hidden.loc["value", "value"])
    assert hidden.loc["value", "status"] == "c"
    assert hidden.loc["n", "value"] == 31
    assert any("percentage points" in n for n in doc["note"])


def test_jsonstat_sparse_form_above_the_dense_limit(
    df: pd.DataFrame, meta: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    dense = json.loads(get_format("jsonstat").write(df, meta))
    monkeypatch.setattr(formats, "DENSE_LIMIT", 10)
    data = get_format("jsonstat").write(df, meta)
    doc = json.loads(data)
    assert isinstance(doc["value"], dict)
    assert {int(k): v for k, v in doc["value"].items()} == {
        i: v for i, v in enumerate(dense["value"]) if v is not None
    }
    assert doc["status"] == dense["status"]
    cube, _ = read_jsonstat(data)
    assert cube["value"].notna().sum() == len(doc["value"])


def test_jsonstat_published_cells_carry_only_values(df: pd.DataFrame, meta: Any) -> None:
    published = df[df["source"] == "published"]
    doc = json.loads(get_format("jsonstat").write(published, metadata_for(published)))
    assert list(doc["dimension"]["statistic"]["category"]["index"]) == ["value"]


def sdmx_structure(header: list[str]) -> Any:
    """The library's own data structure (the one the API serves), for the codes of the
    test table; its components are those of the SDMX-CSV header."""
    from zaragoza.publish import sdmx_ml

    dsd = sdmx_ml.build_structures({}, lambda what, code, lang: code or what).structure
    at = header.index("OBS_VALUE")
    assert [d.id for d in dsd.dimensions] == header[3:at]
    assert [a.id for a in dsd.attributes] == header[at + 1 :]
    return dsd


def test_sdmx_csv_layout_is_eurostats(df: pd.DataFrame, meta: Any) -> None:
    from importlib import resources

    lines = get_format("sdmx-csv").write(df, meta).decode().splitlines()
    header = lines[0].split(",")
    assert header[:3] == ["STRUCTURE", "STRUCTURE_ID", "ACTION"]
    assert header[header.index("TIME_PERIOD") + 1 :][:3] == ["OBS_VALUE", "OBS_FLAG", "CONF_STATUS"]
    # Eurostat's own SDMX-CSV, bundled: the same fixed columns, lower-case dimensions
    bundled = next(
        p
        for p in (resources.files("zaragoza") / "data" / "eurostat").iterdir()
        if p.name.endswith(".sdmx.csv")
    )
    eurostat = bundled.read_text(encoding="utf-8").splitlines()[0].split(",")
    for column in ("STRUCTURE", "STRUCTURE_ID", "freq", "geo", "TIME_PERIOD", "OBS_VALUE"):
        assert column in eurostat
        assert column in header
    first = dict(zip(header, lines[1].split(","), strict=True))
    assert first["STRUCTURE"] == "dataflow"
    assert first["ACTION"] == "I"
    assert first["STRUCTURE_ID"] == formats.SDMX_DATAFLOW
    assert first["compare_to"] == "_Z"
    assert first["unit"] == "PC"
    assert first["freq"] == "A"


def test_sdmx_csv_read_back_by_sdmx1(df: pd.DataFrame, meta: Any) -> None:
    import sdmx

    data = get_format("sdmx-csv").write(df, meta)
    header = data.decode().splitlines()[0].split(",")
    msg = sdmx.read_sdmx(io.BytesIO(data), format="CSV", structure=sdmx_structure(header))
    (dataset,) = msg.data
    assert len(dataset.obs) == len(df)
    got = []
    for obs in dataset.obs:
        key = {k: v.value for k, v in obs.dimension.values.items()}
        attrs = {k: v.value for k, v in obs.attached_attribute.items()}
        got.append((key, obs.value, attrs))
    for (key, value, attrs), (_, row) in zip(got, df.iterrows(), strict=True):
        assert key["geo"] == row["geo"]
        assert int(key["TIME_PERIOD"]) == row["time"]
        assert key["citizen"] == row["citizen"]
        assert key["indicator"] == row["indicator"]
        assert same(
            float(value) if value else None, None if pd.isna(row["value"]) else row["value"]
        )
        assert attrs["OBS_FLAG"] == row["flag"].replace("c", "").replace(":", "")
        assert attrs["CONF_STATUS"] == ("C" if "c" in row["flag"] else "")
        assert same(
            float(attrs["SE"]) if attrs["SE"] else None, None if pd.isna(row["se"]) else row["se"]
        )
        assert attrs["N"] == ("" if pd.isna(row["n"]) else str(row["n"]))
    gap = got[2]
    assert gap[0]["compare_to"] == "NAT"
    assert gap[0]["unit"] == "PP"
    assert float(gap[1]) == -16.125
    assert got[3][1] == ""
    assert got[3][2]["CONF_STATUS"] == "C"


def test_sdmx_csv_to_pandas_with_sdmx1(df: pd.DataFrame, meta: Any) -> None:
    import sdmx

    full = df[df["value"].notna()]
    data = get_format("sdmx-csv").write(full, meta)
    header = data.decode().splitlines()[0].split(",")
    msg = sdmx.read_sdmx(io.BytesIO(data), format="CSV", structure=sdmx_structure(header))
    series = sdmx.to_pandas(msg.data[0])
    assert sorted(series.astype(float).tolist()) == sorted(full["value"].tolist())


def test_labels_and_metadata(df: pd.DataFrame, meta: Any) -> None:
    assert meta.units["employment_rate"] == "PC"
    assert meta.labels["indicator"]["employment_rate"] == "Employment rate (20-64)"
    assert meta.labels["citizen"]["NEU27_2020_FOR"].startswith("Non-EU27")
    labelled = add_labels(df, meta)
    cols = list(labelled.columns)
    assert cols[cols.index("geo") + 1] == "geo_label"
    assert "time_label" not in cols
    assert labelled["geo_label"].tolist()[:1] == ["Austria"]
    text = get_format("csv").write(labelled, meta).decode()
    assert "Sweden" in text


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_writes_an_empty_table(name: str) -> None:
    empty = cells().iloc[0:0]
    data = get_format(name).write(empty, metadata_for(empty))
    assert isinstance(data, bytes)
    assert data
    if name == "jsonstat":
        doc = json.loads(data)
        assert doc["value"] == []
        assert doc["size"][0] == 0


def test_written_files_follow_the_umask(tmp_path: Path) -> None:
    import os
    import stat

    from zaragoza.publish.files import write_table

    old = os.umask(0o027)
    try:
        for name in ("a.csv", "b.parquet"):
            write_table(pd.DataFrame({"x": [1]}), tmp_path / name)
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o640
    finally:
        os.umask(old)


def pisa_cells() -> pd.DataFrame:
    """PISA cells: mean scores by migrant background, a gap to non-immigrant students,
    one cell not reported (the OECD's rule) and an EU-LFS cell (``mig_bg`` TOTAL)."""
    base = {"citizen": "TOTAL", "c_birth": "TOTAL", "sex": "T", "source": "computed"}
    rows = [
        {"indicator": "mean_score_reading", "geo": "AT", "time": 2022, "mig_bg": "NATIVE",
         "age": "Y15", "compare_to": "", "value": 492.5, "se": 3.25, "ci_lo": 486.13,
         "ci_hi": 498.87, "cv": 0.66, "n": 2000, "n_missing": 0, "flag": ""},
        {"indicator": "mean_score_reading", "geo": "AT", "time": 2022, "mig_bg": "SECOND_GEN",
         "age": "Y15", "compare_to": "", "value": 451.0, "se": 7.5, "ci_lo": 436.3,
         "ci_hi": 465.7, "cv": 1.66, "n": 250, "n_missing": 0, "flag": ""},
        {"indicator": "mean_score_reading", "geo": "AT", "time": 2022, "mig_bg": "SECOND_GEN",
         "age": "Y15", "compare_to": "NATIVE", "value": -41.5, "se": 8.0, "ci_lo": -57.2,
         "ci_hi": -25.8, "cv": NAN, "n": 2250, "n_missing": 0, "flag": ""},
        {"indicator": "mean_score_reading", "geo": "AT", "time": 2022, "mig_bg": "FIRST_GEN",
         "age": "Y15", "compare_to": "", "value": NAN, "se": NAN, "ci_lo": NAN,
         "ci_hi": NAN, "cv": NAN, "n": 20, "n_missing": 0, "flag": ":"},
        {"indicator": "employment_rate", "geo": "AT", "time": 2023, "mig_bg": "TOTAL",
         "age": "Y20-64", "compare_to": "", "value": 70.5, "se": 0.5, "ci_lo": 69.52,
         "ci_hi": 71.48, "cv": 0.7, "n": 9000, "n_missing": 0, "flag": ""},
    ]  # fmt: skip
    df = pd.DataFrame([{**base, **r} for r in rows])
    for col in ("n", "n_missing"):
        df[col] = df[col].astype("Int64")
    return df[PUBLIC_COLUMNS]


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_keeps_the_migrant_background(name: str) -> None:
    """``mig_bg`` is a dimension in every format: its codes come back as they went in."""
    df = pisa_cells()
    meta = metadata_for(df, updated=UPDATED)
    data = get_format(name).write(df, meta)
    want = df["mig_bg"].tolist()
    if name == "csv":
        back = pd.read_csv(io.BytesIO(data), keep_default_na=False)
        assert back["mig_bg"].tolist() == want
        assert list(back.columns[:9]) == ["indicator", "geo", "time", "citizen", "c_birth",
                                          "mig_bg", "sex", "age", "compare_to"]  # fmt: skip
        assert back["compare_to"].tolist()[2] == "NATIVE"
    elif name == "json":
        assert [r["mig_bg"] for r in json.loads(data)["results"]] == want
    elif name == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data))["data"]
        rows = list(sheet.values)
        col = rows[0].index("mig_bg")
        assert [r[col] for r in rows[1:]] == want
    elif name == "jsonstat":
        back, doc = read_jsonstat(data)
        assert doc["id"].index("mig_bg") == doc["id"].index("c_birth") + 1
        labels = doc["dimension"]["mig_bg"]["category"]["label"]
        assert labels["SECOND_GEN"] == "Second-generation immigrant students"
        assert doc["dimension"]["compare_to"]["category"]["label"]["NATIVE"] == (
            "Non-immigrant students"
        )
        got = back[(back["statistic"] == "value") & back["value"].notna()]
        assert sorted(set(got["mig_bg"])) == ["NATIVE", "SECOND_GEN", "TOTAL"]
        gap = got[got["compare_to"] == "NATIVE"]
        assert gap["mig_bg"].tolist() == ["SECOND_GEN"]
        assert gap["value"].tolist() == [-41.5]
    elif name == "sdmx-csv":
        import sdmx

        header = data.decode().splitlines()[0].split(",")
        assert header.index("mig_bg") == header.index("c_birth") + 1
        msg = sdmx.read_sdmx(io.BytesIO(data), format="CSV", structure=sdmx_structure(header))
        keys = [obs.dimension.values["mig_bg"].value for obs in msg.data[0].obs]
        assert keys == want
    else:  # sdmx-ml: every dimension on each observation
        import re

        text = data.decode()
        assert re.findall(r'mig_bg="([A-Z_]+)"', text) == want
        assert 'compare_to="NATIVE"' in text


def test_a_table_without_mig_bg_is_written_with_total() -> None:
    """A table of observations made before the migrant background was a dimension."""
    df = cells().drop(columns="mig_bg")
    data = get_format("csv").write(df, metadata_for(df))
    back = pd.read_csv(io.BytesIO(data), keep_default_na=False)
    assert set(back["mig_bg"]) == {"TOTAL"}
    assert list(back.columns).index("mig_bg") == list(back.columns).index("c_birth") + 1
