"""Compose the folium map of a build: every built layer, a themed layer panel, popups, legends.

Folium code lives only in this wing. Each layer is drawn into its own ``FeatureGroup`` so the panel
(``static/strukturbild.js``) can toggle it, and into the pane of its geometry type
(:mod:`gisapp.maps.panes`: polygons < lines < points, then labels). Leaflet is served from
the app's own ``/static/vendor`` (no CDN). Layers in the build's vector tiles
(:mod:`gisapp.maps.tiled`) are not inlined: the panel draws them from ``/tiles/…`` with
Leaflet.VectorGrid (also served from ``/static/vendor``). Under the tiles lies a light
background drawn from the data (the län), so the map stays readable when the tile server is
unreachable; the panel then says so (``tilesFailed``). Every
data-derived string reaching the page is HTML-escaped (:func:`gisapp.maps.display.to_geojson`
with ``escape=True``) or passed as JSON and inserted as text by the panel.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

import folium
import geopandas as gpd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from data_sources.crs import SERVE_CRS
from gisapp.maps import panes
from gisapp.maps.choropleth import add_indicator_choropleth, mappable_indicators
from gisapp.maps.display import simplify_for_display, to_geojson
from gisapp.maps.labels import label_candidates
from gisapp.maps.renderers import (
    notes_for,
    on_demand_display,
    popup_fields,
    renderer_for,
)
from gisapp.maps.sources import source_line
from gisapp.maps.tiled import tile_entry, tiled_layers
from gisapp.maps.view import THEMES
from gisapp.store import Build
from gisapp.web.jsonsafe import dumps
from layers import palette
from layers.catalog import SPECS
from layers.indikatorer import describe
from layers.spec import LayerSpec
from messages import LANGUAGES, section, text

BACKGROUND_TOLERANCE_M = 500.0
FIT_PADDING_PX = 12  # the chosen extent sits wholly inside the map, with this margin
MASK_MARGIN_M = 300_000.0  # the dimmed surroundings of a highlighted kommun reach this far
LEAFLET_JS = [("leaflet", "/static/vendor/leaflet/leaflet.js")]
VECTORGRID_JS = [("vectorgrid",
                  "/static/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js")]
LEAFLET_CSS = [("leaflet_css", "/static/vendor/leaflet/leaflet.css"),
               ("strukturbild_css", "/static/strukturbild.css")]
PANEL_JS = "/static/strukturbild.js"
PLACES_URL = "/kartplatser.json"

PANEL_TEXTS = {lang: section("panel", lang) for lang in LANGUAGES}
EMBED_PRESETS = (("presetSmall", 400, 300), ("presetMedium", 640, 480),
                 ("presetLarge", 960, 600), ("presetFull", "100%", 480))


@dataclass(frozen=True)
class MapOptions:
    """What to draw: layer ids (``None`` = every built layer), extent, language, page kind."""

    lang: str = "sv"
    layer_ids: tuple[str, ...] | None = None
    bounds: tuple[float, float, float, float] | None = None  # lon/lat: W, S, E, N
    embed_url: str | None = None
    collapsed: bool = False
    indicator: str | None = None  # the choropleth shown, offered in the panel's selector
    highlight: str | None = None  # kommunkod outlined on top of every layer
    title: str | None = None  # shown on the map (embeds)
    legend_open: bool = False  # legend and source line open on the map (always in print)
    exports: bool = False  # links to /karta.png|pdf of the current view, and print buttons


def places(build: Build) -> list[dict]:
    """Kommuner and tätorter with their lon/lat bounds, for the search box.

    Names carry their kind ("Arvika (kommun)", "Arvika (tätort)"): many tätorter share their
    kommun's name, and each must be reachable.
    """
    places = []
    kinds = (("kommuner", "kommunnamn", "kommun"), ("tatorter", "tatort", "tätort"))
    for layer_id, name_column, kind in kinds:
        if layer_id not in build.layer_ids():
            continue
        frame = build.layer(layer_id).to_crs(SERVE_CRS)
        codes = frame["kommunkod"] if kind == "kommun" else [None] * len(frame)
        for name, bounds, code in zip(frame[name_column], frame.geometry.bounds.values, codes,
                                      strict=True):
            places.append({"name": f"{name} ({kind})",
                           "bounds": [round(float(v), 5) for v in bounds],
                           **({"kommunkod": code} if code else {})})
    return places


def legend_rows(spec: LayerSpec, build: Build) -> list[tuple[str, str, str]]:
    """The spec's legend rows ``(colour, sv, en)``; of its categories only those that occur.

    Each category row carries the count the build recorded for it (``tackning.legend`` in
    the layer's manifest record), e.g. "Apotek och apoteksombud (70)".
    """
    rows = spec.legend_rows()
    frame = build.layer(spec.id)
    if spec.categories is not None and spec.categories.column in frame.columns:
        present = set(frame[spec.categories.column].dropna())
        absent = {(c.colour, c.label_sv, c.label_en) for c in spec.categories.classes
                  if c.value not in present}
        rows = tuple(row for row in rows if row not in absent)
        recorded = build.manifest["layers"][spec.id].get("tackning", {}).get("legend", {})
        counts = {(c.colour, c.label_sv, c.label_en): str(recorded[c.value])
                  for c in spec.categories.classes if c.value in recorded}
        rows = tuple((colour, sv + _count(counts.get((colour, sv, en)), "sv"),
                      en + _count(counts.get((colour, sv, en)), "en")) for colour, sv, en in rows)
    elif (display := on_demand_display(build, spec.id)) is not None:
        # classes drawn by colour: keep the colours that are drawn
        drawn = {style.get("fillColor") for style in display(spec, build)["_style"]}
        rows = tuple(row for row in rows if row[0] in drawn)
    return list(rows)


def _legend(spec: LayerSpec, build: Build, lang: str) -> list[list[str]]:
    """The legend rows in ``lang`` as ``[colour, label]``."""
    return [[colour, sv if lang == "sv" else en]
            for colour, sv, en in legend_rows(spec, build)]


def _count(recorded: str | None, lang: str) -> str:
    """A legend row's count, `` (70)`` or `` (6 av 34)`` (recorded as ``6/34``)."""
    if recorded is None:
        return ""
    part, _, whole = recorded.partition("/")
    shown = text("count.of", lang, part=part, whole=whole) if whole else part
    return f" ({shown})"


class _Panel(MacroElement):
    """Adds the panel script and calls ``strukturbildPanel(map, config)`` once the map exists."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "strukturbildPanel({{ this._parent.get_name() }}, {{ this.config_json }});"
        "{% endmacro %}"
    )

    def __init__(self, config: dict) -> None:
        super().__init__()
        # JSON inside <script>: HTML-safe, so no data string can close the script element.
        self.config_json = dumps(config)


def missing_layers(build: Build, lang: str) -> list[dict]:
    """Layers the build could not make, with their theme and how to add the data.

    Swedish pages give the build's own message (it names the missing files); English pages
    the layer's ``how_to_add_en``.
    """
    out = []
    for layer_id, reason in build.manifest["missing"].items():
        spec = SPECS.get(layer_id)
        title = (spec.title_sv if lang == "sv" else spec.title_en) if spec else layer_id
        how = reason if lang == "sv" or spec is None or not spec.how_to_add_en \
            else spec.how_to_add_en
        out.append({"id": layer_id, "title": title,
                    "theme": spec.theme if spec else "Struktur", "how": how})
    return out


def compose_map(build: Build, options: MapOptions) -> folium.Map:
    """Return a folium map of ``build`` with the requested layers and the layer panel."""
    lang = options.lang
    # SVG, one renderer per pane: a click reaches the topmost feature of any pane
    fmap = folium.Map(tiles=None, control_scale=False, prefer_canvas=False, zoom_control=True,
                      zoom_snap=0.25, zoom_delta=0.5)
    panes.add_panes(fmap)
    tiled = tiled_layers(build)
    fmap.default_js = LEAFLET_JS + (VECTORGRID_JS if tiled else [])
    fmap.default_css = LEAFLET_CSS
    fmap.get_root().header.add_child(Element(f'<script src="{PANEL_JS}"></script>'),
                                     name="strukturbild_js")
    base = folium.TileLayer(
        "OpenStreetMap", name="OpenStreetMap", attr="&copy; OpenStreetMap-bidragsgivare",
        control=False, show=False,  # added by the panel once the view is final (no wasted tiles)
    ).add_to(fmap)
    _add_background(fmap, build)
    built = build.layer_ids()
    wanted = [i for i in (built if options.layer_ids is None else options.layer_ids)
              if i in built]
    panel_layers, empty = [], []
    for layer_id in _ordered(wanted):
        spec = SPECS[layer_id]
        if build.manifest["layers"][layer_id]["rows"] == 0:
            empty.append({"id": layer_id, "theme": spec.theme,
                          "title": spec.title_sv if lang == "sv" else spec.title_en,
                          "how": PANEL_TEXTS[lang]["empty"]})
            continue
        group = folium.FeatureGroup(name=html.escape(spec.title_sv), control=False,
                                    show=spec.default_visible or options.layer_ids is not None)
        if layer_id not in tiled:  # a tiled layer is drawn by the panel, from its tiles
            renderer_for(layer_id, build)(group, spec, build, lang)
        group.add_to(fmap)
        panel_layers.append({
            "id": layer_id, "var": group.get_name(), "theme": spec.theme,
            "title": spec.title_sv if lang == "sv" else spec.title_en,
            "visible": group.show, "legend": _legend(spec, build, lang),
            "pane": panes.pane_for(spec.geometry_type),
            "notes": notes_for(layer_id, build, lang),
            "symbols": [sv if lang == "sv" else en for sv, en in spec.symbol_notes],
            **(tile_entry(spec, build, lang, tiled[layer_id]) if layer_id in tiled
               else {"url": f"/kartlager/{layer_id}.geojson", "popup": popup_fields(spec, lang)}
               if on_demand_display(build, layer_id) is not None else {}),
        })
    texts = {**PANEL_TEXTS[lang],
             "presets": [[PANEL_TEXTS[lang][key], w, h] for key, w, h in EMBED_PRESETS]}
    config = {
        "lang": lang, "texts": texts, "layers": panel_layers,
        "themes": [[theme, text(f"theme.{theme}", lang)] for theme in THEMES],
        "missing": empty + [m for m in missing_layers(build, lang)
                            if options.layer_ids is None or m["id"] in options.layer_ids],
        # the search box's names, fetched when it is first used (thousands in a national build)
        "places": None if options.layer_ids is not None else PLACES_URL,
        "base": {"var": base.get_name(), "title": "OpenStreetMap"},
        "embed": options.embed_url, "collapsed": options.collapsed,
        "indicators": [] if options.layer_ids is not None else _indicator_choices(build, lang),
        "indicator": options.indicator,
        "labels": label_candidates(build),
        "title": options.title, "legendOpen": options.legend_open,
        "source": source_line(build, [p["id"] for p in panel_layers], lang, basemap=True,
                              indikator=options.indicator),
        "export": options.exports,
        "highlight": options.highlight,
        "fit": list(options.bounds) if options.bounds else None,
    }
    if options.highlight:
        _add_highlight(fmap, build, options.highlight)
    west, south, east, north = options.bounds or _region_bounds(build)
    fmap.fit_bounds([[south, west], [north, east]], padding=(FIT_PADDING_PX, FIT_PADDING_PX))
    _Panel(config).add_to(fmap)  # after the fit: the panel refits around its overlays
    return fmap


def _add_background(fmap: folium.Map, build: Build) -> None:
    """The light land background from the data (the län), under the tiles, never clickable."""
    layer_id = "lan" if "lan" in build.layer_ids() else "kommuner"
    region = build.layer(layer_id)[["geometry"]].copy()
    region.geometry = region.geometry.simplify(BACKGROUND_TOLERANCE_M)
    folium.GeoJson(
        to_geojson(region, escape=True), name="background", control=False, interactive=False,
        pane=panes.BACKGROUND,
        style_function=lambda _: {"color": palette.KOMMUNGRANS, "weight": 0.5,
                                  "fillColor": palette.BACKGROUND_LAND, "fillOpacity": 1},
    ).add_to(fmap)


def _add_highlight(fmap: folium.Map, build: Build, kommunkod: str) -> None:
    """Mark one kommun: the rest of the view dimmed, its border dark on a white halo.

    Drawn in the highlight pane (above polygons, below lines and points) and not clickable,
    so popups of every layer still open.
    """
    kommuner = simplify_for_display("kommuner", build.layer("kommuner"))
    shape = kommuner.loc[kommuner["kommunkod"] == kommunkod, ["kommunkod", "geometry"]]
    outside = shapely.box(*shape.total_bounds).buffer(MASK_MARGIN_M).difference(
        shape.geometry.union_all())
    mask = gpd.GeoDataFrame({"kind": ["mask"]}, geometry=[outside], crs=shape.crs)
    for frame, style in ((mask, {"stroke": False, "fillColor": palette.HIGHLIGHT_MASK,
                                 "fillOpacity": 0.3}),
                         (shape, {"color": palette.HIGHLIGHT_HALO, "weight": 7, "opacity": 0.9,
                                  "fill": False}),
                         (shape, {"color": palette.HIGHLIGHT, "weight": 3, "fill": False})):
        folium.GeoJson(to_geojson(frame, escape=True), name="highlight", control=False,
                       interactive=False, pane=panes.HIGHLIGHT,
                       style_function=lambda _, style=style: style).add_to(fmap)


def _indicator_choices(build: Build, lang: str) -> list[dict]:
    """Indicators the map can shade in ``build``, with their titles, for the selector."""
    return [{"id": i, "title": describe(i, lang)["titel"]} for i in mappable_indicators(build)]


def _ordered(layer_ids: Iterable[str]) -> list[str]:
    """Layer ids that have a spec, in theme order (then in build order)."""
    present = [i for i in layer_ids if i in SPECS]
    return sorted(present, key=lambda i: THEMES.index(SPECS[i].theme)
                  if SPECS[i].theme in THEMES else len(THEMES))


def _region_bounds(build: Build) -> tuple[float, float, float, float]:
    """Lon/lat bounds of the region (län layer, else kommuner)."""
    region = build.layer("lan") if "lan" in build.layer_ids() else build.layer("kommuner")
    minx, miny, maxx, maxy = region.to_crs(SERVE_CRS).total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)




# folium's map header forbids zooming the page (maximum-scale=1, user-scalable=no), which
# fails WCAG 1.4.4 (resize text); our templates declare their own zoomable viewport.
FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')


def render_parts(build: Build, options: MapOptions, indikator: str | None = None) -> dict:
    """Render the map (with an indicator choropleth when asked) into the template's parts.

    Returns ``map_header``, ``map_name``, ``map_html`` and ``map_script`` for
    ``_map_base.html``.
    """
    fmap = compose_map(build, options)
    if indikator:
        add_indicator_choropleth(fmap, build, indikator, options.lang)
    root = fmap.get_root()
    root.render()
    return {"map_header": FOLIUM_VIEWPORT.sub("", root.header.render()),
            "map_name": fmap.get_name(), "map_html": root.html.render(),
            "map_script": root.script.render()}
