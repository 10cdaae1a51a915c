"""Static maps of any map view, drawn on the server with matplotlib (PNG, or vector PDF).

The same layers, styles, labels, highlight and choropleth as the web map (styles come from
the map wing's own style functions and the palette), in EPSG:3006 so that the scale bar is
true in metres. A page of A4 or A3 landscape holds the title, the map with its metric scale
bar, a legend of the classes present, the source line "Källa: … (år)" and the date. No
browser is involved and no tile server: the background is the län from the data.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import matplotlib
import matplotlib.patheffects as effects
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from data_sources.crs import COMPUTE_CRS, SERVE_CRS
from gisapp.maps import transit
from gisapp.maps.choropleth import range_labels, shade
from gisapp.maps.compose import legend_rows
from gisapp.maps.display import simplify_for_display
from gisapp.maps.labels import label_candidates
from gisapp.maps.renderers import ON_DEMAND, style_function
from gisapp.maps.sources import source_line
from gisapp.maps.view import MapView, map_title
from gisapp.store import Build
from gisapp.web.numbers import unit_label
from layers import palette
from layers.catalog import SPECS
from messages import LANGUAGES, section

PAPERS = {"a4": (11.69, 8.27), "a3": (16.54, 11.69)}  # landscape, inches
MAP_BOX = (0.02, 0.075, 0.71, 0.845)  # left, bottom, width, height (figure fractions)
LEGEND_X = 0.75
PX = 0.75  # one CSS pixel in points (96 px per inch)
LABEL_PAD_PX = 3
EXTENT_MARGIN = 0.04
LEAFLET_M_PER_PX_Z0 = 156_543.03392  # Web Mercator metres per pixel at zoom 0, equator
TEXTS = {lang: section("staticmap", lang) for lang in LANGUAGES}


@dataclass(frozen=True)
class Page:
    """Paper and resolution of a static map."""

    paper: str = "a4"
    dpi: int = 150

    @property
    def size_px(self) -> tuple[int, int]:
        """Width and height of the PNG in pixels."""
        width, height = PAPERS[self.paper]
        return round(width * self.dpi), round(height * self.dpi)


def _extent(build: Build, view: MapView) -> tuple[float, float, float, float]:
    """The asked extent in EPSG:3006: the kommun, the bbox, else the region."""
    if view.kommun:
        kommuner = build.layer("kommuner")
        return tuple(kommuner[kommuner["kommunkod"] == view.kommun].total_bounds)
    if view.bbox:
        west, south, east, north = view.bbox
        box = gpd.GeoSeries([shapely.box(west, south, east, north)], crs=SERVE_CRS)
        return tuple(box.to_crs(COMPUTE_CRS).total_bounds)
    region = build.layer("lan") if "lan" in build.layer_ids() else build.layer("kommuner")
    return tuple(region.total_bounds)


def _fit(extent: tuple[float, ...], aspect: float) -> tuple[float, float, float, float]:
    """``extent`` with a margin, widened to the map box's width/height ``aspect``."""
    minx, miny, maxx, maxy = extent
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    w = (maxx - minx) * (1 + 2 * EXTENT_MARGIN) or 1000.0
    h = (maxy - miny) * (1 + 2 * EXTENT_MARGIN) or 1000.0
    w, h = max(w, h * aspect), max(h, w / aspect)
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _rgba(colour: str | None, opacity: float) -> tuple[float, ...] | str:
    """A matplotlib colour from a CSS hex colour and an opacity ("none" when absent)."""
    if not colour:
        return "none"
    value = colour.lstrip("#")
    return (*(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)), opacity)


def _styles(spec_id: str, frame: gpd.GeoDataFrame) -> list[dict]:
    """The Leaflet style of every feature, from the same functions as the web map."""
    spec = SPECS[spec_id]
    records = frame.drop(columns=frame.geometry.name).to_dict(orient="records")
    if "_style" in frame.columns:
        return list(frame["_style"])
    if spec_id == "stomlinjer":
        return [transit.segment_style(spec, r) for r in records]
    if spec_id == "hallplatser":
        return [transit.station_style(spec, r) for r in records]
    style = style_function(spec)
    return [{**spec.style, **style({"properties": r})} for r in records]


def _frame(build: Build, layer_id: str) -> gpd.GeoDataFrame:
    """The layer as the web map draws it (display-simplified; on-demand layers styled)."""
    if layer_id in ON_DEMAND:
        return ON_DEMAND[layer_id](SPECS[layer_id], build)
    return simplify_for_display(layer_id, build.layer(layer_id))


def _polygon_paths(geometry) -> list[MplPath]:
    """Matplotlib paths (with holes) of a polygon or multipolygon."""
    paths = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        rings = [np.asarray(polygon.exterior.coords)[:, :2],
                 *(np.asarray(r.coords)[:, :2] for r in polygon.interiors)]
        codes = [code for ring in rings for code in
                 [MplPath.MOVETO, *[MplPath.LINETO] * (len(ring) - 2), MplPath.CLOSEPOLY]]
        paths.append(MplPath(np.concatenate(rings), codes))
    return paths


