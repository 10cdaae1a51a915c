"""OGC items are the same from the file store and from PostGIS, for every collection.

The session's real build is written into a PostGIS database; the same requests go to an app
on the file store and to one on PostGIS. Properties, ids, counts and links must be equal;
coordinates equal to the served decimals (both round the same transformed coordinates; PROJ
in PostGIS and pyproj may differ in the last bit, so one unit of the last decimal is allowed).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

import psycopg
import pytest

from gisapp import create_app
from gisapp.store import open_store
from layers.catalog import SPECS
from tests.postgres import fresh_database, needs_postgis

pytestmark = needs_postgis
SWEREF = "http://www.opengis.net/def/crs/EPSG/0/3006"


@contextmanager
def _postgis_app(built, cluster_url: str) -> Iterator[tuple[str, object]]:
    """The session build written into a fresh database: its URL and the store it is in."""
    with fresh_database(cluster_url) as url:
        store = open_store(url)
        layers = {layer_id: built.layer(layer_id) for layer_id in built.layer_ids()}
        written = store.write(layers, built.indicators, built.manifest)
        store.close()
        yield url, written


def _client(url: str) -> Iterator:
    """A test client of an app on the PostGIS store at ``url`` (its pool closed after)."""
    app = create_app({"STORE": url, "TESTING": True})
    yield app.test_client()
    app.extensions["store"].close()


@pytest.fixture(scope="module")
def postgis_build(built, postgres_cluster):
    """The session build in PostGIS: the database URL and the build written."""
    with _postgis_app(built, postgres_cluster) as written:
        yield written


@pytest.fixture(scope="module")
def postgis_client(postgis_build):
    """A test client of an app serving the session build from PostGIS."""
    yield from _client(postgis_build[0])


@pytest.fixture(scope="module")
def file_client(build_dir):
    return create_app({"BUILD_DIR": str(build_dir), "TESTING": True}).test_client()


def _close(a, b, tolerance: float, where: str) -> None:
    """Nested coordinate lists ``a`` and ``b`` are equal within ``tolerance``."""
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), where
        for x, y in zip(a, b, strict=True):
            _close(x, y, tolerance, where)
    else:
        assert abs(a - b) <= tolerance, f"{where}: {a} != {b}"


def _same_features(ours: dict, theirs: dict, decimals: int) -> None:
    assert [f["id"] for f in ours["features"]] == [f["id"] for f in theirs["features"]]
    for mine, other in zip(ours["features"], theirs["features"], strict=True):
        assert mine["properties"] == other["properties"], mine["id"]
        assert mine["geometry"]["type"] == other["geometry"]["type"], mine["id"]
        _close(mine["geometry"]["coordinates"], other["geometry"]["coordinates"],
               1.01 * 10 ** -decimals, f"feature {mine['id']}")


def _get(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    return response.get_json()


def _same_items(file_client, postgis_client, url: str, decimals: int = 6) -> dict:
    ours, theirs = _get(file_client, url), _get(postgis_client, url)
    assert ours["numberMatched"] == theirs["numberMatched"], url
    assert ours["numberReturned"] == theirs["numberReturned"], url
    assert [link["href"] for link in ours["links"]] == [link["href"] for link in theirs["links"]]
    _same_features(ours, theirs, decimals)
    return ours


def _collections(built) -> list[str]:
    return [i for i in built.layer_ids() if i in SPECS]


def test_every_collection_pages_alike(built, file_client, postgis_client):
    for collection in _collections(built):
        url = f"/ogc/collections/{collection}/items"
        first = _same_items(file_client, postgis_client, f"{url}?limit=1000")
        assert first["numberMatched"] == len(built.layer(collection))
        _same_items(file_client, postgis_client, f"{url}?limit=7&offset=3")
        _same_items(file_client, postgis_client, f"{url}?limit=5&offset=1000000")


def test_every_collection_alike_in_sweref99tm(built, file_client, postgis_client):
    for collection in _collections(built):
        _same_items(file_client, postgis_client,
                    f"/ogc/collections/{collection}/items?limit=200&crs={SWEREF}", decimals=2)


def test_bbox_queries_alike_in_both_crs(built, file_client, postgis_client):
    karlstad_crs84 = "13.3,59.3,13.7,59.5"
    karlstad_sweref = "6575000,400000,6595000,425000"  # N, E: EPSG:3006's axis order
    for collection in _collections(built):
        url = f"/ogc/collections/{collection}/items?limit=10000"
        crs84 = _same_items(file_client, postgis_client, f"{url}&bbox={karlstad_crs84}")
        sweref = _same_items(file_client, postgis_client,
                             f"{url}&bbox={karlstad_sweref}&bbox-crs={SWEREF}")
        if collection == "kommuner":
            assert "1780" in {f["id"] for f in crs84["features"]}
            assert "1780" in {f["id"] for f in sweref["features"]}


def test_property_filters_alike(built, file_client, postgis_client):
    checked = 0
    for collection in _collections(built):
        frame = built.layer(collection)
        for column in frame.columns.drop(frame.geometry.name):
            value = frame[column].dropna()
            if value.empty:
                continue
            text = str(value.iloc[0]).lower() if frame[column].dtype == bool else str(
                value.iloc[0])
            if len(text) > 200:  # longer filter values are refused (400) by both
                continue
            query = urlencode({"limit": 50, column: text})
            doc = _same_items(file_client, postgis_client,
                              f"/ogc/collections/{collection}/items?{query}")
            assert doc["numberMatched"] >= 1, (collection, column, text)
            checked += 1
    assert checked > 100


def test_single_features_and_collections_alike(built, file_client, postgis_client):
    for collection in _collections(built):
        url = f"/ogc/collections/{collection}"
        ours, theirs = _get(file_client, url), _get(postgis_client, url)
        _close(ours["extent"]["spatial"]["bbox"], theirs["extent"]["spatial"]["bbox"],
               1.01e-6, url)
        assert {k: v for k, v in ours.items() if k != "extent"} == {
            k: v for k, v in theirs.items() if k != "extent"}
        first = _get(file_client, f"{url}/items?limit=1")["features"][0]["id"]
        for crs, decimals in (("", 6), (f"?crs={SWEREF}", 2)):
            mine = _get(file_client, f"{url}/items/{first}{crs}")
            other = _get(postgis_client, f"{url}/items/{first}{crs}")
            _same_features({"features": [mine]}, {"features": [other]}, decimals)
            assert mine["links"] == other["links"]
        assert postgis_client.get(f"{url}/items/no-such-id").status_code == 404
    assert _get(file_client, "/ogc/api") == _get(postgis_client, "/ogc/api")


def test_postgis_items_are_answered_in_sql_without_loading_a_layer(built, postgis_client,
                                                                    monkeypatch):
    from gisapp.store.postgis import PostgisBuild

    def no_loading(self, layer_id):
        pytest.fail(f"layer {layer_id} was loaded into Python for an OGC request")

    monkeypatch.setattr(PostgisBuild, "layer", no_loading)
    for collection in _collections(built):
        url = f"/ogc/collections/{collection}"
        assert postgis_client.get(url).status_code == 200
        assert postgis_client.get(f"{url}/items?bbox=13.3,59.3,13.7,59.5&limit=3&offset=1"
                                  f"&crs={SWEREF}").status_code == 200
    assert postgis_client.get("/ogc/collections/kommuner/items?kommunkod=1780").get_json()[
        "numberMatched"] == 1
    assert postgis_client.get("/ogc/collections/kommuner/items/1780").status_code == 200


def test_stored_crs84_geometry_is_the_transform_of_every_row(built, postgis_build):
    url, build = postgis_build
    with psycopg.connect(url) as conn:
        for collection in _collections(built):
            geometry = built.layer(collection).geometry.name
            in_crs84 = f'ST_Transform("{geometry}", 4326)'
            ccw = (f"CASE WHEN ST_Dimension({in_crs84}) = 2 THEN ST_ForcePolygonCCW({in_crs84})"
                   f" ELSE {in_crs84} END")
            rows, differing = conn.execute(
                f'SELECT count(*), count(*) FILTER (WHERE ST_AsEWKB(_crs84) IS DISTINCT FROM '
                f'ST_AsEWKB({in_crs84}) OR _crs84_geojson IS DISTINCT FROM '
                f"COALESCE(ST_AsGeoJSON({ccw}, 6), 'null')) "
                f'FROM "{build.schema}"."{collection}"').fetchone()
            assert (rows, differing) == (len(built.layer(collection)), 0), collection


def test_a_build_without_the_stored_crs84_columns_serves_alike(built, postgres_cluster,
                                                               file_client):
    """A build written before the CRS84 columns existed transforms per request instead."""
    with _postgis_app(built, postgres_cluster) as (url, build), psycopg.connect(url) as conn:
        for collection in _collections(built):
            conn.execute(f'ALTER TABLE "{build.schema}"."{collection}" '
                         "DROP COLUMN _crs84_geojson, DROP COLUMN _crs84")
        conn.commit()
        for old_client in _client(url):
            for collection in _collections(built):
                items = f"/ogc/collections/{collection}/items?limit=50"
                _same_items(file_client, old_client, items)
                _same_items(file_client, old_client, f"{items}&bbox=13.3,59.3,13.7,59.5")
                url = f"/ogc/collections/{collection}"
                _close(_get(file_client, url)["extent"]["spatial"]["bbox"],
                       _get(old_client, url)["extent"]["spatial"]["bbox"], 1.01e-6, url)
