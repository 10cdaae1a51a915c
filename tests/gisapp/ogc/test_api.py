"""OGC API – Features on the real build: documents, paging, filters, CRS, negotiation."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
SWEREF = "http://www.opengis.net/def/crs/EPSG/0/3006"


def _links(doc: dict, rel: str) -> list[str]:
    return [link["href"] for link in doc["links"] if link["rel"] == rel]


def test_landing_links_to_api_conformance_and_collections(client):
    doc = client.get("/ogc").get_json()
    assert "Värmland" in doc["title"]
    assert _links(doc, "service-desc") and _links(doc, "conformance") and _links(doc, "data")
    classes = client.get("/ogc/conformance").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes


def test_collection_has_extent_crs_and_provenance(client, built):
    doc = client.get("/ogc/collections/kommuner").get_json()
    minx, miny, maxx, maxy = doc["extent"]["spatial"]["bbox"][0]
    expected = built.layer("kommuner").to_crs("OGC:CRS84").total_bounds
    assert np.allclose([minx, miny, maxx, maxy], expected, atol=1e-5)
    assert doc["crs"] == [CRS84, SWEREF] and doc["storageCrs"] == SWEREF
    publishers = {s["publisher"] for s in doc["provenance"]["sources"]}
    assert "Lantmäteriet" in publishers
    assert _links(doc, "items")


def test_items_page_through_with_next_and_prev(client, built):
    total = len(built.layer("service"))
    seen, url = [], "/ogc/collections/service/items?limit=40"
    while url:
        doc = client.get(url).get_json()
        assert doc["numberMatched"] == total
        assert doc["numberReturned"] == len(doc["features"]) <= 40
        seen += [f["id"] for f in doc["features"]]
        url = (_links(doc, "next") or [None])[0]
    assert sorted(seen) == sorted(built.layer("service")["id"])
    last = client.get("/ogc/collections/service/items?limit=40&offset=80").get_json()
    assert "offset=40" in _links(last, "prev")[0]


def test_default_limit_is_100(client, built):
    doc = client.get("/ogc/collections/service/items").get_json()
    assert doc["numberReturned"] == min(100, len(built.layer("service")))


def test_property_filter_and_bbox(client, built):
    doc = client.get("/ogc/collections/tatorter/items?kommunkod=1780&limit=1000").get_json()
    expected = built.layer("tatorter").query("kommunkod == '1780'")
    assert sorted(f["id"] for f in doc["features"]) == sorted(expected["tatortsnr"])
    karlstad = built.layer("kommuner").set_index("kommunkod").to_crs("OGC:CRS84").loc["1780"]
    bbox = ",".join(str(v) for v in karlstad.geometry.bounds)
    in_box = client.get(f"/ogc/collections/kommuner/items?bbox={bbox}").get_json()
    codes = {f["id"] for f in in_box["features"]}
    assert "1780" in codes and len(codes) < len(built.layer("kommuner"))


def test_datetime_is_accepted_and_filters_nothing(client, built):
    for value in ("2025-01-01", "2018-01-01T00:00:00Z/..", "../2030-12-31T23:59:59%2B01:00"):
        doc = client.get(f"/ogc/collections/kommuner/items?datetime={value}").get_json()
        assert doc["numberMatched"] == len(built.layer("kommuner"))


def test_bbox_with_six_numbers_ignores_heights(client):
    doc = client.get("/ogc/collections/kommuner/items?bbox=13.4,59.3,0,13.6,59.5,100").get_json()
    assert "1780" in {f["id"] for f in doc["features"]}


def test_a_new_build_is_served_at_once(built, tmp_path):
    from gisapp import create_app
    from gisapp.store import FileStore

    store = FileStore(tmp_path)
    manifest = {k: v for k, v in built.manifest.items() if k != "build_id"}
    layers = {i: built.layer(i) for i in built.layer_ids()}
    store.write(layers, built.indicators, manifest)
    client = create_app({"BUILD_DIR": str(tmp_path), "TESTING": True}).test_client()
    url = "/ogc/collections/kommuner/items"
    assert client.get(url).get_json()["numberMatched"] == len(layers["kommuner"])
    layers["kommuner"] = layers["kommuner"][layers["kommuner"]["kommunkod"] == "1780"]
    store.write(layers, built.indicators, manifest)
    assert client.get(url).get_json()["numberMatched"] == 1


def test_sweref99tm_output_and_bbox_in_its_axis_order(client, built):
    stored = built.layer("kommuner").set_index("kommunkod").loc["1780"].geometry
    response = client.get(f"/ogc/collections/kommuner/items/1780?crs={SWEREF}")
    assert response.headers["Content-Crs"] == f"<{SWEREF}>"
    coords = response.get_json()["geometry"]["coordinates"][0][0][0]
    northing, easting = coords
    assert 6_400_000 < northing < 6_900_000 and 300_000 < easting < 600_000
    served = shapely.geometry.shape(response.get_json()["geometry"])
    assert shapely.transform(served, lambda xy: xy[:, ::-1]).equals_exact(stored, 0.01)
    minx, miny, maxx, maxy = stored.bounds
    bbox = f"{miny},{minx},{maxy},{maxx}"
    doc = client.get(f"/ogc/collections/kommuner/items?bbox={bbox}&bbox-crs={SWEREF}").get_json()
    assert "1780" in {f["id"] for f in doc["features"]}


def test_html_and_json_by_f_and_accept(client):
    assert client.get("/ogc/collections", headers={"Accept": "text/html"}).mimetype == "text/html"
    assert client.get("/ogc/collections").mimetype == "application/json"
    assert client.get("/ogc/collections?f=html").mimetype == "text/html"
    page = client.get("/ogc/collections/kommuner/items?f=html").get_data(as_text=True)
    assert "Karlstad" in page and "Kommuner" in page
    assert client.get("/ogc/collections/kommuner/items").mimetype == "application/geo+json"


@pytest.mark.parametrize(("query", "parameter"), [
    ("limit=0", "limit"), ("limit=-1", "limit"), ("limit=abc", "limit"),
    ("offset=-5", "offset"), ("bbox=1,2,3", "bbox"), ("bbox=10,60,9,59", "bbox"),
    ("bbox=a,b,c,d", "bbox"), ("bbox=nan,1,2,3", "bbox"), ("crs=EPSG:4258", "crs"),
    ("bbox-crs=foo", "bbox-crs"), ("f=xml", "f"), ("nosuch=1", "nosuch"),
    ("limit=1&limit=2", "limit"), ("offset=" + "9" * 4000, "offset"),
    ("datetime=yesterday", "datetime"),
    ("datetime=../..", "datetime"), ("bbox=1,2,3,4,5,6,7", "bbox"),
    ("bbox=1,2,3,4,5", "bbox"), ("crs=", "crs"), ("bbox-crs=", "bbox-crs"),
])
def test_bad_parameters_are_400_problems_naming_them(client, query, parameter):
    response = client.get(f"/ogc/collections/kommuner/items?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["parameter"] == parameter


def test_unknown_collection_and_feature_are_404(client):
    assert client.get("/ogc/collections/nosuch").status_code == 404
    response = client.get("/ogc/collections/kommuner/items/9999")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_openapi_lists_every_collection_with_its_filters(client, built):
    response = client.get("/ogc/api")
    assert response.mimetype == "application/vnd.oai.openapi+json"
    doc = response.get_json()
    for layer_id in built.layer_ids():
        assert f"/collections/{layer_id}/items" in doc["paths"]
    parameters = doc["paths"]["/collections/kommuner/items"]["get"]["parameters"]
    names = [p.get("name") for p in parameters]
    assert "kommunkod" in names


def test_crs84_geometry_matches_the_stored_layer(client, built):
    stored = built.layer("tatorter").to_crs("OGC:CRS84").set_index("tatortsnr")
    doc = client.get("/ogc/collections/tatorter/items?limit=1000").get_json()
    assert len(doc["features"]) == len(stored)
    for feature in doc["features"][:10]:
        served = shapely.geometry.shape(feature["geometry"])
        expected = shapely.orient_polygons(stored.loc[feature["id"]].geometry, exterior_cw=False)
        assert served.equals_exact(expected, 1e-6)  # RFC 7946: exteriors counter-clockwise
        assert feature["properties"]["tatort"] == stored.loc[feature["id"], "tatort"]


def test_an_empty_layer_has_no_extent_and_valid_json(built):
    from gisapp.ogc import documents, features
    from gisapp.ogc.crs import CRS84 as CRS84_SERVED
    from layers.catalog import SPECS

    empty = features.make_feature_set("stomlinjer", built.layer("stomlinjer").iloc[:0],
                                      SPECS["stomlinjer"], CRS84_SERVED)
    doc = documents.collection("http://x/ogc", "json", SPECS["stomlinjer"],
                               features.extent_of(empty), {})
    assert "extent" not in doc
    json.dumps(doc, allow_nan=False)  # strict JSON: no NaN anywhere


def test_boolean_properties_filter_as_served(client, built):
    doc = client.get("/ogc/collections/service/items?i_regionen=true&limit=1000").get_json()
    assert doc["numberMatched"] == int(built.layer("service")["i_regionen"].sum()) > 0
    assert doc["features"][0]["properties"]["i_regionen"] is True
    none = client.get("/ogc/collections/service/items?i_regionen=false").get_json()
    assert none["numberMatched"] == 0


def test_html_items_page_links_itself_and_pages_onwards(client):
    page = client.get("/ogc/collections/service/items?f=html&limit=10")
    html = page.get_data(as_text=True)
    assert 'rel="next"' in html and "offset=10" in html and "f=html" in html
    doc = client.get("/ogc/collections/service/items?f=json&limit=10").get_json()
    assert "f=json" in _links(doc, "self")[0] and "f=html" in _links(doc, "alternate")[0]


def test_impossible_dates_are_refused(client):
    response = client.get("/ogc/collections/kommuner/items?datetime=2020-13-45")
    assert response.status_code == 400 and response.get_json()["parameter"] == "datetime"
