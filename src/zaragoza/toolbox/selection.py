"""Selection: which measures of the toolbox suit an authority, ranked with their reasons.

1. **Exclusion.** A measure is excluded when the authority's level is not among the
   levels that can run it, or when one of its *hard* preconditions fails in the context
   (a competence, partner or legal frame the authority does not have, a size class or a
   resource level below the one needed). A precondition the context says nothing about
   is not checked, and the reasons say so.
2. **Score**, 0-100, of the others::

       score = 100 * (w_gap * G + w_fit * F + w_evidence * E) / (w_gap + w_fit + w_evidence)

   * ``G``, the authority's gaps, 0-1: for each indicator the measure targets, the part
     of the gap to nationals it works against (migrants below nationals for a measure
     that increases the indicator, above for one that decreases it), divided by
     ``full_gap_pp`` (capped at 1; for an indicator not in percent, relative to the
     nationals' value), times a reliability factor: ``not_significant`` when the gap
     does not differ from zero at 95%, ``no_se`` when it has no standard error
     (published cells), ``unreliable`` again when a cell is flagged ``u``. ``G`` is the
     largest of these over the measure's indicators.
   * ``F``, the fit to the context, 0-1: the mean of the parts the context tells —
     the share of the authority's main migrant groups the measure suits; the soft
     preconditions met (one not checked counts half); the cost class against the
     resources (a high-cost measure with low resources fits 0, with medium 0.5); and,
     for introductory and language measures, the share of recent arrivals.
   * ``E``, the strength of the evidence, 0-1: ``0.7 *`` the best evidence level among
     its evaluations and the practices that implement it, ``+ 0.3 * min(1, n /
     evidence_count_full)`` with ``n`` practices and evaluations together.

   Without any gap for the geo, ``G`` is left out of every score (the weights of fit
   and evidence are renormalised) and the result says so.
3. **Ties** are broken by the measure id, so the same context, weights and warehouse
   always give the same ranking.
4. **Sensitivity**: each weight is multiplied by every factor of
   ``sensitivity_factors`` (a fixed grid, default 0.5, 1, 2: 27 weightings); for each
   measure the share of weightings in which it stays in the top ``top`` (default 5).

The constants are data: ``toolbox.yaml``'s ``weights`` and ``scoring``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from zaragoza.errors import ContentError
from zaragoza.toolbox.context import AuthorityContext, check_vocabulary
from zaragoza.toolbox.gaps import AuthorityGaps, Gap
from zaragoza.toolbox.loader import Toolbox
from zaragoza.toolbox.schema import (
    Component,
    Measure,
    Module,
    Precondition,
    ScoreSettings,
    Weights,
)

__all__ = [
    "Excluded",
    "IndicatorGap",
    "Ranked",
    "Selection",
    "evidence_strength",
    "recommend",
]

_LANGUAGE_THEMES = frozenset({"introduction", "language", "pre_departure"})
_COST_FIT = {
    ("high", "low"): 0.0,
    ("high", "medium"): 0.5,
    ("medium", "low"): 0.5,
}


@dataclass(frozen=True)
class IndicatorGap:
    """How one targeted indicator's gap counts in a measure's score."""

    indicator: str
    direction: str
    gap: Gap | None
    size: float  # the unfavourable part, in the indicator's unit
    factor: float  # the reliability factor
    part: float  # min(1, size / full) * factor

    def sentence(self, unit: str = "pp") -> str:
        g = self.gap
        if g is None:
            return f"no gap for {self.indicator} in the warehouse (missing or confidential)"
        group = "non-EU citizens" if g.group == "NEU27_2020_FOR" else "foreign citizens"
        se = f" ± {g.se:.1f}" if g.se is not None else ""
        if g.significant is None:
            sig = "no standard error (significance unknown)"
        else:
            sig = "significant at 95%" if g.significant else "not significant at 95%"
        flag = f", flag {g.flag}" if g.flag else ""
        shown = "synthetic records" if g.synthetic else g.source
        closes = (
            "the measure would narrow this gap"
            if self.size > 0
            else "the group is not behind here, so the gap adds nothing"
        )
        return (
            f"{group} {self.indicator} gap {g.value:+.1f} {unit}{se}, {sig}{flag} "
            f"({g.geo} {g.time}, {shown}); the measure aims to {self.direction} "
            f"{self.indicator}: {closes}; weight {self.part:.2f}"
        )


@dataclass(frozen=True)
class Ranked:
    """A measure kept in the selection, its score, its parts and its reasons."""

    rank: int
    module: Module
    component: Component
    measure: Measure
    score: float
    gap: float | None
    fit: float
    evidence: float
    indicator_gaps: tuple[IndicatorGap, ...]
    reasons: tuple[str, ...]
    in_top_share: float = 0.0

    @property
    def synthetic(self) -> bool:
        """Whether a gap behind this measure's score comes from synthetic records."""
        return any(p.gap is not None and p.gap.synthetic for p in self.indicator_gaps)


