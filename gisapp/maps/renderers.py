"""The renderer table: how each layer is drawn into its feature group, and its panel notes.

An explicit table, filled here and nowhere else (no registration by import side effects).
A layer without an entry is drawn by :func:`draw_by_spec` from its spec's style,
categories and popup. A renderer is ``renderer(parent, spec, build, lang) -> None``; a
notes function is ``notes(build, lang) -> list[str]`` (short texts under the legend).

Layers too large for the page are drawn **on demand**: those with a display frame of their
own (:data:`ON_DEMAND`: population squares, access origins) and every layer drawn by its
spec with more than :data:`INLINE_MAX_FEATURES` features (the per-layer budget of the page,
e.g. a national service file), see :func:`on_demand_display`. The page carries an empty
feature group and the URL of the
layer's display GeoJSON (:func:`on_demand_features`, ``/kartlager/<id>.geojson``), which the
panel fetches when the layer is first switched on. Each feature carries its Leaflet style
in ``_style``; popups are built in the browser from the spec's fields, as text.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import folium
import geopandas as gpd

from gisapp.maps import panes, tillganglighet, transit
from gisapp.maps.display import simplify_for_display, to_geojson
from gisapp.maps.popup import popup
from gisapp.store import Build
from layers import tillganglighet_ruta
from layers.catalog import SPECS
from layers.service import coverage_notes
from layers.spec import LayerSpec

POP_RADIUS_MIN, POP_RADIUS_MAX, POP_RADIUS_SCALE = 3.0, 16.0, 12.0

Renderer = Callable[[folium.map.FeatureGroup, LayerSpec, Build, str], None]
LayerNotes = Callable[[Build, str], list[str]]
DisplayFrame = Callable[[LayerSpec, Build], gpd.GeoDataFrame]


def style_function(spec: LayerSpec):
    """Leaflet style for a feature: the spec's style, filled by class for categorised layers."""
    base = dict(spec.style)
    if spec.geometry_type == "Point":
        base.setdefault("fill", True)  # folium's circle markers are unfilled by default
    categories = spec.categories

    size = SIZES.get(spec.id)

    def style(feature: dict) -> dict:
        if size is not None:
            return {**_class_style(feature), "radius": size(feature["properties"])}
        return _class_style(feature)

    def _class_style(feature: dict) -> dict:
        if categories is None:
            return base
        colour = categories.colour_of(feature["properties"].get(categories.column))
        return base if colour is None else {**base, "fillColor": colour}

    return style


def population_radius(population: object) -> float:
    """Circle radius (px) growing with the square root of a population, bounded."""
    value = float(population) if isinstance(population, int | float) else 0.0
    value = 0.0 if math.isnan(value) else value  # no population known
    radius = POP_RADIUS_MIN + math.sqrt(max(value, 0.0)) / POP_RADIUS_SCALE
    return min(POP_RADIUS_MAX, round(radius * 2) / 2)  # half pixels: few distinct styles


def draw_by_spec(parent: folium.map.FeatureGroup, spec: LayerSpec, build: Build, lang: str, *,
                 frame: gpd.GeoDataFrame | None = None,
                 extra: tuple[tuple[str, str], ...] = ()) -> None:
    """Draw one built layer from its spec's style into ``parent``.

    ``frame`` replaces the (display-simplified) layer, e.g. with columns joined from another
    layer, and ``extra`` adds their ``(column, label)`` lines to the popup.
    """
    if frame is None:
        frame = simplify_for_display(spec.id, build.layer(spec.id))
    pane = panes.pane_for(spec.geometry_type)
    marker = (folium.CircleMarker(radius=spec.style.get("radius", 5))
              if spec.geometry_type == "Point" else None)
    folium.GeoJson(
        to_geojson(frame, escape=True),
        style_function=panes.in_pane(style_function(spec), pane),
        popup=popup(spec, lang, list(frame.columns), extra=extra),
        marker=marker,
        smooth_factor=1.0,
        pane=pane,
    ).add_to(parent)


