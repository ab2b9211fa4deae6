"""Eurostat file parsers, on the real Eurostat files bundled in zaragoza/data/eurostat.

Expected numbers were read off the files themselves, not off the parsers: row counts
with ``wc -l`` (and ``zcat … | wc -l`` for the .gz files), cells with ``grep`` on the
series' line, missing values by counting ``:`` cells (TSV) or empty OBS_VALUE cells
(CSV) with the csv module.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from zaragoza.catalog.labels import label_codes
from zaragoza.errors import InputError
from zaragoza.sources.eurostat_bundled import bundled_files, read_bundled
from zaragoza.sources.eurostat_files import (
    detect_format,
    read_eurostat_file,
    read_jsonstat_file,
    read_labelled_csv,
    read_sdmx_csv,
    read_transcribed_csv,
    read_tsv_bulk,
)

FILES = {f.name: f for f in bundled_files()}
ERGAN_TSV = "lfsa_ergan_y20-64_EU-NEU-NAT_2015-2024.tsv"
URGAN_TSV = "lfsa_urgan_y20-64_EU-NEU-NAT_2015-2024.tsv"
EDAT_TSV = "edat_lfs_9912_cbirth_2015-2024.tsv"
RESFIRST_TSV = "migr_resfirst_by_reason_2023.tsv"
ERGAN_SDMX = "lfsa_ergan_y15-64_FOR-NAT-TOTAL_1995-2024.sdmx.csv.gz"
URGAN_SDMX = "lfsa_urgan_y15-64_FOR-NAT-TOTAL_1995-2024.sdmx.csv.gz"
EDAT_SDMX = "edat_lfs_9911_FOR_y15-64_2014-2024.sdmx.csv"
ILC_LABELS = "ilc_di15_median_income_by_citizenship_2015-2024.labels.csv"
ACQS = "migr_acqs_naturalisation_rate_2009-2023.csv"
HLTH_LABELS = "hlth_silc_24_self_perceived_health_by_citizenship_2015-2024.labels.csv.gz"
EOQ_JSON = "lfsa_eoqgan_y20-64_citizen_2024_EU-2014.jsonstat-wrapped.json"


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {name: f.read() for name, f in FILES.items()}


def _text(path: Path) -> str:
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            return fh.read()
    return path.read_text(encoding="utf-8")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


# --------------------------------------------------------------------------- the bundle


def test_every_bundled_file_is_listed() -> None:
    folder = next(iter(FILES.values())).path.parent
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    assert len(FILES) == 11


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        # TSV: one row per series (wc -l minus the header line) times the year columns
        (ERGAN_TSV, 324 * 10),  # wc -l = 325; header 2015 … 2024
        (URGAN_TSV, 324 * 10),  # wc -l = 325; header 2015 … 2024
        (EDAT_TSV, 5994 * 10),  # wc -l = 5995; header 2015 … 2024
        (RESFIRST_TSV, 160 * 1),  # wc -l = 161; header 2023 only
        # CSV: one row per line minus the header (no field holds a line break)
        (ERGAN_SDMX, 7983),  # zcat | wc -l = 7984
        (URGAN_SDMX, 7983),  # zcat | wc -l = 7984
        (EDAT_SDMX, 1023),  # wc -l = 1024
        (ILC_LABELS, 2151),  # wc -l = 2152
        (ACQS, 478),  # wc -l = 479
        (HLTH_LABELS, 15246),  # zcat | wc -l = 15247
        # JSON-stat: the positions with a value or a status, counted in the file's two
        # answers (14 and 187), less the 7 cells of EU27_2020 in 2024 both hold
        (EOQ_JSON, 194),
    ],
)
def test_row_counts(frames: dict[str, pd.DataFrame], name: str, rows: int) -> None:
    assert len(frames[name]) == rows


@pytest.mark.parametrize(
    ("name", "missing"),
    [
        # TSV: cells starting with ':' (``tail -n +2 | cut -f2- | tr '\t' '\n' | grep -c '^:'``)
        (ERGAN_TSV, 463),
        (URGAN_TSV, 934),
        (EDAT_TSV, 11252),
        (RESFIRST_TSV, 0),
        # CSV: rows whose OBS_VALUE (value) is empty, counted with the csv module
        (ERGAN_SDMX, 188),
        (URGAN_SDMX, 730),
        (EDAT_SDMX, 67),
        (ILC_LABELS, 164),
        (ACQS, 0),
        (HLTH_LABELS, 812),
        # JSON-stat: positions with a status and no value, 3 + 44, less 2 held twice
        (EOQ_JSON, 45),
    ],
)
def test_missing_values(frames: dict[str, pd.DataFrame], name: str, missing: int) -> None:
    assert int(frames[name]["value"].isna().sum()) == missing


def test_layout(frames: dict[str, pd.DataFrame]) -> None:
    assert list(frames[ERGAN_TSV].columns) == [
        "dataset",
        "freq",
        "unit",
        "sex",
        "age",
        "citizen",
        "geo",
        "time",
        "value",
        "flag",
    ]
    assert list(frames[EDAT_SDMX].columns) == [
        "dataset",
        "freq",
        "unit",
        "sex",
        "isced11",
        "citizen",
        "age",
        "geo",
        "time",
        "value",
        "flag",
        "conf_status",
    ]
    assert list(frames[ILC_LABELS].columns) == [
        "dataset",
        "freq",
        "unit",
        "indic_il",
        "citizen",
        "sex",
        "age",
        "geo",
        "time",
        "value",
        "flag",
        "conf_status",
    ]
    assert list(frames[ACQS].columns) == ["dataset", "geo", "time", "value", "flag"]
    assert list(frames[HLTH_LABELS].columns) == [
        "dataset",
        "freq",
        "sex",
        "age",
        "citizen",
        "lev_perc",
        "unit",
        "geo",
        "time",
        "value",
        "flag",
        "conf_status",
    ]
    # the JSON-stat answers' "id": freq, citizen, age, sex, unit, geo, time
    assert list(frames[EOQ_JSON].columns) == [
        "dataset",
        "freq",
        "citizen",
        "age",
        "sex",
        "unit",
        "geo",
        "time",
        "value",
        "flag",
        "conf_status",
    ]
    for name, df in frames.items():
        assert df["dataset"].unique().tolist() == [FILES[name].dataset]
        assert str(df["time"].dtype) == "int64"
        assert str(df["value"].dtype) == "float64"
        assert all(isinstance(f, str) for f in df["flag"])


def test_flags_as_published(frames: dict[str, pd.DataFrame]) -> None:
    # the distinct flags of each file, listed with grep / the csv module
    assert set(frames[ERGAN_TSV]["flag"]) == {"", "b", "u", "bu", "bd", "d"}
    assert set(frames[EDAT_TSV]["flag"]) == {"", "b", "u", "bu"}
    assert set(frames[RESFIRST_TSV]["flag"]) == {"", "b", "u"}
    assert set(frames[URGAN_SDMX]["flag"]) == {"", "b", "u", "bu", "bd", "d"}
    assert set(frames[ILC_LABELS]["flag"]) == {"", "u", "b", "e", "bu", "p"}
    assert set(frames[ACQS]["flag"]) == {"", "b", "p", "e", "ep"}
    assert set(frames[ERGAN_SDMX]["conf_status"]) == {""}
    assert set(frames[HLTH_LABELS]["flag"]) == {"", "u", "b", "e", "m", "n", "p"}
    # the labels of the answers' extension.status: b, bu, u (answer 1); bu, u, d, bd, b
    assert set(frames[EOQ_JSON]["flag"]) == {"", "b", "bu", "u", "d", "bd"}


# Each expected value and flag was read off the file's line with grep.
EDAT_KEY = {"sex": "F", "isced11": "ED0-2", "c_birth": "EU27_2020_FOR", "age": "Y15-24"}
CELLS = [
    # TSV bulk: "70.4 b", "69.3 ", ": u", ":", ": bu", "58.2 bd", "68.1 d"
    (ERGAN_TSV, {"sex": "F", "citizen": "EU27_2020_FOR", "geo": "AT", "time": 2021}, 70.4, "b"),
    (ERGAN_TSV, {"sex": "F", "citizen": "EU27_2020_FOR", "geo": "AT", "time": 2015}, 69.3, ""),
    (ERGAN_TSV, {"sex": "F", "citizen": "EU27_2020_FOR", "geo": "BA", "time": 2022}, None, "u"),
    (ERGAN_TSV, {"sex": "F", "citizen": "EU27_2020_FOR", "geo": "BA", "time": 2015}, None, ""),
    (ERGAN_TSV, {"sex": "F", "citizen": "EU27_2020_FOR", "geo": "BA", "time": 2021}, None, "bu"),
    (ERGAN_TSV, {"sex": "F", "citizen": "EU27_2020_FOR", "geo": "ES", "time": 2021}, 58.2, "bd"),
    (ERGAN_TSV, {"sex": "F", "citizen": "EU27_2020_FOR", "geo": "ES", "time": 2024}, 68.1, "d"),
    (
        URGAN_TSV,
        {"sex": "T", "citizen": "NEU27_2020_FOR", "geo": "EU27_2020", "time": 2021},
        15.5,
        "b",
    ),
    (URGAN_TSV, {"sex": "T", "citizen": "NEU27_2020_FOR", "geo": "SE", "time": 2024}, 22.7, ""),
    (EDAT_TSV, {**EDAT_KEY, "geo": "CZ", "time": 2021}, 44.7, "bu"),
    (EDAT_TSV, {**EDAT_KEY, "geo": "CZ", "time": 2023}, 46.4, ""),
    (EDAT_TSV, {**EDAT_KEY, "geo": "BG", "time": 2019}, None, "bu"),
    (RESFIRST_TSV, {"reason": "EDUC", "geo": "ES", "time": 2023}, 90922.0, "b"),
    (RESFIRST_TSV, {"reason": "EDUC", "geo": "IE", "time": 2023}, 39847.0, "u"),
    (RESFIRST_TSV, {"reason": "TOTAL", "geo": "ES", "time": 2023}, 548697.0, "b"),
    # SDMX-CSV 2.0 with labels
    (ERGAN_SDMX, {"sex": "F", "citizen": "FOR", "geo": "AT", "time": 1995}, 59.3, ""),
    (ERGAN_SDMX, {"sex": "T", "citizen": "FOR", "geo": "ES", "time": 2021}, 57.4, "bd"),
    (ERGAN_SDMX, {"sex": "T", "citizen": "FOR", "geo": "BG", "time": 2021}, 55.2, "bu"),
    (ERGAN_SDMX, {"sex": "M", "citizen": "TOTAL", "geo": "TR", "time": 2015}, 69.8, ""),
    (URGAN_SDMX, {"sex": "F", "citizen": "FOR", "geo": "AT", "time": 1995}, 7.8, ""),
    (URGAN_SDMX, {"sex": "T", "citizen": "FOR", "geo": "SE", "time": 2024}, 18.6, ""),
    (URGAN_SDMX, {"sex": "T", "citizen": "FOR", "geo": "BG", "time": 2010}, None, "bu"),
    (EDAT_SDMX, {"isced11": "ED0-2", "geo": "AT", "time": 2014}, 29.6, "b"),
    (EDAT_SDMX, {"isced11": "ED0-2", "geo": "RS", "time": 2024}, 13.2, "u"),
    (EDAT_SDMX, {"isced11": "ED5-8", "geo": "MT", "time": 2020}, 41.2, ""),
    # data-browser CSV with labels (Albania, Kosovo*, the euro-area and EU aggregates)
    (ILC_LABELS, {"citizen": "EU27_2020_FOR", "geo": "AL", "time": 2017}, None, "u"),
    (ILC_LABELS, {"citizen": "EU27_2020_FOR", "geo": "AL", "time": 2021}, 3454.0, "u"),
    (ILC_LABELS, {"citizen": "NAT", "geo": "EU27_2020", "time": 2023}, 20807.0, ""),
    (ILC_LABELS, {"citizen": "FOR", "geo": "TR", "time": 2022}, 2633.0, ""),
    (ILC_LABELS, {"citizen": "EU27_2020_FOR", "geo": "XK", "time": 2018}, 4325.0, "u"),
    (ILC_LABELS, {"citizen": "EU27_2020_FOR", "geo": "EA20", "time": 2023}, 22380.0, ""),
    (ILC_LABELS, {"citizen": "NEU28_FOR", "geo": "TR", "time": 2021}, 2548.0, ""),
    # transcribed geo,time,value,flag
    (ACQS, {"geo": "AT", "time": 2009}, 0.94, ""),
    (ACQS, {"geo": "BE", "time": 2012}, 3.22, "b"),
    (ACQS, {"geo": "PL", "time": 2023}, 2.7, "ep"),
    (ACQS, {"geo": "EU27_2020", "time": 2014}, 2.63, ""),
    # data-browser CSV with labels: "...,Reporting country,Very good or good,Percentage,
    # Austria,2023,68.7,," and the like
    (HLTH_LABELS, {"citizen": "NAT", "lev_perc": "VG_G", "geo": "AT", "time": 2023}, 68.7, ""),
    (
        HLTH_LABELS,
        {"citizen": "NEU27_2020_FOR", "lev_perc": "VG_G", "geo": "AT", "time": 2023},
        67.3,
        "",
    ),
    (
        HLTH_LABELS,
        {"citizen": "EU27_2020_FOR", "lev_perc": "VG_G", "geo": "TR", "time": 2022},
        72.6,
        "u",
    ),
    (
        HLTH_LABELS,
        {"citizen": "EU27_2020_FOR", "lev_perc": "VG_G", "geo": "AL", "time": 2017},
        None,
        "u",
    ),
    (
        HLTH_LABELS,
        {"citizen": "NEU28_FOR", "lev_perc": "VG_G", "geo": "SE", "time": 2019},
        77.7,
        "",
    ),
    # JSON-stat, answer 2 (size 1 x 7 x 1 x 1 x 1 x 38 x 1: flat index = 38 * citizen +
    # geo): "135": 24.3 (NAT, AT), "117": 20.9 with status "b" (NAT, BG), "3": status
    # "bu" only (EU27_2020_FOR, BG); answer 1 (flat index = 2 * citizen + time): "6":
    # 20.7 "b" (NAT, 2014); the NAT 2024 cell is in both answers: "7" and "114", 20.3
    (EOQ_JSON, {"citizen": "NAT", "geo": "AT", "time": 2024}, 24.3, ""),
    (EOQ_JSON, {"citizen": "NAT", "geo": "BG", "time": 2024}, 20.9, "b"),
    (EOQ_JSON, {"citizen": "EU27_2020_FOR", "geo": "BG", "time": 2024}, None, "bu"),
    (EOQ_JSON, {"citizen": "NAT", "geo": "EU27_2020", "time": 2014}, 20.7, "b"),
    (EOQ_JSON, {"citizen": "NAT", "geo": "EU27_2020", "time": 2024}, 20.3, ""),
]


@pytest.mark.parametrize(("name", "key", "value", "flag"), CELLS)
def test_cells(
    frames: dict[str, pd.DataFrame],
    name: str,
    key: dict[str, object],
    value: float | None,
    flag: str,
) -> None:
    df = frames[name]
    mask = pd.Series(True, index=df.index)
    for column, wanted in key.items():
        mask &= df[column] == wanted
    hit = df[mask]
    assert len(hit) == 1, key
    got = float(hit["value"].iloc[0])
    if value is None:
        assert math.isnan(got)
    else:
        assert got == value
    assert hit["flag"].iloc[0] == flag


def test_read_bundled_stacks_everything(frames: dict[str, pd.DataFrame]) -> None:
    everything = read_bundled()
    assert len(everything) == sum(len(f) for f in frames.values()) == 101_638
    assert everything.columns[0] == "dataset"
    assert list(everything.columns[-4:]) == ["time", "value", "flag", "conf_status"]
    keys = [c for c in everything.columns if c not in ("value", "flag", "conf_status")]
    assert not everything.duplicated(subset=keys).any()
    # a dimension a dataset does not have is missing, not invented
    assert everything.loc[everything["dataset"] == "migr_acqs", "sex"].isna().all()


# --------------------------------------------------------------------------- labels


def test_labelled_csv_labels_all_map_to_codes(frames: dict[str, pd.DataFrame]) -> None:
    df = frames[ILC_LABELS]
    codes = label_codes()
    for dim in ("freq", "unit", "indic_il", "citizen", "sex", "age", "geo"):
        assert set(df[dim]) <= set(codes[dim].values()), dim
    assert set(df["citizen"]) == {
        "NAT",
        "FOR",
        "EU27_2020_FOR",
        "NEU27_2020_FOR",
        "EU28_FOR",
        "NEU28_FOR",
    }
    assert {"EU", "EU27_2020", "EU28", "EU27_2007", "EA", "EA18", "EA19", "EA20"} <= set(df["geo"])
    assert df["geo"].nunique() == 45
    assert set(
        df[["freq", "unit", "indic_il", "sex", "age"]]
        .drop_duplicates()
        .itertuples(index=False, name=None)
    ) == {("A", "EUR", "MED_E", "T", "Y_GE18")}


def test_health_labels_all_map_to_codes(frames: dict[str, pd.DataFrame]) -> None:
    df = frames[HLTH_LABELS]
    assert set(df["lev_perc"]) == {"VGOOD", "GOOD", "FAIR", "BAD", "VBAD", "VG_G", "B_VB"}
    assert set(df["citizen"]) == set(frames[ILC_LABELS]["citizen"])
    assert df["geo"].nunique() == 45
    assert set(
        df[["freq", "unit", "sex", "age"]].drop_duplicates().itertuples(index=False, name=None)
    ) == {("A", "PC", "T", "Y_GE16")}


def test_code_list_holds_the_jsonstat_answers_labels() -> None:
    """The labels the recorded answers give their codes are the code list's."""
    codes = label_codes()
    body = json.loads(FILES[EOQ_JSON].path.read_text(encoding="utf-8"))
    pairs = {
        (dim, code, label)
        for recording in body
        for dim, d in recording["respuesta"]["dimension"].items()
        if dim not in ("time", "geo")
        for code, label in d["category"]["label"].items()
    }
    assert ("citizen", "STLS", "Stateless") in pairs
    for dim, code, label in pairs:
        assert codes[dim][label] == code