def _draw_polygons(ax, frame: gpd.GeoDataFrame, styles: list[dict], zorder: float) -> None:
    """Fill and outline polygons with their Leaflet styles."""
    patches = []
    for geometry, style in zip(frame.geometry, styles, strict=True):
        fill = style.get("fill", True)
        face = _rgba(style.get("fillColor", style.get("color")),
                     style.get("fillOpacity", 0.2)) if fill else "none"
        edge = (_rgba(style.get("color"), style.get("opacity", 1.0))
                if style.get("stroke", True) and style.get("weight", 1) > 0 else "none")
        for path in _polygon_paths(geometry):
            patches.append(PathPatch(path, facecolor=face, edgecolor=edge,
                                     linewidth=style.get("weight", 1) * PX))
    ax.add_collection(PatchCollection(patches, match_original=True, zorder=zorder))


def _dashes(style: dict) -> tuple | str:
    """A matplotlib line style from Leaflet's ``dashArray``."""
    dash = style.get("dashArray")
    return (0, tuple(float(v) * PX for v in dash.split())) if dash else "solid"


def _draw_lines(ax, frame: gpd.GeoDataFrame, styles: list[dict], zorder: float) -> None:
    """Draw (multi)lines with their Leaflet colour, width and dashes."""
    segments, colours, widths, dashes = [], [], [], []
    for geometry, style in zip(frame.geometry, styles, strict=True):
        for line in getattr(geometry, "geoms", [geometry]):
            segments.append(np.asarray(line.coords)[:, :2])
            colours.append(_rgba(style.get("color"), style.get("opacity", 1.0)))
            widths.append(style.get("weight", 2) * PX)
            dashes.append(_dashes(style))
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=widths,
                                     linestyles=dashes, zorder=zorder, capstyle="round"))


def _draw_points(ax, frame: gpd.GeoDataFrame, styles: list[dict], zorder: float) -> None:
    """Circle markers sized by their Leaflet radius (larger ones drawn first)."""
    order = np.argsort([-s.get("radius", 5) for s in styles], kind="stable")
    xy = np.array([(p.x, p.y) for p in frame.geometry])[order]
    chosen = [styles[i] for i in order]
    ax.scatter(xy[:, 0], xy[:, 1], zorder=zorder,
               s=[(2 * s.get("radius", 5) * PX) ** 2 for s in chosen],
               c=[_rgba(s.get("fillColor", s.get("color")), s.get("fillOpacity", 0.9))
                  for s in chosen],
               edgecolors=[_rgba(s.get("color", palette.SYMBOL_STROKE), 1.0) for s in chosen],
               linewidths=[s.get("weight", 1) * PX for s in chosen])


def _draw_layer(ax, build: Build, layer_id: str, zorder: float) -> None:
    """Draw one built layer by its geometry type."""
    frame = _frame(build, layer_id)
    if frame.empty:
        return
    styles = _styles(layer_id, frame)
    kind = SPECS[layer_id].geometry_type
    if "Point" in kind:
        _draw_points(ax, frame, styles, zorder)
    elif "Line" in kind:
        _draw_lines(ax, frame, styles, zorder)
    else:
        _draw_polygons(ax, frame, styles, zorder)


def _order(layer_ids: tuple[str, ...]) -> list[str]:
    """Polygons first, then lines, then points (the web map's panes)."""
    def rank(layer_id: str) -> int:
        kind = SPECS[layer_id].geometry_type
        return 2 if "Point" in kind else 1 if "Line" in kind else 0
    return sorted(layer_ids, key=rank)


def _highlight(ax, build: Build, kommunkod: str, extent: tuple[float, ...]) -> None:
    """Grey the view outside the kommun and draw its border dark on a white halo."""
    kommuner = simplify_for_display("kommuner", build.layer("kommuner"))
    shape = kommuner.loc[kommuner["kommunkod"] == kommunkod, "geometry"].union_all()
    outside = shapely.box(*extent).buffer(1000).difference(shape)
    _draw_polygons(ax, gpd.GeoDataFrame(geometry=[outside]),
                   [{"fillColor": palette.HIGHLIGHT_MASK, "fillOpacity": 0.3, "stroke": False}],
                   zorder=4.5)
    boundary = gpd.GeoDataFrame(geometry=[shape.boundary])
    _draw_lines(ax, boundary, [{"color": palette.HIGHLIGHT_HALO, "weight": 7}], zorder=4.6)
    _draw_lines(ax, boundary, [{"color": palette.HIGHLIGHT, "weight": 3}], zorder=4.7)


