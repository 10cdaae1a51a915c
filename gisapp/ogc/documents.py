"""Framework-free OGC API – Features documents: landing page, conformance, collections, items.

Every function takes the API's absolute base URL (``…/ogc``) and plain data, and returns a
JSON-ready dict (items: a JSON string assembled from pre-serialised features).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from gisapp.ogc.crs import CRS84, SERVED, STORAGE
from gisapp.ogc.features import Page, dumps
from layers.spec import LayerSpec

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]


def link(href: str, rel: str, media_type: str, title: str) -> dict:
    """Return one link object."""
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def _self_and_alternate(url: str, fmt: str, json_type: str = JSON) -> list[dict]:
    """Return ``self`` in the served format and ``alternate`` in the other."""
    json_link = (url + "?f=json", "Detta dokument som JSON / This document as JSON", json_type)
    html_link = (url + "?f=html", "Detta dokument som HTML / This document as HTML", HTML)
    first, second = (json_link, html_link) if fmt == "json" else (html_link, json_link)
    return [link(first[0], "self", first[2], first[1]),
            link(second[0], "alternate", second[2], second[1])]


def landing(base: str, fmt: str, region_name: str) -> dict:
    """Return the landing page: links to the API definition, conformance and collections."""
    return {
        "title": f"Strukturbild – {region_name}",
        "description": ("Strukturbildens lager som OGC API – Features (GeoJSON, HTML) / "
                        "The strukturbild layers as OGC API – Features"),
        "links": [
            *_self_and_alternate(base, fmt),
            link(f"{base}/api?f=json", "service-desc", OPENAPI, "API-definition (OpenAPI 3.0)"),
            link(f"{base}/api?f=html", "service-doc", HTML, "API-dokumentation"),
            link(f"{base}/conformance", "conformance", JSON, "Konformitetsklasser"),
            link(f"{base}/collections", "data", JSON, "Samlingar / Collections"),
        ],
    }


def conformance() -> dict:
    """Return the conformance classes this API implements."""
    return {"conformsTo": CONFORMANCE}


def collection(base: str, fmt: str, spec: LayerSpec, bounds: list[float] | None,
               provenance: dict) -> dict:
    """Return one collection: extent (CRS84 ``bounds``), CRS list, provenance and links.

    The extent is left out for an empty layer (``bounds`` ``None``): NaN is not JSON.
    """
    url = f"{base}/collections/{spec.id}"
    extent = {}
    if bounds is not None:
        extent = {"extent": {"spatial": {"bbox": [bounds], "crs": CRS84.uri}}}
    return {
        "id": spec.id,
        "title": spec.title_sv,
        "description": f"{spec.title_sv} / {spec.title_en} ({spec.theme})",
        "itemType": "feature",
        "crs": [c.uri for c in SERVED],
        "storageCrs": STORAGE.uri,
        **extent,
        "links": [
            *_self_and_alternate(url, fmt),
            link(f"{url}/items?f=json", "items", GEOJSON, "Objekt som GeoJSON / Items"),
            link(f"{url}/items?f=html", "items", HTML, "Objekt som HTML / Items"),
        ],
        "provenance": provenance,
    }


def collections(base: str, fmt: str, entries: list[dict]) -> dict:
    """Return the collection list; ``entries`` are :func:`collection` documents."""
    return {"links": _self_and_alternate(f"{base}/collections", fmt), "collections": entries,
            "crs": [c.uri for c in SERVED]}


def _page_link(url: str, args: dict[str, str], offset: int, rel: str, title: str,
               fmt: str) -> dict:
    """Return a link to the same query at another offset, in ``fmt`` (json or html)."""
    query = urlencode({**args, "offset": str(offset), "f": fmt})
    return link(f"{url}?{query}", rel, GEOJSON if fmt == "json" else HTML, title)


def items_links(url: str, args: dict[str, str], result: Page, fmt: str = "json") -> list[dict]:
    """Return the ``self``, ``alternate``, ``next`` and ``prev`` links of an items page.

    ``self`` and the paging links are in the page's own format ``fmt``; ``alternate`` in the
    other one.
    """
    args = {k: v for k, v in args.items() if k not in ("f", "offset")}
    other = "html" if fmt == "json" else "json"
    links = [
        _page_link(url, args, result.offset, "self", "Denna sida / This page", fmt),
        _page_link(url, args, result.offset, "alternate",
                   "Som HTML / As HTML" if other == "html" else "Som GeoJSON / As GeoJSON",
                   other),
    ]
    if result.has_next:
        links.append(_page_link(url, args, result.offset + result.limit, "next",
                                "Nästa sida / Next page", fmt))
    if result.offset > 0:
        links.append(_page_link(url, args, max(result.offset - result.limit, 0), "prev",
                                "Föregående sida / Previous page", fmt))
    return links


def items_json(result: Page, links: list[dict]) -> str:
    """Return the items FeatureCollection as JSON text (features are pre-serialised)."""
    tail = dumps({
        "numberMatched": result.number_matched,
        "numberReturned": result.number_returned,
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": links,
    })
    return '{"type":"FeatureCollection","features":[' + ",".join(result.features) + "]," + tail[1:]


def feature_json(feature: str, url: str, collection_url: str) -> str:
    """Return one pre-serialised feature with its ``self`` and ``collection`` links added."""
    links = dumps([link(f"{url}?f=json", "self", GEOJSON, "Detta objekt / This feature"),
                        link(f"{url}?f=html", "alternate", HTML, "Som HTML / As HTML"),
                        link(collection_url, "collection", JSON, "Samlingen / The collection")])
    return feature[:-1] + ',"links":' + links + "}"