@pytest.mark.parametrize("name", [ERGAN_SDMX, URGAN_SDMX, EDAT_SDMX])
def test_code_list_holds_the_sdmx_files_pairs(name: str) -> None:
    codes = label_codes()
    reader = csv.reader(_text(FILES[name].path).splitlines())
    header = next(reader)
    pairs = {
        (header[i], row[i], row[i + 1])
        for row in reader
        for i in range(3, len(header), 2)
        if header[i] not in ("TIME_PERIOD", "OBS_VALUE", "OBS_FLAG", "CONF_STATUS")
    }
    assert pairs
    for dim, code, label in pairs:
        assert codes[dim][label] == code


def test_sdmx_without_label_columns_reads_the_same(tmp_path: Path) -> None:
    text = _text(FILES[EDAT_SDMX].path)
    rows = list(csv.reader(text.splitlines()))
    # codes only: STRUCTURE, STRUCTURE_ID, then every second column (the codes)
    keep = [0, 1, *range(3, len(rows[0]), 2)]
    out = tmp_path / "codes_only.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([[r[i] for i in keep] for r in rows])
    pd.testing.assert_frame_equal(read_sdmx_csv(out), read_sdmx_csv(FILES[EDAT_SDMX].path))


def test_compressed_and_plain_read_the_same(tmp_path: Path) -> None:
    plain = _write(tmp_path / "lfsa_ergan.sdmx.csv", _text(FILES[ERGAN_SDMX].path))
    pd.testing.assert_frame_equal(read_sdmx_csv(plain), read_sdmx_csv(FILES[ERGAN_SDMX].path))
    packed = tmp_path / "lfsa_ergan.tsv.gz"
    with FILES[ERGAN_TSV].path.open("rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    pd.testing.assert_frame_equal(
        read_tsv_bulk(packed), read_tsv_bulk(FILES[ERGAN_TSV].path, "lfsa_ergan")
    )


