"""Composite-index frameworks as data: indicators → dimensions → index.

A framework file (YAML) names its root (the index), its dimensions (each with a parent:
the index or another dimension) and its indicators (each with a parent dimension, a
direction and an expert weight); it may declare the sum that every node's children's
weights must reach. Loading checks the tree: unknown parents, cycles, duplicate ids,
empty dimensions, indicators the catalogue does not know, and weights that do not sum as
declared are each a :class:`~zaragoza.errors.CatalogError` naming the file and field.

The ten steps of the JRC/OECD *Handbook on Constructing Composite Indicators* (Nardo et
al., OECD 2008) start with a theoretical framework; this file is that framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zaragoza.catalog.datafile import read_yaml_data
from zaragoza.catalog.loader import Catalog
from zaragoza.errors import CatalogError

__all__ = [
    "Dimension",
    "Framework",
    "FrameworkIndicator",
    "Tree",
    "bundled_framework",
    "load_framework",
    "tree_of",
]

Id = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=64)]
Aggregation = Literal["arithmetic", "geometric"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dimension(_Strict):
    """A node between the indicators and the index (a pillar, a sub-pillar)."""

    id: Id
    parent: Id
    weight: Annotated[float, Field(ge=0)] = 1.0
    aggregation: Aggregation | None = None
    title: str | None = None


class FrameworkIndicator(_Strict):
    """A leaf: one catalogue indicator for one population cell.

    ``id`` labels the leaf (unique in the framework); ``indicator`` is the catalogue id
    (default ``id``); ``citizen``, ``c_birth``, ``sex``, ``age`` and ``compare_to`` pick
    the cell of the warehouse (``compare_to: NAT`` takes the gap to nationals).
    ``direction: negative`` for indicators where less is better (unemployment);
    ``target`` is needed for the distance-to-target normalisation.
    """

    id: Id
    parent: Id
    indicator: str | None = None
    weight: Annotated[float, Field(ge=0)] = 1.0
    direction: Literal["positive", "negative"] = "positive"
    target: float | None = None
    citizen: str = "TOTAL"
    c_birth: str = "TOTAL"
    sex: Literal["T", "M", "F"] = "T"
    age: str | None = None
    compare_to: str = ""
    title: str | None = None

    @property
    def catalogue_id(self) -> str:
        return self.indicator or self.id


class Framework(_Strict):
    """A composite-index framework (see the module docstring)."""

    id: Id
    title: str
    index: Id
    aggregation: Aggregation = "arithmetic"
    weights_sum: Annotated[float, Field(gt=0)] | None = None
    dimensions: list[Dimension] = Field(default_factory=list)
    indicators: Annotated[list[FrameworkIndicator], Field(min_length=1)]
    source: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> Framework:
        seen = {self.index}
        ids = [("dimensions", i, d.id) for i, d in enumerate(self.dimensions)]
        ids += [("indicators", i, leaf.id) for i, leaf in enumerate(self.indicators)]
        for kind, i, node in ids:
            if node in seen:
                raise ValueError(f"{kind}[{i}].id {node!r} is used twice")
            seen.add(node)
        return self


@dataclass(frozen=True)
class Tree:
    """The framework as arrays: leaves first, then internal nodes children-first.

    ``nodes[k]`` is a node id; ``children[k]`` the positions of its children (empty for
    a leaf); ``weights[k]`` the declared weights of those children; ``kinds[k]`` one of
    ``indicator``, ``dimension``, ``index``.
    """

    nodes: tuple[str, ...]
    kinds: tuple[str, ...]
    children: tuple[tuple[int, ...], ...]
    weights: tuple[tuple[float, ...], ...]
    aggregation: tuple[str, ...]
    n_leaves: int

    @property
    def internal(self) -> range:
        return range(self.n_leaves, len(self.nodes))


def _check_tree(fw: Framework, src: str) -> Tree:
    parents: dict[str, str] = {}
    where: dict[str, str] = {}
    for i, d in enumerate(fw.dimensions):
        parents[d.id] = d.parent
        where[d.id] = f"dimensions[{i}].parent"
    internal = {fw.index, *(d.id for d in fw.dimensions)}
    for i, leaf in enumerate(fw.indicators):
        if leaf.parent not in internal:
            raise CatalogError(
                f"indicator {leaf.id!r} names an unknown parent",
                file=src,
                column=f"indicators[{i}].parent",
                value=leaf.parent,
                hint=f"Valid parents: {', '.join(sorted(internal))}",
            )
    for d in fw.dimensions:
        if d.parent not in internal:
            raise CatalogError(
                f"dimension {d.id!r} names an unknown parent",
                file=src,
                column=where[d.id],
                value=d.parent,
                hint=f"Valid parents: {', '.join(sorted(internal))}",
            )
        path, node = [d.id], d.parent
        while node != fw.index:
            if node in path:
                cycle = " -> ".join([*path[path.index(node) :], node])
                raise CatalogError(
                    f"the framework has a cycle: {cycle}",
                    file=src,
                    column=where[d.id],
                    value=d.parent,
                    hint=f"Every dimension must lead up to the index {fw.index!r}",
                )
            path.append(node)
            node = parents[node]
    kids: dict[str, list[tuple[str, float]]] = {n: [] for n in internal}
    for d in fw.dimensions:
        kids[d.parent].append((d.id, d.weight))
    for leaf in fw.indicators:
        kids[leaf.parent].append((leaf.id, leaf.weight))
    for node, ch in kids.items():
        if not ch:
            raise CatalogError(
                f"dimension {node!r} has no indicators or dimensions under it", file=src
            )
        total = sum(w for _, w in ch)
        if fw.weights_sum is not None and abs(total - fw.weights_sum) > 1e-6:
            raise CatalogError(
                f"the weights under {node!r} sum to {total:g}, not to {fw.weights_sum:g} "
                "as declared (weights_sum)",
                file=src,
                column=f"{node}.children.weight",
                value=[f"{c}={w:g}" for c, w in ch],
                hint="Fix the weights, or drop weights_sum to have them normalised",
            )
        if total <= 0:
            raise CatalogError(f"the weights under {node!r} are all zero", file=src)
    # children-first order of the internal nodes: by depth, deepest first
    depth: dict[str, int] = {fw.index: 0}

    def _depth(n: str) -> int:
        if n not in depth:
            depth[n] = _depth(parents[n]) + 1
        return depth[n]

    order = [*sorted((d.id for d in fw.dimensions), key=_depth, reverse=True), fw.index]
    nodes = [leaf.id for leaf in fw.indicators] + order
    pos = {n: k for k, n in enumerate(nodes)}
    agg = {d.id: d.aggregation or fw.aggregation for d in fw.dimensions}
    agg[fw.index] = fw.aggregation
    n_leaves = len(fw.indicators)
    return Tree(
        nodes=tuple(nodes),
        kinds=tuple(
            "indicator" if k < n_leaves else ("index" if n == fw.index else "dimension")
            for k, n in enumerate(nodes)
        ),
        children=tuple(
            () if k < n_leaves else tuple(pos[c] for c, _ in kids[n]) for k, n in enumerate(nodes)
        ),
        weights=tuple(
            () if k < n_leaves else tuple(w for _, w in kids[n]) for k, n in enumerate(nodes)
        ),
        aggregation=tuple("" if k < n_leaves else agg[n] for k, n in enumerate(nodes)),
        n_leaves=n_leaves,
    )


def _build(raw: Any) -> Framework:
    if not isinstance(raw, dict):
        raise TypeError("the file must hold a mapping with id, title, index and indicators")
    return Framework.model_validate(raw)


def load_framework(path: str | Path, catalog: Catalog | None = None) -> tuple[Framework, Tree]:
    """Return a framework file's model and its checked tree.

    With ``catalog``, every indicator must name a catalogue indicator.

    Raises
    ------
    CatalogError
        Malformed file (the field is named, e.g. ``indicators.2.direction``), a parent
        that is not a dimension or the index, a cycle of dimensions, a dimension without
        children, an unknown catalogue indicator, or weights that do not sum to the
        declared ``weights_sum``.
    """
    src = Path(path)
    fw = read_yaml_data(src, "composite-index framework", _build)
    if catalog is not None:
        for i, leaf in enumerate(fw.indicators):
            if leaf.catalogue_id not in catalog.indicators:
                raise CatalogError(
                    f"indicator {leaf.id!r} is not in the catalogue",
                    file=str(src),
                    column=f"indicators[{i}].indicator",
                    value=leaf.catalogue_id,
                    hint=f"Known indicators: {', '.join(sorted(catalog.indicators))}",
                )
    return fw, _check_tree(fw, str(src))


def tree_of(fw: Framework, where: str) -> Tree:
    """Return the checked tree of a framework built in memory (``where`` names it in
    errors), as :func:`load_framework` does for a file: the toolbox's self-check builds
    a module's checklist this way, on the same engine."""
    return _check_tree(fw, where)


def bundled_framework(name: str = "integration_outcomes") -> Path:
    """Return the path of a framework shipped in ``zaragoza/compare/frameworks``."""
    return Path(str(resources.files("zaragoza.compare") / "frameworks" / f"{name}.yaml"))
