"""Schema of indicator definitions: indicators are data, validated when loaded.

A definition names its population (an age band and an optional filter), its numerator
and denominator as *conditions* on survey variables, and where Eurostat publishes it.
Conditions form a tiny declarative language (``var``/``in``/``range``, ``all``, ``any``,
``not``): nothing in a definition is evaluated as code.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "INCOME_ESTIMATORS",
    "UNIT_DECIMALS",
    "AgeBand",
    "AllOf",
    "AnyOf",
    "Condition",
    "EurostatTables",
    "Indicator",
    "Not",
    "Population",
    "VarCondition",
]

Code = int | str

#: Decimal places of a unit when an indicator does not say (Eurostat's usual precision).
UNIT_DECIMALS = {"PC": 1, "EUR": 0, "RT": 2, "COEF": 1, "PTS": 1}

#: Estimators of EU-SILC income statistics (``zaragoza.estimate.inequality``).
INCOME_ESTIMATORS = frozenset({"median", "median_ratio", "arpt", "arpr", "gini", "qsr"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class VarCondition(_Strict):
    """``var`` takes one of the codes ``in``, or lies in the closed ``range``."""

    var: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
    in_: list[Code] | None = Field(default=None, alias="in", min_length=1)
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> VarCondition:
        if (self.in_ is None) == (self.range is None):
            raise ValueError("give exactly one of 'in' (a list of codes) or 'range' ([lo, hi])")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError(f"range {list(self.range)} is empty: lo must not exceed hi")
        return self

    def variables(self) -> set[str]:
        return {self.var}


class AllOf(_Strict):
    """Every condition holds (Kleene AND: unknown if one is unknown and none is false)."""

    all: list[Condition] = Field(min_length=1)

    def variables(self) -> set[str]:
        return set().union(*(c.variables() for c in self.all))


class AnyOf(_Strict):
    """At least one condition holds (Kleene OR)."""

    any: list[Condition] = Field(min_length=1)

    def variables(self) -> set[str]:
        return set().union(*(c.variables() for c in self.any))


class Not(_Strict):
    """The condition does not hold (unknown stays unknown)."""

    not_: Condition = Field(alias="not")

    def variables(self) -> set[str]:
        return self.not_.variables()


Condition = VarCondition | AllOf | AnyOf | Not
AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


class AgeBand(_Strict):
    """Closed age band in completed years; ``max`` absent means open-ended (``Y_GE..``)."""

    min: Annotated[int, Field(ge=0, le=120)]
    max: Annotated[int, Field(ge=0, le=120)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AgeBand:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"age band {self.min}-{self.max} is empty")
        return self

    @property
    def eurostat_code(self) -> str:
        """Eurostat's ``age`` dimension code: ``Y20-64``, ``Y_GE18``, ``Y15``, or ``TOTAL``."""
        if self.max == self.min:
            return f"Y{self.min}"
        if self.max is None:
            return "TOTAL" if self.min == 0 else f"Y_GE{self.min}"
        return f"Y{self.min}-{self.max}"


class Population(_Strict):
    """Who the indicator is about: an age band and, optionally, a filter."""

    age: AgeBand
    filter: Condition | None = None


class EurostatTables(_Strict):
    """The Eurostat online tables that publish the indicator, by breakdown."""

    citizen: str | None = None
    c_birth: str | None = None
    total: str | None = None


class Score(_Strict):
    """A PISA achievement statistic's domain and, for a share, its proficiency cut-off.

    ``cutoff`` is the lower score of a proficiency level on the PISA scale (OECD, *PISA
    2022 Results*, Volume I, Annex A: level 2 in reading 407.47, mathematics 420.07,
    science 409.54; level 5: 625.61, 606.99, 633.33).
    """

    domain: Literal["READ", "MATH", "SCIE"]
    cutoff: float | None = None


#: The estimators of PISA achievement over plausible values (``estimate.achievement``).
PISA_ESTIMATORS = frozenset({"pv_mean", "pv_share_below", "pv_share_at_least"})