def test_detect_format_and_dispatch(frames: dict[str, pd.DataFrame]) -> None:
    for _name, f in FILES.items():
        assert detect_format(f.path) == f.format
    pd.testing.assert_frame_equal(read_eurostat_file(FILES[ILC_LABELS].path), frames[ILC_LABELS])
    pd.testing.assert_frame_equal(
        read_eurostat_file(FILES[ACQS].path, dataset="migr_acqs"), frames[ACQS]
    )


def test_tsv_dataset_from_eurostat_file_name(tmp_path: Path) -> None:
    text = FILES[RESFIRST_TSV].path.read_text(encoding="utf-8")
    for name in ("migr_resfirst.tsv", "estat_migr_resfirst.tsv"):
        df = read_eurostat_file(_write(tmp_path / name, text))
        assert set(df["dataset"]) == {"migr_resfirst"}
    with pytest.raises(InputError, match="does not name its dataset") as err:
        read_tsv_bulk(_write(tmp_path / "Permits-2023.tsv", text))
    assert err.value.file is not None
    assert err.value.file.endswith("Permits-2023.tsv")


# --------------------------------------------------------------------------- errors


def test_malformed_tsv_cell(tmp_path: Path) -> None:
    text = FILES[ERGAN_TSV].path.read_text(encoding="utf-8")
    assert "\t70.4 b\t" in text
    bad = _write(tmp_path / "lfsa_ergan.tsv", text.replace("\t70.4 b\t", "\t70,4 b\t", 1))
    with pytest.raises(InputError, match="not a number") as err:
        read_tsv_bulk(bad)
    e = err.value
    # first series (data row 1, AT), column of 2021
    assert (e.file, e.column, e.row, e.value) == (str(bad), "2021", 1, "70,4 b")


