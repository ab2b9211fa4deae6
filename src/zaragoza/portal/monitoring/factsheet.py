"""The printable country factsheet: the profile's charts drawn on the server and the
page rendered to PDF.

The charts are the ones the page draws with plotly.js, from the same chart data
(:mod:`.pages.country`): a dot plot of the reference year per unit and, per indicator, the
levels and the gap over time with the EU targets, the breaks in series and the reference
year. matplotlib draws them as images; WeasyPrint lays out the factsheet's HTML
(``monitoring/factsheet.html``) on A4 pages with the figures of the tables as text, so
they can be read, searched and copied. Both are imported only when a factsheet is made: the pages
and the command line do not pay for them.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

__all__ = ["dots_image", "factsheet_charts", "render_pdf", "trend_image"]

# Okabe-Ito, as charts.js: the migrant group, nationals, then the EU average in black.
_MIGRANTS, _NATIONALS, _EU, _TARGET, _GREY = "#0072B2", "#D55E00", "#000000", "#5a5a5a", "#bdbdbd"
_DPI = 150
_FONT = "DejaVu Sans"  # shipped with matplotlib, so every server has it
# matplotlib's global settings are shared by threads: set once, under a lock.
_SETUP = threading.Lock()
_READY = False


def _figure(width: float, height: float) -> Any:
    global _READY
    import matplotlib

    with _SETUP:
        if not _READY:
            matplotlib.use("Agg")  # drawn to files only, never to a screen
            matplotlib.rcParams["font.family"] = _FONT
            matplotlib.rcParams["font.size"] = 8
            _READY = True
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _image(fig: Any, alt: str) -> SafeString:
    """The figure as an ``img`` of a 150 dpi PNG (print quality; WeasyPrint lays out a
    raster image many times faster than it draws SVG, and the figures are in the
    factsheet's tables as text)."""
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=_DPI, metadata={"Software": None})
    data = base64.b64encode(out.getvalue()).decode("ascii")
    return format_html('<img alt="{}" src="data:image/png;base64,{}">', alt, data)


def _nan(v: float | None) -> float:
    return math.nan if v is None else float(v)


def _style(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=3)
    ax.grid(axis="x" if ax.get_ylabel() == "" else "y", color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)


def dots_image(spec: Mapping[str, Any]) -> SafeString:
    """The dot plot of one unit (``spec`` as ``charts.js`` gets it) as SVG: one line per
    indicator, the migrant group and nationals with their 95% intervals, the EU average
    as a bar, as an ``img``."""
    lines = [textwrap.fill(t, 44) for t in spec["lines"]]
    n = len(lines)
    fig = _figure(7.0, 0.8 + 0.3 * n + 0.06 * sum(t.count("\n") for t in lines))
    ax = fig.add_subplot()
    ys = list(range(n))[::-1]
    for key, colour, marker, name in (
        ("migrants", _MIGRANTS, "o", spec["names"]["migrants"]),
        ("nationals", _NATIONALS, "D", spec["names"]["nationals"]),
    ):
        dots = spec[key]
        x = [_nan(d["value"]) for d in dots]
        lo = [x[i] - d["lo"] if d["lo"] is not None else 0.0 for i, d in enumerate(dots)]
        hi = [d["hi"] - x[i] if d["hi"] is not None else 0.0 for i, d in enumerate(dots)]
        ax.errorbar(x, ys, xerr=[lo, hi], fmt=marker, color=colour, markersize=5,
                    elinewidth=1, capsize=2, label=name, zorder=3)  # fmt: skip
    eu = [
        (y, d["value"]) for y, d in zip(ys, spec["eu"], strict=True) if d and d["value"] is not None
    ]
    if eu:
        ax.scatter([v for _, v in eu], [y for y, _ in eu], marker="|", s=160, color=_EU,
                   linewidths=1.6, label=spec["names"]["eu"], zorder=4)  # fmt: skip
    for y, (m, nat) in zip(ys, zip(spec["migrants"], spec["nationals"], strict=True), strict=True):
        if m["value"] is not None and nat["value"] is not None:
            ax.plot([m["value"], nat["value"]], [y, y], color=_GREY, linewidth=1, zorder=2)
    ax.set_yticks(ys, lines)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(spec["xTitle"])
    _style(ax)
    # across the whole figure, in the order of the page's legend
    handles, names = ax.get_legend_handles_labels()
    order = [names.index(spec["names"][k]) for k in ("migrants", "nationals", "eu")
             if spec["names"][k] in names]  # fmt: skip
    fig.legend([handles[i] for i in order], [names[i] for i in order], loc="upper left",
               bbox_to_anchor=(0.01, 1.0), ncol=3, frameon=False, fontsize=6.5)  # fmt: skip
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.4, right=0.97, top=1 - 0.3 / height, bottom=0.45 / height)
    return _image(fig, _("Dot plot: %(title)s") % {"title": spec["title"]})


