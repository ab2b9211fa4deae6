"""Policy indices: questions → answer scores → dimensions → areas → overall score.

A generic engine for questionnaire-based policy indices such as MIPEX (the Migrant
Integration Policy Index: each indicator a question whose answer options score 0, 50 or
100; indicator scores averaged into dimensions and areas, the areas averaged into the
overall score) or the Council of Europe's Intercultural Cities Index (weighted
indicators). The framework is a data file; the answers are the user's (MIPEX's licence
forbids bundling its data): :func:`read_mipex` reads a MIPEX-shaped workbook or CSV.

A policy-index file is one more framework of the framework engine
(:mod:`zaragoza.frameworks`): :meth:`PolicyFramework.as_framework` gives it as an engine
framework (areas → dimensions, dimensions → standards, the answer scale → scored
options; ``arithmetic`` → ``weighted``, ``geometric`` → ``geometric``), and
:func:`policy_scores` aggregates through the engine. :func:`load_policy_framework` also
reads a framework file of the engine's format (such as the bundled ``mipex-shaped``).

:func:`policy_outcome_correlation` relates the scores to outcome indicators across
countries (Pearson or Spearman), each with its n and a two-sided p-value.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from zaragoza.catalog.datafile import read_yaml_data
from zaragoza.catalog.labels import label_codes, normalise_label
from zaragoza.compare._stats import t_two_sided_p
from zaragoza.errors import CatalogError, InputError
from zaragoza.frameworks import model as engine
from zaragoza.frameworks.scoring import score_question_scores

__all__ = [
    "CORRELATION_COLUMNS",
    "POLICY_COLUMNS",
    "PolicyFramework",
    "load_policy_framework",
    "policy_framework_of",
    "policy_outcome_correlation",
    "policy_scores",
    "read_mipex",
]

#: Columns of :func:`policy_scores`.
POLICY_COLUMNS = ["geo", "time", "level", "node", "area", "score", "n_answers"]
#: Columns of :func:`policy_outcome_correlation`.
CORRELATION_COLUMNS = [
    "node", "level", "indicator", "method", "n", "r", "p_value", "policy_time", "outcome_time",
]  # fmt: skip

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
Rule = Literal["arithmetic", "geometric"]
#: The engine's rule for each rule of a policy-index file (weights apply in both).
_ENGINE_RULE: dict[str, engine.Aggregation] = {"arithmetic": "weighted", "geometric": "geometric"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Question(_Strict):
    """One question (a MIPEX indicator); ``answers`` overrides the framework's scale."""

    id: Id
    weight: Annotated[float, Field(gt=0)] = 1.0
    answers: dict[str, float] | None = None
    title: str | None = None


class PolicyDimension(_Strict):
    id: Id
    weight: Annotated[float, Field(gt=0)] = 1.0
    questions: Annotated[list[Question], Field(min_length=1)]
    title: str | None = None


class Area(_Strict):
    id: Id
    weight: Annotated[float, Field(gt=0)] = 1.0
    dimensions: Annotated[list[PolicyDimension], Field(min_length=1)]
    title: str | None = None


class Aggregation(_Strict):
    """The rule at each level (MIPEX: arithmetic means throughout)."""

    dimension: Rule = "arithmetic"
    area: Rule = "arithmetic"
    overall: Rule = "arithmetic"


