"""The gaps an authority actually has, read from the warehouse through ``compare.gaps``.

For each catalogue indicator, the gap to nationals (``group - NAT``, percentage points
for rates) of the main migrant group: non-EU citizens (``NEU27_2020_FOR``) where the
warehouse has them, else all foreign citizens (``FOR``); both sexes; the year asked for,
or the latest one. Eurostat's published figures come first (they are real but come
without standard errors); figures computed from microdata carry their SE, and are marked
``synthetic`` when they come from synthetic records (the embedded default's are). The
gap's SE comes from :func:`zaragoza.compare.gaps.gaps` (the engine's own gap row when
there is one, else the two levels' SEs as independent).

A NUTS region without figures of its own takes its country's, and says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zaragoza.compare._frame import is_country
from zaragoza.compare.gaps import gaps
from zaragoza.observations import SURVEY_SOURCES
from zaragoza.warehouse.reader import ObservationFilter, WarehouseReader, reader_for

__all__ = [
    "GROUPS",
    "AuthorityGaps",
    "Gap",
    "authority_gaps",
    "europe_gaps",
    "gap_table",
    "read_observations",
]

#: The migrant groups a gap is taken for, in order of preference.
GROUPS = ("NEU27_2020_FOR", "FOR")


@dataclass(frozen=True)
class Gap:
    """One gap to nationals: ``value = group - nationals`` in the indicator's unit."""

    indicator: str
    geo: str
    time: int
    group: str
    source: str
    value: float
    se: float | None
    flag: str
    synthetic: bool
    migrants: float | None = None
    nationals: float | None = None

    @property
    def z(self) -> float | None:
        if self.se is None or not self.se > 0:
            return None
        return self.value / self.se

    @property
    def significant(self) -> bool | None:
        """Whether the gap differs from zero at 95% (``|z| >= 1.96``); None without an SE."""
        z = self.z
        return None if z is None else abs(z) >= 1.96

    @property
    def unreliable(self) -> bool:
        """Whether either cell is flagged ``u`` (low reliability)."""
        return "u" in self.flag

    def unfavourable(self, direction: str) -> float:
        """The part of the gap a measure that moves the indicator ``direction`` works
        against: migrants below nationals for ``increase``, above for ``decrease``."""
        return max(0.0, -self.value if direction == "increase" else self.value)


@dataclass(frozen=True)
class AuthorityGaps:
    """The gaps of one geo: by indicator, which geo they are of, and a note."""

    geo: str
    used_geo: str | None
    by_indicator: dict[str, Gap]
    note: str | None = None

    @property
    def available(self) -> bool:
        return bool(self.by_indicator)

    @property
    def synthetic(self) -> bool:
        return any(g.synthetic for g in self.by_indicator.values())


def read_observations(
    warehouse: str | Path | WarehouseReader,
    *,
    geo: Sequence[str] = (),
    indicator: Sequence[str] = (),
) -> pd.DataFrame:
    """Return the cells the gaps need (both sexes; levels and the engine's gap rows),
    through the read-only warehouse reader (confidential cells blanked)."""
    reader = warehouse if isinstance(warehouse, WarehouseReader) else reader_for(warehouse)
    return reader.observations(
        ObservationFilter(
            geo=tuple(geo),
            indicator=tuple(indicator),
            sex=("T",),
            citizen=("NAT", *GROUPS),
            compare_to=(),
            # the skills profiles describe those profiled, not a population
            source=SURVEY_SOURCES,
        )
    )


