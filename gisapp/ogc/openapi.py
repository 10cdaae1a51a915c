"""The OpenAPI 3.0 definition of the OGC API, generated from the serving build.

Each collection gets its own paths, listing its properties as filter parameters, so that
generic clients (and the fuzzing test) see exactly what the server accepts.
"""

from __future__ import annotations

from gisapp.ogc.crs import SERVED
from gisapp.ogc.params import (
    DEFAULT_LIMIT,
    ITEMS_PARAMETERS,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_VALUE_CHARS,
)

_PROBLEM = {
    "type": "object",
    "required": ["title", "status", "detail"],
    "properties": {"title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "parameter": {"type": "string"}},
}
_LINK = {"type": "object", "required": ["href", "rel"],
         "properties": {"href": {"type": "string"}, "rel": {"type": "string"},
                        "type": {"type": "string"}, "title": {"type": "string"}}}
_LINKS = {"type": "array", "items": {"$ref": "#/components/schemas/link"}}
_FEATURE = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {"type": {"type": "string", "enum": ["Feature"]},
                   "id": {"type": "string"},
                   "geometry": {"type": "object", "nullable": True},
                   "properties": {"type": "object", "nullable": True},
                   "links": _LINKS},
}
_FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features", "numberMatched", "numberReturned", "links"],
    "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                   "features": {"type": "array", "items": {"$ref": "#/components/schemas/feature"}},
                   "numberMatched": {"type": "integer", "minimum": 0},
                   "numberReturned": {"type": "integer", "minimum": 0},
                   "timeStamp": {"type": "string"},
                   "links": _LINKS},
}
_LANDING = {"type": "object", "required": ["links"],
            "properties": {"title": {"type": "string"}, "links": _LINKS}}
_CONFORMANCE = {"type": "object", "required": ["conformsTo"],
                "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}}}
_COLLECTION = {"type": "object", "required": ["id", "links"],
               "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                              "links": _LINKS, "extent": {"type": "object"},
                              "crs": {"type": "array", "items": {"type": "string"}}}}
_COLLECTIONS = {"type": "object", "required": ["links", "collections"],
                "properties": {"links": _LINKS, "collections": {
                    "type": "array", "items": {"$ref": "#/components/schemas/collection"}}}}


_INSTANT = (r"[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
            r"(T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d))?")
# an instant, or an interval with at least one closed end (open ends as .. or empty)
DATETIME_PATTERN = (rf"^({_INSTANT}|{_INSTANT}/({_INSTANT}|\.\.)?|(\.\.)?/{_INSTANT})$")


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/{name}"}


def _json_response(description: str, schema: str, media_type: str = "application/json") -> dict:
    """Return a 200 response in JSON (schema ``schema``) or HTML."""
    return {"description": description, "content": {
        media_type: {"schema": _ref(f"schemas/{schema}")},
        "text/html": {"schema": {"type": "string"}}}}


def _errors(*codes: int) -> dict:
    """Return problem-document responses for ``codes``."""
    return {str(code): _ref(f"responses/problem{code}") for code in codes}


def _get(summary: str, operation_id: str, parameters: list, responses: dict) -> dict:
    return {"get": {"summary": summary, "operationId": operation_id, "parameters": parameters,
                    "responses": responses}}