@dataclass(frozen=True)
class Excluded:
    """A measure excluded by a failed hard precondition or the authority's level."""

    module: Module
    component: Component
    measure: Measure
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Selection:
    """The ranked and the excluded measures, and what they were computed from."""

    context: AuthorityContext
    weights: Weights
    time: int | None
    gaps: AuthorityGaps
    ranked: tuple[Ranked, ...]
    excluded: tuple[Excluded, ...]
    toolbox_version: str
    sensitivity_weightings: int
    top: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def synthetic(self) -> bool:
        """Whether a gap behind a ranked measure's score comes from synthetic records."""
        return any(r.synthetic for r in self.ranked)


def _size_rank(vocab: Sequence[str], value: str) -> int:
    return list(vocab).index(value)


def _check(pre: Precondition, ctx: AuthorityContext, toolbox: Toolbox) -> bool | None:
    """Whether the precondition holds in the context; None when the context does not say."""
    vocab = toolbox.settings.context
    if pre.kind == "competence":
        return None if ctx.competences is None else pre.value in ctx.competences
    if pre.kind == "partner":
        return None if ctx.partners is None else pre.value in ctx.partners
    if pre.kind == "legal_frame":
        return None if ctx.legal_frames is None else pre.value in ctx.legal_frames
    if pre.kind == "min_size":
        if ctx.size is None:
            return None
        return _size_rank(vocab.size_classes, ctx.size) >= _size_rank(vocab.size_classes, pre.value)
    if pre.kind == "resource":
        if ctx.resources is None:
            return None
        return _size_rank(vocab.resources, ctx.resources) >= _size_rank(vocab.resources, pre.value)
    raise ValueError(pre.kind)


_CONTEXT_FIELD = {
    "competence": "competences",
    "partner": "partners",
    "legal_frame": "legal_frames",
    "min_size": "size",
    "resource": "resources",
}


def _pre_sentence(pre: Precondition, held: bool | None, hard: bool) -> str:
    what = f"{pre.kind.replace('_', ' ')} {pre.value}"
    kind = "hard" if hard else "soft"
    if held is None:
        return (
            f"{kind} precondition {what} not checked: the context does not give "
            f"{_CONTEXT_FIELD[pre.kind]}"
        )
    return f"{kind} precondition {what} {'met' if held else 'not met'}"


def _gap_part(
    target_id: str, direction: str, gap: Gap | None, unit: str, s: ScoreSettings
) -> IndicatorGap:
    if gap is None:
        return IndicatorGap(target_id, direction, None, 0.0, 0.0, 0.0)
    size = gap.unfavourable(direction)
    if unit == "PC":
        relative = size / s.full_gap_pp
    else:
        base = abs(gap.nationals) if gap.nationals else None
        relative = (100 * size / base) / s.full_gap_pp if base else 0.0
    factor = 1.0
    if gap.significant is None:
        factor *= s.no_se
    elif not gap.significant:
        factor *= s.not_significant
    if gap.unreliable:
        factor *= s.unreliable
    return IndicatorGap(target_id, direction, gap, size, factor, min(1.0, relative) * factor)


