"""Write map layers as Mapbox Vector Tiles into one PMTiles archive (one per build).

Each tile holds one MVT layer per tiled map layer that has features there (the layer id is
the MVT layer name). Geometry is simplified to half a pixel of each zoom (the map draws a
tile 512 pixels wide), clipped to the tile plus a buffer and quantised to
:data:`~gisapp.tiles.grid.EXTENT` units; polygons and lines smaller than a pixel at a zoom
are left out of it (:data:`MIN_FEATURE_UNITS`).
``mapbox_vector_tile`` encodes each tile, gzip compresses it and ``pmtiles`` writes the
tiles in tile-id order (a clustered archive). The archive's metadata lists every layer with
its zooms, fields and feature count (TileJSON ``vector_layers``).
"""

from __future__ import annotations

import gzip
import io
import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass

import mapbox_vector_tile
import numpy as np
import pandas as pd
import shapely
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from data_sources.crs import SERVE_CRS
from gisapp.tiles.frames import TileLayer
from gisapp.tiles.grid import BUFFER_UNITS, EXTENT, tile_bounds, tile_index, unit_m
from layers.catalog import SPECS

log = logging.getLogger(__name__)

Features = dict[tuple[int, int, int], dict[str, list[dict]]]
# one pixel of a tile drawn 512 pixels wide (as the map draws them): a polygon or line
# narrower than that at a zoom is left out of that zoom's tiles (tätorter at national zooms)
MIN_FEATURE_UNITS = EXTENT // 512


@dataclass(frozen=True)
class Archive:
    """A written archive: its bytes, tile count and the seconds it took."""

    data: bytes
    tiles: int
    seconds: float


def _properties(frame: pd.DataFrame) -> list[dict]:
    """Each row's properties as MVT values (no missing values; numbers as Python numbers)."""
    rows = []
    for row in frame.drop(columns=frame.geometry.name).to_dict(orient="records"):
        props = {}
        for key, value in row.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            if isinstance(value, np.generic):
                value = value.item()
            props[key] = value if isinstance(value, bool | int | float | str) else str(value)
        rows.append(props)
    return rows


def _zoom_geometries(layer: TileLayer, z: int) -> np.ndarray:
    """The layer's geometries simplified to half a pixel at zoom ``z`` (points as they are)."""
    geoms = layer.frame.geometry.values
    tolerance = unit_m(z) * MIN_FEATURE_UNITS / 2
    if SPECS[layer.id].geometry_type == "Point":
        return np.asarray(geoms)
    if SPECS[layer.id].coverage:
        return shapely.coverage_simplify(geoms, tolerance)
    return shapely.simplify(geoms, tolerance, preserve_topology=True)