def test_malformed_sdmx_value(tmp_path: Path) -> None:
    lines = _text(FILES[EDAT_SDMX].path).splitlines(keepends=True)
    assert ",29.6,,b," in lines[1]
    lines[1] = lines[1].replace(",29.6,,b,", ",29.6%,,b,")
    bad = _write(tmp_path / "edat.sdmx.csv", "".join(lines))
    with pytest.raises(InputError, match="not a number") as err:
        read_sdmx_csv(bad)
    e = err.value
    assert (e.file, e.column, e.row, e.value) == (str(bad), "OBS_VALUE", 1, "29.6%")


def test_unknown_label(tmp_path: Path) -> None:
    lines = FILES[ILC_LABELS].path.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if ",Türkiye," in line)
    lines[first] = lines[first].replace(",Türkiye,", ",Turkey,")
    bad = _write(tmp_path / "ilc_di15.csv", "".join(lines))
    with pytest.raises(InputError, match="unknown label") as err:
        read_labelled_csv(bad)
    e = err.value
    assert (e.file, e.column, e.row, e.value) == (str(bad), "geo", first, "Turkey")
    n_geo = len(label_codes()["geo"])
    assert e.hint is not None
    assert f"holds {n_geo} labels for geo" in e.hint


def test_unknown_header(tmp_path: Path) -> None:
    bad = _write(tmp_path / "other.csv", "country,year,rate\nAT,2021,70.4\n")
    with pytest.raises(InputError, match="unknown Eurostat file format") as err:
        read_eurostat_file(bad)
    e = err.value
    assert (e.file, e.row, e.value) == (str(bad), 0, "country,year,rate")
    with pytest.raises(InputError, match="unexpected header") as err:
        read_sdmx_csv(bad)
    assert (err.value.file, err.value.column, err.value.row) == (str(bad), "country", 0)
    tsv = _write(tmp_path / "q.tsv", "freq,geo\\TIME_PERIOD\t2023-Q1 \nQ,AT\t1.0 \n")
    with pytest.raises(InputError, match="not a year") as err:
        read_tsv_bulk(tsv, dataset="lfsq_ergan")
    assert (err.value.column, err.value.row) == ("2023-Q1", 0)


