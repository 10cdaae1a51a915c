"""What the tile endpoints answer: a build's archive, opened once, and parsed tile addresses.

Flask-free: :func:`archive_of` opens a build's PMTiles archive (memory-mapped from the file
store's file, or the bytes of a database build) and keeps it while the build serves;
:func:`tile_address` validates ``z``/``x``/``y`` as given in a URL.
"""

from __future__ import annotations

import mmap
import re
import threading
from pathlib import Path

from data_sources.errors import NotFoundError, RequestError
from gisapp.store import Build
from gisapp.tiles.archive import TileArchive
from gisapp.tiles.grid import MAX_ZOOM, in_range

_DECIMAL = re.compile(r"[0-9]{1,8}")
_SHOWN = 40  # characters of a bad value quoted back
_open: dict[str, TileArchive] = {}
_lock = threading.Lock()
KEEP_OPEN = 2  # archives kept open: the serving build and the one before a switch


def archive_of(build: Build) -> TileArchive:
    """The build's tile archive; ``NotFoundError`` for a build written without tiles."""
    with _lock:
        if build.id not in _open:
            source = build.tiles
            if source is None:
                msg = f"build {build.id} has no map tiles; rebuild with `strukturbild build`"
                raise NotFoundError(msg)
            if len(_open) >= KEEP_OPEN:
                _open.pop(next(iter(_open)))
            _open[build.id] = TileArchive(_source(source))
        return _open[build.id]


def _source(source: Path | bytes):
    """``get_bytes(offset, length)`` over a file (memory-mapped) or bytes."""
    if isinstance(source, Path):
        with source.open("rb") as file:
            data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    else:
        data = source
    return lambda offset, length: bytes(data[offset:offset + length])


def tile_address(z: str, x: str, y: str) -> tuple[int, int, int]:
    """``(z, x, y)`` from a URL's text; ``RequestError`` (400) unless it names a tile."""
    value = f"{z}/{x}/{y}"
    if not all(_DECIMAL.fullmatch(part) for part in (z, x, y)) or not in_range(
            int(z), int(x), int(y)):
        shown = value[:_SHOWN]
        raise RequestError("z/x/y", f"no tile {shown!r}: z is 0–{MAX_ZOOM}, x and y 0 to "
                                    "2^z − 1", kind="tile",
                           values={"value": shown, "max_zoom": str(MAX_ZOOM)})
    return int(z), int(x), int(y)


def layer_tile(build: Build, layer_id: str, z: int, x: int, y: int) -> bytes | None:
    """One layer's MVT at z/x/y (``None``: no feature there); unknown layer: 404."""
    archive = archive_of(build)
    if layer_id not in archive.layers:
        shown = layer_id[:_SHOWN]
        msg = f"no tiled layer {shown!r}; tiled layers: {', '.join(archive.layers)}"
        raise NotFoundError(msg)
    return archive.layer_tile(layer_id, z, x, y)