class PolicyFramework(_Strict):
    """A policy index: its answer scale, its areas and the aggregation rule per level.

    ``published_columns`` lists column names a source file may carry besides the answers
    (e.g. MIPEX's own area and overall scores); they are read past, not used.
    """

    id: Id
    title: str
    scale: dict[str, float] = Field(default_factory=lambda: {"100": 100.0, "50": 50.0, "0": 0.0})
    aggregation: Aggregation = Aggregation()
    areas: Annotated[list[Area], Field(min_length=1)]
    published_columns: list[str] = Field(default_factory=list)
    source: str | None = None

    _engine: engine.Framework | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _unique(self) -> PolicyFramework:
        seen: set[str] = set()
        for area in self.areas:
            for node in [area.id, *(d.id for d in area.dimensions)]:
                if node in seen:
                    raise ValueError(f"id {node!r} is used twice")
                seen.add(node)
            for d in area.dimensions:
                for q in d.questions:
                    if q.id in seen:
                        raise ValueError(f"question {q.id!r} is used twice")
                    seen.add(q.id)
        try:
            self._engine = _to_engine(self)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            raise ValueError(
                f"as a framework of the engine: {where + ': ' if where else ''}{msg}"
            ) from None
        return self

    def as_framework(self) -> engine.Framework:
        """The index as a framework of the engine (:mod:`zaragoza.frameworks`)."""
        assert self._engine is not None  # built when the model is validated
        return self._engine

    def questions(self) -> pd.DataFrame:
        """Return one row per question: ``question, dimension, area`` and the weights."""
        rows = [
            (q.id, d.id, a.id, q.weight, d.weight, a.weight)
            for a in self.areas
            for d in a.dimensions
            for q in d.questions
        ]
        cols = ["question", "dimension", "area", "w_question", "w_dimension", "w_area"]
        return pd.DataFrame.from_records(rows, columns=cols)


def _to_engine(fw: PolicyFramework) -> engine.Framework:
    rule = fw.aggregation

    def question(q: Question) -> engine.Question:
        scale = q.answers if q.answers is not None else fw.scale
        # a NaN score marks a "not applicable" code: answered, left out of the means
        options = [
            engine.Option(id=code, label=code, score=None if math.isnan(value) else value)
            for code, value in scale.items()
        ]
        return engine.Question(
            id=q.id, text=q.title or q.id, type="single", options=options, weight=q.weight
        )

    return engine.Framework(
        id=fw.id,
        version="1",
        title=fw.title,
        kind="country",
        rendering="A policy-index file in the MIPEX shape, read as a framework of the engine.",
        sources=[engine.Source(title=fw.source or fw.title)],
        aggregation={
            "standard": _ENGINE_RULE[rule.dimension],
            "dimension": _ENGINE_RULE[rule.area],
            "overall": _ENGINE_RULE[rule.overall],
        },
        dimensions=[
            engine.Dimension(id=a.id, title=a.title or a.id, weight=a.weight, standards=[
                engine.Standard(id=d.id, title=d.title or d.id, weight=d.weight,
                                questions=[question(q) for q in d.questions])
                for d in a.dimensions])
            for a in fw.areas
        ],
    )  # fmt: skip


def policy_framework_of(fw: engine.Framework, origin: str = "<framework>") -> PolicyFramework:
    """The policy index of an engine framework whose questions are all choices of one
    option (``single`` or ``yes_no``) with scored options: dimensions → areas, standards →
    dimensions, ``mean``/``weighted`` → ``arithmetic``, ``geometric`` → ``geometric``."""
    rules = {"mean": "arithmetic", "weighted": "arithmetic", "geometric": "geometric"}
    for level, value in fw.aggregation.items():
        if value not in rules:
            raise CatalogError(
                "a policy index is scored: this framework is qualitative",
                file=origin, column=f"aggregation.{level}", value=value,
                hint="Use mean, weighted or geometric",
            )  # fmt: skip
    for _, _, q in fw.questions():
        if q.type not in ("single", "yes_no"):
            raise CatalogError(
                "a policy index has questions of one answer (single or yes_no)",
                file=origin, column=q.id, value=q.type,
            )  # fmt: skip
    raw: dict[str, Any] = {
        "id": fw.id,
        "title": fw.title,
        "aggregation": {
            "dimension": rules[fw.aggregation["standard"]],
            "area": rules[fw.aggregation["dimension"]],
            "overall": rules[fw.aggregation["overall"]],
        },
        "source": "; ".join(src.title for src in fw.sources),
        "areas": [_area(d) for d in fw.dimensions],
    }
    return PolicyFramework.model_validate(raw)


