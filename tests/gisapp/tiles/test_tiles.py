"""Vector tiles of the real build: the PMTiles archive, its tiles, and the tile endpoints.

Expected features come from the raw boundary file (``admin/kommuner_sverige_lm1m_2018.gpkg``,
Värmland's kommuner), projected to Web Mercator with pyproj, and tile boxes from the
slippy-map formulas written out here: nothing is taken from the tile code itself.
"""

from __future__ import annotations

import gzip
import hashlib
import math

import geopandas as gpd
import mapbox_vector_tile
import pytest
import shapely
from pmtiles.reader import Reader
from pmtiles.tile import Compression, TileType
from shapely.geometry import shape

from tests.hostile import HOSTILE

HALF_WORLD = 20037508.342789244
EXTENT = 4096
MVT = "application/vnd.mapbox-vector-tile"
SIMPLIFY_MARGIN_M = 400.0  # kommuner are drawn simplified (150 m) and quantised


def lonlat_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The slippy-map tile holding lon/lat at zoom ``z``."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def tile_box(z: int, x: int, y: int) -> shapely.Polygon:
    """Tile z/x/y as a box in EPSG:3857."""
    size = 2 * HALF_WORLD / 2**z
    west, north = -HALF_WORLD + x * size, HALF_WORLD - y * size
    return shapely.box(west, north - size, west + size, north)


@pytest.fixture(scope="module")
def raw_kommuner(data_dir, built) -> gpd.GeoDataFrame:
    """The region's kommuner from the raw national file, in EPSG:3857."""
    frame = gpd.read_file(data_dir / "admin" / "kommuner_sverige_lm1m_2018.gpkg",
                          layer="kommuner")
    frame = frame[frame["kommunkod"].isin(list(built.kommuner))]
    assert len(frame) == len(built.kommuner) == 16
    return frame.to_crs("EPSG:3857")


@pytest.fixture(scope="module")
def archive_bytes(built) -> bytes:
    """The build's PMTiles archive as written."""
    assert built.tiles is not None
    return built.tiles.read_bytes()


def decoded(client, layer: str, z: int, x: int, y: int) -> dict:
    """The features of one layer's tile from the XYZ endpoint (empty when 204)."""
    answer = client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
    assert answer.status_code in (200, 204), answer.data[:200]
    if answer.status_code == 204:
        return {}
    assert answer.mimetype == MVT
    return mapbox_vector_tile.decode(answer.data, default_options={"y_coord_down": True})