def _string_param(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", "maxLength": MAX_VALUE_CHARS}}


def _collection_paths(collection_id: str, title: str, properties: list[str]) -> dict:
    """Return the three paths of one collection."""
    base = f"/collections/{collection_id}"
    filters = [_string_param(p, f"Filtrera på {p} (exakt värde) / filter on {p}")
               for p in properties]
    items_params = [*(_ref(f"parameters/{name}") for name in ITEMS_PARAMETERS), *filters]
    return {
        base: _get(f"{title}: samlingens metadata", f"describe_{collection_id}",
                   [_ref("parameters/f")],
                   {"200": _json_response("Samlingen", "collection"),
                    **_errors(400, 404, 414)}),
        f"{base}/items": _get(f"{title}: objekt", f"items_{collection_id}", items_params, {
            "200": _json_response("Objekt", "featureCollection", "application/geo+json"),
            **_errors(400, 404, 414)}),
        f"{base}/items/{{featureId}}": _get(
            f"{title}: ett objekt", f"feature_{collection_id}",
            [{"name": "featureId", "in": "path", "required": True,
              "schema": {"type": "string", "maxLength": MAX_VALUE_CHARS}},
             _ref("parameters/f"), _ref("parameters/crs")],
            {"200": _json_response("Objektet", "feature", "application/geo+json"),
             **_errors(400, 404, 414)}),
    }


def _parameters() -> dict:
    crs_enum = [c.uri for c in SERVED]
    return {
        "f": {"name": "f", "in": "query", "required": False, "description": "Format",
              "schema": {"type": "string", "enum": ["json", "html"]}},
        "bbox": {"name": "bbox", "in": "query", "required": False, "style": "form",
                 "explode": False, "description": "minx,miny,maxx,maxy in bbox-crs axis order "
                                                  "(or 6 numbers with heights)",
                 "schema": {"type": "array", "minItems": 4, "maxItems": 6,
                            "items": {"type": "number"},
                            "not": {"type": "array", "minItems": 5, "maxItems": 5}}},
        "bbox-crs": {"name": "bbox-crs", "in": "query", "required": False,
                     "schema": {"type": "string", "format": "uri", "minLength": 1,
                                "enum": crs_enum}},
        "datetime": {"name": "datetime", "in": "query", "required": False, "style": "form",
                     "explode": False,
                     "description": "RFC 3339 instant or interval a/b (open ends ..); the "
                                    "layers carry no time, so a valid value filters nothing",
                     "schema": {"type": "string", "pattern": DATETIME_PATTERN}},
        "crs": {"name": "crs", "in": "query", "required": False, "style": "form",
                "explode": False, "schema": {"type": "string", "format": "uri",
                                             "minLength": 1, "enum": crs_enum}},
        "limit": {"name": "limit", "in": "query", "required": False, "style": "form",
                  "explode": False,
                  "description": f"Larger values are served as {MAX_LIMIT}",
                  "schema": {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT}},
        "offset": {"name": "offset", "in": "query", "required": False,
                   "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET,
                              "default": 0}},
    }


def openapi(server_url: str, title: str, collections: dict[str, tuple[str, list[str]]]) -> dict:
    """Return the OpenAPI 3.0 document; ``collections`` maps id to (title, properties)."""
    paths = {
        "/": _get("Startsida / Landing page", "landing", [_ref("parameters/f")],
                  {"200": _json_response("Startsidan", "landing"), **_errors(400, 414)}),
        "/conformance": _get("Konformitet / Conformance", "conformance", [_ref("parameters/f")],
                             {"200": _json_response("Konformitet", "conformance"),
                              **_errors(400, 414)}),
        "/collections": _get("Samlingar / Collections", "collections", [_ref("parameters/f")],
                             {"200": _json_response("Samlingar", "collections"),
                              **_errors(400, 414)}),
    }
    for collection_id, (collection_title, properties) in collections.items():
        paths.update(_collection_paths(collection_id, collection_title, properties))
    problem = {"application/problem+json": {"schema": _ref("schemas/problem")},
               "text/html": {"schema": {"type": "string"}}}  # browsers get an error page
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1.0.0",
                 "description": "OGC API – Features (Part 1 Core, Part 2 CRS)",
                 "license": {"name": "Se respektive källa / see each source"}},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "parameters": _parameters(),
            "schemas": {"problem": _PROBLEM, "link": _LINK, "feature": _FEATURE,
                        "featureCollection": _FEATURE_COLLECTION, "landing": _LANDING,
                        "conformance": _CONFORMANCE, "collection": _COLLECTION,
                        "collections": _COLLECTIONS},
            "responses": {
                "problem400": {"description": "Ogiltig parameter / Bad parameter",
                               "content": problem},
                "problem404": {"description": "Finns inte / Not found", "content": problem},
                "problem414": {"description": "För lång adress / URI too long",
                               "content": problem},
            },
        },
    }