def _area(d: engine.Dimension) -> dict[str, Any]:
    def question(q: engine.Question) -> dict[str, Any]:
        # an option without a score ("not applicable") becomes a NaN code: left out
        answers = {o.id: math.nan if o.score is None else o.score for o in q.options}
        return {"id": q.id, "title": q.text, "weight": q.weight, "answers": answers}

    dims = [
        {"id": s.id, "title": s.title, "weight": s.weight,
         "questions": [question(q) for q in s.questions]}
        for s in d.standards
    ]  # fmt: skip
    return {"id": d.id, "title": d.title, "weight": d.weight, "dimensions": dims}


def _build(raw: Any) -> PolicyFramework:
    if not isinstance(raw, dict):
        raise TypeError("the file must hold a mapping with id, title and areas")
    return PolicyFramework.model_validate(raw)


def load_policy_framework(path: str | Path) -> PolicyFramework:
    """Return a policy-index framework file, validated (errors name the file and field).

    The file is a policy-index file (``areas`` → ``dimensions`` → ``questions``, with a
    ``scale``), or a framework file of the engine's format (``dimensions`` →
    ``standards`` → ``questions`` with scored options; see ``docs/frameworks.md``).
    """
    src = Path(path)
    if _engine_format(src):
        from zaragoza.frameworks.loading import load_framework

        return policy_framework_of(load_framework(src), str(src))
    return read_yaml_data(src, "policy-index framework", _build)


