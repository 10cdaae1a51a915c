"""The kommunblad: one kommun on A4 paper, as a PDF made with ReportLab.

Page one holds the kommun's map (the static map of :mod:`gisapp.exports.staticmap`, the
kommun highlighted and fitted whole) and the key indicators for tätort, landsbygd and the
whole kommun beside its class and the län (the same numbers as ``/kommun/<kod>``, from
numerators and denominators); then a chart of the shares, the timetable coverage and the
missing data with their reasons, and the sources with their years. Every page's foot
repeats the source line, the build and the date. Text is set in DejaVu Sans (shipped with
matplotlib) so that å, ä, ö, ² and ≥ print, and stays text (searchable, copyable).
"""

from __future__ import annotations

import io
import textwrap
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gisapp.exports.staticmap import Page, render
from gisapp.indicators.pages import AREA_LABELS, profile
from gisapp.indicators.query import indicator_sources
from gisapp.indicators.stomlinje import kommun_stomlinje
from gisapp.maps.sources import source_line
from gisapp.maps.view import MapView, default_layers
from gisapp.store import Build
from gisapp.web.numbers import formatter
from layers import palette
from messages import section

FONT, FONT_BOLD = "SBDejaVu", "SBDejaVu-Bold"
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
MARGIN = 15 * mm
MAP_DPI = 130
FOOT_CHARS = 150
CHART_COLOURS = (palette.LINE_CLASSES["stomlinje"], palette.SERVICE["gymnasieskola"],
                 palette.LANSGRANS)  # kommun, class, län (as on the kommun page's charts)


def _fonts() -> None:
    """Register DejaVu Sans (regular and bold) with ReportLab, once."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def _styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles of the sheet."""
    base = ParagraphStyle("body", fontName=FONT, fontSize=8.5, leading=11)
    return {"body": base,
            "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=17,
                                    leading=21),
            "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=11.5,
                                 leading=15, spaceBefore=6, spaceAfter=3),
            "small": ParagraphStyle("small", parent=base, fontSize=7, leading=9,
                                    textColor=colors.HexColor("#444444"))}


def _table(data: dict, kommunnamn: str, lansnamn: str, t: dict, lang: str) -> Table:
    """Key indicators: per indicator and area the kommun, its class and the län, with year."""
    fmt = formatter(lang)
    areas = AREA_LABELS[lang]
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9)
    head = ParagraphStyle("head", parent=cell, fontName=FONT_BOLD)
    rows = [[Paragraph(escape(text), head) for text in
             (t["indicator"], t["area"], kommunnamn, f"{t['class']}: {data['klass'] or '–'}",
              lansnamn, t["year"])]]
    for block in data["blocks"]:
        unit = block["info"]["enhet"]
        name = Paragraph(escape(f"{block['info']['titel']} ({unit})"), cell)
        for i, row in enumerate(block["rows"]):
            rows.append([name if i == 0 else "", areas[row["omrade"]], fmt(row["varde"], unit),
                         fmt(row["klass_varde"], unit), fmt(row["lan_varde"], unit),
                         str(row["ar"])])
    table = Table(rows, colWidths=[56 * mm, 24 * mm, 22 * mm, 36 * mm, 24 * mm, 14 * mm],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 7.5), ("FONT", (0, 0), (-1, 0), FONT_BOLD, 7.5),
        ("ALIGN", (2, 1), (4, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("TOPPADDING", (0, 0), (-1, -1), 1.5)]))
    return table


