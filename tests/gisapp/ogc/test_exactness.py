"""Standards-exact output: RFC 7946 ring orientation and precision, OGC limit capping, the
OpenAPI parameters, and per-kommun GeoPackages (Multi* types, full style names, licences)."""

from __future__ import annotations

import json
import re
import sqlite3

import pyogrio
import pytest

from gisapp.exports import writers

DECIMALS = re.compile(r"\.(\d+)")


def _signed_area(ring: list[list[str]]) -> float:
    """Shoelace sum: positive for a counter-clockwise ring."""
    xy = [(float(x), float(y)) for x, y, *_ in ring]
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(xy, xy[1:], strict=False)) / 2


def _polygons(geometry: dict) -> list:
    if geometry is None:
        return []
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def _coordinates(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _coordinates(item)


def _check_features(features: list[dict], max_decimals: int) -> int:
    rings = 0
    for feature in features:
        geometry = feature["geometry"]
        if geometry is None:
            continue
        for text in _coordinates(geometry["coordinates"]):
            match = DECIMALS.search(text)
            assert match is None or len(match.group(1)) <= max_decimals, text
        for polygon in _polygons(geometry):
            assert _signed_area(polygon[0]) > 0, feature.get("id")  # exterior CCW
            for hole in polygon[1:]:
                assert _signed_area(hole) < 0  # holes clockwise
            rings += len(polygon)
    return rings


def _features(client, url: str) -> list[dict]:
    doc = json.loads(client.get(url).get_data(as_text=True), parse_float=str, parse_int=str)
    return doc["features"]


def test_every_served_polygon_is_counter_clockwise_with_at_most_6_decimals(client, built):
    collections = [c["id"] for c in client.get("/ogc/collections").get_json()["collections"]]
    rings = 0
    for collection in collections:
        rings += _check_features(
            _features(client, f"/ogc/collections/{collection}/items?limit=10000"), 6)
        epsg = "http://www.opengis.net/def/crs/EPSG/0/3006"
        rings += _check_features(
            _features(client, f"/ogc/collections/{collection}/items?limit=10000&crs={epsg}"), 2)
    assert rings > 100  # kommuner, tätorter, catchments… really were checked


def test_on_demand_map_layers_are_counter_clockwise_too(client, built):
    from gisapp.maps.renderers import ON_DEMAND

    for layer_id in ON_DEMAND:
        if layer_id in built.layer_ids():
            _check_features(_features(client, f"/kartlager/{layer_id}.geojson"), 6)


def test_a_limit_above_the_maximum_is_capped_not_refused(client):
    answer = client.get("/ogc/collections/kommuner/items?limit=99999999")
    assert answer.status_code == 200
    next_links = [link for link in answer.get_json()["links"] if link["rel"] == "next"]
    assert not next_links  # 16 kommuner, all on the one page
    assert answer.get_json()["numberReturned"] == 16


def test_openapi_declares_the_standard_parameter_forms(client):
    document = client.get("/ogc/api").get_json()
    parameters = document["components"]["parameters"]
    assert parameters["datetime"]["style"] == "form" and parameters["datetime"]["explode"] is False
    bbox = parameters["bbox"]["schema"]
    assert (bbox["minItems"], bbox["maxItems"]) == (4, 6)
    assert (bbox["not"]["minItems"], bbox["not"]["maxItems"]) == (5, 5)  # never 5 numbers
    assert re.fullmatch(parameters["datetime"]["schema"]["pattern"].strip("^$"), "2024-05-01/..")
    assert not re.match(parameters["datetime"]["schema"]["pattern"], "../..")
    assert parameters["crs"]["schema"]["minLength"] == 1
    assert "maximum" not in parameters["limit"]["schema"]
    for path in document["paths"].values():
        assert "414" in path["get"]["responses"]


@pytest.fixture(scope="module")
def kommun_gpkg(built, tmp_path_factory):
    path = tmp_path_factory.mktemp("kommun") / "1780.gpkg"
    writers.write_gpkg(built, path, writers.kommun_layers(built, "1780"), kommunkod="1780")
    return path


def test_kommun_geopackage_layers_have_one_geometry_type(kommun_gpkg):
    for layer, geometry_type in pyogrio.list_layers(kommun_gpkg):
        if geometry_type is not None and layer != "layer_styles":
            assert geometry_type != "Unknown", layer
            frame = pyogrio.read_dataframe(kommun_gpkg, layer=layer)
            assert len(set(frame.geom_type.dropna())) <= 1, layer


def test_kommun_geopackage_holds_only_its_indicator_rows(kommun_gpkg, built):
    table = pyogrio.read_dataframe(kommun_gpkg, layer="indikatorer")
    expected = built.indicators[built.indicators["kommunkod"] == "1780"]
    assert len(table) == len(expected) > 0 and set(table["kommunkod"]) == {"1780"}


def test_style_names_are_whole_and_licences_reach_qgis_metadata(kommun_gpkg, built):
    from layers.catalog import SPECS

    with sqlite3.connect(kommun_gpkg) as db:
        names = dict(db.execute("SELECT f_table_name, styleName FROM layer_styles"))
        qmd = dict(db.execute(
            "SELECT r.table_name, m.metadata FROM gpkg_metadata m JOIN gpkg_metadata_reference"
            " r ON r.md_file_id = m.id WHERE m.md_standard_uri = 'http://mrcc.com/qgis.dtd'"))
    for layer_id, name in names.items():
        assert name == SPECS[layer_id].title_sv
    licence = built.manifest["layers"]["kommuner"]["sources"][0]["licence"]
    assert f"<licence>{licence}</licence>" in qmd["kommuner"]
