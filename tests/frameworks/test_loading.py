"""Strict loading: every error names the file and the field path (and the question)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zaragoza.errors import CatalogError
from zaragoza.frameworks import load_framework

from .conftest import SMALL, small_raw, write

Q = "dimensions[0].standards[0].questions"


def fails(tmp_path: Path, raw: Any, match: str) -> CatalogError:
    path = write(tmp_path, raw)
    with pytest.raises(CatalogError, match=match) as err:
        load_framework(path)
    assert err.value.file == str(path)
    assert str(path) in str(err.value)
    return err.value


def test_the_small_framework_loads(small: Any) -> None:
    assert small.key == "small@1"
    assert small.aggregation == {"standard": "weighted", "dimension": "weighted",
                                 "overall": "weighted"}  # fmt: skip
    assert [q.id for _, _, q in small.questions()] == ["qa1", "qa2", "qa3", "qa4", "qb1", "qb2"]
    assert [q.id for q in small.core_questions()] == ["qb1"]
    assert small.question("qa2").evidence
    assert small.question("qa3").scored
    assert not small.question("qb2").scored
    with pytest.raises(CatalogError, match="no question 'nope'"):
        small.question("nope")


def test_unknown_field_names_its_path(tmp_path: Path) -> None:
    raw = small_raw()
    raw["dimensions"][0]["standards"][1]["questions"][0]["colour"] = "red"
    err = fails(tmp_path, raw, "unknown field 'colour'")
    assert err.column == "dimensions[0].standards[1].questions[0].colour"
    raw = small_raw()
    raw["weights"] = {}
    assert fails(tmp_path, raw, "unknown field 'weights'").column == "weights"


def test_scored_question_without_options(tmp_path: Path) -> None:
    raw = small_raw()
    raw["dimensions"][1]["standards"][0]["questions"][0]["options"] = []
    err = fails(tmp_path, raw, "question 'qb1': a scored question needs answer options")
    assert err.column == "dimensions[1].standards[0].questions[0].options"
    assert "dimensions[1].standards[0].questions[0].options" in str(err)
    raw = small_raw()
    for opt in raw["dimensions"][1]["standards"][0]["questions"][0]["options"]:
        del opt["score"]
    fails(tmp_path, raw, "question 'qb1': a scored question needs a score")
    raw = small_raw()
    del raw["dimensions"][0]["standards"][1]["questions"][1]["number"]
    err = fails(tmp_path, raw, "question 'qa4': a scored number question needs a number scale")
    assert err.column == "dimensions[0].standards[1].questions[1].number"


def test_duplicate_ids(tmp_path: Path) -> None:
    raw = small_raw()
    raw["dimensions"][1]["standards"][0]["questions"][1]["id"] = "qa1"
    err = fails(tmp_path, raw, "id 'qa1' is used twice")
    assert err.column == "dimensions[1].standards[0].questions[1].id"
    assert f"{Q}[0]" in str(err)  # where it was first
    raw = small_raw()
    raw["dimensions"][1]["id"] = "A1"  # a dimension with a standard's id
    fails(tmp_path, raw, "id 'A1' is used twice")
    raw = small_raw()
    raw["dimensions"][0]["standards"][0]["questions"][0]["options"][1]["id"] = "hi"
    fails(tmp_path, raw, "option id 'hi' is used twice")


@pytest.mark.parametrize("weight", [0, -1, ".nan", ".inf"])
def test_bad_weights(tmp_path: Path, weight: Any) -> None:
    raw = small_raw()
    text = write(tmp_path, raw).read_text().replace("weight: 2", f"weight: {weight}")
    path = tmp_path / "w.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError) as err:
        load_framework(path)
    assert err.value.column == f"{Q}[0].weight"


def test_a_weight_the_rule_would_ignore(tmp_path: Path) -> None:
    raw = small_raw()
    raw["aggregation"] = {"standard": "mean", "dimension": "weighted", "overall": "weighted"}
    err = fails(tmp_path, raw, "weight 2 has no effect: aggregation at level 'standard' is 'mean'")
    assert err.column == f"{Q}[0].weight"


def test_aggregation_values(tmp_path: Path) -> None:
    raw = small_raw()
    raw["aggregation"] = {"standard": "median", "dimension": "mean", "overall": "mean"}
    assert fails(tmp_path, raw, "invalid framework").column == "aggregation.standard"
    raw["aggregation"] = {"standard": "weighted", "overall": "weighted"}
    fails(tmp_path, raw, "aggregation lacks level.s. dimension")
    raw["aggregation"] = {"standard": "weighted", "dimension": "weighted", "overall": "weighted",
                          "question": "mean"}  # fmt: skip
    fails(tmp_path, raw, "aggregation")
    raw["aggregation"] = {"standard": "qualitative", "dimension": "weighted", "overall": "weighted"}
    fails(tmp_path, raw, "qualitative at every level or at none")


def test_bands(tmp_path: Path) -> None:
    raw = small_raw()
    raw["bands"][0]["min"] = 10
    assert fails(tmp_path, raw, "lowest band starts at 0").column == "bands[0].min"
    raw = small_raw()
    raw["bands"][2]["min"] = 40
    assert fails(tmp_path, raw, "increasing order").column == "bands[2].min"
    raw = small_raw()
    raw["bands"][2]["min"] = 101
    assert fails(tmp_path, raw, "invalid framework").column == "bands[2].min"
    raw = small_raw()
    raw["bands"][2]["label"] = "low"
    fails(tmp_path, raw, "band label 'low' is used twice")


def test_qualitative_frameworks_have_no_scores(tmp_path: Path) -> None:
    raw = small_raw()
    raw["aggregation"] = "qualitative"
    for d in raw["dimensions"]:
        d.pop("weight", None)
        for s in d["standards"]:
            for q in s["questions"]:
                q.pop("weight", None)
    err = fails(tmp_path, raw, "question 'qa1': a qualitative framework has no scores")
    assert err.column == f"{Q}[0].options[0].score"
    for d in raw["dimensions"]:
        for s in d["standards"]:
            for q in s["questions"]:
                for o in q.get("options", []):
                    o.pop("score", None)
    fails(tmp_path, raw, "question 'qa4': a qualitative framework has no number scales")
    del raw["dimensions"][0]["standards"][1]["questions"][1]["number"]
    raw.pop("bands")
    load_framework(write(tmp_path, raw))  # now valid
    raw["bands"] = [{"min": 0, "label": "low"}]
    fails(tmp_path, raw, "a qualitative framework has no scores to put in bands")


def test_question_shapes(tmp_path: Path) -> None:
    raw = small_raw()
    raw["dimensions"][0]["standards"][0]["questions"][1]["options"][0]["id"] = "oui"
    fails(tmp_path, raw, "question 'qa2': a yes_no question has exactly the options yes and no")
    raw = small_raw()
    raw["dimensions"][1]["standards"][0]["questions"][1]["options"] = [{"id": "a", "label": "A"}]
    fails(tmp_path, raw, "question 'qb2': a text question has no answer options")
    raw = small_raw()
    raw["dimensions"][0]["standards"][1]["questions"][1]["number"] = {"min": 5, "max": 5}
    fails(tmp_path, raw, "number.max .5. must be above number.min")
    raw = small_raw()
    raw["dimensions"][0]["standards"][0]["questions"][0]["type"] = "ranking"
    assert fails(tmp_path, raw, "invalid framework").column == f"{Q}[0].type"
    raw = small_raw()
    raw["dimensions"][0]["standards"][0]["questions"][0]["options"][0]["score"] = 120
    assert fails(tmp_path, raw, "less than or equal to 100").column == f"{Q}[0].options[0].score"
    raw = small_raw()
    raw["dimensions"][0]["standards"][0]["questions"][0]["id"] = "bad id"
    assert fails(tmp_path, raw, "pattern").column == f"{Q}[0].id"


def test_required_fields_and_empty_lists(tmp_path: Path) -> None:
    raw = small_raw()
    del raw["rendering"]
    assert fails(tmp_path, raw, "field 'rendering' is required").column == "rendering"
    raw = small_raw()
    raw["sources"] = []
    assert fails(tmp_path, raw, "invalid framework").column == "sources"
    raw = small_raw()
    raw["dimensions"][1]["standards"][0]["questions"] = []
    fails(tmp_path, raw, "invalid framework")


def test_translations(tmp_path: Path) -> None:
    raw = small_raw()
    raw["languages"] = ["en", "fr"]
    raw["translations"] = {"fr": {"A": "Dimension A (fr)", "qa1:hi": "Élevé"}}
    fw = load_framework(write(tmp_path, raw))
    assert fw.text("A", "fr") == "Dimension A (fr)"
    assert fw.text("qa1:hi", "fr") == "Élevé"
    assert fw.text("B", "fr") == "Dimension B"  # falls back to the framework's own text
    with pytest.raises(CatalogError, match="no dimension, standard, question or option 'Z'"):
        fw.text("Z", "fr")
    raw["translations"]["fr"]["No-such_Node.2"] = "x"
    assert fails(tmp_path, raw, "no dimension").column == "translations.fr.No-such_Node.2"
    raw["translations"] = {"de": {"A": "x"}}
    fails(tmp_path, raw, "language 'de' is not in languages")


def test_unreadable_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n")
    with pytest.raises(CatalogError, match="not valid YAML") as err:
        load_framework(bad)
    assert err.value.file == str(bad)
    bad.write_text("- a list\n")
    with pytest.raises(CatalogError, match="holds a mapping"):
        load_framework(bad)
    with pytest.raises(CatalogError, match="cannot read"):
        load_framework(tmp_path / "absent.yaml")


def test_version_as_number(tmp_path: Path) -> None:
    raw = small_raw()
    raw["version"] = 2
    assert load_framework(write(tmp_path, raw)).key == "small@2"
    path = tmp_path / "v.yaml"
    path.write_text(SMALL.read_text().replace('version: "1"', "version: 1.10"))
    with pytest.raises(CatalogError, match="quote it") as err:
        load_framework(path)
    assert err.value.column == "version"
    assert SMALL.exists()


def test_a_key_given_twice(tmp_path: Path) -> None:
    text = SMALL.read_text().replace(
        "            weight: 2\n", "            weight: 2\n            weight: 5\n"
    )
    path = tmp_path / "twice.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError, match="not valid YAML") as err:
        load_framework(path)
    assert "the key 'weight' appears twice" in (err.value.hint or "")
    assert err.value.row == 25  # the second weight: the line of the key given twice
