"""The Flask adapter of the OGC API: parse the request, call the core, serialise.

Layers come from the serving build (``current_app.extensions["store"]``) through the source
of its store, ``current_app.extensions["ogc_sources"]``: feature sets in memory for the file
store (:class:`gisapp.ogc.features.MemorySource`), SQL for PostGIS
(:class:`gisapp.ogc.sql.SqlSource`).

Items pages in JSON are kept per build and request (collection, API root, query) in the
app's ``ogc_responses`` cache (``OGC_CACHE_MB`` per process; 0: off), compressed once, with
an ETag (``max-age=0``: clients revalidate, so a build switch shows at once); the serving
build is still looked up on every request.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request

from data_sources.errors import NotFoundError
from gisapp.ogc import documents as docs
from gisapp.ogc import features
from gisapp.ogc import params as ogc_params
from gisapp.ogc.crs import ServedCrs
from gisapp.ogc.features import dumps
from gisapp.ogc.openapi import openapi
from gisapp.ogc.sql import SqlSource
from gisapp.store import Build, FileBuild
from gisapp.store.postgis import PostgisBuild
from gisapp.web import params as web_params
from gisapp.web.context import current_build, public_root
from gisapp.web.pagecache import PageCache, page_response
from layers.catalog import SPECS
from layers.spec import LayerSpec

ogc = Blueprint("ogc", __name__, url_prefix="/ogc", template_folder="templates")


def init_app(app) -> None:
    """Register the blueprint, the feature source of each kind of build and the cache."""
    app.extensions["ogc_sources"] = {FileBuild: features.MemorySource(),
                                     PostgisBuild: SqlSource()}
    megabytes = int(app.config["OGC_CACHE_MB"])
    app.extensions["ogc_responses"] = (PageCache(max_entries=1024, max_bytes=megabytes * 2**20,
                                                 throttled=False) if megabytes > 0 else None)
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


def _source(build: Build) -> features.MemorySource | SqlSource:
    """The feature source serving ``build``'s kind of store."""
    return current_app.extensions["ogc_sources"][type(build)]


def _spec(build: Build, collection_id: str) -> LayerSpec:
    """The spec of a collection of ``build``; 404 for an unknown id."""
    served = _served_ids(build)
    if collection_id not in served:
        msg = f"no collection {collection_id[:80]!r}; collections: {', '.join(served)}"
        raise NotFoundError(msg)
    return SPECS[collection_id]


def _collection_doc(build: Build, collection_id: str, fmt: str) -> dict:
    spec = _spec(build, collection_id)
    return docs.collection(_base(), fmt, spec, _source(build).extent(build, spec),
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
    collections = {i: (SPECS[i].title_sv, _source(build).properties(build, SPECS[i]))
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
    return _respond(_collection_doc(build, collection_id, fmt), fmt, "ogc/collection.html")


@ogc.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """Serve a page of features, filtered by bbox and properties."""
    build = current_build()
    spec, source = _spec(build, collection_id), _source(build)
    properties = source.properties(build, spec)
    query = ogc_params.items_query(request.args, properties)
    fmt = _format((*ogc_params.ITEMS_PARAMETERS, *properties))
    url = f"{_base()}/collections/{collection_id}/items"

    def render() -> str:
        result = source.items(build, spec, query)
        return docs.items_json(result, docs.items_links(url, request.args.to_dict(), result,
                                                        fmt))

    cache = current_app.extensions["ogc_responses"]
    if fmt == "html" or cache is None:
        return _respond(render(), fmt, "ogc/items.html", docs.GEOJSON, query.crs,
                        collection_id=collection_id, title=SPECS[collection_id].title_sv)
    # the answer is a function of the build, the API root and the validated query string
    key = ("items", url, tuple(sorted(request.args.items(multi=True))))
    entry = cache.get_or_render(build.id, key, render)
    response = page_response(entry, build.id, key, docs.GEOJSON,
                             {"Content-Crs": f"<{query.crs.uri}>"}, max_age=0)
    response.vary.add("Accept")
    return response


@ogc.get("/collections/<collection_id>/items/<path:feature_id>")
def item(collection_id: str, feature_id: str):
    """Serve one feature by id."""
    build = current_build()
    crs = ogc_params.feature_query(request.args)
    fmt = _format(("f", "crs"))
    spec = _spec(build, collection_id)
    url = f"{_base()}/collections/{collection_id}/items/{quote(feature_id, safe='')}"
    body = docs.feature_json(_source(build).feature(build, spec, feature_id, crs), url,
                             f"{_base()}/collections/{collection_id}")
    return _respond(body, fmt, "ogc/feature.html", docs.GEOJSON, crs,
                    collection_id=collection_id, title=SPECS[collection_id].title_sv)
