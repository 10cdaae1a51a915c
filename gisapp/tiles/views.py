"""The tile endpoints: the build's PMTiles archive by HTTP Range, and XYZ vector tiles.

``/tiles/<build-id>.pmtiles`` is the archive itself (``Range`` answered with 206, an
unsatisfiable range with 416), for clients that read PMTiles; ``/tiles/<layer>/<z>/<x>/<y>.mvt``
is one layer's Mapbox Vector Tile for XYZ clients and the app's own map (204 where the
layer has no feature, 400 for a z/x/y that names no tile, 404 for an unknown layer).
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, request, send_file

from data_sources.errors import NotFoundError
from gisapp.tiles import serving
from gisapp.web import params
from gisapp.web.context import current_build

tiles = Blueprint("tiles", __name__)

MVT = "application/vnd.mapbox-vector-tile"
PMTILES = "application/vnd.pmtiles"
MAX_AGE_S = 3600  # the archive, whose URL names its build


@tiles.get("/tiles/<name>.pmtiles")
def archive(name: str):
    """The serving build's archive; another name (an older build) is 404."""
    params.only(request.args, ())
    build = current_build()
    source = build.tiles
    if name != build.id or source is None:
        raise NotFoundError(f"no tile archive {name[:40]!r}; the serving build is {build.id}")
    body = source if not isinstance(source, bytes) else io.BytesIO(source)
    return send_file(body, mimetype=PMTILES, conditional=True, max_age=MAX_AGE_S,
                     etag=build.manifest.get("tiles", {}).get("sha256", build.id))


@tiles.get("/tiles/<layer_id>/<z>/<x>/<y>.mvt")
def layer_tile(layer_id: str, z: str, x: str, y: str):
    """One layer's vector tile at z/x/y of the serving build."""
    params.only(request.args, ())
    build = current_build()
    data = serving.layer_tile(build, layer_id, *serving.tile_address(z, x, y))
    response = Response(data or b"", status=200 if data else 204, mimetype=MVT)
    response.cache_control.public = True
    response.cache_control.max_age = 0  # the URL names no build: revalidate by the ETag, so
    response.set_etag(f"{build.id}-{layer_id}-{z}-{x}-{y}")  # a switch shows at once
    return response.make_conditional(request)
