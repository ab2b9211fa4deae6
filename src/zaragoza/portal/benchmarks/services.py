"""What the benchmarks' pages, API and command line share: the frameworks served, the
answers of a round as the engine reads them, scores and their comparison, and the
policy scores beside the warehouse's measured gaps.

The frameworks are the engine's bundled ones (:func:`zaragoza.frameworks.bundled_frameworks`)
and any file named in ``ZARAGOZA_FRAMEWORKS`` (paths separated by the OS's path
separator: a user's official text of a framework), loaded and validated once per worker.
Scoring is the engine's (:func:`zaragoza.frameworks.scores_frame`); nothing here scores.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zaragoza.errors import CatalogError

if TYPE_CHECKING:
    from zaragoza.frameworks import Framework
    from zaragoza.portal.benchmarks.models import Assessment, Round

__all__ = [
    "EXAMPLE_LABEL",
    "Position",
    "association",
    "comparison",
    "completeness",
    "framework",
    "frameworks",
    "node_title",
    "outcome_gaps",
    "previous_round",
    "round_answers",
    "round_scores",
]

#: Shown wherever invented example content appears (pages, files, API answers).
EXAMPLE_LABEL = "example — not real cities"
#: The outcome indicators put beside the policy scores (the knowledge base's headline ones).
OUTCOME_INDICATORS = (
    "employment_rate",
    "unemployment_rate",
    "activity_rate",
    "early_leavers",
    "tertiary_attainment",
    "at_risk_of_poverty_rate",
    "overqualification_rate",
)


@functools.lru_cache(maxsize=4)
def _load(extra: tuple[str, ...]) -> dict[str, Framework]:
    from zaragoza.frameworks import bundled_frameworks, load_framework

    try:
        found = dict(bundled_frameworks())
    except FileNotFoundError:  # a build without the bundled frameworks' folder
        found = {}
    for path in extra:
        fw = load_framework(Path(path))
        found[fw.key] = fw
    return found


def _extra_paths() -> tuple[str, ...]:
    value = getattr(settings, "ZARAGOZA_FRAMEWORKS", None) or os.environ.get(
        "ZARAGOZA_FRAMEWORKS", ""
    )
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return tuple(p for p in str(value).split(os.pathsep) if p.strip())


def frameworks() -> dict[str, Framework]:
    """Every framework the portal serves, by key ``id@version``."""
    return _load(_extra_paths())


def framework(key: str) -> Framework:
    """The framework of ``key`` (``id@version``, or ``id`` for its latest version).

    Raises
    ------
    CatalogError
        For an unknown key, naming the known ones.
    """
    known = frameworks()
    if key in known:
        return known[key]
    same = sorted((k for k in known if k.split("@", 1)[0] == key), key=_version_key)
    if same:
        return known[same[-1]]
    raise CatalogError("unknown framework", value=key, hint="Known: " + ", ".join(sorted(known)))


def _version_key(key: str) -> tuple[Any, ...]:
    version = key.split("@", 1)[1] if "@" in key else ""
    return tuple(int(p) if p.isdigit() else p for p in version.replace("-", ".").split("."))


def answers_of(assessment: Assessment) -> dict[str, Any]:
    """An assessment's answers as the engine reads them (question id → value)."""
    return {a.question: a.value for a in assessment.answers.all() if a.value is not None}


def round_answers(rnd: Round, *, published_only: bool) -> dict[str, dict[str, Any]]:
    """Answers per entity code: of the published assessments only, or of all."""
    qs = rnd.assessments.select_related("entity").prefetch_related("answers")
    if published_only:
        qs = qs.filter(state="published")
    return {a.entity.code: answers_of(a) for a in qs}


def round_scores(rnd: Round, *, published_only: bool = True) -> pd.DataFrame:
    """The engine's score table of a round (``scores_frame``): one row per entity and
    node, with ``low``/``high`` the range under the missing answers."""
    from zaragoza.frameworks import scores_frame

    return scores_frame(framework(rnd.framework), round_answers(rnd, published_only=published_only))


