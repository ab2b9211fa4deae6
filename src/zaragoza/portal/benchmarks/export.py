"""A published round's scores as a file (``zaragoza benchmarks export``): the rows of
``GET /api/v1/benchmarks/{round}/scores``, with the round and, for the example round, the
label "example — not real cities" on every row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zaragoza.errors import UsageError

__all__ = ["export_round", "round_table"]


def round_table(slug: str) -> pd.DataFrame:
    """The published scores of round ``slug`` as a table.

    Raises
    ------
    UsageError
        For a round that does not exist or is not published, naming the published ones.
    """
    from zaragoza.portal.benchmarks.api import round_rows
    from zaragoza.portal.benchmarks.models import Round
    from zaragoza.portal.benchmarks.services import EXAMPLE_LABEL

    rnd = Round.objects.select_related("network").filter(slug=slug, state="published").first()
    if rnd is None:
        published = list(Round.objects.filter(state="published").values_list("slug", flat=True))
        raise UsageError(
            "no published round has this id",
            value=slug,
            hint="Published rounds: "
            + (
                ", ".join(published)
                or "none (`zaragoza benchmarks example` loads the example rounds)"
            ),
        )
    table = pd.DataFrame(round_rows(rnd))
    table.insert(0, "framework", rnd.framework)
    table.insert(0, "round", rnd.slug)
    table["note"] = EXAMPLE_LABEL if rnd.example else ""
    return table


def export_round(slug: str, out: Path, fmt: str) -> int:
    """Write round ``slug``'s scores to ``out`` as ``csv`` or ``xlsx``; return the rows."""
    table = round_table(slug)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        table.to_excel(out, index=False, sheet_name="scores")
    else:
        table.to_csv(out, index=False, encoding="utf-8")
    return len(table)
