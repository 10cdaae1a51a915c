"""The access surface as a GeoTIFF: distance or time per population square (no Flask).

Cells are the population squares of the build's ``tillganglighet`` origins (EPSG:3006);
NaN where nobody lives, ``inf`` where no service can be reached. A build whose origins are
tätort points has no surface: ``NotFoundError`` with how to add the grid.
"""

from __future__ import annotations

import numpy as np
from affine import Affine
from rasterio.io import MemoryFile

from data_sources.crs import COMPUTE_CRS
from data_sources.errors import NotFoundError
from gisapp.store import Build
from layers.tillganglighet import surface

MEASURES = ("km", "minuter")


def encode(array: np.ndarray, transform: Affine) -> bytes:
    """Encode a float32 EPSG:3006 array as a deflate-compressed GeoTIFF."""
    profile = {"driver": "GTiff", "height": array.shape[0], "width": array.shape[1], "count": 1,
               "dtype": "float32", "crs": COMPUTE_CRS, "transform": transform,
               "nodata": np.nan, "compress": "deflate"}
    with MemoryFile() as memory:
        with memory.open(**profile) as target:
            target.write(array, 1)
        return memory.read()


def square_size(build: Build) -> float:
    """Side (m) of the build's origin squares; ``NotFoundError`` when they are not a grid."""
    build.require_layer("tillganglighet")
    entry = build.manifest["layers"]["tillganglighet"]
    size = entry.get("tillganglighet", {}).get("rutstorlek_m")
    if size is None:
        raise NotFoundError("saknar data: tillganglighet has no population-grid origins; add "
                            "SCB befolkning per ruta to the data directory and rebuild")
    return size


def access_surface(build: Build, *, kategori: str, matt: str) -> bytes:
    """The GeoTIFF of ``matt`` (km or minuter) to the nearest ``kategori`` over the squares."""
    size = square_size(build)
    array, transform = surface(build.layer("tillganglighet"), kategori=kategori, column=matt,
                               size_m=size)
    return encode(array, transform)