def test_other_read_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read") as err:
        read_eurostat_file(tmp_path / "absent.tsv")
    assert err.value.file == str(tmp_path / "absent.tsv")
    broken = tmp_path / "broken.sdmx.csv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match="cannot read"):
        read_sdmx_csv(broken)
    with pytest.raises(InputError, match="empty"):
        read_sdmx_csv(_write(tmp_path / "empty.csv", ""))
    ragged = _write(tmp_path / "acqs.csv", "geo,time,value,flag\nAT,2009,0.94,\nBE,2010\n")
    with pytest.raises(InputError, match="2 fields") as err:
        read_transcribed_csv(ragged, "migr_acqs")
    assert err.value.row == 2
    series = _write(tmp_path / "x.tsv", "freq,geo\\TIME_PERIOD\t2023 \nA\t1.0 \n")
    with pytest.raises(InputError, match="series key") as err:
        read_tsv_bulk(series, dataset="x")
    assert (err.value.column, err.value.row, err.value.value) == ("freq,geo\\TIME_PERIOD", 1, "A")
    acqs = _write(tmp_path / "acqs2.csv", "geo,time,value,flag\nAT,2009,0.94,\n")
    with pytest.raises(InputError, match="does not name its dataset"):
        read_eurostat_file(acqs)
    with pytest.raises(InputError, match="not lfsa_urgan"):
        read_eurostat_file(FILES[EDAT_SDMX].path, dataset="lfsa_urgan")