def _cut(layer: TileLayer, z: int, props: list[dict], out: Features) -> None:
    """Add the layer's features at zoom ``z`` to the tiles they touch in ``out``."""
    geoms = _zoom_geometries(layer, z)
    pad = BUFFER_UNITS * unit_m(z)
    bounds = shapely.bounds(geoms)
    if SPECS[layer.id].geometry_type != "Point":  # what is smaller than a pixel is not drawn
        size = np.fmax(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        geoms = np.where(size >= MIN_FEATURE_UNITS * unit_m(z), geoms, None)
    x0, y0 = tile_index(z, bounds[:, 0] - pad, bounds[:, 3] + pad)
    x1, y1 = tile_index(z, bounds[:, 2] + pad, bounds[:, 1] - pad)
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        single = x0[i] == x1[i] and y0[i] == y1[i]
        for x in range(x0[i], x1[i] + 1):
            for y in range(y0[i], y1[i] + 1):
                part = geom if single else shapely.clip_by_rect(
                    geom, *tile_bounds(z, x, y, BUFFER_UNITS))
                if not part.is_empty:
                    out[(z, x, y)].setdefault(layer.id, []).append(
                        {"geometry": part, "properties": props[i], "id": i})


def to_tile_units(geoms: np.ndarray, z: int, x: int, y: int) -> np.ndarray:
    """EPSG:3857 geometries in tile z/x/y's integer units, y down, MVT winding.

    Rounded to the unit grid point by point (GEOS' topology-preserving snapping costs more
    than the whole encoding), what collapses dropped; exterior rings have positive area in
    y-down units (the MVT rule), holes negative.
    """
    minx, _, _, maxy = tile_bounds(z, x, y)
    scale = EXTENT / (tile_bounds(z, x, y)[2] - minx)
    moved = shapely.transform(geoms, lambda c: (c - [minx, maxy]) * [scale, -scale])
    snapped = shapely.set_precision(moved, 1.0, mode="pointwise")
    return shapely.orient_polygons(snapped, exterior_cw=False)


def encode_tile(z: int, x: int, y: int, layers: dict[str, list[dict]]) -> bytes:
    """One tile's MVT bytes (uncompressed) from ``{layer id: features in EPSG:3857}``."""
    encoded = []
    for name, features in layers.items():
        units = to_tile_units(np.array([f["geometry"] for f in features], dtype=object),
                              z, x, y)
        encoded.append({"name": name, "features": [
            {**feature, "geometry": geom}
            for feature, geom in zip(features, units, strict=True) if not geom.is_empty]})
    return mapbox_vector_tile.encode(
        encoded, default_options={"quantize_bounds": None, "extents": EXTENT,
                                  "y_coord_down": True, "check_winding_order": False})


def _metadata(layers: list[TileLayer], attribution: str) -> dict:
    """TileJSON-style metadata: ``vector_layers`` with zooms, fields and feature counts."""
    def field_type(series: pd.Series) -> str:
        return "Number" if pd.api.types.is_numeric_dtype(series) else "String"
    return {
        "name": "Strukturbild", "format": "pbf", "attribution": attribution,
        "vector_layers": [
            {"id": layer.id, "minzoom": layer.minzoom, "maxzoom": layer.maxzoom,
             "features": len(layer.frame),
             "fields": {c: field_type(layer.frame[c]) for c in layer.frame.columns
                        if c != layer.frame.geometry.name}}
            for layer in layers],
    }


def write_archive(layers: list[TileLayer], attribution: str = "") -> Archive:
    """Cut ``layers`` into vector tiles and write them as one PMTiles archive (bytes)."""
    started = time.perf_counter()
    tiles: Features = defaultdict(dict)
    for layer in layers:
        props = _properties(layer.frame)
        for z in range(layer.minzoom, layer.maxzoom + 1):
            _cut(layer, z, props, tiles)
    buffer = io.BytesIO()
    writer = Writer(buffer)
    for key in sorted(tiles, key=lambda k: zxy_to_tileid(*k)):
        writer.write_tile(zxy_to_tileid(*key),
                          gzip.compress(encode_tile(*key, tiles[key]), mtime=0))
    west, south, east, north = _lonlat_bounds(layers)
    zooms = [z for layer in layers for z in (layer.minzoom, layer.maxzoom)] or [0]
    writer.finalize({
        "tile_type": TileType.MVT, "tile_compression": Compression.GZIP,
        "min_lon_e7": round(west * 1e7), "min_lat_e7": round(south * 1e7),
        "max_lon_e7": round(east * 1e7), "max_lat_e7": round(north * 1e7),
        "center_zoom": min(zooms), "center_lon_e7": round((west + east) / 2 * 1e7),
        "center_lat_e7": round((south + north) / 2 * 1e7),
    }, _metadata(layers, attribution))
    seconds = time.perf_counter() - started
    log.info("vector tiles: %d tiles, %.1f MB, %.1f s", len(tiles),
             len(buffer.getvalue()) / 1e6, seconds)
    return Archive(buffer.getvalue(), len(tiles), seconds)


def _lonlat_bounds(layers: list[TileLayer]) -> tuple[float, float, float, float]:
    """The lon/lat bounds of every tiled feature (the world when there is none)."""
    boxes = [layer.frame.to_crs(SERVE_CRS).total_bounds for layer in layers]
    if not boxes:
        return (-180.0, -85.0, 180.0, 85.0)
    stacked = np.array(boxes)
    return (float(stacked[:, 0].min()), float(stacked[:, 1].min()),
            float(stacked[:, 2].max()), float(stacked[:, 3].max()))