def evidence_strength(
    measure: Measure, practice_levels: Mapping[str, str], s: ScoreSettings
) -> float:
    """Return ``E`` (module docstring) from the evaluations' levels and the levels of the
    practices that implement the measure (unknown practices count at level ``none``)."""
    levels = [e.level for e in measure.evidence.evaluations]
    levels += [practice_levels.get(p, "none") for p in measure.evidence.practices]
    best = max((s.evidence_levels.get(lv, 0.0) for lv in levels), default=0.0)
    n = len(measure.evidence.practices) + len(measure.evidence.evaluations)
    return 0.7 * best + 0.3 * min(1.0, n / s.evidence_count_full)


def _fit(
    measure: Measure, ctx: AuthorityContext, soft: list[tuple[Precondition, bool | None]]
) -> tuple[float, list[str]]:
    parts: list[float] = []
    reasons: list[str] = []
    if ctx.migrant_groups:
        suits = [g for g in ctx.migrant_groups if g in measure.migrant_groups]
        parts.append(len(suits) / len(ctx.migrant_groups))
        reasons.append(
            f"suits {len(suits)} of the authority's {len(ctx.migrant_groups)} main migrant "
            f"groups" + (f" ({', '.join(suits)})" if suits else "")
        )
    if soft:
        met = sum(1.0 if held else 0.5 if held is None else 0.0 for _, held in soft)
        parts.append(met / len(soft))
        reasons += [_pre_sentence(p, held, hard=False) for p, held in soft]
    if ctx.resources is not None:
        cost_fit = _COST_FIT.get((measure.cost.class_, ctx.resources), 1.0)
        parts.append(cost_fit)
        reasons.append(f"cost {measure.cost.class_}, resources {ctx.resources}: fit {cost_fit:g}")
    if ctx.recent_share is not None and _LANGUAGE_THEMES & set(measure.themes):
        parts.append(ctx.recent_share / 100)
        reasons.append(
            f"introductory or language measure; recent arrivals {ctx.recent_share:g}% of "
            "migrant residents"
        )
    if not parts:
        reasons.append("the context gives nothing to judge the fit by: fit 0.5")
        return 0.5, reasons
    return sum(parts) / len(parts), reasons


def _score(w: tuple[float, float, float], g: float | None, f: float, e: float) -> float:
    wg, wf, we = w
    if g is None:
        total = wf + we
        return 100 * (wf * f + we * e) / total if total > 0 else 0.0
    return 100 * (wg * g + wf * f + we * e) / (wg + wf + we)


def _order(scores: Sequence[float], ids: Sequence[str]) -> list[int]:
    return sorted(range(len(ids)), key=lambda k: (-round(scores[k], 9), ids[k]))


