"""Comparisons across versions of a framework and across the entities of a round."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zaragoza.errors import CatalogError, InputError, UsageError
from zaragoza.frameworks.model import Framework, Question

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PEER_COLUMNS", "core_changes", "peers"]

#: Columns of :func:`peers`.
PEER_COLUMNS = ["node", "entity_score", "peer", "peer_score"]


def _scale(q: Question) -> tuple[object, ...]:
    return (
        q.type,
        tuple((o.id, o.score) for o in q.options),
        q.number and (q.number.min, q.number.max),
    )


def core_changes(old: Framework, new: Framework) -> list[str]:
    """The ids of the questions marked core in both versions, in the new one's order:
    the answers that are comparable between rounds run on the two versions.

    Raises
    ------
    CatalogError
        The two are not versions of one framework, or a question core in both changed
        its type or answer scale (its scores would not be comparable; it should not be
        core in the new version).
    """
    if old.id != new.id:
        raise CatalogError(
            "core questions are compared between versions of one framework",
            value=f"{old.key} and {new.key}",
        )
    was = {q.id: q for q in old.core_questions()}
    out = []
    for q in new.core_questions():
        before = was.get(q.id)
        if before is None:
            continue
        if _scale(before) != _scale(q):
            raise CatalogError(
                f"core question {q.id!r} changed its type or answer scale between "
                f"{old.key} and {new.key}",
                column=q.id,
                hint="A core question keeps its type, options and scores; otherwise mark "
                "it core: false in the new version",
            )
        out.append(q.id)
    return out


def peers(frame: pd.DataFrame, entity: str, level: str = "dimension", n: int = 3) -> pd.DataFrame:
    """The entities to learn from where ``entity`` scores low.

    For each node of ``level`` where the entity's score is below the median of the
    scores there (all the round's entities with a score, the entity included), the ``n``
    other entities scoring highest there (ties in entity order).

    Parameters
    ----------
    frame
        :func:`~zaragoza.frameworks.scoring.scores_frame` output of one round.

    Returns
    -------
    pandas.DataFrame
        :data:`PEER_COLUMNS`, nodes in the frame's order, peers best first.
    """
    import pandas as pd

    levels = ("question", "standard", "dimension", "overall")
    if level not in levels:
        raise UsageError("unknown level", value=level, hint=f"Valid: {', '.join(levels)}")
    if n < 1:
        raise UsageError("n is the number of peers to show, at least 1", value=n)
    if entity not in set(frame["entity"]):
        raise InputError("the entity has no scores in this round", column="entity", value=entity)
    at = frame[(frame["level"] == level) & frame["score"].notna()]
    rows: list[tuple[str, float, str, float]] = []
    for node in dict.fromkeys(at["node"]):
        here = at[at["node"] == node]
        mine = here[here["entity"] == entity]
        if mine.empty:
            continue
        own = float(mine["score"].iloc[0])
        if not own < float(here["score"].median()):
            continue
        others = here[(here["entity"] != entity) & (here["score"] > own)]
        best = others.sort_values("score", ascending=False, kind="stable").head(n)
        rows.extend(
            (node, own, p, float(s)) for p, s in zip(best["entity"], best["score"], strict=True)
        )
    return pd.DataFrame.from_records(rows, columns=PEER_COLUMNS)
