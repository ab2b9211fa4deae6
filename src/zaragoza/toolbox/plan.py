"""A plan: the measures an authority keeps, with its notes and the indicators to watch;
and the selection and the plan as CSV and PDF.

The selection's CSV has one row per ranked measure (``measure_id`` first, then title,
module, component, score, the indicators it targets and its reasons), then one row per
excluded measure with the reason; ``synthetic`` is true on a row when a gap
behind that measure's score comes from synthetic records (a demonstration, not
statistics).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from zaragoza.errors import UsageError
from zaragoza.toolbox.loader import Toolbox
from zaragoza.toolbox.selection import Selection

__all__ = [
    "PLAN_COLUMNS",
    "SELECTION_COLUMNS",
    "SYNTHETIC_NOTE",
    "Plan",
    "PlanItem",
    "plan_csv",
    "plan_pdf",
    "selection_csv",
    "selection_rows",
]

SELECTION_COLUMNS = [
    "measure_id",
    "title",
    "module",
    "component",
    "score",
    "indicators",
    "reasons",
    "status",
    "rank",
    "gap",
    "fit",
    "evidence",
    "in_top_share",
    "synthetic",
]
PLAN_COLUMNS = [
    "measure_id",
    "title",
    "module",
    "component",
    "indicators_to_watch",
    "note",
    "geo",
    "toolbox_version",
]
SYNTHETIC_NOTE = (
    "Some gaps used come from figures computed from synthetic records (the embedded "
    "default warehouse): a demonstration of the method, not statistics about any real "
    "population."
)


@dataclass
class PlanItem:
    """A measure kept in a plan, with the authority's note."""

    measure_id: str
    note: str = ""


@dataclass
class Plan:
    """A plan: the measures kept for one geo, in the order they were added."""

    geo: str = ""
    level: str = ""
    query: str = ""  # the selection's query string (context and weights), to go back to it
    items: list[PlanItem] = field(default_factory=list)
    toolbox_version: str = ""

    def ids(self) -> list[str]:
        return [i.measure_id for i in self.items]

    def add(self, measure_id: str) -> bool:
        if measure_id in self.ids():
            return False
        self.items.append(PlanItem(measure_id))
        return True

    def remove(self, measure_id: str) -> None:
        self.items = [i for i in self.items if i.measure_id != measure_id]

    def note(self, measure_id: str, text: str) -> None:
        for item in self.items:
            if item.measure_id == measure_id:
                item.note = text
                return
        raise UsageError("the measure is not in the plan", value=measure_id)

    def watched_indicators(self, toolbox: Toolbox) -> list[str]:
        """The indicators the plan's measures target, in the plan's order, each once."""
        out: dict[str, None] = {}
        for ident in self.ids():
            try:
                _, _, m = toolbox.measure(ident)
            except KeyError:
                continue
            for t in m.indicators:
                out.setdefault(t.id)
        return list(out)

    def as_data(self) -> dict[str, object]:
        return {
            "geo": self.geo,
            "level": self.level,
            "query": self.query,
            "toolbox_version": self.toolbox_version,
            "items": [{"measure_id": i.measure_id, "note": i.note} for i in self.items],
        }

    @classmethod
    def from_data(cls, data: object) -> Plan:
        if not isinstance(data, dict):
            return cls()
        items = [
            PlanItem(str(i.get("measure_id", "")), str(i.get("note", "")))
            for i in data.get("items", [])
            if isinstance(i, dict) and i.get("measure_id")
        ]
        return cls(
            geo=str(data.get("geo", "")),
            level=str(data.get("level", "")),
            query=str(data.get("query", "")),
            items=items,
            toolbox_version=str(data.get("toolbox_version", "")),
        )


