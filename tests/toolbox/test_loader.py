"""Loading a toolbox: every problem named with its file, measure and field; a user's
own file; an authority's context from a file or from query parameters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from zaragoza.errors import ContentError, ParameterError
from zaragoza.toolbox.context import AuthorityContext, context_from_query, load_context
from zaragoza.toolbox.loader import Toolbox, load_toolbox

EXAMPLE = Path(__file__).parent.parent / "data" / "toolbox"


def test_the_example_toolbox_loads(example_toolbox: Toolbox) -> None:
    assert [m.id for m in example_toolbox.modules] == [
        "introductory-language",
        "participation",
        "receiving-society",
    ]
    assert len(list(example_toolbox.measures())) == 6
    _, comp, m = example_toolbox.measure("example-job-language")
    assert comp.id == "example-language-courses"
    assert m.cefr is not None
    assert (m.cefr.from_, m.cefr.to) == ("A2", "B1")
    assert example_toolbox.version.startswith("1-")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"indicators": [{"id": "employment_rte", "direction": "increase"}]},
            "indicators.0.id",
            "unknown indicator 'employment_rte'; valid: activity_rate",
        ),
        (
            {"levels": ["local", "municipal"]},
            "levels",
            "unknown level 'municipal'; valid: national, regional, local",
        ),
        ({"funds": ["amiff"]}, "funds", "unknown fund 'amiff'; valid: amif"),
        (
            {"evidence": {"practices": ["no-such-practice"]}},
            "evidence.practices",
            "unknown practice 'no-such-practice'",
        ),
        ({"sources": []}, "sources", "at least 1 item"),
        ({"title": {"en": "Only English"}}, "title", "the text in fr, de is required"),
        (
            {
                "preconditions": [
                    {"kind": "competence", "value": "magic", "hard": True, "text": {"en": "x"}}
                ]
            },
            "preconditions.0",
            "unknown competence 'magic'; valid (toolbox.yaml, context.competences): "
            "language_training",
        ),
        ({"cost": {"class": "cheap"}}, "cost.class", "unknown cost class 'cheap'"),
        ({"cefr": {"from": "B2", "to": "A1"}}, "cefr", "to: A1 is below from: B2"),
        ({"colour": "blue"}, "colour", "unknown field"),
    ],
)
def test_a_bad_measure_is_refused_naming_file_measure_and_field(
    make_toolbox: Callable[..., Toolbox],
    card: Callable[..., dict[str, Any]],
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    with pytest.raises(ContentError) as err:
        make_toolbox(card("good-measure"), card("bad-measure", **change))
    (problem,) = err.value.problems
    assert "toolbox-0.yaml, module example-module, measure 'bad-measure' " in problem
    assert "(components[0].measures[1])" in problem
    assert f"field {field}" in problem
    assert message in problem


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "toolbox"
    (folder / "modules").mkdir(parents=True)
    (folder / "toolbox.yaml").write_text((EXAMPLE / "toolbox.yaml").read_text())
    for name in ("introductory-language", "participation"):
        text = (EXAMPLE / "modules" / f"{name}.yaml").read_text()
        (folder / "modules" / f"{name}.yaml").write_text(text.replace("esf_plus", "esf_pluss"))
    with pytest.raises(ContentError) as err:
        load_toolbox(folder)
    problems = err.value.problems
    assert len(problems) == 2
    assert any("introductory-language.yaml, measure 'example-job-language'" in p for p in problems)
    assert any("participation.yaml, measure 'example-school-mentors'" in p for p in problems)
    assert all("field funds: unknown fund 'esf_pluss'" in p for p in problems)


def test_ids_are_unique_across_the_toolbox(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(ContentError, match=r"measure 'twice' .* field id: also used by measure"):
        make_toolbox(card("twice"), card("twice"))


def test_a_module_file_named_otherwise_than_its_id_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "toolbox"
    (folder / "modules").mkdir(parents=True)
    (folder / "toolbox.yaml").write_text((EXAMPLE / "toolbox.yaml").read_text())
    (folder / "modules" / "other-name.yaml").write_text(
        (EXAMPLE / "modules" / "participation.yaml").read_text()
    )
    with pytest.raises(ContentError, match="field id: 'participation' differs from the file name"):
        load_toolbox(folder)


def test_bad_settings_and_missing_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="not found"):
        load_toolbox(tmp_path / "nowhere.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nweights: {gap: -1, fit: 0, evidence: 0}\nmodules: []\n"
        "context: {size_classes: [s], competences: [c], partners: [p], resources: [r]}\n"
    )
    with pytest.raises(ContentError, match=r"bad.yaml, field weights.gap: Input should be greater"):
        load_toolbox(bad)
    (tmp_path / "broken.yaml").write_text("modules: [\n")
    with pytest.raises(ContentError, match="not valid YAML"):
        load_toolbox(tmp_path / "broken.yaml")
    (tmp_path / "extra.yaml").write_text("modules: []\nmodule: []\n")
    with pytest.raises(ContentError, match="field module: unknown field"):
        load_toolbox(tmp_path / "extra.yaml")


def test_a_users_json_toolbox_file_loads(tmp_path: Path) -> None:
    import json

    data = yaml.safe_load((EXAMPLE / "toolbox.yaml").read_text())
    data["modules"] = [yaml.safe_load((EXAMPLE / "modules" / "participation.yaml").read_text())]
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(data, default=str))
    tb = load_toolbox(path)
    assert [m.id for _, _, m in tb.measures()] == [
        "example-migrant-council",
        "example-school-mentors",
    ]
    assert tb.origin == str(path)


def test_a_context_file_is_read_and_checked(tmp_path: Path, example_toolbox: Toolbox) -> None:
    vocab = example_toolbox.settings.context
    path = tmp_path / "ctx.yaml"
    path.write_text(
        "level: local\ngeo: at13\nsize: large\nmigrant_groups: [labour, family]\n"
        "recent_share: 30\npartners: []\ncompetences: [language_training]\n"
    )
    ctx = load_context(path, vocab, overrides={"level": "regional", "geo": None})
    assert ctx == AuthorityContext(
        level="regional",
        geo="AT13",
        size="large",
        migrant_groups=("labour", "family"),
        recent_share=30,
        partners=(),
        competences=("language_training",),
    )
    assert ctx.country == "AT"
    path.write_text("level: local\ngeo: AT\nsize: huge\nfriends: [x]\n")
    with pytest.raises(ContentError) as err:
        load_context(path, vocab)
    text = "\n".join(err.value.problems)
    assert "ctx.yaml, field friends: unknown field; valid: level, geo" in text
    path.write_text("level: local\ngeo: AT\nsize: huge\n")
    with pytest.raises(
        ContentError, match=r"ctx\.yaml, field size: unknown value 'huge'; valid: small"
    ):
        load_context(path, vocab)


def test_the_url_keeps_the_context(example_toolbox: Toolbox) -> None:
    vocab = example_toolbox.settings.context
    ctx = AuthorityContext(
        level="local",
        geo="AT",
        size="medium",
        migrant_groups=("labour",),
        recent_share=12.5,
        partners=(),
        competences=("education", "housing"),
    )
    query = ctx.to_query()
    assert query == [
        ("level", "local"),
        ("geo", "AT"),
        ("size", "medium"),
        ("migrant_groups", "labour"),
        ("recent_share", "12.5"),
        ("partners", ""),
        ("competences", "education,housing"),
    ]
    assert context_from_query(dict(query), vocab) == ctx
    with pytest.raises(ParameterError) as err:
        context_from_query({"level": "local"}, vocab)
    assert err.value.parameter == "geo"
    with pytest.raises(ParameterError, match=r"invalid geo \(value 'XX'\). Valid: a country"):
        context_from_query({"level": "local", "geo": "XX"}, vocab)
    with pytest.raises(ParameterError, match="invalid recent_share"):
        context_from_query({"level": "local", "geo": "AT", "recent_share": "lots"}, vocab)
