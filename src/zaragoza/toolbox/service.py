"""One call from a context to a selection, shared by the command line and the portal.

:func:`select` reads the authority's gaps from the warehouse (through
:mod:`zaragoza.toolbox.gaps`), the evidence levels of the knowledge base's practices and
the catalogue's units, and ranks the toolbox's measures (:func:`~zaragoza.toolbox.
selection.recommend`). A missing or unreadable warehouse is an error; a warehouse
without figures for the geo is not (the ranking then rests on context and evidence).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import yaml

from zaragoza.toolbox.context import AuthorityContext
from zaragoza.toolbox.gaps import AuthorityGaps, authority_gaps, read_observations
from zaragoza.toolbox.loader import Toolbox
from zaragoza.toolbox.schema import Weights
from zaragoza.toolbox.selection import Selection, recommend
from zaragoza.warehouse.reader import WarehouseReader

__all__ = ["indicator_units", "practice_levels", "select"]

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def practice_levels() -> dict[str, str]:
    """The evidence level of each bundled knowledge-base practice (``none`` if unsaid)."""
    folder = Path(str(resources.files("zaragoza.knowledge") / "content" / "practices"))
    out = {}
    for path in sorted(folder.glob("*.y*ml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
        if isinstance(data, dict):
            out[path.stem] = str(data.get("evidence_level") or "none")
    return out


@functools.cache
def indicator_units() -> dict[str, str]:
    """The unit of each catalogue indicator (``PC``, ``EUR``, ...)."""
    from zaragoza.catalog.loader import load_catalog

    return {i: ind.unit for i, ind in load_catalog().items()}


def warehouse_gaps(
    warehouse: str | Path | WarehouseReader,
    toolbox: Toolbox,
    context: AuthorityContext,
    time: int | None = None,
) -> AuthorityGaps:
    """Return the authority's gaps on every indicator the toolbox's measures target."""
    targeted = sorted({t.id for _, _, m in toolbox.measures() for t in m.indicators})
    geos = sorted({context.geo, context.country})
    obs = read_observations(warehouse, geo=geos, indicator=targeted)
    return authority_gaps(obs, context.geo, time=time)


def select(
    toolbox: Toolbox,
    context: AuthorityContext,
    warehouse: str | Path | WarehouseReader,
    *,
    weights: Weights | None = None,
    time: int | None = None,
) -> Selection:
    """Return the selection for ``context`` on ``warehouse`` (module docstring)."""
    gaps = warehouse_gaps(warehouse, toolbox, context, time)
    return recommend(
        toolbox,
        context,
        gaps,
        weights=weights,
        time=time,
        practice_levels=practice_levels(),
        units=indicator_units(),
    )