def _zoom(extent: tuple[float, ...], width_in: float, build: Build) -> float:
    """The web map zoom of the same scale (metres per CSS pixel), for the label rules."""
    lat = float(build.layer("kommuner").to_crs(SERVE_CRS).geometry.union_all().centroid.y)
    m_per_px = (extent[2] - extent[0]) / (width_in * 96)
    return math.log2(LEAFLET_M_PER_PX_Z0 * math.cos(math.radians(lat)) / m_per_px)


def _labels(ax, build: Build, view: MapView, extent: tuple[float, ...], zoom: float) -> None:
    """Kommun and tätort names placed greedily without overlaps, as on the web map."""
    candidates = label_candidates(build)
    if not candidates:
        return
    points = gpd.GeoSeries.from_xy([c["lon"] for c in candidates], [c["lat"] for c in candidates],
                                   crs=SERVE_CRS).to_crs(COMPUTE_CRS)
    renderer = ax.figure.canvas.get_renderer()
    scale = ax.figure.dpi / 72
    placed: list[tuple[float, float, float, float]] = []
    for c, point in zip(candidates, points, strict=True):
        inside = extent[0] < point.x < extent[2] and extent[1] < point.y < extent[3]
        if not inside or not c["minzoom"] <= zoom < c["maxzoom"]:
            continue
        kommun = c["kind"] == "kommun"
        text = ax.annotate(c["name"].upper() if kommun else c["name"], (point.x, point.y),
                           fontsize=c["px"] * PX, ha="center", va="center", zorder=9,
                           textcoords="offset points", xytext=(0, 0),
                           color=palette.KOMMUNGRANS if kommun else "#1a1a1a",
                           fontweight="bold", fontstretch="expanded" if kommun else "normal")
        box = text.get_window_extent(renderer)
        pad = LABEL_PAD_PX * PX * scale
        w, h = box.width / scale, box.height / scale  # points
        # as on the web map: a tätort name may sit beside its place when the centre is taken
        shifts = [(0, 0)] if kommun else [(0, 0), (w / 2 + 6, 0), (-w / 2 - 6, 0), (0, h),
                                          (0, -h)]
        for dx, dy in shifts:
            mine = (box.x0 + dx * scale - pad, box.y0 + dy * scale - pad,
                    box.x1 + dx * scale + pad, box.y1 + dy * scale + pad)
            if not any(mine[0] < b[2] and b[0] < mine[2] and mine[1] < b[3] and b[1] < mine[3]
                       for b in placed):
                text.set_position((dx, dy))
                placed.append(mine)
                text.set_path_effects([effects.withStroke(linewidth=2.5, foreground="white")])
                break
        else:
            text.remove()


def _nice_length(width_m: float) -> float:
    """A scale bar length of 1, 2 or 5 × 10ⁿ metres near a fifth of ``width_m``."""
    target = width_m / 5
    base = 10 ** math.floor(math.log10(target))
    return max(m * base for m in (1, 2, 5) if m * base <= target)


def _scale_bar(ax, extent: tuple[float, ...]) -> None:
    """A metric scale bar in the lower left of the map (the map is in metres)."""
    width = extent[2] - extent[0]
    length = _nice_length(width)
    x0 = extent[0] + width * 0.03
    y0 = extent[1] + (extent[3] - extent[1]) * 0.03
    h = (extent[3] - extent[1]) * 0.008
    ax.add_patch(Rectangle((x0 - width * 0.01, y0 - h * 1.5), length + width * 0.04, h * 5.5,
                           facecolor=(1, 1, 1, 0.8), edgecolor="none", zorder=10))
    for i, colour in enumerate(("#000000", "#ffffff")):
        ax.add_patch(Rectangle((x0 + i * length / 2, y0), length / 2, h, facecolor=colour,
                               edgecolor="#000000", linewidth=0.6, zorder=11))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    for x, text in ((x0, "0"), (x0 + length, label)):
        ax.text(x, y0 + h * 1.6, text, fontsize=7, ha="center", va="bottom", zorder=11)


def _handle(layer_id: str, colour: str):
    """The legend symbol of a class: a circle, a line (also boundaries) or a filled box."""
    spec = SPECS[layer_id]
    if "Point" in spec.geometry_type:
        return Line2D([], [], marker="o", linestyle="none", markersize=7,
                      markerfacecolor=colour, markeredgecolor=palette.SYMBOL_STROKE)
    if "Line" in spec.geometry_type or colour == spec.style.get("color"):
        return Line2D([], [], color=colour, linewidth=2.5)
    return Rectangle((0, 0), 1, 1, facecolor=colour, edgecolor="#555555")