def recommend(
    toolbox: Toolbox,
    context: AuthorityContext,
    gaps: AuthorityGaps,
    *,
    weights: Weights | None = None,
    time: int | None = None,
    practice_levels: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
) -> Selection:
    """Return the measures of ``toolbox`` for ``context``: ranked with reasons, and the
    excluded ones with theirs (module docstring).

    ``gaps``: the authority's gaps (:func:`zaragoza.toolbox.gaps.authority_gaps`);
    ``weights``: default the toolbox's; ``practice_levels``: the evidence level of each
    knowledge-base practice; ``units``: each indicator's catalogue unit (default ``PC``).

    Raises
    ------
    ContentError
        A context value outside the toolbox's vocabulary (field and valid values named).
    """
    found = check_vocabulary(context, toolbox.settings.context)
    if found:
        raise ContentError(
            "the authority's context does not fit this toolbox",
            [f"field {f}: {why}" for f, why in found],
        )
    s = toolbox.settings.scoring
    w = weights or toolbox.settings.weights
    levels = practice_levels or {}
    unit_of = units or {}
    kept: list[
        tuple[Module, Component, Measure, float | None, float, float, list[IndicatorGap], list[str]]
    ] = []
    excluded: list[Excluded] = []
    for module, component, measure in toolbox.measures():
        why_not: list[str] = []
        if context.level not in measure.levels:
            why_not.append(
                f"run at the {', '.join(measure.levels)} level(s), not at the {context.level} level"
            )
        soft: list[tuple[Precondition, bool | None]] = []
        unchecked: list[str] = []
        for pre in measure.preconditions:
            held = _check(pre, context, toolbox)
            if pre.hard:
                if held is False:
                    why_not.append(_pre_sentence(pre, held, hard=True) + f": {pre.text['en']}")
                elif held is None:
                    unchecked.append(_pre_sentence(pre, held, hard=True))
            else:
                soft.append((pre, held))
        if why_not:
            excluded.append(Excluded(module, component, measure, tuple(why_not)))
            continue
        parts = [
            _gap_part(t.id, t.direction, gaps.by_indicator.get(t.id), unit_of.get(t.id, "PC"), s)
            for t in measure.indicators
        ]
        g = max((p.part for p in parts), default=0.0) if gaps.available else None
        f, fit_reasons = _fit(measure, context, soft)
        e = evidence_strength(measure, levels, s)
        n_pr, n_ev = len(measure.evidence.practices), len(measure.evidence.evaluations)
        external = sum(
            1
            for ev in measure.evidence.evaluations
            if ev.level in ("external_evaluation", "quasi_experimental")
        )
        reasons = (
            [
                p.sentence("pp" if unit_of.get(p.indicator, "PC") == "PC" else unit_of[p.indicator])
                for p in parts
            ]
            if gaps.available
            else ["no gaps available for this geo: ranked on context and evidence alone"]
        )
        reasons.append(f"gap part {g:.2f}" if g is not None else "gap part left out")
        reasons += fit_reasons + unchecked
        reasons.append(f"fit {f:.2f}")
        reasons.append(
            f"evidence: {n_pr} practice{'s' if n_pr != 1 else ''}, {n_ev} evaluation"
            f"{'s' if n_ev != 1 else ''} ({external} external or (quasi-)experimental); "
            f"evidence {e:.2f}"
        )
        kept.append((module, component, measure, g, f, e, parts, reasons))

    ids = [k[2].id for k in kept]
    base = [_score(w.as_tuple(), k[3], k[4], k[5]) for k in kept]
    order = _order(base, ids)
    # Sensitivity: the fixed grid of weightings (deterministic).
    grid = list(itertools.product(s.sensitivity_factors, repeat=3))
    in_top = [0] * len(kept)
    for fg, ff, fe in grid:
        wt = (w.gap * fg, w.fit * ff, w.evidence * fe)
        if sum(wt) <= 0:
            continue
        sc = [_score(wt, k[3], k[4], k[5]) for k in kept]
        for k in _order(sc, ids)[: s.top]:
            in_top[k] += 1
    ranked = []
    for rank, k in enumerate(order, start=1):
        module, component, measure, g, f, e, parts, reasons = kept[k]
        share = in_top[k] / len(grid) if grid else 0.0
        sens = f"in the top {s.top} under {in_top[k]} of {len(grid)} weightings"
        ranked.append(
            Ranked(
                rank,
                module,
                component,
                measure,
                round(base[k], 1),
                g,
                f,
                e,
                tuple(parts),
                (*reasons, sens),
                share,
            )
        )
    notes = [gaps.note] if gaps.note else []
    return Selection(
        context=context,
        weights=w,
        time=time,
        gaps=gaps,
        ranked=tuple(ranked),
        excluded=tuple(excluded),
        toolbox_version=toolbox.version,
        sensitivity_weightings=len(grid),
        top=s.top,
        notes=tuple(notes),
    )