def previous_round(rnd: Round) -> Round | None:
    """The network's latest published round of the same framework before this one."""
    from zaragoza.portal.benchmarks.models import Round as RoundModel

    return (
        RoundModel.objects.filter(
            network=rnd.network,
            year__lt=rnd.year,
            state="published",
            framework__startswith=rnd.framework_id + "@",
        )
        .order_by("-year", "-published_at", "-pk")
        .first()
    )


def _changes(
    rnd: Round, prev: Round, entities: Iterable[str]
) -> tuple[dict[tuple[str, str], float], bool]:
    """Change of each (entity, node) score since ``prev``; on the core questions only
    when the two rounds use different versions of the framework (``core`` True)."""
    from zaragoza.frameworks import core_changes, scores_frame

    now, then = round_answers(rnd, published_only=True), round_answers(prev, published_only=True)
    fw_now, fw_then = framework(rnd.framework), framework(prev.framework)
    core = rnd.framework != prev.framework
    if core:
        keep = set(core_changes(fw_then, fw_now))
        now = {e: {q: v for q, v in a.items() if q in keep} for e, a in now.items()}
        then = {e: {q: v for q, v in a.items() if q in keep} for e, a in then.items()}
    both = [e for e in entities if e in now and e in then]
    if not both:
        return {}, core
    a = scores_frame(fw_now, {e: now[e] for e in both})
    b = scores_frame(fw_then, {e: then[e] for e in both})
    m = a.merge(b, on=["entity", "level", "node"], suffixes=("", "_prev"))
    out = {}
    for r in tuples(m):
        if _finite(r.score) and _finite(r.score_prev):
            out[(str(r.entity), str(r.node))] = float(r.score) - float(r.score_prev)
    return out, core


def tuples(frame: pd.DataFrame) -> list[Any]:
    """The rows of ``frame`` as named tuples (typed loosely: the columns are known)."""
    return list(frame.itertuples())


def _finite(v: Any) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(float(v))


@dataclass(frozen=True)
class Position:
    """An entity's place on one node among the round's entities with a score there."""

    rank: int
    n: int


def comparison(rnd: Round) -> dict[str, Any]:
    """The comparative view of a round's published assessments: per dimension (and
    overall) each entity's score, range, answered count, position among the N entities
    scored there and change since the previous round; per entity the peer suggestions
    (the entities scoring highest where it scores below the round's median)."""
    from zaragoza.frameworks import peers

    fw = framework(rnd.framework)
    frame = round_scores(rnd, published_only=True)
    names = dict(rnd.assessments.values_list("entity__code", "entity__name"))
    prev = previous_round(rnd)
    changes, core = _changes(rnd, prev, names) if prev is not None else ({}, False)
    nodes = [("overall", "overall", fw.title)] + [
        ("dimension", d.id, d.title) for d in fw.dimensions
    ]
    table = []
    for level, node, title in nodes:
        rows = (
            frame[(frame["level"] == level) & (frame["node"] == node)] if not frame.empty else frame
        )
        scored = sorted(
            ((str(r.entity), float(r.score)) for r in tuples(rows) if _finite(r.score)),
            key=lambda x: -x[1],
        )
        # ties share the better place: 1 + the number of entities scoring higher
        rank = {e: 1 + sum(1 for _e, t in scored if t > s) for e, s in scored}
        entries = []
        for r in tuples(rows):
            e = str(r.entity)
            entries.append(
                {
                    "entity": e,
                    "name": names.get(e, e),
                    "score": float(r.score) if _finite(r.score) else None,
                    "low": float(r.low) if _finite(r.low) else None,
                    "high": float(r.high) if _finite(r.high) else None,
                    "n_answered": int(r.n_answered),
                    "n_scored": int(r.n_scored),
                    "band": r.band if isinstance(r.band, str) else None,
                    "position": Position(rank[e], len(scored)) if e in rank else None,
                    "change": changes.get((e, node)),
                }
            )
        entries.sort(key=lambda x: (x["position"].rank if x["position"] else 10**6, x["name"]))
        table.append({"level": level, "node": node, "title": title, "entries": entries})
    suggestions: dict[str, list[dict[str, Any]]] = {}
    if not frame.empty and not fw.qualitative:
        for e in names:
            if e not in set(frame["entity"]):
                continue
            p = peers(frame, e, level="dimension", n=3)
            suggestions[e] = [
                {
                    "node": str(r.node),
                    "title": node_title(fw, str(r.node)),
                    "entity_score": float(r.entity_score),
                    "peer": str(r.peer),
                    "peer_name": names.get(str(r.peer), str(r.peer)),
                    "peer_score": float(r.peer_score),
                }
                for r in tuples(p)
            ]
    return {
        "framework": fw,
        "table": table,
        "peers": suggestions,
        "previous": prev,
        "core_only": core,
        "frame": frame,
        "names": names,
    }


