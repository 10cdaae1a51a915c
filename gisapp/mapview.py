"""Compose the folium map of a build: every built layer, a themed layer panel, popups, legends.

Folium code lives only here. Each layer is drawn into its own ``FeatureGroup`` so the panel
(``static/strukturbild.js``) can toggle it; Leaflet is served from the app's own
``/static/vendor`` (no CDN), and the map stays usable without the tile server. Every
data-derived string reaching the page is HTML-escaped (:func:`gisapp.display.to_geojson`
with ``escape=True``) or passed as JSON and inserted as text by the panel.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from gisapp.display import SERVE_CRS, simplify_for_display, to_geojson
from gisapp.map_indicators import mappable_indicators
from gisapp.store import Build
from layers.indikatorer import describe
from layers.service import CATEGORIES
from layers.spec import LayerSpec

POINT_RADIUS = 5
THEMES = ("Struktur", "Resor", "Service", "Digital", "Befolkning")
THEME_EN = {"Struktur": "Structure", "Resor": "Travel", "Service": "Service",
            "Digital": "Digital", "Befolkning": "Population"}
LEAFLET_JS = [("leaflet", "/static/vendor/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", "/static/vendor/leaflet/leaflet.css"),
               ("strukturbild_css", "/static/strukturbild.css")]
PANEL_JS = "/static/strukturbild.js"

# Layers that need data-driven drawing (line width by trips, symbols sized by departures, …)
# register a renderer here: ``renderer(parent, spec, build, lang) -> None`` adds its elements
# to ``parent`` (the layer's own feature group). Layers without one use :func:`add_layer`.
Renderer = Callable[[folium.map.FeatureGroup, LayerSpec, Build, str], None]
CUSTOM_RENDERERS: dict[str, Renderer] = {}
# Short notes shown in the panel under a layer's legend (service day, a missing mode, …):
# ``notes(build, lang) -> list[str]``, registered per layer id like the renderers.
LayerNotes = Callable[[Build, str], list[str]]
CUSTOM_NOTES: dict[str, LayerNotes] = {}

PANEL_TEXTS = {
    "sv": {"panel": "Lager", "search": "Sök kommun eller tätort", "missing": "saknar data",
           "basemap": "Bakgrundskarta", "nobase": "Ingen (fungerar utan internet)",
           "embed": "Bädda in", "title": "Strukturbild",
           "embedHelp": "Kopiera koden och klistra in den i din webbsida:",
           "empty": "inga objekt i regionen", "indicator": "Indikator på kartan",
           "noIndicator": "– ingen –"},
    "en": {"panel": "Layers", "search": "Find municipality or urban area", "missing": "no data",
           "basemap": "Base map", "nobase": "None (works offline)", "embed": "Embed",
           "title": "Structure map", "embedHelp": "Copy the code into your web page:",
           "empty": "no features in the region", "indicator": "Indicator on the map",
           "noIndicator": "– none –"},
}


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


def _popup(spec: LayerSpec, lang: str, columns: list[str]) -> folium.GeoJsonPopup | None:
    """A popup listing the spec's fields present in the frame, labelled in ``lang``."""
    fields = [f for f in spec.popup if f.column in columns]
    if not fields:
        return None
    labels = [f.label_sv if lang == "sv" else f.label_en for f in fields]
    return folium.GeoJsonPopup(fields=[f.column for f in fields], aliases=labels, localize=True,
                               labels=True)


def _style_function(spec: LayerSpec):
    """Leaflet style for a feature: the spec's style, coloured by category for service."""
    base = dict(spec.style)

    def style(feature: dict) -> dict:
        category = feature["properties"].get("kategori")
        if category in CATEGORIES:
            return {**base, "fillColor": CATEGORIES[category][2]}
        return base

    return style


def add_layer(parent: folium.map.FeatureGroup, spec: LayerSpec, build: Build, lang: str) -> None:
    """Draw one built layer from its spec's style into ``parent``."""
    frame = simplify_for_display(spec.id, build.layer(spec.id))
    marker = folium.CircleMarker(radius=POINT_RADIUS) if spec.geometry_type == "Point" else None
    folium.GeoJson(
        to_geojson(frame, escape=True),
        style_function=_style_function(spec),
        popup=_popup(spec, lang, list(frame.columns)),
        marker=marker,
        smooth_factor=1.0,
    ).add_to(parent)


def _places(build: Build) -> list[dict]:
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
        for name, bounds in zip(frame[name_column], frame.geometry.bounds.values, strict=True):
            places.append({"name": f"{name} ({kind})",
                           "bounds": [round(float(v), 5) for v in bounds]})
    return places


def _legend(spec: LayerSpec, lang: str) -> list[list[str]]:
    """The spec's legend rows in ``lang``."""
    return [[colour, sv if lang == "sv" else en] for colour, sv, en in spec.legend]


