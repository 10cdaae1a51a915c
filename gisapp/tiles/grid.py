"""The web-map tile grid (EPSG:3857, XYZ numbering: y from the top), for tiles of any zoom.

Tiles are squares of :data:`WORLD_M` / 2**z Web Mercator metres; a vector tile divides its
square into :data:`EXTENT` units, so one unit at zoom ``z`` is :func:`unit_m` metres.
"""

from __future__ import annotations

import math

import numpy as np

TILE_CRS = "EPSG:3857"
ORIGIN_M = 20037508.342789244  # half the Web Mercator world's width
WORLD_M = 2 * ORIGIN_M
EXTENT = 4096  # units per tile side (the MVT default)
BUFFER_UNITS = 64  # geometry kept beyond each tile edge, so strokes join across tiles
MAX_ZOOM = 22  # the deepest zoom a client may ask for (tiles beyond the archive are overzoomed)


def tile_m(z: int) -> float:
    """Width of a zoom-``z`` tile in Web Mercator metres."""
    return WORLD_M / 2**z


def unit_m(z: int) -> float:
    """Width of one tile unit (of :data:`EXTENT`) at zoom ``z``, in Web Mercator metres."""
    return tile_m(z) / EXTENT


def tile_bounds(z: int, x: int, y: int, buffer_units: int = 0) -> tuple[float, ...]:
    """``(minx, miny, maxx, maxy)`` of tile z/x/y in EPSG:3857, grown by ``buffer_units``."""
    width = tile_m(z)
    pad = buffer_units * width / EXTENT
    minx = -ORIGIN_M + x * width
    maxy = ORIGIN_M - y * width
    return (minx - pad, maxy - width - pad, minx + width + pad, maxy + pad)


def tile_index(z: int, mx: np.ndarray, my: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column and row of the zoom-``z`` tiles holding the EPSG:3857 points ``(mx, my)``."""
    width = tile_m(z)
    last = 2**z - 1
    col = np.clip(np.floor((np.asarray(mx) + ORIGIN_M) / width), 0, last).astype(np.int64)
    row = np.clip(np.floor((ORIGIN_M - np.asarray(my)) / width), 0, last).astype(np.int64)
    return col, row


def zoom_for_precision(precision_m: float) -> int:
    """The lowest zoom whose tile unit is at most ``precision_m`` metres."""
    return max(0, math.ceil(math.log2(WORLD_M / (EXTENT * precision_m))))


def in_range(z: int, x: int, y: int) -> bool:
    """Whether z/x/y names a tile of the grid (0 ≤ z ≤ MAX_ZOOM, x and y inside 2**z)."""
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z
