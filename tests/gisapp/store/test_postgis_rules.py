"""The PostGIS store on small in-memory builds against a throwaway cluster started once per
module (no real-data build, no conftest): fast enough to run against every mutant of
gisapp/store/postgis.py (``make mutate``). The contract suite (``test_contract.py``) checks
both stores on the real build.

Each test checks the database itself with its own queries (schemas in ``pg_namespace``, rows
of ``strukturbild.builds`` and ``.current``), not only the store's own answers.
"""

from __future__ import annotations

import logging
import os
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pytest
from scipy.sparse import csr_matrix

from data_sources.errors import BuildError, NotFoundError
from gisapp.store import postgis
from gisapp.store.files import FileStore
from gisapp.store.postgis import PostgisStore, StoreUnavailableError, schema_of
from layers.accessibility import Network
from tests.postgres import HAVE_POSTGIS, cluster, fresh_database, needs_postgis

pytestmark = needs_postgis


@pytest.fixture(scope="module")
def cluster_url():
    if not HAVE_POSTGIS:
        pytest.skip("PostgreSQL with PostGIS is not installed")
    with cluster() as url:
        yield url


@pytest.fixture
def url(cluster_url):
    with fresh_database(cluster_url) as database:
        yield database


@pytest.fixture
def store(url):
    opened = PostgisStore(url, keep=2)
    yield opened
    opened.close()


def _layers() -> dict[str, gpd.GeoDataFrame]:
    # Karlstad and Arvika in SWEREF 99 TM, labelled 1, 0 by the pipeline (read back from 0)
    points = gpd.GeoDataFrame({"namn": ["Karlstad", "Arvika"], "invanare": [95_000, 26_000]},
                              geometry=gpd.points_from_xy([412_000.0, 337_000.0],
                                                          [6_583_000.0, 6_614_000.0]),
                              crs=3006)
    return {"orter": points.iloc[::-1], "tomt": points.iloc[:0]}


MANIFEST = {"region": {"kommuner": [{"kommunkod": "1780", "kommunnamn": "Karlstad"}]},
            "layers": {"orter": {"title": "Orter"}, "tomt": {"title": "Tomt"}},
            "service_date": "2023-11-07"}
INDICATORS = pd.DataFrame({"kommunkod": ["1780", "1784"], "indikator": ["x", "x"],
                           "varde": [1.5, None]}, index=[7, 3])


