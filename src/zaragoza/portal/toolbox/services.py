"""What the toolbox's pages and API share: the toolbox served, a request's selection,
the plan of a session or a user, and Europe's gaps on a measure's indicators.

The toolbox is the bundled one, or ``ZARAGOZA_TOOLBOX`` (a folder or a file), loaded and
validated once per worker. A selection is read from query parameters: the context's
fields (:data:`zaragoza.toolbox.context.CONTEXT_FIELDS`), ``w_gap``, ``w_fit``,
``w_evidence`` and ``time``; any other parameter is refused.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from pydantic import ValidationError as PydanticValidationError

from zaragoza.errors import ParameterError
from zaragoza.portal.accounts.permissions import Action, Scope, require
from zaragoza.portal.monitoring.caching import remember
from zaragoza.toolbox.context import CONTEXT_FIELDS, AuthorityContext, context_from_query
from zaragoza.toolbox.gaps import Gap, europe_gaps, read_observations
from zaragoza.toolbox.loader import Toolbox, load_toolbox
from zaragoza.toolbox.plan import Plan
from zaragoza.toolbox.schema import Weights
from zaragoza.toolbox.selection import Selection
from zaragoza.toolbox.service import select
from zaragoza.warehouse.reader import reader_for

__all__ = [
    "SELECTION_PARAMETERS",
    "WEIGHT_PARAMETERS",
    "SelectionRequest",
    "europe_gaps_for",
    "load_plan",
    "parse_selection",
    "run_selection",
    "save_plan",
    "toolbox",
]

WEIGHT_PARAMETERS = {"w_gap": "gap", "w_fit": "fit", "w_evidence": "evidence"}
#: Every parameter a selection reads.
SELECTION_PARAMETERS = (*CONTEXT_FIELDS, *WEIGHT_PARAMETERS, "time")
_SESSION_KEY = "toolbox_plan"


@functools.lru_cache(maxsize=4)
def _load(source: str | None) -> Toolbox:
    return load_toolbox(source)


def toolbox() -> Toolbox:
    """The toolbox the portal serves (validated once per worker)."""
    return _load(getattr(settings, "ZARAGOZA_TOOLBOX", None))


@dataclass(frozen=True)
class SelectionRequest:
    """A checked request for a selection: the context, the weights, the year."""

    context: AuthorityContext
    weights: Weights
    time: int | None

    def query(self) -> str:
        """The canonical query string (context, weights, year): the shareable URL's."""
        pairs = self.context.to_query()
        pairs += [(p, f"{getattr(self.weights, w):g}") for p, w in WEIGHT_PARAMETERS.items()]
        if self.time is not None:
            pairs.append(("time", str(self.time)))
        return urlencode(pairs)


def parse_selection(params: Mapping[str, Any], tb: Toolbox) -> SelectionRequest:
    """Return the checked selection request of query parameters.

    ``params`` maps a name to a value or a list of values (a ``QueryDict``'s lists).

    Raises
    ------
    ParameterError
        An unknown parameter, or an invalid value (the parameter, the value and what is
        valid are named).
    """
    for name in params:
        if name not in SELECTION_PARAMETERS and not name.startswith("_"):
            raise ParameterError("parameter", name, list(SELECTION_PARAMETERS))
    context = context_from_query(
        {k: v for k, v in params.items() if k in CONTEXT_FIELDS}, tb.settings.context
    )
    values = tb.settings.weights.model_dump()
    for param, name in WEIGHT_PARAMETERS.items():
        raw = _last(params.get(param))
        if raw is None or raw == "":
            continue
        try:
            values[name] = float(raw)
        except ValueError:
            raise ParameterError(param, raw, "a number from 0 to 100") from None
    try:
        weights = Weights(**values)
    except PydanticValidationError as exc:
        err = exc.errors()[0]
        loc = err.get("loc") or ()
        param = f"w_{loc[0]}" if loc else "w_gap"
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ParameterError(param, err.get("input"), f"a number from 0 to 100 ({msg})") from None
    time = None
    raw_time = _last(params.get("time"))
    if raw_time:
        try:
            time = int(raw_time)
        except ValueError:
            raise ParameterError("time", raw_time, "a year, e.g. 2023") from None
        if not 1990 <= time <= 2100:
            raise ParameterError("time", raw_time, "a year from 1990 to 2100")
    return SelectionRequest(context, weights, time)


def _last(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Sequence) and value:
        return str(value[-1]).strip()
    return None


def run_selection(req: SelectionRequest) -> Selection:
    """The selection, kept in the worker's cache under the warehouse's and the
    toolbox's versions and the canonical query."""
    tb = toolbox()
    reader = reader_for(settings.ZARAGOZA_WAREHOUSE)
    key = f"toolbox-sel:{reader.version().tag}:{tb.version}:{req.query()}"
    return remember(
        key, lambda: select(tb, req.context, reader, weights=req.weights, time=req.time)
    )


def europe_gaps_for(indicator: str, direction: str, limit: int = 5) -> list[Gap]:
    """The countries where the gap against the measure's direction is largest."""
    reader = reader_for(settings.ZARAGOZA_WAREHOUSE)
    key = f"toolbox-eu:{reader.version().tag}:{indicator}:{direction}:{limit}"

    def make() -> list[Gap]:
        return europe_gaps(
            read_observations(reader, indicator=[indicator]), indicator, direction, limit=limit
        )

    return remember(key, make)


def _scope(request: HttpRequest) -> Scope:
    if request.user.is_authenticated:
        return Scope("toolbox_plan", owner_id=request.user.pk)
    return Scope("toolbox_plan", state="session")


def load_plan(request: HttpRequest) -> Plan:
    """The plan of the signed-in user (from the database) or of the session.

    A plan begun before signing in moves to the user's plan when that one is empty.
    """
    require(request.user, Action.VIEW, _scope(request))
    session = Plan.from_data(request.session.get(_SESSION_KEY))
    if not request.user.is_authenticated:
        return session
    from zaragoza.portal.toolbox.models import Plan as StoredPlan

    stored = StoredPlan.objects.filter(owner=request.user).first()
    if stored is not None and stored.items:
        return Plan.from_data(
            {
                "geo": stored.geo,
                "level": stored.level,
                "query": stored.query,
                "items": stored.items,
                "toolbox_version": stored.toolbox_version,
            }
        )
    if session.items:
        save_plan(request, session)
        request.session.pop(_SESSION_KEY, None)
    return session


def save_plan(request: HttpRequest, plan: Plan) -> None:
    """Keep ``plan`` for the signed-in user (database) or in the session."""
    require(request.user, Action.EDIT, _scope(request))
    data = plan.as_data()
    if not request.user.is_authenticated:
        request.session[_SESSION_KEY] = data
        return
    from zaragoza.portal.toolbox.models import Plan as StoredPlan

    StoredPlan.objects.update_or_create(
        owner=request.user,
        defaults={
            "geo": plan.geo,
            "level": plan.level,
            "query": plan.query,
            "items": data["items"],
            "toolbox_version": plan.toolbox_version,
        },
    )
