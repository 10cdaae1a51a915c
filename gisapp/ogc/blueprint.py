"""The Flask adapter of the OGC API: parse the request, call the core, serialise.

Layers come from the serving build (``current_app.extensions["store"]``); feature sets are
cached per build id in ``current_app.extensions["ogc_features"]``.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request

from data_sources.errors import NotFoundError
from gisapp.ogc import documents as docs
from gisapp.ogc import features
from gisapp.ogc import params as ogc_params
from gisapp.ogc.crs import CRS84, ServedCrs
from gisapp.ogc.features import FeatureSet, dumps
from gisapp.ogc.openapi import openapi
from gisapp.store import Build
from gisapp.web import params as web_params
from gisapp.web.context import current_build, public_root
from layers.catalog import SPECS

ogc = Blueprint("ogc", __name__, url_prefix="/ogc", template_folder="templates")


def init_app(app) -> None:
    """Register the blueprint and its per-build feature cache on ``app``."""
    app.extensions["ogc_features"] = features.FeatureCache()
    app.register_blueprint(ogc)


def _base() -> str:
    """Return the absolute URL of the API root (from ``PUBLIC_URL`` or a trusted host)."""
    return public_root() + "/ogc"


def _format(allowed: tuple[str, ...] = ("f",)) -> str:
    """Validate the query (only ``allowed`` names) and negotiate json or html."""
    web_params.only(request.args, allowed)
    best = request.accept_mimetypes.best_match([docs.JSON, docs.GEOJSON, docs.HTML],
                                               default=docs.JSON)
    return ogc_params.output_format(request.args, best == docs.HTML)


def _respond(body: dict | str, fmt: str, template: str, media_type: str = docs.JSON,
             crs: ServedCrs | None = None, **context) -> Response:
    """Serialise ``body`` as JSON (``media_type``) or render ``template`` as HTML."""
    if fmt == "html":
        data = json.loads(body) if isinstance(body, str) else body
        response = Response(render_template(template, doc=data, **context), mimetype=docs.HTML)
    else:
        text = body if isinstance(body, str) else dumps(body)
        response = Response(text, mimetype=media_type)
    if crs is not None:
        response.headers["Content-Crs"] = f"<{crs.uri}>"
    response.vary.add("Accept")
    return response


def _layer(build: Build, collection_id: str, crs: ServedCrs = CRS84) -> FeatureSet:
    """Return the feature set of a collection of ``build``; 404 for an unknown id."""
    served = _served_ids(build)
    if collection_id not in served:
        msg = f"no collection {collection_id[:80]!r}; collections: {', '.join(served)}"
        raise NotFoundError(msg)
    cache = current_app.extensions["ogc_features"]
    return cache.get(build, collection_id, SPECS.get(collection_id), crs)


def _collection_doc(build: Build, collection_id: str, fmt: str) -> dict:
    spec = SPECS[collection_id]
    return docs.collection(_base(), fmt, spec, _layer(build, collection_id),
                           build.manifest["layers"][collection_id])


def _served_ids(build: Build) -> list[str]:
    """Ids of the built layers that have a spec (the collections)."""
    return [i for i in build.layer_ids() if i in SPECS]


@ogc.get("/", strict_slashes=False)
def landing():
    """Serve the landing page."""
    fmt = _format()
    build = current_build()
    return _respond(docs.landing(_base(), fmt, build.manifest["region"]["lansnamn"]), fmt,
                    "ogc/landing.html", api_url=_base() + "/")


@ogc.get("/conformance")
def conformance():
    """Serve the conformance classes."""
    fmt = _format()
    return _respond(docs.conformance(), fmt, "ogc/conformance.html")


@ogc.get("/api")
def api():
    """Serve the OpenAPI 3.0 definition (JSON; ``f=html`` lists the paths)."""
    fmt = _format()
    build = current_build()
    collections = {i: (SPECS[i].title_sv, _layer(build, i).properties)
                   for i in _served_ids(build)}
    title = f"Strukturbild – {build.manifest['region']['lansnamn']}"
    document = openapi(_base(), title, collections)
    return _respond(document, fmt, "ogc/api.html", docs.OPENAPI)


@ogc.get("/collections")
def collections():
    """Serve the collection list."""
    fmt = _format()
    build = current_build()
    entries = [_collection_doc(build, i, fmt) for i in _served_ids(build)]
    return _respond(docs.collections(_base(), fmt, entries), fmt, "ogc/collections.html")


@ogc.get("/collections/<collection_id>")
def collection(collection_id: str):
    """Serve one collection's metadata."""
    fmt = _format()
    build = current_build()
    _layer(build, collection_id)
    return _respond(_collection_doc(build, collection_id, fmt), fmt, "ogc/collection.html")


@ogc.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """Serve a page of features, filtered by bbox and properties."""
    build = current_build()
    stored = _layer(build, collection_id)
    query = ogc_params.items_query(request.args, stored.properties)
    fmt = _format((*ogc_params.ITEMS_PARAMETERS, *stored.properties))
    served = _layer(build, collection_id, query.crs)
    positions = features.select(served, bbox_set=_layer(build, collection_id, query.bbox_crs),
                                bbox=query.bbox, filters=query.filters)
    result = features.page(served, positions, offset=query.offset, limit=query.limit)
    url = f"{_base()}/collections/{collection_id}/items"
    body = docs.items_json(result, docs.items_links(url, request.args.to_dict(), result, fmt))
    return _respond(body, fmt, "ogc/items.html", docs.GEOJSON, query.crs,
                    collection_id=collection_id, title=SPECS[collection_id].title_sv)


@ogc.get("/collections/<collection_id>/items/<path:feature_id>")
def item(collection_id: str, feature_id: str):
    """Serve one feature by id."""
    build = current_build()
    crs = ogc_params.feature_query(request.args)
    fmt = _format(("f", "crs"))
    served = _layer(build, collection_id, crs)
    url = f"{_base()}/collections/{collection_id}/items/{quote(feature_id, safe='')}"
    body = docs.feature_json(features.feature(served, feature_id), url,
                             f"{_base()}/collections/{collection_id}")
    return _respond(body, fmt, "ogc/feature.html", docs.GEOJSON, crs,
                    collection_id=collection_id, title=SPECS[collection_id].title_sv)