def _query(url: str, text: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(text, params).fetchall()


def _execute(url: str, text: str, params: tuple = ()) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(text, params)


def _backends(url: str) -> set[int]:
    """Server processes connected to the database, the asking connection not counted."""
    return {r[0] for r in _query(url, "SELECT pid FROM pg_stat_activity WHERE datname = "
                                      "current_database() AND pid <> pg_backend_pid()")}


def _backend_of(store: PostgisStore) -> int:
    with store.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def _build_schemas(url: str) -> list[str]:
    return [r[0] for r in _query(url, "SELECT nspname FROM pg_namespace "
                                      "WHERE left(nspname, 6) = 'build_' ORDER BY 1")]


def test_before_the_first_build_there_is_none(store):
    assert store.current() is None
    assert store.status() == {"status": "none", "build_id": None}
    assert store.build_ids() == []


def test_a_build_is_written_into_its_schema_and_current_points_at_it(store, url):
    build = store.write(_layers(), INDICATORS, MANIFEST)
    assert _query(url, "SELECT build_id FROM strukturbild.current") == [(build.id,)]
    assert _build_schemas(url) == [schema_of(build.id)]
    tables = _query(url, "SELECT table_name FROM information_schema.tables "
                         "WHERE table_schema = %s ORDER BY 1", (schema_of(build.id),))
    assert tables == [("indikatorer",), ("orter",), ("tomt",)]
    stored = _query(url, "SELECT manifest::text, network, tiles FROM strukturbild.builds")
    assert len(stored) == 1 and stored[0][1:] == (None, None)
    assert '"service_date": "2023-11-07"' in stored[0][0]
    assert build.manifest == {**MANIFEST, "build_id": build.id}
    current = store.current()
    assert current.id == build.id and current.manifest == build.manifest
    assert store.status() == {"status": "ok", "build_id": build.id}
    assert store.build_ids() == [build.id]
    assert current.local_dir is None


def test_the_schema_name_is_the_lowercased_build_id():
    assert schema_of("20260303T120000Z-A1b2C3") == "build_20260303t120000z_a1b2c3"


def test_layers_and_indicators_read_back_in_row_order_labelled_from_zero(store):
    build = store.write(_layers(), INDICATORS, MANIFEST)
    read = store.current()
    orter = read.layer("orter")
    assert orter.crs.to_epsg() == 3006 and orter.index.tolist() == [0, 1]
    assert orter.columns.tolist() == ["namn", "invanare", "geometry"]  # no index column
    assert orter["namn"].tolist() == ["Arvika", "Karlstad"]
    assert orter["invanare"].tolist() == [26_000, 95_000]
    assert [(p.x, p.y) for p in orter.geometry] == [(337_000.0, 6_614_000.0),
                                                   (412_000.0, 6_583_000.0)]
    assert read.layer("tomt").empty and read.layer("orter") is orter  # read once
    indicators = read.indicators
    assert indicators.index.tolist() == [0, 1]
    assert indicators.columns.tolist() == ["kommunkod", "indikator", "varde"]
    assert indicators["kommunkod"].tolist() == ["1780", "1784"]
    assert indicators["varde"].iloc[0] == 1.5 and pd.isna(indicators["varde"].iloc[1])
    assert build.layer("orter")["namn"].tolist() == ["Arvika", "Karlstad"]
    with pytest.raises(NotFoundError):
        read.layer("saknas")


def test_a_layer_in_another_crs_is_stored_in_sweref(store):
    layers = _layers()
    layers["orter"] = layers["orter"].to_crs(4326)
    store.write(layers, INDICATORS, MANIFEST)
    orter = store.current().layer("orter")
    assert orter.crs.to_epsg() == 3006
    assert orter.geometry.iloc[0].x == pytest.approx(337_000.0, abs=0.01)
    assert orter.geometry.iloc[0].y == pytest.approx(6_614_000.0, abs=0.01)


def test_no_indicators_no_network_and_no_tiles_are_stored_as_such(store, url):
    store.write(_layers(), pd.DataFrame(), MANIFEST)
    read = store.current()
    assert read.indicators.empty and read.network is None and read.tiles is None
    assert "indikatorer" not in read.dtypes


def test_the_network_and_the_tile_archive_read_back(store, url):
    xy = np.array([[0.0, 0.0], [100.0, 0.0], [350.0, 0.0]])
    reverse_m = csr_matrix(([100.0, 250.0], ([1, 2], [0, 1])), shape=(3, 3))
    reverse_min = csr_matrix(([1.5, 3.75], ([1, 2], [0, 1])), shape=(3, 3))
    network = Network.from_arrays(xy, reverse_m, reverse_min, np.array([True, True, False]))
    archive = b"PMTiles\x03" + bytes(range(256))
    store.write(_layers(), INDICATORS, MANIFEST, network=network, tiles=archive)
    read = store.current()
    assert read.tiles == archive
    assert _query(url, "SELECT length(tiles) FROM strukturbild.builds") == [(len(archive),)]
    stored, written = read.network.arrays(), network.arrays()
    assert stored.keys() == written.keys()
    assert all(np.array_equal(stored[k], written[k]) for k in written)


def test_every_instance_serves_the_new_build_as_soon_as_it_is_switched(store, url):
    first = store.write(_layers(), INDICATORS, MANIFEST)
    reader = PostgisStore(url)
    try:
        opened = reader.current()
        assert opened.id == first.id and reader.current() is opened  # kept while current
        second = store.write(_layers(), INDICATORS, MANIFEST)
        assert reader.current().id == second.id
        # an operator pointing current back at the older build by hand: followed too
        _execute(url, "UPDATE strukturbild.current SET build_id = %s", (first.id,))
        assert reader.current().id == first.id
    finally:
        reader.close()


def test_old_builds_are_dropped_keeping_the_newest_n_and_never_current(store, url):
    ids = [store.write(_layers(), INDICATORS, MANIFEST).id for _ in range(3)]
    assert store.build_ids() == ids[1:]
    assert _build_schemas(url) == sorted(schema_of(i) for i in ids[1:])
    assert _query(url, "SELECT count(*) FROM strukturbild.builds") == [(2,)]
    # current pointed back at the oldest kept build: it stays, beside the newest other one
    _execute(url, "UPDATE strukturbild.current SET build_id = %s", (ids[1],))
    assert store.prune() == [] and store.build_ids() == ids[1:]
    third = store.write(_layers(), INDICATORS, MANIFEST).id
    assert store.build_ids() == [ids[2], third]
    assert _build_schemas(url) == sorted(schema_of(i) for i in (ids[2], third))


def test_by_default_three_builds_are_kept_as_in_the_file_store(url, tmp_path):
    default = PostgisStore(url)
    try:
        assert default.keep == FileStore(tmp_path).keep
        ids = [default.write(_layers(), INDICATORS, MANIFEST).id for _ in range(4)]
        assert default.build_ids() == ids[1:]
        assert _build_schemas(url) == sorted(schema_of(i) for i in ids[1:])
    finally:
        default.close()


def test_prune_names_what_it_removed_and_keeps_at_least_one(url, caplog):
    keep_all = PostgisStore(url, keep=5)
    try:
        ids = [keep_all.write(_layers(), INDICATORS, MANIFEST).id for _ in range(3)]
    finally:
        keep_all.close()
    one = PostgisStore(url, keep=0)
    try:
        assert one.keep == 1
        with caplog.at_level(logging.INFO, logger=postgis.__name__):
            assert one.prune() == ids[1::-1]  # the older two, newest first
            assert one.prune() == []  # nothing left to prune: nothing logged
        assert one.build_ids() == [ids[2]]
        assert [r.getMessage() for r in caplog.records] == [
            f"pruned builds {ids[1]}, {ids[0]} (keeping the newest 1)"]
    finally:
        one.close()


def test_a_failed_build_leaves_no_schema_and_the_previous_build_serving(store, url):
    first = store.write(_layers(), INDICATORS, MANIFEST)
    layers = _layers()
    layers["orter"] = layers["orter"].set_crs(None, allow_override=True)
    with pytest.raises(BuildError) as error:
        store.write(layers, INDICATORS, MANIFEST)
    message = str(error.value)
    assert "layer 'orter' has no CRS; layers are stored in EPSG:3006" in message
    assert message.endswith("; the previous build keeps serving")
    assert message.startswith("writing build ") and "127.0.0.1:" in message
    assert _build_schemas(url) == [schema_of(first.id)]
    assert store.current().id == first.id and store.build_ids() == [first.id]


def test_a_layer_without_geometry_is_refused_before_anything_is_written(store, url):
    with pytest.raises(BuildError, match=r"layer\(s\) \['tabell'\] are not GeoDataFrames"):
        store.write({"tabell": pd.DataFrame({"a": [1]})}, INDICATORS, MANIFEST)
    assert _build_schemas(url) == []


def test_a_place_is_named_with_the_default_host_and_port():
    assert postgis._where("postgresql:///strukturbild") == "localhost:5432/strukturbild"
    assert postgis._where("postgresql://u:p@db.example:6543/x") == "db.example:6543/x"


def test_a_closed_store_opens_a_new_pool_on_the_next_query(store):
    build = store.write(_layers(), INDICATORS, MANIFEST)
    store.close()
    assert store.current().id == build.id


def test_closing_the_store_releases_its_connection_and_may_be_repeated(store, url):
    store.write(_layers(), INDICATORS, MANIFEST)
    before = _backends(url)
    assert store.current() is not None
    assert _backends(url) - before  # the pool's connections
    pool = store._pool
    store.close()
    assert pool.closed  # closed by close(), not left to the garbage collector
    store.close()
    deadline = time.monotonic() + 5
    while _backends(url) - before and time.monotonic() < deadline:
        time.sleep(0.05)  # a closed connection's server process exits a moment later
    assert _backends(url) - before == set()


def _in_child(work) -> bytes:
    """Run ``work()`` in a forked process (as gunicorn forks a worker); return its bytes."""
    readable, writable = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.write(writable, work())
        finally:
            os._exit(0)
    os.close(writable)
    answer = os.read(readable, 64)
    os.close(readable)
    os.waitpid(child, 0)
    return answer


def test_a_forked_worker_opens_its_own_connections_and_leaves_the_parents_alone(store, url):
    build = store.write(_layers(), INDICATORS, MANIFEST)
    _backend_of(store)  # the parent's pool is open
    before = _backends(url)

    def query_then_close() -> bytes:
        backend = _backend_of(store)
        store.close()
        return str(backend).encode()

    def close_at_once() -> bytes:  # a worker stopped before its first query
        store.close()
        return b"closed"

    answer = _in_child(query_then_close)
    assert answer and int(answer) not in before  # a connection of the child's own
    assert _in_child(close_at_once) == b"closed"
    assert _backend_of(store) in before  # the parent's own connections, still open
    assert store.current().id == build.id


def test_a_query_waits_for_a_free_connection_then_answers_503(url, monkeypatch):
    monkeypatch.setattr(postgis, "POOL_SIZE", 1)
    monkeypatch.setattr(postgis, "POOL_TIMEOUT_S", 0.3)
    busy = PostgisStore(url)
    try:
        with busy.cursor(), pytest.raises(StoreUnavailableError) as error:
            busy.current()  # the one connection is taken by the cursor around it
        assert str(error.value).endswith(": no connection free in time")
        assert error.value.http_status == 503 and error.value.public_detail
        assert busy.current() is None  # answers again once the connection is free
    finally:
        busy.close()


def test_a_build_whose_tables_are_gone_answers_503_naming_the_store(store, url):
    store.write(_layers(), INDICATORS, MANIFEST)
    build = store.current()
    _execute(url, f"DROP SCHEMA {build.schema} CASCADE")
    with pytest.raises(StoreUnavailableError) as error:
        build.layer("orter")
    where = postgis._where(url)
    assert str(error.value) == f"the PostGIS store at {where} cannot be read (UndefinedTable)"
    assert error.value.http_status == 503 and error.value.public_detail
