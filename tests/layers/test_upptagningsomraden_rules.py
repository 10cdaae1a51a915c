"""The rules of the stomlinje catchments on a few hand-made roads, stations, tätorter and
grid parts (no data files, no conftest: the fast tests that ``scripts/mutate.py`` runs
against ``layers/upptagningsomraden.py``).

Expected values are worked out by hand from the module's contract: a road catchment holds
the links whose both ends are within the radius (snapping leg included) widened by
``offroad_m`` and each reached node widened by at most its remaining distance; buffers are
drawn with 4 segments per quarter circle (a point's buffer of width ``w`` is a 16-gon of
area ``8 w² sin(π/8)``), straight-line ones with 16 (a 64-gon). Population is counted by
areal weighting.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers import upptagningsomraden as zones_layer
from layers.accessibility import build_network
from layers.befolkningsruta import Allocation
from layers.indikatorer import COLUMNS
from layers.settings import StomlinjeSettings

X0, Y0 = 400_000.0, 6_600_000.0
SETTINGS = StomlinjeSettings(rail_catchment_m=(1_000.0, 2_000.0), bus_catchment_m=(500.0,),
                             offroad_m=50.0)


def _network(xy: list[tuple[float, float]], links: list[tuple[int, int]]):
    """Roads: nodes at ``xy`` (m from the corner), each link both ways, its length its
    straight length."""
    nodes = gpd.GeoDataFrame({"node": range(len(xy))},
                             geometry=[shapely.Point(X0 + x, Y0 + y) for x, y in xy], crs=3006)
    rows = []
    for u, v in links:
        metres = math.dist(xy[u], xy[v])
        rows += [(u, v, metres, metres / 500.0), (v, u, metres, metres / 500.0)]
    return build_network(nodes, pd.DataFrame(rows, columns=["u", "v", "length_m", "minutes"]))


def _at(x: float, y: float) -> shapely.Point:
    """A point in m from the corner."""
    return shapely.Point(X0 + x, Y0 + y)


def _inside(area, points: list[tuple[float, float]]) -> list[bool]:
    """Whether each point (m from the corner) lies in ``area``."""
    return [bool(area.contains(_at(x, y))) for x, y in points]


LINE = _network([(0, 0), (100, 0), (200, 0), (300, 0)], [(0, 1), (1, 2), (2, 3)])


def test_zone_id_is_the_mode_and_whole_metres():
    assert zones_layer.zone_id("tag", 1000.0) == "tag_1000"
    assert zones_layer.zone_id("buss", 499.6) == "buss_500"


def test_a_road_catchment_takes_the_links_with_both_ends_in_reach():
    # from node 3 (x 300, the last node) with 250 m: nodes 3, 2, 1 (0, 100, 200 m) are
    # reached, node 0 (300 m) is not; links 3–2 and 2–1 widened by 50 m reach x 50 … 350
    area = zones_layer.network_area(LINE, np.array([[X0 + 300, Y0]]), 250.0, offroad_m=50.0)
    assert area.geom_type == "MultiPolygon" and len(area.geoms) == 1
    assert _inside(area, [(60, 0), (150, 45), (340, 0), (40, 0), (150, 55), (360, 0)]) == [
        True, True, True, False, False, False]


def test_a_node_at_exactly_the_radius_is_reached():
    # 200 m from node 0: node 2 is reached, so link 1–2 (and its 50 m round end) is in
    area = zones_layer.network_area(LINE, np.array([[X0, Y0]]), 200.0, offroad_m=50.0)
    assert _inside(area, [(240, 0), (260, 0), (-40, 0)]) == [True, False, True]


def test_a_node_is_widened_by_at_most_its_remaining_distance():
    # the station is 40 m off node 0 (the snapping leg); with 60 m only node 0 is reached,
    # 20 m remain: a 16-gon of radius 20 m around it, no link
    area = zones_layer.network_area(LINE, np.array([[X0, Y0 - 40]]), 60.0, offroad_m=50.0)
    assert area.geom_type == "MultiPolygon"
    assert area.area == pytest.approx(8 * 20 ** 2 * math.sin(math.pi / 8))
    assert _inside(area, [(0, 19), (19.5, 0), (0, 21), (0, -21)]) == [True, True, False, False]
    # with 500 m the node keeps its 50 m margin: every node and link, nothing beyond 350
    wide = zones_layer.network_area(LINE, np.array([[X0, Y0 - 40]]), 500.0, offroad_m=50.0)
    assert _inside(wide, [(345, 0), (355, 0), (150, 55)]) == [True, False, False]


def test_a_road_catchment_follows_the_roads_not_the_gap_between_them():
    # an L: node 0 at the corner, node 1 100 m east, node 2 100 m north; (50, 50) is 50 m
    # from both roads, outside a 30 m margin, though 71 m from the station at the corner
    ell = _network([(0, 0), (100, 0), (0, 100)], [(0, 1), (0, 2)])
    area = zones_layer.network_area(ell, np.array([[X0, Y0]]), 150.0, offroad_m=30.0)
    assert _inside(area, [(50, 25), (25, 50), (50, 50), (90, 10)]) == [True, True, False, True]


def test_a_link_is_widened_with_16_gon_round_ends():
    # 100 m from node 0: link 0–1, a 100 × 100 m band and two half 16-gons of radius 50
    # (node 0's own 50 m 16-gon lies within; node 1 has 0 m left)
    area = zones_layer.network_area(LINE, np.array([[X0, Y0]]), 100.0, offroad_m=50.0)
    assert area.area == pytest.approx(100 * 100 + 8 * 50 ** 2 * math.sin(math.pi / 8))


def test_a_one_way_road_is_a_link_when_both_its_ends_are_reached():
    # a one-way loop 2 → 3 → 1 beside the two-way road 0 – 1 – 2; node 3 (the last node, at
    # (150, 80)) is 94 + 100 m from the station at node 0, node 2 200 m: with 250 m the link
    # 2 → 3 and 3 → 1 are in, widened by 20 m; the middle of each, (175, 40) and (125, 40),
    # is 42 m or more from anything else
    nodes = gpd.GeoDataFrame({"node": range(4)}, geometry=[_at(0, 0), _at(100, 0), _at(200, 0),
                                                           _at(150, 80)], crs=3006)
    slant = math.dist((200, 0), (150, 80))
    edges = pd.DataFrame([(0, 1, 100.0, 0.2), (1, 0, 100.0, 0.2), (1, 2, 100.0, 0.2),
                          (2, 1, 100.0, 0.2), (2, 3, slant, 0.2), (3, 1, slant, 0.2)],
                         columns=["u", "v", "length_m", "minutes"])
    loop = build_network(nodes, edges)
    area = zones_layer.network_area(loop, np.array([[X0, Y0]]), 250.0, offroad_m=20.0)
    assert _inside(area, [(175, 40), (125, 40), (150, 60), (100, 10)]) == [True] * 4
    assert _inside(area, [(150, 40)]) == [False]


def test_a_station_beyond_the_radius_has_an_empty_catchment():
    area = zones_layer.network_area(LINE, np.array([[X0, Y0 - 100]]), 50.0, offroad_m=50.0)
    assert area.geom_type == "MultiPolygon" and area.is_empty


def test_stations_far_apart_give_one_multipolygon_of_both():
    xy = np.array([[X0, Y0], [X0 + 300, Y0]])
    area = zones_layer.network_area(LINE, xy, 20.0, offroad_m=50.0)
    assert area.geom_type == "MultiPolygon" and len(area.geoms) == 2


def _stations(rows: list[tuple[str, str, str, float, float]]) -> gpd.GeoDataFrame:
    """The ``hallplatser`` layer: ``(klass, trafikslag, datum, x, y)`` per station."""
    return gpd.GeoDataFrame({"klass": [r[0] for r in rows], "trafikslag": [r[1] for r in rows],
                             "datum": [r[2] for r in rows]},
                            geometry=[_at(r[3], r[4]) for r in rows], crs=3006)


STATIONS = _stations([("stomlinje", "tag", "2024-11-12", 0, 0),
                      ("stark_stomlinje", "tag", "2024-11-05", 10_000, 0),
                      ("ovrig", "tag", "2024-11-19", 20_000, 0),
                      ("stark_stomlinje", "buss", "2024-11-12", 0, 300),
                      ("ovrig", "buss", "2024-11-12", 30_000, 0)])


def test_build_gives_one_zone_per_mode_and_radius_of_the_stomlinje_stations():
    zones = zones_layer.build(STATIONS, settings=SETTINGS)
    assert zones.columns.tolist() == zones_layer.COLUMNS and zones.crs == "EPSG:3006"
    assert zones.drop(columns="geometry").values.tolist() == [
        ["tag_1000", "tag", 1000.0, 2, "fagelvag", "Tåg 1000 m", "2024-11-05, 2024-11-12"],
        ["tag_2000", "tag", 2000.0, 2, "fagelvag", "Tåg 2000 m", "2024-11-05, 2024-11-12"],
        ["buss_500", "buss", 500.0, 1, "fagelvag", "Buss 500 m", "2024-11-12"]]
    assert zones["avstand_m"].map(type).eq(float).all()
    assert zones.geometry.geom_type.tolist() == ["MultiPolygon"] * 3
    # straight-line discs, 64-gons: two of them per rail zone, one bus disc
    one_disc = 32 * 1000.0 ** 2 * math.sin(2 * math.pi / 64)
    assert zones.geometry.area.tolist() == pytest.approx(
        [2 * one_disc, 2 * one_disc * 4, one_disc / 4])
    tag = zones.geometry.iloc[0]
    assert _inside(tag, [(990, 0), (10_000, 990), (20_000, 0), (0, 1010)]) == [
        True, True, False, False]
    assert len(tag.geoms) == 2
    assert _inside(zones.geometry.iloc[2], [(0, 790), (0, 810), (0, 0)]) == [True, False, True]


def test_build_with_a_network_follows_it():
    stations = _stations([("stomlinje", "tag", "2024-11-12", 300, 0)])
    settings = StomlinjeSettings(rail_catchment_m=(250.0,), bus_catchment_m=(500.0,),
                                 offroad_m=50.0)
    zones = zones_layer.build(stations, settings=settings, network=LINE)
    assert zones["metod"].tolist() == ["vagnat"] and zones["id"].tolist() == ["tag_250"]
    assert shapely.equals(zones.geometry.iloc[0], zones_layer.network_area(
        LINE, np.array([[X0 + 300, Y0]]), 250.0, offroad_m=50.0))


def test_build_gives_bus_zones_without_a_rail_stomlinje():
    zones = zones_layer.build(STATIONS[STATIONS["trafikslag"] == "buss"], settings=SETTINGS)
    assert zones["id"].tolist() == ["buss_500"]


def test_build_without_stomlinje_stations_is_empty():
    zones = zones_layer.build(STATIONS[STATIONS["klass"] == "ovrig"], settings=SETTINGS)
    assert zones.empty and zones.columns.tolist() == zones_layer.COLUMNS
    assert zones.crs == "EPSG:3006"


# Tätorter (2018 polygons with their 2020 links) and SCB 2020 points. T1 (1701, 1 000) has
# the polygon x 0–2 km, half inside the zone (x 0–1 km); T2 (1701, 200) and T3 (1702, 100)
# share a polygon inside it; T4 (1702, 50) has no polygon and its point is inside; T5 (1701,
# 300) has a polygon outside; T6 (1702, 20) no polygon and its point outside; an unlinked
# 2018 polygon inside adds nothing. Within the zone: 1701 500 + 200, 1702 100 + 50.
TATORTER = gpd.GeoDataFrame({
    "tatortsnr": ["0001", "0002", "0003", "0005"],
    "tatortskod_2020": ["T1", "T2", None, "T5"],
    "tatortskoder_2020": ["T1", "T2,T3", None, "T5"],
}, geometry=[shapely.box(X0, Y0, X0 + 2000, Y0 + 500), shapely.box(X0, Y0 + 600, X0 + 500,
                                                                  Y0 + 900),
             shapely.box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200),
             shapely.box(X0 + 5000, Y0, X0 + 6000, Y0 + 500)], crs=3006)
POINTS = gpd.GeoDataFrame({
    "tatortskod": ["T1", "T2", "T3", "T4", "T5", "T6"],
    "kommunkod": ["1701", "1701", "1702", "1702", "1701", "1702"],
    "bef_2020": [1000, 200, 100, 50, 300, 20],
}, geometry=[_at(500, 100), _at(100, 700), _at(1500, 700), _at(300, 300), _at(5500, 100),
             _at(9000, 0)], crs=3006)
ZONE = shapely.MultiPolygon([shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)])
ZONES = gpd.GeoDataFrame({"id": ["tag_1000", "buss_500"], "datum": ["2024-11-12"] * 2},
                         geometry=[ZONE, shapely.MultiPolygon([shapely.box(
                             X0 + 5000, Y0, X0 + 5500, Y0 + 1000)])], crs=3006)
KOMMUNER = gpd.GeoDataFrame({"kommunkod": ["1701", "1702", "1703"],
                             "invanare": [2000.0, 500.0, 80.0],
                             "invanare_ar": ["2023", "2023", "2023"]},
                            geometry=[shapely.box(X0, Y0, X0 + 1, Y0 + 1)] * 3, crs=3006)


def test_tatort_population_within_is_area_weighted_per_kommun():
    within = zones_layer._tatort_within(TATORTER, POINTS, ZONE)
    assert within.sort_index().to_dict() == {"1701": 700.0, "1702": 150.0}


def _row(rows: pd.DataFrame, indikator: str, kommunkod: str, omrade: str) -> pd.Series:
    """The one row of an indicator, kommun and omrade."""
    hit = rows[(rows["indikator"] == indikator) & (rows["kommunkod"] == kommunkod)
               & (rows["omrade"] == omrade)]
    assert len(hit) == 1
    return hit.iloc[0]


def _numbers(row: pd.Series) -> list[float]:
    """``teljare, namnare, varde`` of a row (NaN as None)."""
    return [None if pd.isna(row[c]) else float(row[c]) for c in ("teljare", "namnare", "varde")]


def test_without_a_grid_tatorter_are_placed_and_landsbygd_is_left_empty():
    # 1701: 2 000 persons, tätorter 1 500 (T1, T2, T5), landsbygd 500; 1702: 500, 170, 330;
    # 1703: 80, no tätort. Zone tag_1000 holds 700 (1701) and 150 (1702); buss_500 half of T5
    rows = zones_layer.indicators(ZONES, kommuner=KOMMUNER, tatorter=TATORTER,
                                  tatort_points=POINTS)
    assert rows.columns.tolist() == COLUMNS and len(rows) == 2 * 3 * 3
    tag = "befolkning_stomlinje_tag_1000"
    assert _numbers(_row(rows, tag, "1701", "hela_kommunen")) == [700.0, 2000.0, 35.0]
    assert _numbers(_row(rows, tag, "1701", "tatort")) == pytest.approx([700.0, 1500.0,
                                                                         100 * 700 / 1500])
    assert _numbers(_row(rows, tag, "1701", "landsbygd")) == [None, 500.0, None]
    assert _numbers(_row(rows, tag, "1702", "hela_kommunen")) == [150.0, 500.0, 30.0]
    assert _numbers(_row(rows, tag, "1703", "hela_kommunen")) == [0.0, 80.0, 0.0]
    assert _numbers(_row(rows, tag, "1703", "tatort")) == [0.0, 0.0, None]
    bus = "befolkning_stomlinje_buss_500"
    assert _numbers(_row(rows, bus, "1701", "hela_kommunen")) == [150.0, 2000.0, 7.5]
    assert _numbers(_row(rows, bus, "1702", "hela_kommunen")) == [0.0, 500.0, 0.0]
    assert set(rows["enhet"]) == {"procent"}
    hela = _row(rows, tag, "1701", "hela_kommunen")
    assert hela["ar"] == "2020/2023"
    assert hela["kalla"] == zones_layer.KALLA.format(datum="2024-11-12", ar="2023") + (
        zones_layer.HELA_NOTE)
    landsbygd = _row(rows, tag, "1701", "landsbygd")
    assert landsbygd["ar"] == "2020/2023"
    assert landsbygd["kalla"] == zones_layer.KALLA.format(datum="2024-11-12", ar="2023") + (
        zones_layer.LANDSBYGD_NOTE)
    tatort = _row(rows, tag, "1701", "tatort")
    assert tatort["ar"] == "2020"
    # the kommun's population year, not the tätorter's 2020 (the tätort row once said 2020)
    assert tatort["kalla"] == zones_layer.KALLA.format(datum="2024-11-12", ar="2023")


# Grid parts: square A (x 0–1 km, 1701) is 60 tätort (west half) and 40 landsbygd (east
# half), square B (x 1–2 km, 1701) 20 landsbygd, square C (x 5–6 km, 1702) 10 landsbygd.
# Zone tag_1000 (x 0–1 km … plus half of B below) holds A and half of B; buss_500 half of C.
def _allocation() -> Allocation:
    """An allocated grid of three squares (see above), year 2024."""
    def box(x0: float, x1: float) -> shapely.Polygon:
        return shapely.box(X0 + x0, Y0, X0 + x1, Y0 + 1000)
    squares = gpd.GeoDataFrame({"rutid_scb": ["A", "B", "C"], "ar": ["2024"] * 3},
                               geometry=[box(0, 1000), box(1000, 2000), box(5000, 6000)],
                               crs=3006)
    parts = gpd.GeoDataFrame({
        "rutid_scb": ["A", "A", "B", "C"], "kommunkod": ["1701", "1701", "1701", "1702"],
        "omrade": ["landsbygd", "tatort", "landsbygd", "landsbygd"],
        "tatortsnr": [None, "0001", None, None], "tatort": ["", "Åby", "", ""],
        "befolkning": [40, 60, 20, 10],
    }, geometry=[box(500, 1000), box(0, 500), box(1000, 2000), box(5000, 6000)], crs=3006)
    return Allocation(squares, parts, pd.DataFrame())


def test_with_a_grid_every_row_is_measured_on_the_square_parts():
    zones = ZONES.assign(geometry=[shapely.MultiPolygon([shapely.box(X0, Y0, X0 + 1500,
                                                                     Y0 + 1000)]),
                                   ZONES.geometry.iloc[1]])
    rows = zones_layer.indicators(zones, kommuner=KOMMUNER, tatorter=TATORTER,
                                  tatort_points=POINTS, grid=_allocation(),
                                  grid_kalla="SCB 1 km 2024")
    assert rows.columns.tolist() == COLUMNS and len(rows) == 2 * 3 * 3
    assert rows[["indikator", "kommunkod", "omrade"]].values.tolist()[:3] == [
        ["befolkning_stomlinje_tag_1000", "1701", "tatort"],
        ["befolkning_stomlinje_tag_1000", "1701", "landsbygd"],
        ["befolkning_stomlinje_tag_1000", "1701", "hela_kommunen"]]
    tag = "befolkning_stomlinje_tag_1000"
    assert _numbers(_row(rows, tag, "1701", "tatort")) == [60.0, 60.0, 100.0]
    assert _numbers(_row(rows, tag, "1701", "landsbygd")) == pytest.approx([50.0, 60.0,
                                                                            100 * 50 / 60])
    assert _numbers(_row(rows, tag, "1701", "hela_kommunen")) == pytest.approx(
        [110.0, 120.0, 100 * 110 / 120])
    assert _numbers(_row(rows, tag, "1702", "landsbygd")) == [0.0, 10.0, 0.0]
    assert _numbers(_row(rows, tag, "1702", "tatort")) == [0.0, 0.0, None]
    assert _numbers(_row(rows, tag, "1703", "hela_kommunen")) == [0.0, 0.0, None]
    bus = "befolkning_stomlinje_buss_500"
    assert _numbers(_row(rows, bus, "1702", "landsbygd")) == [5.0, 10.0, 50.0]
    assert _numbers(_row(rows, bus, "1701", "hela_kommunen")) == [0.0, 120.0, 0.0]
    assert set(rows["ar"]) == {"2024"} and set(rows["enhet"]) == {"procent"}
    assert set(rows["kalla"]) == {zones_layer.KALLA_GRID.format(datum="2024-11-12",
                                                                grid="SCB 1 km 2024")}
