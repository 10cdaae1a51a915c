"""Compose the folium map of a build: every built layer, a layer control, popups, legend.

Folium code lives only here. Every data-derived string reaching the page is HTML-escaped
(:func:`gisapp.display.to_geojson` with ``escape=True``).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import folium

from gisapp.display import SERVE_CRS, simplify_for_display, to_geojson
from gisapp.store import Build
from layers.service import CATEGORIES
from layers.spec import LayerSpec

POINT_RADIUS = 5

# Layers that need data-driven drawing (line width by trips, symbols sized by departures, …)
# register a renderer here: ``renderer(fmap, spec, build, lang) -> None``. Layers without
# one are drawn by :func:`add_layer` from their spec's style.
Renderer = Callable[[folium.Map, LayerSpec, Build, str], None]
CUSTOM_RENDERERS: dict[str, Renderer] = {}


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


def add_layer(fmap: folium.Map, spec: LayerSpec, build: Build, lang: str) -> None:
    """Add one built layer to ``fmap`` as a toggleable GeoJSON overlay."""
    frame = simplify_for_display(spec.id, build.layer(spec.id))
    data = to_geojson(frame, escape=True)
    title = spec.title_sv if lang == "sv" else spec.title_en
    marker = (folium.CircleMarker(radius=POINT_RADIUS)
              if spec.geometry_type == "Point" else None)
    folium.GeoJson(
        data,
        name=html.escape(f"{spec.theme}: {title}"),
        style_function=_style_function(spec),
        popup=_popup(spec, lang, list(frame.columns)),
        marker=marker,
        show=spec.default_visible,
        smooth_factor=1.0,
    ).add_to(fmap)


def compose_map(build: Build, specs: dict[str, LayerSpec], lang: str = "sv") -> folium.Map:
    """Return a folium map of every layer in ``build`` that has a spec, fitted to the region."""
    region = build.layer("lan") if "lan" in build.layer_ids() else build.layer("kommuner")
    minx, miny, maxx, maxy = region.to_crs(SERVE_CRS).total_bounds
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    folium.TileLayer(
        "OpenStreetMap",
        name="Bakgrundskarta (OpenStreetMap)" if lang == "sv" else "Base map (OpenStreetMap)",
        attr="&copy; OpenStreetMap-bidragsgivare",
    ).add_to(fmap)
    for layer_id in build.layer_ids():
        if layer_id in specs:
            renderer = CUSTOM_RENDERERS.get(layer_id, add_layer)
            renderer(fmap, specs[layer_id], build, lang)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap
