"""The store contract, run against both stores: the file store and the PostGIS store.

Every test writes the session's real build (its layers, indicator table and manifest, read
from the file store's GeoParquet files) into a fresh store of each kind, and checks what a
reader gets back against those source frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from scipy.sparse import csr_matrix

from data_sources.errors import BuildError, NotFoundError
from gisapp.store import FileStore
from gisapp.store import open_store as _open_store
from layers.accessibility import Network
from tests.postgres import needs_postgis


@pytest.fixture(params=["files", pytest.param("postgis", marks=needs_postgis)])
def location(request, tmp_path) -> str:
    """Where a fresh, empty store of each kind lives."""
    if request.param == "files":
        return str(tmp_path / "builds")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def open_store():
    """``gisapp.store.open_store``, closing every store opened at the end of the test."""
    opened = []

    def open_(location, keep=3):
        opened.append(_open_store(location, keep=keep))
        return opened[-1]
    yield open_
    for store in opened:
        store.close()


@pytest.fixture(scope="module")
def source(built):
    """The real build's layers, indicators and manifest, as the pipeline hands them over."""
    layers = {layer_id: built.layer(layer_id) for layer_id in built.layer_ids()}
    manifest = {k: v for k, v in built.manifest.items() if k not in ("build_id", "files")}
    return layers, built.indicators, manifest


def _write(store, source, **kwargs):
    layers, indicators, manifest = source
    return store.write(layers, indicators, manifest, **kwargs)


def test_an_empty_store_serves_nothing(location, open_store):
    store = open_store(location)
    assert store.current() is None
    assert store.status() == {"status": "none", "build_id": None}
    assert store.build_ids() == []
    with pytest.raises(NotFoundError, match="no build yet"):
        store.require_current()


def test_a_written_build_reads_back_as_written(location, open_store, source):
    layers, indicators, manifest = source
    store = open_store(location)
    written = _write(store, source)
    build = open_store(location).current()  # another reader: nothing cached from the write
    assert build.id == written.id
    assert store.build_ids() == [written.id]
    assert build.layer_ids() == list(layers)
    for layer_id, frame in layers.items():
        served = build.layer(layer_id)
        assert served.crs.to_epsg() == 3006
        assert_geodataframe_equal(served, frame, check_less_precise=False)
    pd.testing.assert_frame_equal(build.indicators, indicators)
    assert {k: build.manifest[k] for k in manifest} == manifest
    assert list(build.manifest)[:len(manifest)] == list(manifest)  # order kept
    assert build.manifest["build_id"] == build.id
    assert build.kommuner == {k["kommunkod"]: k["kommunnamn"]
                              for k in manifest["region"]["kommuner"]}
    assert build.network is None
    with pytest.raises(NotFoundError, match="not in build"):
        build.layer("no_such_layer")


def test_the_road_network_reads_back(location, open_store, source):
    # a 3-node road graph made here (no real extract is needed for the round trip)
    xy = np.array([[400_000.0, 6_600_000.0], [400_100.0, 6_600_000.0], [400_100.0, 6_600_050.0]])
    metres = csr_matrix((np.array([100.0, 50.0]), (np.array([1, 2]), np.array([0, 1]))),
                        shape=(4, 4))
    network = Network.from_arrays(xy, metres, metres / 1000.0, np.array([0, 1, 2]))
    _write(open_store(location), source, network=network)
    served = open_store(location).current().network
    for name, array in network.arrays().items():
        np.testing.assert_array_equal(served.arrays()[name], array)


def test_current_switches_to_each_new_build_and_stays_put_between(location, open_store, source):
    store = open_store(location)
    first = _write(store, source)
    reader = open_store(location)  # a second app instance
    seen = reader.current()
    assert seen.id == first.id
    assert reader.current() is seen  # no re-reading until current is switched
    second = _write(store, source)
    assert second.id != first.id
    assert reader.current().id == second.id  # without a restart
    assert reader.status() == {"status": "ok", "build_id": second.id}
    assert store.build_ids() == [first.id, second.id]


def test_a_failed_build_leaves_the_previous_one_serving(location, open_store, source):
    layers, indicators, manifest = source
    store = open_store(location)
    first = _write(store, source)
    # the last layer cannot be stored: every layer before it has been written by then
    broken = layers["kommuner"].assign(ogiltig=[object() for _ in range(len(layers["kommuner"]))])
    with pytest.raises(BuildError, match="previous build keeps serving"):
        store.write({**layers, "trasig": broken}, indicators, manifest)
    with pytest.raises(BuildError, match="not GeoDataFrames"):
        store.write({**layers, "tabell": pd.DataFrame({"a": [1]})}, indicators, manifest)
    assert open_store(location).current().id == first.id
    assert store.build_ids() == [first.id]  # nothing half-written is kept


def test_builds_beyond_keep_are_pruned(location, open_store, source):
    store = open_store(location, keep=2)
    ids = [_write(store, source).id for _ in range(3)]
    assert store.build_ids() == ids[1:]
    assert open_store(location).current().id == ids[-1]


def test_the_file_store_is_the_default_for_a_directory(tmp_path):
    assert isinstance(_open_store(tmp_path), FileStore)


def test_object_columns_read_back_typed_as_geoparquet_gives_them(location, open_store, source):
    """The pipeline hands over object columns (numbers and ``None``, as the GTFS departures);
    both stores give back numbers with NaN for ``None``, texts as texts."""
    layers, indicators, manifest = source
    kommuner = layers["kommuner"]
    n = len(kommuner)
    values = [None if i % 3 == 0 else i / 4 for i in range(n)]
    raw = kommuner.assign(avgangar=pd.Series(values, dtype=object),
                          notering=pd.Series([None] + ["x"] * (n - 1), dtype=object))
    open_store(location).write({**layers, "kommuner": raw}, indicators, manifest)
    served = open_store(location).current().layer("kommuner")
    assert served["avgangar"].dtype == "float64"
    assert served["avgangar"].isna().tolist() == [v is None for v in values]
    assert served["avgangar"].dropna().tolist() == [v for v in values if v is not None]
    assert served["notering"].isna().tolist() == [True] + [False] * (n - 1)
    assert set(served["notering"].dropna()) == {"x"}


def test_the_tile_archive_reads_back(location, open_store, source, built):
    archive = built.tiles.read_bytes()  # the session build's PMTiles archive
    _write(open_store(location), source, tiles=archive)
    served = open_store(location).current().tiles
    assert (served if isinstance(served, bytes) else served.read_bytes()) == archive
    _write(open_store(location), source)  # a build without tiles has none
    assert open_store(location).current().tiles is None