def trend_image(spec: Mapping[str, Any]) -> SafeString:
    """The levels (with the EU targets) and the gap over time of one indicator as SVG:
    a break in series is a dotted line before its year, the reference year shaded; as an
    ``img``."""
    fig = _figure(3.45, 2.7)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    years = spec["traces"][0]["x"]
    for ax in (top, bottom):
        ax.axvspan(spec["reference"] - 0.5, spec["reference"] + 0.5, color="#eef3f8", zorder=0)
        for b in spec["breaks"]:
            ax.axvline(b - 0.5, color=_TARGET, linestyle=":", linewidth=1)
    for t, colour, style in zip(spec["traces"], (_MIGRANTS, _NATIONALS), ("-", "--"), strict=False):
        _line(top, years, t, colour, style)
    for line in spec["targets"]:
        top.axhline(line["value"], color=_TARGET, linestyle="-.", linewidth=0.9)
        top.annotate(line["label"], (1, line["value"]), xycoords=("axes fraction", "data"),
                     ha="right", va="bottom", fontsize=6, color=_TARGET)  # fmt: skip
    if spec["breaks"]:
        top.annotate("b", (spec["breaks"][0] - 0.5, 1), xycoords=("data", "axes fraction"),
                     ha="left", va="top", fontsize=7, color=_TARGET)  # fmt: skip
    top.set_ylabel(spec["yTitle"])
    top.legend(fontsize=6, frameon=False, loc="best")
    bottom.axhline(0, color="#1a1a1a", linewidth=0.7)
    _line(bottom, years, spec["gap"], _MIGRANTS, "-")
    bottom.set_ylabel(spec["gapTitle"] or spec["yTitle"], fontsize=6)
    bottom.set_xticks(years[:: max(1, math.ceil(len(years) / 6))])
    for ax in (top, bottom):
        _style(ax)
    fig.subplots_adjust(left=0.19, right=0.98, top=0.97, bottom=0.09, hspace=0.12)
    return _image(fig, _("Chart: levels and gap over time"))


def _line(ax: Any, years: Sequence[int], t: Mapping[str, Any], colour: str, style: str) -> None:
    y = [_nan(v) for v in t["y"]]
    ax.plot(years, y, linestyle=style, marker="o", markersize=2.5, color=colour,
            linewidth=1.3, label=t["name"])  # fmt: skip
    if any(v is not None for v in t["lo"]):
        lo = [_nan(a) for a in t["lo"]]
        hi = [_nan(b) for b in t["hi"]]
        ax.fill_between(years, lo, hi, color=colour, alpha=0.18, linewidth=0)


def factsheet_charts(data: Mapping[str, Any]) -> dict[str, Any]:
    """The profile's data with each chart drawn (``image`` of each dot plot and trend),
    for the factsheet's template."""
    return {
        **data,
        "dots": [{**d, "image": dots_image(d)} for d in data["dots"]],
        "trends": [{**t, "image": trend_image(t["chart"])} for t in data["trends"]],
    }


def render_pdf(html: str) -> bytes:
    """Lay out the factsheet's ``html`` on A4 pages and return the PDF.

    Nothing is fetched: the charts are inline SVG and the style is in the page, and the
    fetcher refuses every URL but ``data:`` ones, so a factsheet can read no file and
    reach no server.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    pdf = HTML(string=html, base_url="data:,", url_fetcher=fetcher).write_pdf()
    assert pdf is not None
    return bytes(pdf)