class _Panel(MacroElement):
    """Adds the panel script and calls ``strukturbildPanel(map, config)`` once the map exists."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "strukturbildPanel({{ this._parent.get_name() }}, {{ this.config_json }});"
        "{% endmacro %}"
    )

    def __init__(self, config: dict) -> None:
        super().__init__()
        # JSON inside <script>: escape "<" so no data string can close the script element.
        self.config_json = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")


def missing_layers(build: Build, specs: dict[str, LayerSpec], lang: str) -> list[dict]:
    """Layers the build could not make, with their theme and how to add the data.

    Swedish pages give the build's own message (it names the missing files); English pages
    the layer's ``how_to_add_en``.
    """
    out = []
    for layer_id, reason in build.manifest["missing"].items():
        spec = specs.get(layer_id)
        title = (spec.title_sv if lang == "sv" else spec.title_en) if spec else layer_id
        how = reason if lang == "sv" or spec is None or not spec.how_to_add_en \
            else spec.how_to_add_en
        out.append({"id": layer_id, "title": title,
                    "theme": spec.theme if spec else "Struktur", "how": how})
    return out


def compose_map(build: Build, specs: dict[str, LayerSpec], options: MapOptions) -> folium.Map:
    """Return a folium map of ``build`` with the requested layers and the layer panel."""
    lang = options.lang
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True, zoom_control=True,
                      zoom_snap=0.25, zoom_delta=0.5)
    fmap.default_js = LEAFLET_JS
    fmap.default_css = LEAFLET_CSS
    fmap.get_root().header.add_child(Element(f'<script src="{PANEL_JS}"></script>'),
                                     name="strukturbild_js")
    base = folium.TileLayer(
        "OpenStreetMap", name="OpenStreetMap", attr="&copy; OpenStreetMap-bidragsgivare",
        control=False,
    ).add_to(fmap)
    built = build.layer_ids()
    wanted = [i for i in (built if options.layer_ids is None else options.layer_ids)
              if i in built]
    panel_layers, empty = [], []
    for layer_id in _ordered(wanted, specs):
        spec = specs[layer_id]
        if build.manifest["layers"][layer_id]["rows"] == 0:
            empty.append({"id": layer_id, "theme": spec.theme,
                          "title": spec.title_sv if lang == "sv" else spec.title_en,
                          "how": PANEL_TEXTS[lang]["empty"]})
            continue
        group = folium.FeatureGroup(name=html.escape(spec.title_sv), control=False,
                                    show=spec.default_visible or options.layer_ids is not None)
        CUSTOM_RENDERERS.get(layer_id, add_layer)(group, spec, build, lang)
        group.add_to(fmap)
        panel_layers.append({
            "id": layer_id, "var": group.get_name(), "theme": spec.theme,
            "title": spec.title_sv if lang == "sv" else spec.title_en,
            "visible": group.show, "legend": _legend(spec, lang),
            "front": "Polygon" not in spec.geometry_type,  # drawn above a choropleth
            "notes": CUSTOM_NOTES[layer_id](build, lang) if layer_id in CUSTOM_NOTES else [],
        })
    config = {
        "lang": lang, "texts": PANEL_TEXTS[lang], "layers": panel_layers,
        "themes": [[theme, theme if lang == "sv" else THEME_EN[theme]] for theme in THEMES],
        "missing": empty + [m for m in missing_layers(build, specs, lang)
                            if options.layer_ids is None or m["id"] in options.layer_ids],
        "places": [] if options.layer_ids is not None else _places(build),
        "base": {"var": base.get_name(), "title": "OpenStreetMap"},
        "embed": options.embed_url, "collapsed": options.collapsed,
        "indicators": [] if options.layer_ids is not None else _indicator_choices(build, lang),
        "indicator": options.indicator,
    }
    _Panel(config).add_to(fmap)
    if options.highlight:
        _add_highlight(fmap, build, options.highlight)
    west, south, east, north = options.bounds or _region_bounds(build)
    fmap.fit_bounds([[south, west], [north, east]])
    return fmap


def _add_highlight(fmap: folium.Map, build: Build, kommunkod: str) -> None:
    """Outline one kommun above every layer (not clickable, so popups below still open)."""
    kommuner = simplify_for_display("kommuner", build.layer("kommuner"))
    shape = kommuner.loc[kommuner["kommunkod"] == kommunkod, ["kommunkod", "geometry"]]
    folium.GeoJson(
        to_geojson(shape, escape=True), name="highlight", control=False, interactive=False,
        style_function=lambda _: {"color": "#000000", "weight": 4, "fill": False},
    ).add_to(fmap)


def _indicator_choices(build: Build, lang: str) -> list[dict]:
    """Indicators the map can shade in ``build``, with their titles, for the selector."""
    return [{"id": i, "title": describe(i, lang)["titel"]} for i in mappable_indicators(build)]


def _ordered(layer_ids: Iterable[str], specs: dict[str, LayerSpec]) -> list[str]:
    """Layer ids that have a spec, in theme order (then in build order)."""
    present = [i for i in layer_ids if i in specs]
    return sorted(present, key=lambda i: THEMES.index(specs[i].theme)
                  if specs[i].theme in THEMES else len(THEMES))


def _region_bounds(build: Build) -> tuple[float, float, float, float]:
    """Lon/lat bounds of the region (län layer, else kommuner)."""
    region = build.layer("lan") if "lan" in build.layer_ids() else build.layer("kommuner")
    minx, miny, maxx, maxy = region.to_crs(SERVE_CRS).total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


# Data-driven renderers of other modules register themselves in CUSTOM_RENDERERS on import.
from gisapp import map_transit, tillganglighet_map  # noqa: E402, F401, I001
