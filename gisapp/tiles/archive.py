"""Read a build's PMTiles archive: header, metadata, one layer's tile at any zoom.

The archive holds every tiled layer in each tile (:mod:`gisapp.tiles.writer`); a client of
``/tiles/<layer>/<z>/<x>/<y>.mvt`` gets only its layer, sliced out of the tile's protobuf
without decoding its features. Beyond a layer's deepest zoom the tile is cut from its
ancestor at that zoom (overzoom); above its shallowest zoom, and where the layer has no
feature, there is no tile (``None``).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from functools import cached_property, lru_cache

import mapbox_vector_tile
import numpy as np
import shapely
from pmtiles.tile import (
    Compression,
    deserialize_directory,
    deserialize_header,
    find_tile,
    zxy_to_tileid,
)
from shapely.geometry import shape

from gisapp.tiles.grid import BUFFER_UNITS, EXTENT

GetBytes = Callable[[int, int], bytes]
LAYERS_FIELD = 3  # vector_tile.Tile.layers
NAME_FIELD = 1  # vector_tile.Tile.Layer.name


class TileArchive:
    """A PMTiles archive of vector tiles, read through ``get_bytes(offset, length)``."""

    def __init__(self, get_bytes: GetBytes) -> None:
        self.get_bytes = get_bytes
        self._directory = lru_cache(maxsize=64)(self._read_directory)

    @cached_property
    def header(self) -> dict:
        """The archive's header (pmtiles' dict: zooms, bounds, offsets, compression)."""
        return deserialize_header(self.get_bytes(0, 127))

    @cached_property
    def metadata(self) -> dict:
        """The archive's JSON metadata (``vector_layers`` with each layer's zooms)."""
        data = self.get_bytes(self.header["metadata_offset"], self.header["metadata_length"])
        if self.header["internal_compression"] == Compression.GZIP:
            data = gzip.decompress(data)
        return json.loads(data)

    @cached_property
    def layers(self) -> dict[str, dict]:
        """The ``vector_layers`` entries by layer id."""
        return {layer["id"]: layer for layer in self.metadata.get("vector_layers", [])}

    def _read_directory(self, offset: int, length: int) -> list:
        """One directory of the archive (gzip, as pmtiles writes it; cached)."""
        return deserialize_directory(self.get_bytes(offset, length))

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The stored tile z/x/y (every layer, uncompressed MVT), ``None`` when absent."""
        header = self.header
        tile_id = zxy_to_tileid(z, x, y)
        offset, length = header["root_offset"], header["root_length"]
        for _depth in range(4):
            entry = find_tile(self._directory(offset, length), tile_id)
            if entry is None:
                return None
            if entry.run_length > 0:
                data = self.get_bytes(header["tile_data_offset"] + entry.offset, entry.length)
                if header["tile_compression"] == Compression.GZIP:
                    data = gzip.decompress(data)
                return data
            offset = header["leaf_directory_offset"] + entry.offset
            length = entry.length
        return None

    def layer_tile(self, layer_id: str, z: int, x: int, y: int) -> bytes | None:
        """The MVT of one layer at z/x/y (overzoomed past its deepest zoom), or ``None``.

        Raises ``KeyError`` for a layer the archive does not hold.
        """
        layer = self.layers[layer_id]
        if z < layer["minzoom"]:
            return None
        if z <= layer["maxzoom"]:
            data = self.tile(z, x, y)
            return None if data is None else layer_bytes(data, layer_id)
        dz = z - layer["maxzoom"]
        parent = self.tile(layer["maxzoom"], x >> dz, y >> dz)
        part = None if parent is None else layer_bytes(parent, layer_id)
        return None if part is None else overzoom(part, layer_id, dz, x, y)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """The protobuf varint at ``pos`` and the position after it."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _fields(data: bytes):
    """``(field number, wire type, field start, body start, end)`` of each top-level field."""
    pos = 0
    while pos < len(data):
        field_start = pos
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        start = pos
        if wire == 0:
            _, pos = _varint(data, pos)
        elif wire == 2:
            size, start = _varint(data, pos)
            pos = start + size
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            msg = f"unsupported protobuf wire type {wire}"
            raise ValueError(msg)
        yield number, wire, field_start, start, pos


def layer_bytes(tile: bytes, layer_id: str) -> bytes | None:
    """The MVT holding only layer ``layer_id`` of ``tile`` (bytes copied, not re-encoded)."""
    name = layer_id.encode()
    for number, wire, field_start, start, end in _fields(tile):
        if number != LAYERS_FIELD or wire != 2:
            continue
        body = tile[start:end]
        for inner, inner_wire, _, s, e in _fields(body):
            if inner == NAME_FIELD and inner_wire == 2 and body[s:e] == name:
                return tile[field_start:end]
    return None


def overzoom(part: bytes, layer_id: str, dz: int, x: int, y: int) -> bytes | None:
    """The tile ``dz`` zooms below ``part`` (one layer's MVT) at x/y: scaled and clipped."""
    decoded = mapbox_vector_tile.decode(part, default_options={"y_coord_down": True})
    features = decoded.get(layer_id, {}).get("features", [])
    scale = 2**dz
    dx = (x - (x >> dz) * scale) * EXTENT
    dy = (y - (y >> dz) * scale) * EXTENT
    low, high = -BUFFER_UNITS, EXTENT + BUFFER_UNITS
    kept = []
    for feature in features:
        geom = shapely.transform(shape(feature["geometry"]),
                                 lambda c: c * scale - np.array([dx, dy]))
        geom = shapely.set_precision(shapely.clip_by_rect(geom, low, low, high, high), 1.0)
        if not geom.is_empty:
            kept.append({"geometry": shapely.orient_polygons(geom, exterior_cw=False),
                         "properties": feature["properties"], "id": feature.get("id")})
    if not kept:
        return None
    return mapbox_vector_tile.encode(
        [{"name": layer_id, "features": kept}],
        default_options={"quantize_bounds": None, "extents": EXTENT, "y_coord_down": True,
                         "check_winding_order": False})
