"""Server-side bar charts as inline SVG (no JavaScript, no CDN); every text is escaped.

Colours come from the Okabe–Ito colour-blind-safe palette. Charts scale to the width of
their container (a phone's 390 px included); values stand in their own column to the right
of the plot, so reference lines never cross them, and every reference line has a row in the
legend below the bars. Numbers follow the page's language (decimal comma in Swedish).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from gisapp.web.numbers import number

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")
LABEL_W = 170
BAR_H = 16
GAP = 4
HEADER_H = 20
VALUE_W = 70
PLOT_W = 360
LEGEND_ROW_H = 16
MAX_LABEL_CHARS = 28  # longer labels are shortened; the full text stays in a tooltip


@dataclass(frozen=True)
class Bar:
    """One bar: label, value (``None`` = no data), colour, and an optional group heading."""

    label: str
    value: float | None
    colour: str = OKABE_ITO[0]
    group: str = ""


@dataclass(frozen=True)
class Reference:
    """A vertical reference line over the bars of ``group`` (``""`` = the whole chart)."""

    label: str
    value: float
    colour: str = "#000000"
    group: str = ""


def _format(value: float | None, unit: str, lang: str) -> str:
    """A value as the page's language writes it, with ``%`` for shares."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    short = "\u00a0%" if unit.startswith("procent") else ""
    return number(value, lang, 0 if abs(value) >= 100 else 1) + short


def _layout(bars: list[Bar]) -> tuple[list[tuple[str, float]], list[tuple[Bar, float]], float]:
    """Y positions of group headings and bars, and the total height."""
    y, headings, placed, current = 4.0, [], [], None
    for bar in bars:
        if bar.group and bar.group != current:
            current = bar.group
            headings.append((bar.group, y + 14))
            y += HEADER_H
        placed.append((bar, y))
        y += BAR_H + GAP
    return headings, placed, y + 12


