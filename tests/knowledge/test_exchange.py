"""JSON Lines and CSV: round trip, and a malformed file reported whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zaragoza.errors import ContentError, UsageError
from zaragoza.knowledge.content import load_content
from zaragoza.knowledge.exchange import read_practices, write_practices
from zaragoza.knowledge.synthetic import synthetic_practices

FIXTURES = Path(__file__).parent.parent / "data" / "knowledge" / "content"


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_round_trip_keeps_every_field(tmp_path: Path, suffix: str) -> None:
    practices = load_content(FIXTURES).practices
    path = tmp_path / f"out{suffix}"
    assert write_practices(practices, path) == 3
    again = read_practices(path)
    assert again == list(practices)


def test_synthetic_records_are_labelled_and_valid(tmp_path: Path) -> None:
    records = list(synthetic_practices(200, seed=3))
    assert all(
        r["id"].startswith("synthetic-") and r["title"].startswith("[Synthetic]") for r in records
    )
    assert all("not a real practice" in r["summary"] for r in records)
    path = tmp_path / "s.jsonl"
    write_practices(records, path)
    assert len(read_practices(path)) == 200
    assert list(synthetic_practices(5, seed=3)) == records[:5]


def test_a_malformed_jsonl_file_reports_every_problem(tmp_path: Path) -> None:
    good = json.loads(json.dumps(load_content(FIXTURES).practices[0].model_dump(mode="json")))
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps(good | {"themes": ["cooking"], "colour": "red"}),
        json.dumps(
            good | {"funding": [{"fund": "amif", "amount_eur": float("nan")}]}, allow_nan=True
        ),
        "",
        json.dumps(good),  # the same id again
        json.dumps(good | {"id": "example-other", "context": ""}),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ContentError) as info:
        read_practices(path)
    text = "\n".join(info.value.problems)
    assert "record 2 (line 2): not valid JSON" in text
    assert "record 3 (line 3), field themes: unknown theme 'cooking'" in text
    assert "record 3 (line 3), field colour: unknown field" in text
    assert "record 4 (line 4): not valid JSON (NaN is not a number a record may hold)" in text
    assert "record 5 (line 6), field id: 'example-job-mentoring' is also record 1" in text
    assert "record 6 (line 7), field context: must not be empty" in text
    assert "nothing was imported" in info.value.message


def test_a_malformed_csv_file_reports_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "good.csv"
    write_practices(load_content(FIXTURES).practices, path)
    text = path.read_text().replace("example-language-cafe,", "Example Language Cafe,", 1)
    text = text.replace("|participation", "|nowhere", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    with pytest.raises(ContentError) as info:
        read_practices(bad)
    joined = "\n".join(info.value.problems)
    assert "record 2 (line 3), field id: an id is lowercase" in joined
    assert "'nowhere'; valid:" in joined
    extra = tmp_path / "extra.csv"
    extra.write_text("id,title,colour\nexample-a,Example,red\n")
    with pytest.raises(ContentError, match="unknown column"):
        read_practices(extra)


def test_unknown_format_and_unknown_organisations(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown practice file format"):
        read_practices(tmp_path / "x.xml")
    path = tmp_path / "p.jsonl"
    write_practices(load_content(FIXTURES).practices, path)
    with pytest.raises(ContentError, match="unknown organisation 'example-ngo'"):
        read_practices(path, organisations=["example-city-office"])