def _draw_tatorter(parent: folium.map.FeatureGroup, spec: LayerSpec, build: Build,
                   lang: str) -> None:
    """Tätorter from their spec, the popup telling their nearest stomlinje stop."""
    frame, extra = transit.tatorter_with_access(build, spec, lang)
    draw_by_spec(parent, spec, build, lang, frame=frame, extra=extra)


def spec_display(spec: LayerSpec, build: Build) -> gpd.GeoDataFrame:
    """The layer simplified for display, each feature's Leaflet style (by class) in ``_style``."""
    frame = simplify_for_display(spec.id, build.layer(spec.id)).copy()
    style = style_function(spec)
    frame["_style"] = [style({"properties": row}) for row in
                       frame.drop(columns=frame.geometry.name).to_dict(orient="records")]
    return frame


def draw_on_demand(parent: folium.map.FeatureGroup, spec: LayerSpec, build: Build,
                   lang: str) -> None:
    """Nothing is drawn into the page: the panel fetches the layer when it is switched on."""
    del parent, spec, build, lang


def on_demand_features(build: Build, layer_id: str) -> dict:
    """The display GeoJSON of an on-demand layer: popup fields and ``_style`` per feature.

    Strings are not HTML-escaped: the panel inserts every value as text.
    """
    spec = SPECS[layer_id]
    frame = on_demand_display(build, layer_id)(spec, build)
    fields = [f.column for f in spec.popup if f.column in frame.columns]
    return to_geojson(frame[[*fields, "_style", frame.geometry.name]], escape=False)


def popup_fields(spec: LayerSpec, lang: str) -> list[list[str]]:
    """``[column, label]`` of the spec's popup fields in ``lang`` (for on-demand layers)."""
    return [[f.column, f.label_sv if lang == "sv" else f.label_en] for f in spec.popup]


ON_DEMAND: dict[str, DisplayFrame] = {
    "befolkning": spec_display,
    "tillganglighet": tillganglighet.display_frame,
    **{spec.id: spec_display for spec in tillganglighet_ruta.SPECS},
}
INLINE_MAX_FEATURES = 2_000  # a layer drawn by its spec with more is fetched on demand
RENDERERS: dict[str, Renderer] = {
    "stomlinjer": transit.render_stomlinjer,
    "hallplatser": transit.render_hallplatser,
    "tatorter": _draw_tatorter,
}


def on_demand_display(build: Build, layer_id: str) -> DisplayFrame | None:
    """How ``layer_id`` is fetched on demand (its display frame), ``None`` if drawn in the page.

    Layers of :data:`ON_DEMAND` always are; a layer drawn by its spec (no renderer of its
    own) is when it has more than :data:`INLINE_MAX_FEATURES` features.
    """
    if layer_id in ON_DEMAND:
        return ON_DEMAND[layer_id]
    if (layer_id in SPECS and layer_id not in RENDERERS and layer_id in build.layer_ids()
            and len(build.layer(layer_id)) > INLINE_MAX_FEATURES):
        return spec_display
    return None


# Point layers whose circles are sized by a column (radius from the feature's properties);
# the web map and the static maps both take their styles from :func:`style_function`.
SIZES: dict[str, Callable[[dict], float]] = {
    "tatort_stomlinje": lambda props: population_radius(props.get("bef_2020")),
}


def _service_notes(build: Build, lang: str) -> list[str]:
    """Each service category's count, sources and dates; the categories without data."""
    return coverage_notes(build.manifest["layers"]["service"].get("tackning", {}), lang)


NOTES: dict[str, LayerNotes] = {
    "stomlinjer": transit.transit_notes,
    "service": _service_notes,
}


def renderer_for(layer_id: str, build: Build) -> Renderer:
    """The renderer of ``layer_id``: its own, or :func:`draw_by_spec`.

    An on-demand layer (:func:`on_demand_display`) draws nothing into the page.
    """
    if on_demand_display(build, layer_id) is not None:
        return draw_on_demand
    return RENDERERS.get(layer_id, draw_by_spec)


def notes_for(layer_id: str, build: Build, lang: str) -> list[str]:
    """The panel notes of ``layer_id`` in ``build`` (none when it has no notes function)."""
    return NOTES[layer_id](build, lang) if layer_id in NOTES else []