def bar_chart(bars: list[Bar], *, unit: str, title: str, lang: str = "sv",
              references: tuple[Reference, ...] = ()) -> Markup:
    """Horizontal bars grouped under headings, with reference lines (e.g. län, class average).

    Returns an escaped ``<svg>`` element that scales to its container. Bars without a value
    are labelled "–"; each reference line is listed in the legend with its value.
    """
    values = [b.value for b in bars if b.value is not None and not math.isnan(b.value)]
    values += [r.value for r in references]
    top = max([*values, 0.0]) or 1.0
    scale = PLOT_W / top
    headings, placed, bars_end = _layout(bars)
    legend = list(dict.fromkeys((r.label, r.colour, r.value) for r in references))
    height = bars_end + LEGEND_ROW_H * len(legend)
    width = LABEL_W + PLOT_W + VALUE_W
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
             f'style="max-width:{width}px;height:auto" viewBox="0 0 {width} {height:.0f}" '
             f'font-family="system-ui, sans-serif" font-size="11">',
             f"<title>{escape(title)}</title>"]
    for text, y in headings:
        parts.append(f'<text x="2" y="{y:.0f}" font-weight="bold">{escape(text)}</text>')
    for bar, y in placed:
        shown = (bar.label if len(bar.label) <= MAX_LABEL_CHARS
                 else bar.label[:MAX_LABEL_CHARS - 1] + "…")
        parts.append(f'<text x="{LABEL_W - 4}" y="{y + 12:.0f}" text-anchor="end">'
                     f"<title>{escape(bar.label)}</title>{escape(shown)}</text>")
        if bar.value is not None and not math.isnan(bar.value):
            parts.append(f'<rect x="{LABEL_W}" y="{y:.0f}" width="{bar.value * scale:.1f}" '
                         f'height="{BAR_H}" fill="{escape(bar.colour)}"/>')
        parts.append(f'<text x="{width - 2}" y="{y + 12:.0f}" text-anchor="end">'
                     f"{escape(_format(bar.value, unit, lang))}</text>")
    for ref in references:
        rows = [y for bar, y in placed if not ref.group or bar.group == ref.group]
        if not rows:
            continue
        x = LABEL_W + ref.value * scale
        y0, y1 = min(rows) - 2, max(rows) + BAR_H + 2
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y0:.0f}" y2="{y1:.0f}" '
                     f'stroke="{escape(ref.colour)}" stroke-width="2" stroke-dasharray="4 2">'
                     f"<title>{escape(ref.label)}: {escape(_format(ref.value, unit, lang))}"
                     "</title></line>")
    for n, (label, colour, value) in enumerate(legend):
        y = bars_end + n * LEGEND_ROW_H
        parts.append(f'<line x1="{LABEL_W}" x2="{LABEL_W + 24}" y1="{y - 4:.0f}" '
                     f'y2="{y - 4:.0f}" stroke="{escape(colour)}" stroke-width="2" '
                     f'stroke-dasharray="4 2"/><text x="{LABEL_W + 30}" y="{y:.0f}">'
                     f"{escape(label)}: {escape(_format(value, unit, lang))}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Line:
    """One series of a trend chart: label, ``(year, value)`` points and colour."""

    label: str
    points: tuple[tuple[str, float], ...]
    colour: str = OKABE_ITO[0]
    dashed: bool = False


TREND_W, TREND_H, TREND_PAD, TREND_LEFT = 320, 150, 22, 46


def trend_chart(lines: list[Line], *, unit: str, title: str, lang: str = "sv") -> Markup:
    """A small line chart of values over the years (scales to its container).

    Years are spaced by their distance in time; each line ends in a labelled dot, and the
    legend under the plot names every line with its latest value.
    """
    years = sorted({int(y) for line in lines for y, _ in line.points})
    values = [v for line in lines for _, v in line.points]
    low, high = min([*values, 0.0]), max(values) if values else 1.0
    high = high if high > low else low + 1.0
    first, last = years[0], years[-1] if len(years) > 1 else years[0] + 1
    plot_w, plot_h = TREND_W - TREND_LEFT - 8, TREND_H - 2 * TREND_PAD

    def xy(year: str, value: float) -> tuple[float, float]:
        x = TREND_LEFT + plot_w * (int(year) - first) / (last - first)
        return x, TREND_PAD + plot_h * (1 - (value - low) / (high - low))

    height = TREND_H + LEGEND_ROW_H * len(lines)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
             f'style="max-width:{TREND_W}px;height:auto" viewBox="0 0 {TREND_W} {height}" '
             f'font-family="system-ui, sans-serif" font-size="11">',
             f"<title>{escape(title)}</title>"]
    for value in (low, high):
        y = xy(str(first), value)[1]
        parts.append(f'<line x1="{TREND_LEFT}" x2="{TREND_W - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#cccccc"/><text x="{TREND_LEFT - 4}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{escape(_format(value, unit, lang))}</text>')
    for year in years:
        x = xy(str(year), low)[0]
        parts.append(f'<text x="{x:.1f}" y="{TREND_H - 4}" text-anchor="middle">{year}</text>')
    for n, line in enumerate(lines):
        points = sorted(line.points, key=lambda p: int(p[0]))
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*p) for p in points))
        dash = ' stroke-dasharray="4 2"' if line.dashed else ""
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{escape(line.colour)}" '
                     f'stroke-width="2"{dash}><title>{escape(line.label)}</title></polyline>')
        x, y = xy(*points[-1])
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{escape(line.colour)}"/>')
        ly = TREND_H + n * LEGEND_ROW_H + 10
        latest = f"{points[-1][0]}: {_format(points[-1][1], unit, lang)}"
        parts.append(f'<line x1="4" x2="28" y1="{ly - 4}" y2="{ly - 4}" '
                     f'stroke="{escape(line.colour)}" stroke-width="2"{dash}/>'
                     f'<text x="34" y="{ly}">{escape(line.label)} ({escape(latest)})</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