class Indicator(_Strict):
    """One catalogue entry.

    With ``estimator: ratio`` the estimate is the ratio of weighted totals
    ``sum(w * [numerator]) / sum(w)`` over the records of the population that also meet
    ``denominator``, times 100 for ``unit: PC``. A record whose value cannot be
    determined because a variable it needs is missing is left out of both and counted in
    ``n_missing``. ``estimator: published`` marks an indicator known only from
    published tables (administrative statistics, or survey statistics Zaragoza cannot
    compute yet): it has no numerator and cannot be estimated from microdata.

    EU-SILC income statistics of the equivalised disposable income over the population
    (``zaragoza.estimate.inequality``; definitions of laeken / Eurostat):
    ``median`` (weighted median), ``median_ratio`` (the group's median over the median
    of the whole country's population, in percent), ``arpt`` (60% of the national
    median), ``arpr`` (share below the national threshold), ``gini``, ``qsr``
    (S80/S20). They take no numerator; ``weight`` picks the EU-SILC weight (``RB050``,
    the default, or ``PB040`` for questions put to persons aged 16 and over).
    ``partial: true`` lets a ratio whose numerator is an ``any`` of components be
    estimated from the components the input has, flagged ``d`` (definition differs).

    PISA achievement of 15-year-olds over the plausible values of one ``score`` domain
    (``survey: PISA``; ``zaragoza.estimate.achievement``): ``pv_mean`` (mean score,
    ``unit: PTS``), ``pv_share_below`` (share below ``score.cutoff``: low achievers) and
    ``pv_share_at_least`` (share at or above it: top performers).
    """

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    area: Literal[
        "employment",
        "education",
        "social_inclusion",
        "health",
        "housing",
        "active_citizenship",
        "welcoming_society",
    ]
    title: Annotated[str, Field(min_length=3)]
    definition: Annotated[str, Field(min_length=10)]
    survey: Literal["EU-LFS", "EU-SILC", "PISA", "migration-statistics"]
    population: Population
    estimator: Literal[
        "ratio", "published", "median", "median_ratio", "arpt", "arpr", "gini", "qsr",
        "pv_mean", "pv_share_below", "pv_share_at_least",
    ] = "ratio"  # fmt: skip
    numerator: Condition | None = None
    denominator: Condition | None = None
    unit: Literal["PC", "EUR", "RT", "COEF", "PTS"] = "PC"
    #: Decimal places Eurostat publishes the indicator with (EU-LFS and EU-SILC rates 1,
    #: incomes in euro 0, the S80/S20 ratio 2, naturalisation rates 2): the API and the
    #: pages round values to it unless asked for every digit (``precision=full``).
    #: Absent: the unit's usual precision (:data:`UNIT_DECIMALS`).
    decimals: Annotated[int, Field(ge=0, le=6)] | None = None
    #: Which way is better for the people measured: ``higher`` (employment, attainment,
    #: income) or ``lower`` (unemployment, poverty, early leaving); ranks give rank 1 to
    #: the better end.
    better: Literal["higher", "lower"] = "higher"
    weight: Literal["RB050", "PB040"] | None = None
    partial: bool = False
    score: Score | None = None
    eurostat_tables: EurostatTables = EurostatTables()
    target: str | None = None
    references: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _estimable(self) -> Indicator:
        if self.estimator == "ratio" and self.numerator is None:
            raise ValueError("a ratio indicator needs a numerator")
        if self.estimator == "published" and (self.numerator or self.denominator):
            raise ValueError("a published indicator has no numerator or denominator")
        if self.estimator in INCOME_ESTIMATORS:
            if self.numerator is not None:
                raise ValueError(f"a {self.estimator} indicator has no numerator")
            if self.survey != "EU-SILC":
                raise ValueError(f"estimator {self.estimator} needs survey EU-SILC")
        if (self.estimator in PISA_ESTIMATORS) != (self.survey == "PISA"):
            raise ValueError("the pv_* estimators and survey PISA go together")
        if self.estimator in PISA_ESTIMATORS:
            if self.score is None or self.numerator is not None:
                raise ValueError(f"a {self.estimator} indicator has a score and no numerator")
            if (self.score.cutoff is None) != (self.estimator == "pv_mean"):
                raise ValueError("a PISA share needs score.cutoff; a mean score has none")
            if (self.unit == "PTS") != (self.estimator == "pv_mean"):
                raise ValueError("a mean score is in unit PTS (score points), a share in PC")
        elif self.score is not None:
            raise ValueError("score applies to PISA indicators only")
        if self.weight is not None and self.survey != "EU-SILC":
            raise ValueError("weight applies to EU-SILC indicators only")
        if self.partial and not isinstance(self.numerator, AnyOf):
            raise ValueError("partial needs a numerator that is an 'any' of components")
        return self

    @field_validator("definition", "title")
    @classmethod
    def _stripped(cls, v: str) -> str:
        return " ".join(v.split())

    @property
    def precision(self) -> int:
        """Decimal places of published values: ``decimals``, else the unit's usual."""
        return self.decimals if self.decimals is not None else UNIT_DECIMALS[self.unit]

    @property
    def age_code(self) -> str:
        return self.population.age.eurostat_code

    def variables(self) -> set[str]:
        """Survey variables the definition reads, besides age, weight and groups."""
        out = set(self.numerator.variables()) if self.numerator is not None else set()
        if self.population.filter is not None:
            out |= self.population.filter.variables()
        if self.denominator is not None:
            out |= self.denominator.variables()
        return out