def _dataset(values: dict[str, float], status: dict[str, str] | None = None) -> dict[str, object]:
    """A small JSON-stat 2.0 dataset: geo AT, DE by time 2023, 2024."""
    return {
        "version": "2.0",
        "class": "dataset",
        "id": ["geo", "time"],
        "size": [2, 2],
        "dimension": {
            "geo": {"category": {"index": {"AT": 0, "DE": 1}}},
            "time": {"category": {"index": {"2023": 0, "2024": 1}}},
        },
        "value": values,
        "status": status or {},
        "extension": {"id": "LFSA_EOQGAN"},
    }


def test_jsonstat_file_forms(tmp_path: Path) -> None:
    one = _write(tmp_path / "one.json", json.dumps(_dataset({"0": 1.5, "3": 2.5})))
    df = read_jsonstat_file(one)
    assert df[["dataset", "geo", "time", "value"]].values.tolist() == [
        ["lfsa_eoqgan", "AT", 2023, 1.5],
        ["lfsa_eoqgan", "DE", 2024, 2.5],
    ]
    assert detect_format(one) == "jsonstat"
    # an array of datasets, or of recordings holding one each; overlaps kept once
    recorded = [{"url": "u", "answer": _dataset({"0": 1.5})}, _dataset({"0": 1.5, "1": 3.0})]
    many = _write(tmp_path / "many.json", json.dumps(recorded))
    assert len(read_eurostat_file(many, dataset="lfsa_eoqgan")) == 2