def _chart(data: dict, names: tuple[str, str, str], t: dict) -> tuple[bytes, float] | None:
    """A bar chart of the share indicators (whole kommun): kommun, class and län.

    Returns the PNG and its height/width ratio (``None`` without share indicators).
    """
    shares = []
    for block in data["blocks"]:
        whole = [r for r in block["rows"] if r["omrade"] == "hela_kommunen"]
        if whole and str(block["info"]["enhet"]).startswith("procent"):
            row = whole[0]
            shares.append((block["info"]["titel"], row["varde"], row["klass_varde"],
                           row["lan_varde"]))
    if not shares:
        return None
    size = (7.0, 0.42 * len(shares) + 0.9)
    fig = Figure(figsize=size, dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.42, 0.12, 0.55, 0.8))
    height = 0.26
    for k, (label, colour) in enumerate(zip(names, CHART_COLOURS, strict=True)):
        bars = [(i + (k - 1) * height, s[k + 1]) for i, s in enumerate(shares)
                if s[k + 1] is not None and s[k + 1] == s[k + 1]]  # no bar for a missing value
        ax.barh([y for y, _ in bars], [v for _, v in bars], height=height, color=colour,
                label=label)
    for i, share in enumerate(shares):
        if share[1] is None or share[1] != share[1]:
            ax.text(0.5, i, t["nodata"], va="center", fontsize=7, color="#444444")
    ax.set_yticks(range(len(shares)), [textwrap.fill(s[0], 44) for s in shares], fontsize=6.5)
    ax.invert_yaxis()
    ax.set_xlabel(t["percent"], fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(fontsize=7, loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue(), size[1] / size[0]


def _sources(build: Build, data: dict, layer_ids: tuple[str, ...]) -> list[str]:
    """Each source behind the sheet once: publisher, title and reference year."""
    seen: dict[tuple, str] = {}
    ids = [block["info"]["id"] for block in data["blocks"]]
    for indikator in ids:
        for s in indicator_sources(build, indikator):
            key = (s["publisher"], s["title"], s["reference_year"])
            seen.setdefault(key, f"{s['publisher']}: {s['title']} ({s['reference_year']})")
    for layer_id in layer_ids:
        for s in build.manifest["layers"].get(layer_id, {}).get("sources", []):
            key = (s["publisher"], s["title"], s["reference_year"])
            seen.setdefault(key, f"{s['publisher']}: {s['title']} ({s['reference_year']})")
    return list(seen.values())


def _coverage(build: Build, kommunkod: str, data: dict, lang: str) -> list[str]:
    """The timetable coverage sentence, the kommun's empty stomlinje indicators and gaps."""
    notes = []
    stomlinje = kommun_stomlinje(build, kommunkod, lang)
    if stomlinje:
        notes.append(f"{stomlinje['tackning']} ({stomlinje['dag']})")
        if stomlinje["orsak"]:
            notes.append(stomlinje["orsak"])
    for gap in data["missing"]:
        titles = ", ".join(item["titel"] for item in gap["indikatorer"])
        notes.append(f"{titles}: {gap['orsak']}")
    return notes


def kommunblad_pdf(build: Build, kommunkod: str, *, lang: str, klassning: str | None) -> bytes:
    """The kommunblad of ``kommunkod`` as PDF bytes."""
    _fonts()
    t = section("kommunblad", lang)
    styles = _styles()
    kommunnamn = build.kommuner[kommunkod]
    data = profile(build, kommunkod, klassning=klassning, lang=lang)
    lansnamn = data["lansnamn"]
    layers = default_layers(build)
    view = MapView(lang, layers, kommunkod, None, None)
    map_png = render(build, view, Page("a4", MAP_DPI), "png")
    width = A4[0] - 2 * MARGIN
    story = [Paragraph(escape(f"{kommunnamn} – {t['title']}"), styles["title"]),
             Paragraph(escape(f"{lansnamn} · {t['kommunkod']} {kommunkod} · "
                              f"{t['class']}: {data['klass'] or '–'}"), styles["body"]),
             Spacer(1, 3 * mm),
             Image(io.BytesIO(map_png), width=width, height=width * 8.27 / 11.69),
             Paragraph(escape(t["indicators"]), styles["h2"]),
             _table(data, kommunnamn, lansnamn, t, lang),
             Paragraph(escape(t["weighted"]), styles["small"])]
    chart = _chart(data, (kommunnamn, data["klass"] or t["class"], lansnamn), t)
    if chart:
        png, ratio = chart
        story += [Paragraph(escape(t["chart"]), styles["h2"]),
                  Image(io.BytesIO(png), width=width, height=width * ratio)]
    story += [Paragraph(escape(t["coverage"]), styles["h2"]),
              *(Paragraph(escape(n), styles["body"]) for n in _coverage(build, kommunkod, data,
                                                                       lang)),
              Paragraph(escape(t["sources"]), styles["h2"]),
              *(Paragraph(escape(s), styles["small"]) for s in _sources(build, data, layers))]
    foot = source_line(build, layers, lang)
    made = f"Strukturbild · {t['build']} {build.id} · {date.today().isoformat()}"

    def on_page(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 6.5)
        lines = [*textwrap.wrap(foot, FOOT_CHARS), f"{made} · {t['page']} {doc.page}"]
        for n, line in enumerate(reversed(lines)):
            canvas.drawString(MARGIN, (5 + 3 * n) * mm, line)
        canvas.restoreState()

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                      topMargin=MARGIN, bottomMargin=MARGIN + 6 * mm,
                      title=f"{kommunnamn} – {t['title']}", author="Strukturbild",
                      ).build(story, onFirstPage=on_page, onLaterPages=on_page)
    return out.getvalue()