def test_archive_header_and_metadata_describe_the_layers(built, archive_bytes, raw_kommuner):
    reader = Reader(lambda offset, length: archive_bytes[offset:offset + length])
    header = reader.header()
    assert header["tile_type"] == TileType.MVT
    assert header["tile_compression"] == Compression.GZIP
    assert header["clustered"]
    west, south, east, north = raw_kommuner.to_crs("EPSG:4326").total_bounds
    bounds = [header[k] / 1e7 for k in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7")]
    assert bounds == pytest.approx([west, south, east, north], abs=0.01)
    layers = {layer["id"]: layer for layer in reader.metadata()["vector_layers"]}
    assert {"kommuner", "tatorter", "service", "befolkning"} <= set(layers)
    assert layers["kommuner"]["features"] == 16
    assert layers["kommuner"]["fields"]["kommunnamn"] == "String"
    for layer_id, layer in layers.items():
        assert layer["features"] == len(built.layer(layer_id))
        assert 0 <= layer["minzoom"] <= layer["maxzoom"] <= 14
    # the population grid starts deeper than the kommuner: it is not packed into few tiles
    assert layers["befolkning"]["minzoom"] > layers["kommuner"]["minzoom"]
    record = built.manifest["tiles"]
    assert record["sha256"] == hashlib.sha256(archive_bytes).hexdigest()
    assert built.manifest["files"]["tiles.pmtiles"] == record["sha256"]


@pytest.mark.parametrize(("lon", "lat", "z"), [
    (13.50, 59.38, 6),  # Karlstad, the whole län in a few tiles
    (13.50, 59.38, 9),
    (12.60, 59.65, 8),  # Arvika–Eda: kommun borders cross the tile
    (13.05, 60.15, 11),  # Torsby–Sunne–Hagfors, deeper than the archive (overzoomed)
    (14.30, 59.10, 10),  # Kristinehamn–Storfors
])
def test_a_tile_holds_the_kommuner_whose_raw_boundary_meets_it(client, raw_kommuner, lon,
                                                               lat, z):
    x, y = lonlat_tile(lon, lat, z)
    box = tile_box(z, x, y)
    features = decoded(client, "kommuner", z, x, y)["kommuner"]["features"]
    names = {f["properties"]["kommunnamn"] for f in features}
    surely = raw_kommuner[raw_kommuner.intersects(box.buffer(-SIMPLIFY_MARGIN_M))]
    maybe = raw_kommuner[raw_kommuner.intersects(box.buffer(
        64 * box.length / 4 / EXTENT + SIMPLIFY_MARGIN_M))]
    assert set(surely["kommunnamn"]) <= names <= set(maybe["kommunnamn"])
    assert len(names) == len(features)  # one feature per kommun and tile
    # each kommun's share of the tile, in tile units, matches the raw boundary's
    unit = box.length / 4 / EXTENT
    for feature in features:
        drawn = shape(feature["geometry"]).intersection(shapely.box(0, 0, EXTENT, EXTENT))
        raw = raw_kommuner.loc[raw_kommuner["kommunnamn"] == feature["properties"]["kommunnamn"]]
        expected = raw.geometry.iloc[0].intersection(box).area / unit**2
        assert drawn.is_valid
        assert drawn.area == pytest.approx(expected, rel=0.05, abs=0.002 * EXTENT**2)


def test_tile_features_keep_the_popup_properties(client, built):
    x, y = lonlat_tile(13.50, 59.38, 9)
    kommuner = decoded(client, "kommuner", 9, x, y)["kommuner"]["features"]
    by_code = built.layer("kommuner").set_index("kommunkod")
    karlstad = next(f for f in kommuner if f["properties"]["kommunkod"] == "1780")
    assert karlstad["properties"]["kommunnamn"] == "Karlstad"
    assert karlstad["properties"]["invanare"] == by_code.loc["1780", "invanare"]
    tatorter = decoded(client, "tatorter", 9, x, y)["tatorter"]["features"]
    karlstad = next(f for f in tatorter if f["properties"]["tatort"] == "Karlstad")
    assert karlstad["properties"]["stomlinje_hallplats"]  # the nearest stop, for the popup


def fetched(client, url: str, byte_range: str | None = None):
    """A GET of the archive, closed after reading (the file it streams is released)."""
    headers = {"Range": f"bytes={byte_range}"} if byte_range else {}
    with client.get(url, headers=headers) as answer:
        answer.get_data()
        return answer


def test_the_archive_is_served_by_range_requests(client, built, archive_bytes):
    url = f"/tiles/{built.id}.pmtiles"
    head = fetched(client, url, "0-126")
    assert head.status_code == 206
    assert head.headers["Content-Range"] == f"bytes 0-126/{len(archive_bytes)}"
    assert head.data == archive_bytes[:127] and head.data[:7] == b"PMTiles"
    tail = fetched(client, url, "-100")
    assert tail.status_code == 206 and tail.data == archive_bytes[-100:]
    beyond = fetched(client, url, f"{len(archive_bytes)}-")
    assert beyond.status_code == 416
    assert beyond.headers["Content-Range"] == f"bytes */{len(archive_bytes)}"
    whole = fetched(client, url)
    assert whole.status_code == 200 and whole.data == archive_bytes
    assert fetched(client, "/tiles/20200101T000000Z-abcdef.pmtiles").status_code == 404

    # a PMTiles client reading by Range gets the tiles the XYZ endpoint serves
    def get_bytes(offset: int, length: int) -> bytes:
        answer = fetched(client, url, f"{offset}-{offset + length - 1}")
        assert answer.status_code == 206
        return answer.data

    x, y = lonlat_tile(13.50, 59.38, 8)
    tile = gzip.decompress(Reader(get_bytes).get(8, x, y))
    by_range = mapbox_vector_tile.decode(tile)["kommuner"]["features"]
    by_xyz = decoded(client, "kommuner", 8, x, y)["kommuner"]["features"]
    assert sorted(f["properties"]["kommunnamn"] for f in by_range) == sorted(
        f["properties"]["kommunnamn"] for f in by_xyz)


def test_xyz_endpoint_answers_each_case_with_its_code(client):
    x, y = lonlat_tile(13.50, 59.38, 8)
    ok = client.get(f"/tiles/kommuner/8/{x}/{y}.mvt", headers={"Accept-Encoding": "gzip"})
    assert ok.status_code == 200 and ok.mimetype == MVT
    assert ok.headers["Content-Encoding"] == "gzip"
    assert client.get("/tiles/kommuner/8/0/0.mvt").status_code == 204  # in range, empty
    assert client.get("/tiles/befolkning/2/2/1.mvt").status_code == 204  # above its zooms
    missing = client.get(f"/tiles/hallplatser/8/{x}/{y}.mvt")  # built, but not tiled
    assert missing.status_code == 404 and "kommuner" in missing.get_json()["detail"]
    assert client.get(f"/tiles/kommuner/8/{x}/{y}.mvt?a=1").status_code == 400


@pytest.mark.parametrize("zxy", ["23/0/0", "99999999/0/0", "8/-1/0", "8/256/0", "8/0/256",
                                 "1e3/0/0", "0x1/0/0", "8/1.5/0", "8/ 1/0",
                                 "8/0/" + "9" * 40, "%00/0/0", "١/0/0"])
def test_hostile_tile_addresses_are_refused_with_400(client, zxy):
    answer = client.get(f"/tiles/kommuner/{zxy}.mvt")
    assert answer.status_code == 400
    assert answer.get_json()["parameter"] == "z/x/y"
    page = client.get(f"/tiles/kommuner/{zxy}.mvt", headers={"Accept": "text/html"})
    assert page.status_code == 400 and "rutan" in page.get_data(as_text=True)


@pytest.mark.parametrize("layer", [HOSTILE, "..", "kommuner.mvt", "KOMMUNER", "x" * 500])
def test_hostile_layer_names_are_404_and_never_echoed_as_markup(client, layer):
    answer = client.get(f"/tiles/{layer}/8/0/0.mvt")
    assert answer.status_code == 404
    assert "<script" not in answer.get_data(as_text=True)


def rings(commands: list[int]) -> list[list[tuple[int, int]]]:
    """The rings of an MVT polygon geometry, decoded from its commands (spec 4.3)."""
    out, x, y, i = [], 0, 0, 0
    while i < len(commands):
        command, count = commands[i] & 7, commands[i] >> 3
        i += 1
        if command == 7:  # ClosePath
            continue
        for _ in range(count):
            dx, dy = commands[i], commands[i + 1]
            x += (dx >> 1) ^ -(dx & 1)
            y += (dy >> 1) ^ -(dy & 1)
            i += 2
            if command == 1:  # MoveTo starts a ring
                out.append([])
            out[-1].append((x, y))
    return out


def surveyor_area(ring: list[tuple[int, int]]) -> float:
    """The signed area of a ring by the surveyor's formula, in tile coordinates (y down)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1],
                                                                strict=True)) / 2


def test_polygon_rings_wind_as_the_mvt_spec_says(client):
    from mapbox_vector_tile.Mapbox import vector_tile_pb2

    x, y = lonlat_tile(13.50, 59.38, 7)
    tile = vector_tile_pb2.tile()
    tile.ParseFromString(client.get(f"/tiles/kommuner/7/{x}/{y}.mvt").data)
    (layer,) = tile.layers
    assert layer.name == "kommuner" and layer.extent == EXTENT
    for feature in layer.features:
        feature_rings = rings(list(feature.geometry))
        # the first ring of every polygon is an exterior ring: positive area (clockwise, y down)
        assert surveyor_area(feature_rings[0]) > 0


def test_a_polygon_smaller_than_a_pixel_is_left_out_of_that_zoom(client, built):
    """A small tätort (under 2 km across in Web Mercator metres) is in its zoom-9 tile (a
    pixel there is 153 m) but not in the zoom-4 tile, where a pixel is 4.9 km."""
    tatorter = built.layer("tatorter").to_crs("EPSG:3857")
    bounds = tatorter.geometry.bounds
    small = tatorter[(bounds.maxx - bounds.minx).clip(lower=bounds.maxy - bounds.miny) < 2000]
    small = small[small["tatortskod_2020"].notna()]
    assert len(small) > 0
    tatort = small.iloc[0]
    lonlat = gpd.GeoSeries([tatort.geometry.representative_point()], crs=3857).to_crs(4326)
    for z, expected in ((9, True), (4, False)):
        x, y = lonlat_tile(lonlat.x.iloc[0], lonlat.y.iloc[0], z)
        features = decoded(client, "tatorter", z, x, y).get("tatorter", {}).get("features", [])
        names = {f["properties"].get("tatortskod_2020") for f in features}
        assert (tatort["tatortskod_2020"] in names) is expected, z