def test_jsonstat_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the file as JSON") as err:
        read_jsonstat_file(_write(tmp_path / "bad.json", "{not json"))
    assert err.value.file == str(tmp_path / "bad.json")
    with pytest.raises(InputError, match="not a JSON-stat dataset nor an array"):
        read_jsonstat_file(_write(tmp_path / "obj.json", '{"class": "collection"}'))
    two = [{"a": _dataset({}), "b": _dataset({})}]
    with pytest.raises(InputError, match="item 1 of the array holds 2") as err:
        read_jsonstat_file(_write(tmp_path / "two.json", json.dumps(two)))
    assert err.value.row == 1
    with pytest.raises(InputError, match="answer 1 is of dataset lfsa_eoqgan, not lfsa_ergan"):
        read_jsonstat_file(FILES[EOQ_JSON].path, dataset="lfsa_ergan")
    anonymous = _dataset({"0": 1.0})
    del anonymous["extension"]
    path = _write(tmp_path / "anon.json", json.dumps(anonymous))
    with pytest.raises(InputError, match="does not name its dataset"):
        read_jsonstat_file(path)
    assert set(read_jsonstat_file(path, "lfsa_eoqgan")["dataset"]) == {"lfsa_eoqgan"}
    # the same cell with two values, or two flags, in two answers
    for second in (_dataset({"0": 1.6}), _dataset({"0": 1.5}, {"0": "b"})):
        clash = _write(tmp_path / "clash.json", json.dumps([_dataset({"0": 1.5}), second]))
        with pytest.raises(InputError, match="different values or flags") as err:
            read_jsonstat_file(clash)
        assert err.value.value == {"dataset": "lfsa_eoqgan", "geo": "AT", "time": "2023"}


def test_codes_where_labels_are_expected(tmp_path: Path) -> None:
    text = (
        "DATAFLOW,LAST UPDATE,freq,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\nESTAT:X(1.0),,A,AT,2020,1,\n"
    )
    with pytest.raises(InputError, match="unknown label") as err:
        read_labelled_csv(_write(tmp_path / "codes.csv", text))
    assert (err.value.column, err.value.row, err.value.value) == ("freq", 1, "A")
    assert err.value.hint is not None
    assert "It is a code" in err.value.hint