def node_title(fw: Framework, node: str) -> str:
    """A node's title in the current language ("Overall" for the framework's score)."""
    if node == "overall":
        return str(_("Overall"))
    try:
        return str(fw.text(node, (get_language() or "en")[:2]))
    except (CatalogError, KeyError):  # an id the framework does not have: shown as is
        return node


def completeness(
    fw: Framework, answers: Mapping[str, Any], visible: set[str] | None = None
) -> dict[str, Any]:
    """What is answered and what is missing, per standard (of ``visible`` questions)."""
    rows = []
    total = done = 0
    for d in fw.dimensions:
        for s in d.standards:
            qs = [q for q in s.questions if visible is None or q.id in visible]
            if not qs:
                continue
            answered = [q.id for q in qs if answers.get(q.id) is not None]
            missing = [q.id for q in qs if answers.get(q.id) is None]
            total += len(qs)
            done += len(answered)
            rows.append(
                {
                    "dimension": d.title,
                    "standard": s.title,
                    "id": s.id,
                    "answered": len(answered),
                    "total": len(qs),
                    "missing": missing,
                }
            )
    return {
        "rows": rows,
        "answered": done,
        "total": total,
        "share": (100.0 * done / total) if total else None,
    }


def warehouse_geos() -> list[str]:
    """The geo codes the warehouse has observations for (empty if it cannot be read)."""
    import duckdb

    from zaragoza.errors import ZaragozaError
    from zaragoza.warehouse.reader import reader_for

    try:
        return [str(g) for g in reader_for(settings.ZARAGOZA_WAREHOUSE).codes()["geo"]]
    except (ZaragozaError, OSError, duckdb.Error):
        return []


def indicator_name(ident: str) -> str:
    """A catalogue indicator's title in the current language (its id if unknown)."""
    from zaragoza.catalog.loader import load_catalog
    from zaragoza.portal.monitoring.catalog_messages import indicator_title

    cat = load_catalog()
    return indicator_title(cat[ident]) if ident in cat.indicators else ident


def outcome_gaps(geo: str) -> list[dict[str, Any]]:
    """The latest gaps to nationals the warehouse has for ``geo`` (empty if none), each
    with its indicator's ``title``."""
    if not geo:
        return []
    from zaragoza.portal.knowledge.figures import current_gaps

    return [
        {**g, "title": indicator_name(g["indicator"])}
        for g in current_gaps([geo], OUTCOME_INDICATORS)
    ]


def association(rnd: Round, frame: pd.DataFrame, geos: Mapping[str, str]) -> pd.DataFrame:
    """Across the round's entities, the correlation of each dimension's (and the
    overall) score with each outcome gap, with n and the two-sided p-value
    (:func:`zaragoza.compare.policy.policy_outcome_correlation`, Pearson). Each entity
    is a unit, its outcome that of its warehouse geo. An association, not an effect."""
    from zaragoza.compare.policy import CORRELATION_COLUMNS, policy_outcome_correlation

    if frame.empty:
        return pd.DataFrame(columns=CORRELATION_COLUMNS)
    scores = frame[frame["level"].isin(["dimension", "overall"])].rename(columns={"entity": "geo"})
    scores = scores.assign(time=rnd.year)[["level", "node", "geo", "score", "time"]]
    rows = []
    for entity, geo in geos.items():
        for g in outcome_gaps(geo):
            rows.append(
                {"geo": entity, "indicator": g["indicator"], "value": g["gap"], "time": g["time"]}
            )
    if not rows:
        return pd.DataFrame(columns=CORRELATION_COLUMNS)
    return policy_outcome_correlation(
        scores, pd.DataFrame(rows), levels=("dimension", "overall"), min_n=3
    )