def _engine_format(src: Path) -> bool:
    import yaml

    try:
        raw = yaml.safe_load(src.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False  # the policy-index reader reports it
    return isinstance(raw, dict) and "dimensions" in raw and "areas" not in raw


def _score(scale: dict[str, float], question: str, answer: Any, where: str) -> float:
    text = str(answer).strip()
    if text in scale:
        return float(scale[text])
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if text.lower() in ("", "nan", "none", "na", "n/a"):
        return math.nan
    if math.isfinite(value) and 0 <= value <= 100:
        return value
    raise InputError(
        f"answer to question {question!r} is neither an answer code nor a score in 0-100",
        file=where,
        column=question,
        value=answer,
        hint=f"Valid answers: {', '.join(scale)} (or a number from 0 to 100)",
    )


def policy_scores(
    answers: pd.DataFrame, framework: PolicyFramework, *, where: str = "answers"
) -> pd.DataFrame:
    """Return question, dimension, area and overall scores per country and year.

    Parameters
    ----------
    answers
        Long table ``geo, time, question, answer``: an answer is a code of the scale
        (``framework.scale`` or the question's ``answers``) or a score from 0 to 100;
        an empty answer is missing and left out.
    framework
        The index's structure and rules.
    where
        Names the answers' origin in error messages (a file name).

    Returns
    -------
    pandas.DataFrame
        :data:`POLICY_COLUMNS`: ``level`` is ``question``, ``dimension``, ``area`` or
        ``overall`` (``node`` the id; ``overall`` for the last); a level's score is the
        weighted mean (``arithmetic``, or ``geometric``, by the framework's rule for that
        level) of the scores under it that are present; ``n_answers`` counts the answers
        it rests on.
    """
    need = ["geo", "time", "question", "answer"]
    for col in need:
        if col not in answers.columns:
            raise InputError("the answers lack a column", file=where, column=col,
                             hint=f"Expected columns: {', '.join(need)}")  # fmt: skip
    qs = framework.questions()
    unknown = sorted(set(answers["question"].astype(str)) - set(qs["question"]))
    if unknown:
        raise InputError(
            f"{len(unknown)} question(s) not in framework {framework.id!r}",
            file=where,
            column="question",
            value=unknown[0],
            hint=f"Questions of the framework: {', '.join(qs['question'])}",
        )
    df = answers[need].copy()
    df["question"] = df["question"].astype(str)
    scales = {
        q.id: q.answers if q.answers is not None else framework.scale
        for a in framework.areas
        for d in a.dimensions
        for q in d.questions
    }
    df["score"] = [
        _score(scales[q], q, a, where) for q, a in zip(df["question"], df["answer"], strict=True)
    ]
    df["n_answers"] = df["score"].notna().astype(int)
    twice = df.duplicated(["geo", "time", "question"], keep=False)
    if twice.any():
        first = df[twice].iloc[0]
        raise InputError(
            "a question is answered twice for one country and year",
            file=where, column="question", value=first["question"],
            hint=f"geo {first['geo']}, time {first['time']}: keep one answer",
        )  # fmt: skip
    df = df.merge(qs, on="question")
    fw = framework.as_framework()
    area_of = dict(zip(qs["dimension"], qs["area"], strict=False))
    nodes: list[tuple[Any, ...]] = []
    # the engine's levels: standard = the index's dimension, dimension = its area
    level_name = {"standard": "dimension", "dimension": "area", "overall": "overall"}
    for (geo, time), group in df.groupby(["geo", "time"], sort=True):
        scores = {
            q: (None if math.isnan(v) else float(v))
            for q, v in zip(group["question"], group["score"], strict=True)
        }
        for n in score_question_scores(fw, scores):
            if n.level == "question" or n.score is None:
                continue
            level = level_name[n.level]
            area = {"dimension": area_of.get(n.node, ""), "area": n.node}.get(level, "")
            node = "overall" if level == "overall" else n.node
            nodes.append((geo, time, level, node, area, n.score, n.n_answered))
    parts = [
        df.assign(level="question", node=df["question"]),
        pd.DataFrame.from_records(nodes, columns=POLICY_COLUMNS),
    ]
    out = pd.concat([p[POLICY_COLUMNS] for p in parts], ignore_index=True)
    return out.sort_values(["geo", "time", "level", "node"]).reset_index(drop=True)


def _country_code(value: Any) -> str:
    text = str(value).strip()
    if len(text) == 2 and text.isalpha():
        return "EL" if text.upper() == "GR" else ("UK" if text.upper() == "GB" else text.upper())
    return label_codes().get("geo", {}).get(normalise_label(text), text)


def read_mipex(path: str | Path, framework: PolicyFramework) -> pd.DataFrame:
    """Return the answers (``geo, time, question, answer``) of a MIPEX-shaped file.

    The shape: one row per country and year; a country column (``Country``, with names
    such as ``Austria`` or codes such as ``AT``; ISO's ``GR``/``GB`` become Eurostat's
    ``EL``/``UK``), a year column (``Year``), and one column per question of the
    framework, holding answer codes or scores. Columns named in the framework's
    ``published_columns`` are read past. CSV (``.csv``, ``.csv.gz``, ``.tsv``) or Excel
    (``.xlsx``, first sheet).

    Raises
    ------
    InputError
        The file cannot be read, lacks the country or year column, or has a column that
        is neither of these, a question of the framework, nor a declared published
        column (the message names the file and column and lists the valid ones).
    """
    src = Path(path)
    name = src.name.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            raw = pd.read_excel(src, sheet_name=0, dtype=str)
        elif name.endswith(".tsv"):
            raw = pd.read_csv(src, sep="\t", dtype=str)
        else:
            raw = pd.read_csv(src, dtype=str)
    except (OSError, ValueError, ImportError) as exc:
        raise InputError(
            "cannot read the policy-index file", file=str(src), hint=str(exc)
        ) from None
    lower = {c.strip().lower(): c for c in raw.columns}
    for needed in ("country", "year"):
        if needed not in lower:
            raise InputError(
                f"the policy-index file has no {needed} column",
                file=str(src),
                column=needed.capitalize(),
                hint=f"Columns found: {', '.join(map(str, raw.columns))}",
            )
    questions = list(framework.questions()["question"])
    allowed = {lower["country"], lower["year"], *questions, *framework.published_columns}
    for col in raw.columns:
        if col not in allowed:
            raise InputError(
                "unexpected column in the policy-index file",
                file=str(src),
                column=str(col),
                hint=f"Valid columns: Country, Year, the framework's questions "
                f"({', '.join(questions)}) and its published_columns "
                f"({', '.join(framework.published_columns) or 'none'})",
            )
    present = [q for q in questions if q in raw.columns]
    if not present:
        raise InputError(
            "the policy-index file has none of the framework's questions",
            file=str(src),
            hint=f"Questions of framework {framework.id!r}: {', '.join(questions)}",
        )
    long = raw.melt(
        id_vars=[lower["country"], lower["year"]], value_vars=present,
        var_name="question", value_name="answer",
    )  # fmt: skip
    years = pd.to_numeric(long[lower["year"]], errors="coerce")
    if years.isna().any():
        bad = long.loc[years.isna(), lower["year"]].iloc[0]
        raise InputError("a year is not a number", file=str(src), column=lower["year"], value=bad)
    return pd.DataFrame(
        {
            "geo": [_country_code(v) for v in long[lower["country"]]],
            "time": years.astype(int),
            "question": long["question"],
            "answer": long["answer"].fillna(""),
        }
    )


def policy_outcome_correlation(
    scores: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    method: Literal["pearson", "spearman"] = "pearson",
    levels: tuple[str, ...] = ("area", "overall"),
    min_n: int = 3,
) -> pd.DataFrame:
    """Return the correlation across countries of each policy score with each outcome.

    Parameters
    ----------
    scores
        :func:`policy_scores` output (one year per country is used: the latest).
    outcomes
        Rows ``geo, indicator, value`` (and ``time``: the latest year per country and
        indicator is used), e.g. warehouse observations of one group and sex.
    method
        ``pearson``, or ``spearman`` (Pearson's r of the ranks).
    levels
        Which policy levels to correlate.
    min_n
        Fewest countries with both figures for a correlation (else r is NaN).

    Returns
    -------
    pandas.DataFrame
        :data:`CORRELATION_COLUMNS`; ``p_value`` two-sided for ``r = 0`` from
        ``t = r sqrt((n - 2) / (1 - r^2))`` on ``n - 2`` df (exact for Pearson under
        normality, the usual large-sample approximation for Spearman). Correlation across
        countries is an association, not an effect of policy on outcomes.
    """
    for col in ("geo", "indicator", "value"):
        if col not in outcomes.columns:
            raise InputError("the outcomes lack a column", column=col,
                             hint="Expected geo, indicator, value (and time)")  # fmt: skip
    pol = scores[scores["level"].isin(levels) & scores["score"].notna()]
    pol = pol.sort_values("time").groupby(["level", "node", "geo"]).last().reset_index()
    out = outcomes[outcomes["value"].notna()].copy()
    if "time" not in out:
        out["time"] = -1
    out = out.sort_values("time").groupby(["indicator", "geo"]).last().reset_index()
    m = pol.merge(out[["indicator", "geo", "value", "time"]], on="geo", suffixes=("", "_out"))
    rows = []
    for (level, node, ind), g in m.groupby(["level", "node", "indicator"], sort=True):
        x, y = g["score"].to_numpy(float), g["value"].to_numpy(float)
        if method == "spearman":
            x = pd.Series(x).rank().to_numpy(float)
            y = pd.Series(y).rank().to_numpy(float)
        n = len(x)
        r = p = math.nan
        if n >= min_n and np.ptp(x) > 0 and np.ptp(y) > 0:
            r = float(np.corrcoef(x, y)[0, 1])
            t = r * math.sqrt((n - 2) / max(1 - r * r, 1e-300))
            p = t_two_sided_p(t, n - 2)
        times = (
            ",".join(map(str, sorted(set(g["time"])))),
            ",".join(map(str, sorted(set(g["time_out"])))),
        )
        rows.append((node, level, ind, method, n, r, p, *times))
    return pd.DataFrame.from_records(rows, columns=CORRELATION_COLUMNS)
