"""What the toolbox's templates show: texts in the page's language (English, and said so,
where a text is not translated), labels of codes, the browse filters, and the rows of a
selection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from zaragoza.knowledge.markdown import render_markdown
from zaragoza.knowledge.taxonomy import Taxonomy
from zaragoza.toolbox.loader import Toolbox
from zaragoza.toolbox.schema import Component, Measure, Module
from zaragoza.toolbox.service import practice_levels

__all__ = ["FILTERS", "Text", "browse", "label", "measure_view", "text"]

#: Browse filters: parameter, taxonomy list (or None for the module) .
FILTERS = (
    ("module", None),
    ("level", "level"),
    ("target_group", "target_groups"),
    ("fund", "funding"),
    ("evidence", "evidence"),
    ("theme", "themes"),
)


@dataclass(frozen=True)
class Text:
    """A text in the page's language; ``lang`` set when it falls back to English."""

    html: SafeString
    lang: str | None


def text(value: Mapping[str, str] | None, *, markdown: bool = True) -> Text:
    """Return ``value`` in the current language, else English with ``lang="en"``."""
    if not value:
        return Text(mark_safe(""), None)
    language = (get_language() or "en")[:2]
    chosen = value.get(language)
    fallback = None
    if not chosen:
        chosen = value["en"]
        fallback = "en" if language != "en" else None
    if markdown:
        return Text(mark_safe(render_markdown(chosen)), fallback)
    from django.utils.html import escape

    return Text(mark_safe(escape(chosen)), fallback)


def label(tax: Taxonomy, name: str, code: str) -> str:
    return tax.label(name, code, (get_language() or "en")[:2])


def _evidence_levels(m: Measure) -> set[str]:
    levels = {e.level for e in m.evidence.evaluations}
    levels |= {practice_levels().get(p, "none") for p in m.evidence.practices}
    return levels or {"none"}


def _matches(module: Module, m: Measure, chosen: Mapping[str, set[str]]) -> bool:
    tests = {
        "module": {module.id},
        "level": set(m.levels),
        "target_group": set(m.target_groups),
        "fund": set(m.funds),
        "evidence": _evidence_levels(m),
        "theme": set(m.themes),
    }
    return all(not want or (want & tests[name]) for name, want in chosen.items())


def browse(tb: Toolbox, chosen: Mapping[str, set[str]]) -> dict[str, Any]:
    """The modules with their components and the measures that pass the filters, and
    the filters' options with counts (under the other filters)."""
    tax = tb.taxonomy
    modules: list[dict[str, Any]] = []
    for module in tb.modules:
        comps = []
        for c in module.components:
            ms = [m for m in c.measures if _matches(module, m, chosen)]
            if ms:
                comps.append(
                    {
                        "component": c,
                        "title": text(c.title, markdown=False),
                        "measures": [
                            {
                                "measure": m,
                                "title": text(m.title, markdown=False),
                                "summary": text(m.summary),
                            }
                            for m in ms
                        ],
                    }
                )
        if comps:
            modules.append(
                {"module": module, "title": text(module.title, markdown=False), "components": comps}
            )
    filters = []
    for name, tax_list in FILTERS:
        others = {k: v for k, v in chosen.items() if k != name}
        counts: dict[str, int] = {}
        for module, _c, m in tb.measures():
            if not _matches(module, m, others):
                continue
            values = {
                "module": {module.id},
                "level": set(m.levels),
                "target_group": set(m.target_groups),
                "fund": set(m.funds),
                "evidence": _evidence_levels(m),
                "theme": set(m.themes),
            }[name]
            for v in values:
                counts[v] = counts.get(v, 0) + 1
        options: list[tuple[str, str]]
        if tax_list is None:
            options = [(mod.id, str(text(mod.title, markdown=False).html)) for mod in tb.modules]
        else:
            options = [(code, label(tax, tax_list, code)) for code in tax.codes(tax_list)]
        filters.append(
            {
                "name": name,
                "options": [
                    {
                        "code": code,
                        "label": lab,
                        "count": counts.get(code, 0),
                        "selected": code in chosen.get(name, set()),
                    }
                    for code, lab in options
                    if counts.get(code, 0) or code in chosen.get(name, set())
                ],
            }
        )
    total = sum(len(c["measures"]) for mod in modules for c in mod["components"])
    return {"modules": modules, "filters": filters, "total": total}


def measure_view(tb: Toolbox, module: Module, component: Component, m: Measure) -> dict[str, Any]:
    """The texts and labels of a measure card."""
    tax = tb.taxonomy
    return {
        "measure": m,
        "module": module,
        "component": component,
        "module_title": text(module.title, markdown=False),
        "component_title": text(component.title, markdown=False),
        "title": text(m.title, markdown=False),
        "summary": text(m.summary),
        "purpose": text(m.purpose),
        "follow_up": text(m.follow_up),
        "implementation": [text(step) for step in m.implementation],
        "cost_drivers": text(m.cost.drivers) if m.cost.drivers else None,
        "preconditions": [{"p": p, "text": text(p.text, markdown=False)} for p in m.preconditions],
        "themes": [label(tax, "themes", c) for c in m.themes],
        "target_groups": [label(tax, "target_groups", c) for c in m.target_groups],
        "levels": [label(tax, "level", c) for c in m.levels],
        "funds": [label(tax, "funding", c) for c in m.funds],
        "evaluations": [
            {"e": e, "level": label(tax, "evidence", e.level)} for e in m.evidence.evaluations
        ],
        "practices": [
            {"id": p, "level": label(tax, "evidence", practice_levels().get(p, "none"))}
            for p in m.evidence.practices
        ],
    }