def _legend(fig: Figure, build: Build, view: MapView, layer_ids: list[str]) -> None:
    """The legend column: per shown layer the classes present, then the choropleth."""
    lang = view.lang
    handles, labels, headings = [], [], []

    def add(handle, label: str, heading: bool = False) -> None:
        handles.append(handle)
        labels.append(textwrap.fill(label, 38))
        headings.append(heading)

    invisible = Line2D([], [], linestyle="none")
    for layer_id in reversed(layer_ids):  # points first, as a reader looks for them
        spec = SPECS[layer_id]
        add(invisible, spec.title_sv if lang == "sv" else spec.title_en, heading=True)
        for colour, sv, en in legend_rows(spec, build):
            add(_handle(layer_id, colour), sv if lang == "sv" else en)
        for sv, en in spec.symbol_notes:
            add(invisible, sv if lang == "sv" else en)
    if view.indikator:
        shading = shade(build, view.indikator, lang)
        caption = shading.caption
        unit = unit_label(caption["enhet"], lang)
        add(invisible, f"{caption['titel']} ({unit}, {caption['ar']})", heading=True)
        for colour, text in zip(shading.colours, range_labels(shading.ranges, lang),
                                strict=True):
            add(Rectangle((0, 0), 1, 1, facecolor=colour, edgecolor="#333333"), text)
        add(Rectangle((0, 0), 1, 1, facecolor=palette.CHOROPLETH_NO_DATA, edgecolor="#333333"),
            TEXTS[lang]["nodata"])
    legend = fig.legend(handles, labels, loc="upper left",
                        bbox_to_anchor=(LEGEND_X, MAP_BOX[1] + MAP_BOX[3]), frameon=False,
                        fontsize=7.5, title=TEXTS[lang]["legend"], title_fontsize=10,
                        alignment="left", handlelength=1.6, borderaxespad=0)
    for text, heading in zip(legend.get_texts(), headings, strict=True):
        if heading:
            text.set_fontweight("bold")


def draw(build: Build, view: MapView, page: Page) -> Figure:
    """The figure of ``view`` on ``page``: title, map, scale, legend, sources and date."""
    width_in, height_in = PAPERS[page.paper]
    fig = Figure(figsize=(width_in, height_in), dpi=page.dpi, facecolor="white")
    FigureCanvasAgg(fig)
    layer_ids = _order(tuple(i for i in view.layers(build)
                             if i in build.layer_ids() and i in SPECS))
    ax = fig.add_axes(MAP_BOX)
    aspect = (MAP_BOX[2] * width_in) / (MAP_BOX[3] * height_in)
    extent = _fit(_extent(build, view), aspect)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor(palette.BACKGROUND_OUTSIDE)
    region = build.layer("lan") if "lan" in build.layer_ids() else build.layer("kommuner")
    _draw_polygons(ax, region, [{"fillColor": palette.BACKGROUND_LAND, "fillOpacity": 1,
                                 "weight": 0}] * len(region), zorder=0.5)
    if view.indikator:
        shading = shade(build, view.indikator, view.lang)
        _draw_polygons(ax, shading.frame, [{"fillColor": c, "fillOpacity": 0.75,
                                            "color": "#333333", "weight": 1}
                                           for c in shading.frame["farg"]], zorder=1)
    for z, layer_id in enumerate(layer_ids, start=2):
        if build.manifest["layers"][layer_id]["rows"]:
            _draw_layer(ax, build, layer_id, zorder=z if "Polygon" in SPECS[layer_id]
                        .geometry_type else z + 3)
    if view.kommun:
        _highlight(ax, build, view.kommun, extent)
    _labels(ax, build, view, extent, _zoom(extent, MAP_BOX[2] * width_in, build))
    _scale_bar(ax, extent)
    _legend(fig, build, view, layer_ids)
    title = map_title(build, tuple(layer_ids), view.kommun, view.indikator, view.lang)
    fig.text(MAP_BOX[0], 0.985, title, fontsize=16, fontweight="bold", va="top")
    texts = TEXTS[view.lang]
    fig.text(MAP_BOX[0], 0.94, f"{texts['made']} {date.today().isoformat()} · Strukturbild, "
             f"{texts['build']} {build.id}", fontsize=8, color="#444444", va="top")
    line = source_line(build, layer_ids, view.lang, indikator=view.indikator)
    fig.text(MAP_BOX[0], 0.012, textwrap.fill(line, round(24 * width_in)), fontsize=6.5,
             color="#333333", va="bottom")
    return fig


def render(build: Build, view: MapView, page: Page, fmt: str) -> bytes:
    """The static map of ``view`` as PNG or PDF bytes."""
    fig = draw(build, view, page)
    out = io.BytesIO()
    title = map_title(build, view.layers(build), view.kommun, view.indikator, view.lang)
    with matplotlib.rc_context({"pdf.fonttype": 42}):  # TrueType: the PDF's text is text
        fig.savefig(out, format=fmt, dpi=page.dpi, metadata={"Title": title})
    return out.getvalue()
