"""Disclosure control of computed observations: primary and secondary suppression.

A computed cell whose flag holds ``c`` is *primarily* confidential: below the
publication limit of its survey (``catalog/reliability.yaml``). Blanking it is not
enough when its margins are published: an employment rate of non-EU women is nearly
the rate of all women minus those of national and EU women weighted by their shares,
and the shares follow from the counts. :func:`protect` therefore also hides
*secondary* cells, until no confidential cell can be rebuilt from what is published.

The attacker modelled (``docs/methodology.md``, "Disclosure control"):

* knows every published cell of a table and how cells add up: ``TOTAL = NAT + FOR``,
  ``FOR = EU27_2020_FOR + NEU27_2020_FOR`` (and the EU28 groups), the same for country
  of birth, ``TOTAL = NATIVE + IMMIGRANT`` and ``IMMIGRANT = SECOND_GEN + FIRST_GEN``
  for the migrant background (PISA's students of unknown background likewise
  negligible), ``T = M + F``, and a country or NUTS region as the sum of its NUTS regions
  one level down; records of unknown citizenship are taken as negligible, which favours
  the attacker;
* may know the weights of the sum (the population shares) exactly, whatever they are:
  each relation is a linear equation with arbitrary positive coefficients.

A hidden cell is *recoverable* when those equations fix its value. Following the
hypercube idea of tau-argus and sdcTable (Repsilber 2002; Giessing and Repsilber 2002),
suppression goes on until no hidden cell is recoverable: for a recoverable cell, the
published cell with the smallest unweighted count ``n`` among those sharing an equation
with it is hidden too, and the check is repeated. What the published cells then allow is
a range for each hidden value, never the value. Gap rows (``value = group - NAT``) are
hidden with either of their levels, since a gap and one level give the other (the
reference level of a gap to native students, ``compare_to = NATIVE``, is the ``NATIVE``
cell; of a gap to nationals, the ``NAT`` cell of its group dimension).

Published (Eurostat) cells are not touched: Eurostat's own confidentiality applies to
them, and blanking what Eurostat publishes protects nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from zaragoza.observations import CELL_KEY, blank_confidential, confidential, normalise_flag

__all__ = [
    "DISCLOSURE_VERSION",
    "GROUP_SUMS",
    "differencing_risks",
    "protect",
    "recoverable",
    "secondary_cells",
    "tables_of",
]

#: Changes when the rules change, so that stored suppression patterns are recomputed.
DISCLOSURE_VERSION = "2"

#: How migrant groups add up (the margin first). Unknown groups are left out.
GROUP_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("TOTAL", ("NAT", "FOR")),
    ("FOR", ("EU27_2020_FOR", "NEU27_2020_FOR")),
    ("FOR", ("EU28_FOR", "NEU28_FOR")),
)
MIG_BG_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("TOTAL", ("NATIVE", "IMMIGRANT")),
    ("IMMIGRANT", ("SECOND_GEN", "FIRST_GEN")),
)
SEX_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (("T", ("M", "F")),)

# The cells of one table: those sharing everything but the dimensions that add up.
_TABLE = ["indicator", "time", "age", "source"]
_ADDITIVE = ["geo", "citizen", "c_birth", "mig_bg", "sex"]
_TOL = 1e-9


def _relations(cells: pd.DataFrame) -> list[list[tuple[int, float]]]:
    """Return the equations among a table's cells: lists of (cell position, coefficient).

    Cells absent from the table (a group not estimated) enter as unknowns the attacker
    does not know, so an equation with an absent member protects its other members.
    Coefficients are random positive numbers (a fixed seed), standing for population
    shares the attacker knows: a generic choice, so that no cancellation special to
    equal weights hides a recovery.
    """
    rng = np.random.default_rng(20111)
    index = {key: i for i, key in enumerate(cells[_ADDITIVE].itertuples(index=False, name=None))}
    extra = len(index)  # absent cells get positions after the present ones
    absent: dict[tuple[str, ...], int] = {}

    def pos(key: tuple[str, ...]) -> int:
        nonlocal extra
        if key in index:
            return index[key]
        if key not in absent:
            absent[key] = extra
            extra += 1
        return absent[key]

    eqs: list[list[tuple[int, float]]] = []
    seen: set[tuple[tuple[str, ...], ...]] = set()

    def add(margin: tuple[str, ...], parts: Iterable[tuple[str, ...]]) -> None:
        members = (margin, *parts)
        if members in seen or not any(m in index for m in members):
            return
        seen.add(members)
        eq = [(pos(margin), 1.0)]
        eq += [(pos(p), -float(rng.uniform(0.5, 1.5))) for p in members[1:]]
        eqs.append(eq)

    geos = set(cells["geo"])
    sums_of = ((1, GROUP_SUMS), (2, GROUP_SUMS), (3, MIG_BG_SUMS), (4, SEX_SUMS))
    for key in list(index):
        for dim, sums in sums_of:
            for margin, parts in sums:
                if key[dim] == margin:
                    add(key, [(*key[:dim], p, *key[dim + 1 :]) for p in parts])
        geo = key[0]
        below = sorted(g for g in geos if len(g) == len(geo) + 1 and g.startswith(geo))
        if below:
            add(key, [(g, *key[1:]) for g in below])
    return eqs


def _determined(eqs: list[list[tuple[int, float]]], hidden: np.ndarray, width: int) -> set[int]:
    """Hidden positions whose value the equations fix, given every other present cell.

    The unknowns split into blocks that share no equation; each block is solved alone
    (small matrices, whatever the size of the table).
    """
    unknown = set(np.flatnonzero(hidden).tolist())
    rows = [[(p, c) for p, c in eq if p in unknown] for eq in eqs]
    rows = [r for r in rows if r]
    if not rows:
        return set()
    parent = {p: p for p in unknown}

    def find(p: int) -> int:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for r in rows:
        for p, _ in r[1:]:
            parent[find(p)] = find(r[0][0])
    blocks: dict[int, list[list[tuple[int, float]]]] = {}
    for r in rows:
        blocks.setdefault(find(r[0][0]), []).append(r)
    fixed: set[int] = set()
    for block in blocks.values():
        cols = sorted({p for r in block for p, _ in r})
        at = {p: j for j, p in enumerate(cols)}
        a = np.zeros((max(len(block), len(cols)), len(cols)))
        for i, r in enumerate(block):
            for p, coef in r:
                a[i, at[p]] = coef
        # x_j is fixed iff every vector of the null space of A has a zero j-th entry.
        _, sv, vt = np.linalg.svd(a)
        rank = int((sv > _TOL * max(1.0, float(sv.max(initial=0.0)))).sum())
        null = vt[rank:]
        free = np.abs(null).max(axis=0) > 1e-7 if len(null) else np.zeros(len(cols), bool)
        fixed |= {p for j, p in enumerate(cols) if not free[j] and p < width}
    return fixed


def _protect_table(cells: pd.DataFrame, hidden: np.ndarray) -> np.ndarray:
    """Hide cells of one table until no hidden cell is recoverable; return the mask."""
    eqs = _relations(cells)
    width = len(cells)
    extra = _extra(eqs, width)
    mask = np.concatenate([hidden, np.ones(extra, bool)])
    n = cells["n"].to_numpy(dtype=float)
    # the smallest count first; ties by position, so the result is reproducible
    rank_of = np.argsort(np.lexsort((np.arange(width), np.nan_to_num(n, nan=np.inf))))
    of_cell: dict[int, list[int]] = {}
    for i, eq in enumerate(eqs):
        for p, _ in eq:
            of_cell.setdefault(p, []).append(i)
    for _ in range(width + 1):
        fixed = _determined(eqs, mask, width)
        if not fixed:
            return mask[:width]
        # Hide the published cell with the smallest count among those sharing an
        # equation with the recoverable cell, or, when all of those are hidden, with
        # the hidden cells connected to it (breadth first).
        seen, layer, pick = set(), [min(fixed)], None
        while layer and pick is None:
            seen |= set(layer)
            near = {p for c in layer for i in of_cell.get(c, []) for p, _ in eqs[i]}
            visible = [p for p in near if p < width and not mask[p]]
            if visible:
                pick = min(visible, key=lambda p: rank_of[p])
            layer = [p for p in near - seen if mask[p]]
        if pick is None:  # every cell of the table is hidden already
            return mask[:width]
        mask[pick] = True
    return mask[:width]


def _extra(eqs: list[list[tuple[int, float]]], width: int) -> int:
    top = max((p for eq in eqs for p, _ in eq), default=width - 1)
    return max(0, top + 1 - width)


def tables_of(obs: pd.DataFrame) -> pd.DataFrame:
    """Return the table of each row: indicator, time, age and country (``geo``'s first two
    letters, so a country and its NUTS regions are one table)."""
    out = obs[["indicator", "time", "age"]].copy()
    out["country"] = obs["geo"].str[:2]
    return out


def _with_mig_bg(obs: pd.DataFrame) -> pd.DataFrame:
    """``obs`` with a ``mig_bg`` column: ``TOTAL`` for rows made before it was one.

    A cell dimension left empty (a missing value) would match no equation, so the cells
    it should protect would be published: that is refused, naming the column.
    """
    out = obs if "mig_bg" in obs.columns else obs.assign(mig_bg="TOTAL")
    for col in _ADDITIVE:
        if col in out.columns and out[col].isna().any():
            raise ValueError(
                f"disclosure control: column {col!r} has missing values in "
                f"{int(out[col].isna().sum())} row(s); every cell needs its code "
                "(TOTAL where the figure is not broken down)"
            )
    return out


def _tables(levels: pd.DataFrame) -> Iterable[pd.DataFrame]:
    """The tables of level cells: one per indicator, time, age, source and country."""
    country = levels["geo"].str[:2]
    for _, table in levels.groupby([*_TABLE, country], sort=False):
        yield table


def secondary_cells(obs: pd.DataFrame) -> pd.Series:
    """Return, per row, whether a cell must be hidden although its own flag allows it.

    ``obs`` holds observation rows (at least :data:`~zaragoza.observations.CELL_KEY`,
    ``flag`` and ``n``). Primary cells (flag ``c``) are not in the answer; their gap rows
    and the cells hidden to protect them are. Only ``computed`` rows are considered.
    """
    obs = _with_mig_bg(obs)
    primary = confidential(obs["flag"])
    out = pd.Series(False, index=obs.index)
    computed = obs["source"] == "computed"
    levels = obs[computed & (obs["compare_to"] == "")]
    if not primary[computed].any():
        return out
    hidden_levels = primary.copy()
    # Only tables holding a confidential cell need work (most tables hold none).
    table_key = pd.MultiIndex.from_frame(tables_of(levels))
    with_primary = table_key.isin(table_key[primary[levels.index].to_numpy()])
    for table in _tables(levels[with_primary]):
        hidden_levels[table.index] = _protect_table(table, primary[table.index].to_numpy())
    out |= hidden_levels & ~primary
    # Gap rows: hidden when the group's level or the reference's level is hidden.
    gaps = obs[computed & (obs["compare_to"] != "")]
    if len(gaps):
        hidden_keys = levels.loc[hidden_levels[levels.index], CELL_KEY].assign(_hidden=True)
        own = gaps[CELL_KEY].assign(compare_to="")
        ref = own.copy()
        on_mig_bg = gaps["compare_to"] == "NATIVE"
        on_citizen = (gaps["citizen"] != "TOTAL") & ~on_mig_bg
        on_c_birth = ~on_citizen & ~on_mig_bg
        ref["citizen"] = gaps["citizen"].where(~on_citizen, gaps["compare_to"])
        ref["c_birth"] = gaps["c_birth"].where(~on_c_birth, gaps["compare_to"])
        ref["mig_bg"] = gaps["mig_bg"].where(~on_mig_bg, gaps["compare_to"])
        hit = pd.Series(False, index=gaps.index)
        for keys in (own, ref):
            found = keys.merge(hidden_keys, on=CELL_KEY, how="left")["_hidden"]
            hit |= found.notna().to_numpy()
        out[gaps.index] = hit & ~primary[gaps.index]
    return out


def recoverable(obs: pd.DataFrame, hidden: pd.Series) -> list[tuple[str, ...]]:
    """Return the keys of hidden level cells that the published cells determine.

    The audit behind :func:`protect`, open to tests and to users who suppress by other
    means: empty when the suppression pattern holds against the attacker modelled above.
    """
    obs = _with_mig_bg(obs)
    levels = obs[(obs["source"] == "computed") & (obs["compare_to"] == "")]
    found: list[tuple[str, ...]] = []
    for table in _tables(levels):
        mask = hidden[table.index].to_numpy()
        if not mask.any():
            continue
        eqs = _relations(table)
        width = len(table)
        padded = np.concatenate([mask, np.ones(_extra(eqs, width), bool)])
        fixed = _determined(eqs, padded, width)
        keys = table[CELL_KEY].itertuples(index=False, name=None)
        found += [k for i, k in enumerate(keys) if i in fixed]
    return found


def differencing_risks(obs: pd.DataFrame, earlier: pd.DataFrame, threshold: int) -> pd.Series:
    """Return, per row of ``obs``, whether publishing its count would reveal a handful of
    persons by subtraction from a count published before.

    A snapshot of counts (the skills profiles') is published again and again. Whoever
    kept an earlier download and compares it with a later one learns about the persons
    who joined or left a cell in between: 12 persons in a cell, then 14, says that two
    persons of that description came, and their shares say what they are like. So a
    cell is confidential, like one of fewer than ``threshold`` persons, when its count
    ``n`` differs from any count of the same cell published earlier (``earlier``: the
    cell key without ``source``, and ``n``; one row per count published) by 1 to
    ``threshold - 1``. Rows already confidential, and rows whose cell was never
    published, are not at risk.

    Hiding these cells (with their secondary cells, :func:`protect`) also protects the
    table of differences: its published cells are those published in both snapshots,
    and its equations are the levels' own, so a difference it hides is no more
    determined than the level the new snapshot hides (fewer known cells fix fewer
    unknowns; ``docs/methodology.md``, "Disclosure control").
    """
    out = pd.Series(False, index=obs.index)
    if earlier.empty or obs.empty:
        return out
    key = [k for k in CELL_KEY if k != "source"]
    shown = ~confidential(obs["flag"]) & obs["n"].notna()
    new = obs.loc[shown, key].astype(str).assign(_n=obs.loc[shown, "n"].astype(float))
    new["_row"] = new.index
    old = earlier[key].astype(str).assign(_old=earlier["n"].astype(float))
    both = new.merge(old, on=key, how="inner")
    gap = (both["_n"] - both["_old"]).abs()
    hit = both.loc[(gap > 0) & (gap < threshold), "_row"].unique()
    out[hit] = True
    return out


def protect(obs: pd.DataFrame) -> pd.DataFrame:
    """Return ``obs`` with secondary cells flagged ``c`` and every confidential cell blank.

    The one publication rule: every page, file, API answer and command that publishes
    observations passes them through here (the warehouse reader does so once per
    warehouse version, for all cells together, so that no selection shows what another
    hides).
    """
    if "source" not in obs.columns:  # the output of `zaragoza estimate`
        return protect(obs.assign(source="computed")).drop(columns="source")
    extra = secondary_cells(obs)
    out = obs.copy()
    if extra.any():
        out.loc[extra, "flag"] = [normalise_flag(f"{f}c") for f in out.loc[extra, "flag"]]
    return blank_confidential(out)
