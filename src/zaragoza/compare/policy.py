"""Policy indices: questions → answer scores → dimensions → areas → overall score.

A generic engine for questionnaire-based policy indices such as MIPEX (the Migrant
Integration Policy Index: each indicator a question whose answer options score 0, 50 or
100; indicator scores averaged into dimensions and areas, the areas averaged into the
overall score) or the Council of Europe's Intercultural Cities Index (weighted
indicators). The framework is a data file; the answers are the user's (MIPEX's licence
forbids bundling its data): :func:`read_mipex` reads a MIPEX-shaped workbook or CSV.

:func:`policy_outcome_correlation` relates the scores to outcome indicators across
countries (Pearson or Spearman), each with its n and a two-sided p-value.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from zaragoza.catalog.datafile import read_yaml_data
from zaragoza.catalog.labels import label_codes, normalise_label
from zaragoza.compare._stats import t_two_sided_p
from zaragoza.errors import InputError

__all__ = [
    "CORRELATION_COLUMNS",
    "POLICY_COLUMNS",
    "PolicyFramework",
    "load_policy_framework",
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
        return self

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


def _build(raw: Any) -> PolicyFramework:
    if not isinstance(raw, dict):
        raise TypeError("the file must hold a mapping with id, title and areas")
    return PolicyFramework.model_validate(raw)


def load_policy_framework(path: str | Path) -> PolicyFramework:
    """Return a policy-index framework file, validated (errors name the file and field)."""
    return read_yaml_data(Path(path), "policy-index framework", _build)


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


def _aggregate(df: pd.DataFrame, keys: list[str], weight: str, rule: str) -> pd.DataFrame:
    d = df[df["score"].notna()].assign(_w=lambda x: x[weight])
    if rule == "geometric":
        d = d.assign(_v=np.log(d["score"].clip(lower=1e-9)) * d["_w"])
    else:
        d = d.assign(_v=d["score"] * d["_w"])
    g = d.groupby(keys, sort=True)
    out = (g["_v"].sum() / g["_w"].sum()).rename("score").to_frame()
    if rule == "geometric":
        out["score"] = np.exp(out["score"])
    out["n_answers"] = g["n_answers"].sum()
    return out.reset_index()


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
    df = df.merge(qs, on="question")
    rule = framework.aggregation
    dim = _aggregate(df, ["geo", "time", "area", "dimension"], "w_question", rule.dimension)
    dim = dim.merge(qs.drop_duplicates("dimension")[["dimension", "w_dimension"]], on="dimension")
    area = _aggregate(dim, ["geo", "time", "area"], "w_dimension", rule.area)
    area = area.merge(qs.drop_duplicates("area")[["area", "w_area"]], on="area")
    overall = _aggregate(area, ["geo", "time"], "w_area", rule.overall)
    parts = [
        df.assign(level="question", node=df["question"]),
        dim.assign(level="dimension", node=dim["dimension"]),
        area.assign(level="area", node=area["area"]),
        overall.assign(level="overall", node="overall", area=""),
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
