"""Which layers the map draws from vector tiles, with what properties and at which zooms.

An explicit table (:data:`TILED`): the layers that make a page heavy when inlined
(every polygon of kommuner, län and tätorter, service points, the population grid, the
stations' catchment areas). Each
tile feature keeps the properties the browser needs: the spec's popup fields, the column
its colours are classed by and, for tätorter, the nearest stomlinje stop the popup tells.

Zooms are chosen per layer from its data: the deepest zoom is the first whose tile unit
is finer than half the layer's display tolerance (:data:`POINT_PRECISION_M` for layers
drawn unsimplified); the shallowest is the lowest at which no tile holds more than
:data:`MAX_FEATURES_PER_TILE` features, so the 103 464 national grid squares are never
packed into a few huge tiles. Deeper views are cut from the deepest tiles (overzoom).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from gisapp.maps.display import simplify_for_display
from gisapp.maps.transit import join_access
from gisapp.tiles.grid import TILE_CRS, tile_index, zoom_for_precision
from layers.catalog import SPECS

TILED = ("kommuner", "lan", "tatorter", "service", "kommunindikatorer", "befolkning",
         "upptagningsomraden")
POINT_PRECISION_M = 10.0  # tile precision of layers with no display tolerance
MAX_FEATURES_PER_TILE = 4_000
MAX_ARCHIVE_ZOOM = 12


@dataclass(frozen=True)
class TileLayer:
    """One layer to tile: its features in EPSG:3857 (properties for the browser), zooms."""

    id: str
    frame: gpd.GeoDataFrame
    minzoom: int
    maxzoom: int


def tile_columns(layer_id: str, columns: list[str]) -> list[str]:
    """The properties tiles of ``layer_id`` carry, of those in ``columns``."""
    spec = SPECS[layer_id]
    wanted = [f.column for f in spec.popup]
    if spec.categories is not None:
        wanted.append(spec.categories.column)
    if layer_id == "tatorter":
        wanted += [c for c in columns if c.startswith("stomlinje_")]
    return [c for c in dict.fromkeys(wanted) if c in columns]


def zoom_range(frame: gpd.GeoDataFrame, tolerance_m: float | None) -> tuple[int, int]:
    """``(minzoom, maxzoom)`` of a layer in EPSG:3857 (see the module docstring)."""
    precision = tolerance_m / 2 if tolerance_m else POINT_PRECISION_M
    maxzoom = min(MAX_ARCHIVE_ZOOM, zoom_for_precision(precision))
    points = frame.geometry.representative_point()
    for z in range(maxzoom + 1):
        col, row = tile_index(z, points.x.to_numpy(), points.y.to_numpy())
        _, counts = np.unique(col * 2**z + row, return_counts=True)
        if counts.max(initial=0) <= MAX_FEATURES_PER_TILE:
            return z, maxzoom
    return maxzoom, maxzoom


def tile_layers(layers: dict[str, gpd.GeoDataFrame]) -> list[TileLayer]:
    """The :data:`TILED` layers among ``layers`` (EPSG:3006), prepared for tiling."""
    out = []
    for layer_id in TILED:
        if layer_id not in layers:
            continue
        frame = layers[layer_id]
        geoms = frame.geometry.values
        drawn = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))  # nothing to tile
        if not drawn.any():
            continue
        frame = simplify_for_display(layer_id, frame[drawn])
        if layer_id == "tatorter" and "tatort_stomlinje" in layers:
            frame = join_access(frame, layers["tatort_stomlinje"])
        frame = frame[[*tile_columns(layer_id, list(frame.columns)), frame.geometry.name]]
        frame = frame.to_crs(TILE_CRS).reset_index(drop=True)
        minzoom, maxzoom = zoom_range(frame, SPECS[layer_id].display_tolerance_m)
        out.append(TileLayer(layer_id, frame, minzoom, maxzoom))
    return out