def gap_table(obs: pd.DataFrame) -> pd.DataFrame:
    """Return the migrant-native gaps of ``obs`` by citizenship, one chosen row per
    (indicator, geo, time): published before computed, non-EU before all foreigners,
    the first age band; with the ``synthetic`` mark and both groups' levels."""
    if obs.empty:
        return pd.DataFrame()
    table = gaps(obs, kinds=("migrant_native",))
    table = table[
        (table["dimension"] == "citizen")
        & table["citizen"].isin(GROUPS)
        & (table["sex"] == "T")
        & table["value"].notna()
    ]
    if table.empty:
        return table
    table = table.assign(
        _src=(table["source"] != "published").astype(int),
        _grp=table["citizen"].map({g: i for i, g in enumerate(GROUPS)}),
    ).sort_values(["indicator", "geo", "time", "_src", "_grp", "age"])
    table = table.drop_duplicates(["indicator", "geo", "time"]).copy()
    levels = obs[(obs["compare_to"].fillna("") == "") & (obs["c_birth"] == "TOTAL")]
    key = ["indicator", "geo", "time", "source", "age"]
    mig = levels.rename(columns={"value": "migrants"})[[*key, "citizen", "migrants"]]
    table = table.merge(mig, on=[*key, "citizen"], how="left")
    nat = levels[levels["citizen"] == "NAT"].rename(columns={"value": "nationals"})
    table = table.merge(nat[[*key, "nationals"]], on=key, how="left")
    if "synthetic" in obs.columns:
        syn = obs.groupby(["indicator", "geo", "time", "source"])["synthetic"].any().reset_index()
        table = table.merge(syn, on=["indicator", "geo", "time", "source"], how="left")
        table["synthetic"] = table["synthetic"].fillna(False).astype(bool)
    else:
        table["synthetic"] = False
    return table.drop(columns=["_src", "_grp"]).reset_index(drop=True)


def _num(v: object) -> float | None:
    if v is None:
        return None
    f = float(v)  # type: ignore[arg-type]
    return None if math.isnan(f) else f


def _gap(row: object) -> Gap:
    r: object = row
    return Gap(
        indicator=str(r.indicator),  # type: ignore[attr-defined]
        geo=str(r.geo),  # type: ignore[attr-defined]
        time=int(r.time),  # type: ignore[attr-defined]
        group=str(r.citizen),  # type: ignore[attr-defined]
        source=str(r.source),  # type: ignore[attr-defined]
        value=float(r.value),  # type: ignore[attr-defined]
        se=_num(r.se),  # type: ignore[attr-defined]
        flag=str(r.flag or ""),  # type: ignore[attr-defined]
        synthetic=bool(r.synthetic),  # type: ignore[attr-defined]
        migrants=_num(r.migrants),  # type: ignore[attr-defined]
        nationals=_num(r.nationals),  # type: ignore[attr-defined]
    )


def _pick(table: pd.DataFrame, time: int | None) -> dict[str, Gap]:
    if table.empty:
        return {}
    if time is not None:
        table = table[table["time"] == time]
    else:
        table = table.sort_values(["indicator", "time"], ascending=[True, False])
        table = table.drop_duplicates(["indicator"])
    return {str(r.indicator): _gap(r) for r in table.itertuples()}


def authority_gaps(obs: pd.DataFrame, geo: str, *, time: int | None = None) -> AuthorityGaps:
    """Return the gaps of ``geo`` (``time``, or each indicator's latest year) from
    observation rows (:func:`read_observations`); a region without figures takes its
    country's, with a note; no figures at all is an empty result with a note."""
    when = f" in {time}" if time is not None else ""
    for candidate in dict.fromkeys([geo, geo[:2]]):
        rows = obs[obs["geo"] == candidate] if not obs.empty else obs
        found = _pick(gap_table(rows), time) if not rows.empty else {}
        if found:
            note = None
            if candidate != geo:
                note = (
                    f"The warehouse has no gaps for {geo}{when}; the gaps of its country, "
                    f"{candidate}, are used."
                )
            return AuthorityGaps(geo, candidate, found, note)
    return AuthorityGaps(
        geo,
        None,
        {},
        f"The warehouse has no gaps for {geo}{when}: the measures are ranked on the context "
        "and the evidence alone.",
    )


def europe_gaps(obs: pd.DataFrame, indicator: str, direction: str, *, limit: int = 5) -> list[Gap]:
    """Return the countries where the gap a measure works against is largest (each
    country's latest year; aggregates left out), largest first, ties by geo code."""
    rows = obs[(obs["indicator"] == indicator) & is_country(obs["geo"])] if not obs.empty else obs
    table = gap_table(rows) if not rows.empty else pd.DataFrame()
    if table.empty:
        return []
    latest = table.sort_values(["geo", "time"], ascending=[True, False]).drop_duplicates("geo")
    found = [_gap(r) for r in latest.itertuples()]
    found = [g for g in found if g.unfavourable(direction) > 0]
    found.sort(key=lambda g: (-g.unfavourable(direction), g.geo))
    return found[:limit]
