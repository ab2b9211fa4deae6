"""The score on hand-made contexts and gaps where the right order is known."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from zaragoza.errors import ContentError
from zaragoza.toolbox.context import AuthorityContext
from zaragoza.toolbox.gaps import AuthorityGaps, Gap
from zaragoza.toolbox.loader import Toolbox
from zaragoza.toolbox.schema import Weights
from zaragoza.toolbox.selection import recommend

LOCAL = AuthorityContext(level="local", geo="SE")


def gap(indicator: str, value: float, se: float | None, flag: str = "") -> Gap:
    return Gap(indicator, "SE", 2023, "NEU27_2020_FOR", "computed", value, se, flag, False)


def gaps(*found: Gap) -> AuthorityGaps:
    return AuthorityGaps("SE", "SE", {g.indicator: g for g in found})


def order(sel: Any) -> list[str]:
    return [r.measure.id for r in sel.ranked]


def targets(indicator: str, direction: str = "increase") -> list[dict[str, str]]:
    return [{"id": indicator, "direction": direction}]


def test_a_large_significant_gap_outranks_a_small_one(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    tb = make_toolbox(
        card("small-gap", indicators=targets("unemployment_rate", "decrease")),
        card("large-gap", indicators=targets("employment_rate")),
    )
    sel = recommend(tb, LOCAL, gaps(gap("employment_rate", -20, 1), gap("unemployment_rate", 3, 1)))
    assert order(sel) == ["large-gap", "small-gap"]
    large, small = sel.ranked
    assert large.gap == pytest.approx(1.0)  # 20 pp >= the full 15 pp
    assert small.gap == pytest.approx(3 / 15)
    # same fit and evidence: the score differs by the gap part only
    assert large.score - small.score == pytest.approx(100 * 0.5 * (1 - 0.2), abs=0.1)
    assert "-20.0 pp ± 1.0, significant at 95%" in large.reasons[0]


def test_a_gap_in_the_measures_favour_does_not_count(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    tb = make_toolbox(card("one-measure", indicators=targets("employment_rate")))
    sel = recommend(tb, LOCAL, gaps(gap("employment_rate", +6, 1)))  # migrants above nationals
    assert sel.ranked[0].gap == 0
    assert "the group is not behind here" in sel.ranked[0].reasons[0]


def test_a_gap_flagged_u_weighs_less(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    tb = make_toolbox(
        card("reliable", indicators=targets("employment_rate")),
        card("unreliable", indicators=targets("overqualification_rate", "decrease")),
    )
    sel = recommend(
        tb, LOCAL, gaps(gap("employment_rate", -10, 1), gap("overqualification_rate", 10, 1, "u"))
    )
    assert order(sel) == ["reliable", "unreliable"]
    r, u = sel.ranked
    assert u.gap == pytest.approx(r.gap * 0.5)
    assert "flag u" in u.reasons[0]


def test_a_gap_that_is_not_significant_or_has_no_se_weighs_less(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    tb = make_toolbox(
        card("a-significant", indicators=targets("employment_rate")),
        card("b-no-se", indicators=targets("activity_rate")),
        card("c-not-significant", indicators=targets("tertiary_attainment")),
    )
    sel = recommend(
        tb,
        LOCAL,
        gaps(
            gap("employment_rate", -9, 1),
            gap("activity_rate", -9, None),
            gap("tertiary_attainment", -9, 6),
        ),
    )
    assert order(sel) == ["a-significant", "b-no-se", "c-not-significant"]
    parts = [r.gap for r in sel.ranked]
    assert parts == pytest.approx([0.6, 0.6 * 0.75, 0.6 * 0.5])
    assert "significance unknown" in sel.ranked[1].reasons[0]
    assert "not significant at 95%" in sel.ranked[2].reasons[0]


def test_a_failed_hard_precondition_excludes_with_its_reason(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    needs = [
        {
            "kind": "competence",
            "value": "housing",
            "hard": True,
            "text": {"en": "The authority allocates housing."},
        }
    ]
    tb = make_toolbox(card("housing-measure", preconditions=needs), card("other"))
    ctx = AuthorityContext(level="local", geo="SE", competences=("education",))
    sel = recommend(tb, ctx, gaps())
    assert order(sel) == ["other"]
    (x,) = sel.excluded
    assert x.measure.id == "housing-measure"
    assert x.reasons == (
        "hard precondition competence housing not met: The authority allocates housing.",
    )
    # A context that does not say which competences it holds keeps the measure, and says so.
    sel = recommend(tb, LOCAL, gaps())
    kept = {r.measure.id: r for r in sel.ranked}
    assert "housing-measure" in kept
    assert any(
        "not checked: the context does not give competences" in s
        for s in kept["housing-measure"].reasons
    )


def test_size_and_resources_are_ordered_and_the_level_excludes(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    big = [{"kind": "min_size", "value": "large", "hard": True, "text": {"en": "Big enough."}}]
    rich = [{"kind": "resource", "value": "medium", "hard": True, "text": {"en": "Money."}}]
    tb = make_toolbox(
        card("big", preconditions=big),
        card("rich", preconditions=rich),
        card("national-only", levels=["national"]),
    )
    ctx = AuthorityContext(level="local", geo="SE", size="metropolitan", resources="low")
    sel = recommend(tb, ctx, gaps())
    assert order(sel) == ["big"]
    why = {x.measure.id: x.reasons[0] for x in sel.excluded}
    assert why["rich"].startswith("hard precondition resource medium not met")
    assert why["national-only"] == "run at the national level(s), not at the local level"


def test_soft_preconditions_cost_and_groups_make_the_fit(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    soft = [{"kind": "partner", "value": "employers", "text": {"en": "Employers."}}]
    tb = make_toolbox(
        card("fits", migrant_groups=["labour", "family"], preconditions=soft),
        card("fits-less", migrant_groups=["students"], preconditions=soft, cost={"class": "high"}),
    )
    ctx = AuthorityContext(
        level="local",
        geo="SE",
        migrant_groups=("labour", "family"),
        partners=("employers",),
        resources="low",
    )
    sel = recommend(tb, ctx, gaps())
    fits, less = sel.ranked
    assert fits.measure.id == "fits"
    assert fits.fit == pytest.approx(1.0)  # 2/2 groups, partner met, low cost
    assert less.fit == pytest.approx((0 + 1 + 0) / 3)  # no group, partner met, high cost


def test_evidence_strength_orders_measures_of_equal_gap_and_fit(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    evaluated = {
        "practices": ["de-integration-course"],
        "evaluations": [
            {"title": "Invented", "url": "https://example.org/e", "level": "quasi_experimental"}
        ],
    }
    tb = make_toolbox(card("b-evaluated", evidence=evaluated), card("a-unevaluated"))
    sel = recommend(tb, LOCAL, gaps(gap("employment_rate", -9, 1)))
    assert order(sel) == ["b-evaluated", "a-unevaluated"]
    assert sel.ranked[0].evidence == pytest.approx(0.7 + 0.3 * 2 / 4)
    assert "evidence: 1 practice, 1 evaluation (1 external or (quasi-)experimental)" in " ".join(
        sel.ranked[0].reasons
    )


def test_weights_are_data_and_change_the_order(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    evaluated = {
        "practices": [],
        "evaluations": [
            {"title": "Invented", "url": "https://example.org/e", "level": "quasi_experimental"}
        ],
    }
    tb = make_toolbox(
        card("gap-strong", indicators=targets("employment_rate")),
        card(
            "evidence-strong",
            indicators=targets("unemployment_rate", "decrease"),
            evidence=evaluated,
        ),
    )
    g = gaps(gap("employment_rate", -20, 1), gap("unemployment_rate", 1, 1))
    assert order(recommend(tb, LOCAL, g, weights=Weights(gap=1, fit=0, evidence=0))) == [
        "gap-strong",
        "evidence-strong",
    ]
    assert order(recommend(tb, LOCAL, g, weights=Weights(gap=0, fit=0, evidence=1))) == [
        "evidence-strong",
        "gap-strong",
    ]
    with pytest.raises(ValueError, match="at least one weight must be positive"):
        Weights(gap=0, fit=0, evidence=0)


def test_the_ranking_is_deterministic_and_ties_go_by_id(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    tb = make_toolbox(*(card(f"same-{c}") for c in "dbca"))
    g = gaps(gap("employment_rate", -9, 1))
    first = recommend(tb, LOCAL, g)
    assert order(first) == ["same-a", "same-b", "same-c", "same-d"]
    again = recommend(tb, LOCAL, g)
    assert [(r.measure.id, r.score, r.reasons, r.in_top_share) for r in again.ranked] == [
        (r.measure.id, r.score, r.reasons, r.in_top_share) for r in first.ranked
    ]


def test_sensitivity_counts_the_top_over_a_fixed_grid(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    tb = make_toolbox(
        card(
            "dominant",
            indicators=targets("employment_rate"),
            evidence={"practices": ["de-integration-course", "se-swedish-for-immigrants"]},
        ),
        *(card(f"weak-{i}", indicators=targets("unemployment_rate", "decrease")) for i in range(6)),
    )
    sel = recommend(tb, LOCAL, gaps(gap("employment_rate", -20, 1), gap("unemployment_rate", 2, 1)))
    assert sel.sensitivity_weightings == 27
    assert sel.ranked[0].measure.id == "dominant"
    assert sel.ranked[0].in_top_share == 1.0
    # six equal weak measures share four places in the top 5 under every weighting
    weak = [r.in_top_share for r in sel.ranked[1:]]
    assert weak == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    assert sel.ranked[0].reasons[-1] == "in the top 5 under 27 of 27 weightings"


def test_without_gaps_it_ranks_on_context_and_evidence_and_says_so(
    make_toolbox: Callable[..., Toolbox], card: Callable[..., dict[str, Any]]
) -> None:
    tb = make_toolbox(card("only-measure"))
    none = AuthorityGaps("LI", None, {}, "The warehouse has no gaps for LI: ...")
    sel = recommend(tb, AuthorityContext(level="local", geo="LI"), none)
    (r,) = sel.ranked
    assert r.gap is None
    # fit 0.5 (the context says nothing), evidence 0: (0.3 * 0.5 + 0.2 * 0) / 0.5
    assert r.score == pytest.approx(100 * 0.3 * 0.5 / 0.5)
    assert r.reasons[0] == "no gaps available for this geo: ranked on context and evidence alone"
    assert sel.notes == ("The warehouse has no gaps for LI: ...",)


def test_a_context_value_outside_the_vocabulary_is_refused(example_toolbox: Toolbox) -> None:
    ctx = AuthorityContext(level="local", geo="SE", partners=("unicorns",))
    with pytest.raises(
        ContentError, match="field partners: unknown value 'unicorns'; valid: employers"
    ):
        recommend(example_toolbox, ctx, gaps())