def selection_rows(sel: Selection, language: str = "en") -> list[dict[str, object]]:
    """Return the selection as rows of :data:`SELECTION_COLUMNS`."""
    rows: list[dict[str, object]] = []
    for r in sel.ranked:
        rows.append(
            {
                "measure_id": r.measure.id,
                "title": r.measure.text("title", language),
                "module": r.module.id,
                "component": r.component.id,
                "score": f"{r.score:.1f}",
                "indicators": ";".join(f"{t.id}:{t.direction}" for t in r.measure.indicators),
                "reasons": "; ".join(r.reasons),
                "status": "ranked",
                "rank": r.rank,
                "gap": "" if r.gap is None else f"{r.gap:.3f}",
                "fit": f"{r.fit:.3f}",
                "evidence": f"{r.evidence:.3f}",
                "in_top_share": f"{r.in_top_share:.3f}",
                "synthetic": str(r.synthetic).lower(),
            }
        )
    for x in sel.excluded:
        rows.append(
            {
                "measure_id": x.measure.id,
                "title": x.measure.text("title", language),
                "module": x.module.id,
                "component": x.component.id,
                "score": "",
                "indicators": ";".join(f"{t.id}:{t.direction}" for t in x.measure.indicators),
                "reasons": "excluded: " + "; ".join(x.reasons),
                "status": "excluded",
                "rank": "",
                "gap": "",
                "fit": "",
                "evidence": "",
                "in_top_share": "",
                "synthetic": "false",
            }
        )
    return rows


def _csv(columns: Sequence[str], rows: Sequence[dict[str, object]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def selection_csv(sel: Selection, language: str = "en") -> str:
    """Return the selection's CSV (module docstring)."""
    return _csv(SELECTION_COLUMNS, selection_rows(sel, language))


def plan_csv(plan: Plan, toolbox: Toolbox, language: str = "en") -> str:
    """Return the plan's CSV: one row per kept measure, its indicators to watch, the note."""
    rows: list[dict[str, object]] = []
    for item in plan.items:
        try:
            module, component, m = toolbox.measure(item.measure_id)
        except KeyError:
            continue
        rows.append(
            {
                "measure_id": m.id,
                "title": m.text("title", language),
                "module": module.id,
                "component": component.id,
                "indicators_to_watch": ";".join(t.id for t in m.indicators),
                "note": item.note,
                "geo": plan.geo,
                "toolbox_version": toolbox.version,
            }
        )
    return _csv(PLAN_COLUMNS, rows)


_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_LATIN1 = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u0153": "oe",
        "\u0152": "OE",
        "\u20ac": "EUR",
        "\u00b1": "+/-",
        "\u2265": ">=",
        "\u2264": "<=",
    }
)


def plan_pdf(
    plan: Plan,
    toolbox: Toolbox,
    *,
    language: str = "en",
    labels: dict[str, str] | None = None,
    synthetic: bool = False,
) -> bytes:
    """Return the plan as a PDF (fpdf2): title, geo, each kept measure with its summary,
    indicators to watch and the note; a line saying when figures behind the selection
    come from synthetic records. ``labels`` translates the headings (English default).

    The system's DejaVu Sans is used when installed (every character); otherwise the
    PDF's built-in Helvetica, with characters outside Latin-1 written in ASCII.
    """
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    lab = {
        "title": "Integration plan",
        "geo": "Geography",
        "measures": "Measures kept",
        "watch": "Indicators to watch",
        "note": "Note",
        "version": "Toolbox version",
        "synthetic": SYNTHETIC_NOTE,
        "empty": "No measure kept yet.",
        **(labels or {}),
    }
    pdf = FPDF(format="A4")
    pdf.set_title(lab["title"])
    pdf.set_creator("Zaragoza toolbox")
    if _FONT.exists():
        pdf.add_font("body", "", str(_FONT))
        family, clean = "body", (lambda t: t)
    else:
        family = "helvetica"

        def clean(t: str) -> str:
            return t.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()

    def line(text: str, size: float = 10, height: float = 5.5) -> None:
        pdf.set_font(family, size=size)
        pdf.multi_cell(0, height, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # type: ignore[no-untyped-call]

    line(lab["title"], 18, 9)
    line(f"{lab['geo']}: {plan.geo} ({plan.level})", 11)
    line(f"{lab['version']}: {toolbox.version}", 9)
    if synthetic:
        line(lab["synthetic"], 9)
    pdf.ln(3)
    line(lab["measures"], 14, 8)
    if not plan.items:
        line(lab["empty"])
    for n, item in enumerate(plan.items, start=1):
        try:
            module, component, m = toolbox.measure(item.measure_id)
        except KeyError:
            continue
        line(f"{n}. {m.text('title', language)}", 12, 7)
        line(
            f"{module.title.get(language) or module.title['en']} / "
            f"{component.title.get(language) or component.title['en']}",
            9,
        )
        line(m.text("summary", language))
        line(
            f"{lab['watch']}: {', '.join(t.id + ' (' + t.direction + ')' for t in m.indicators)}", 9
        )
        if item.note:
            line(f"{lab['note']}: {item.note}")
        pdf.ln(2)
    return bytes(pdf.output())
