"""``GET /api/tillganglighet.tif``: the access surface as a GeoTIFF (grid-square origins only).

``kategori`` (default ``apotek``) and ``matt`` (``minuter`` along a road network, or ``km``).
Cells are the population squares (EPSG:3006); NaN where nobody lives, ``inf`` where no
service can be reached. Without a population grid the layer has tätort points and no
surface: 404 with how to add the grid.
"""

from __future__ import annotations

import numpy as np
from flask import Blueprint, Response, current_app, request
from rasterio.io import MemoryFile

from data_sources.errors import NotFoundError, RequestError
from layers.service import CATEGORIES
from layers.tillganglighet import surface

surface_api = Blueprint("surface_api", __name__)


def geotiff(array: np.ndarray, transform) -> bytes:
    """Encode a float32 EPSG:3006 array as a deflate-compressed GeoTIFF."""
    profile = {"driver": "GTiff", "height": array.shape[0], "width": array.shape[1], "count": 1,
               "dtype": "float32", "crs": "EPSG:3006", "transform": transform,
               "nodata": np.nan, "compress": "deflate"}
    with MemoryFile() as memory:
        with memory.open(**profile) as target:
            target.write(array, 1)
        return memory.read()


def _params() -> tuple[str, str]:
    """Validated ``kategori`` and ``matt``."""
    kategori = request.args.get("kategori", "apotek")
    matt = request.args.get("matt", "km")
    if kategori not in CATEGORIES:
        raise RequestError("kategori", f"must be one of {', '.join(CATEGORIES)}")
    if matt not in ("km", "minuter"):
        raise RequestError("matt", "must be 'km' or 'minuter'")
    return kategori, matt


def _square_size(build) -> float:
    """Side of the build's origin squares, or 404 when the origins are not a grid."""
    entry = build.manifest["layers"].get("tillganglighet", {}) if build else {}
    size = entry.get("tillganglighet", {}).get("rutstorlek_m")
    if size is None:
        raise NotFoundError("saknar data: tillganglighet has no population-grid origins; add "
                            "SCB befolkning per ruta to the data directory and rebuild")
    return size


@surface_api.get("/api/tillganglighet.tif")
def surface_view():
    """The distance or time surface of one category over the population squares."""
    kategori, matt = _params()
    build = current_app.extensions["store"].current()
    size = _square_size(build)
    array, transform = surface(build.layer("tillganglighet"), kategori=kategori, column=matt,
                               size_m=size)
    return Response(geotiff(array, transform), mimetype="image/tiff")
