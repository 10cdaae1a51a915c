"""The tätort → nearest stomlinje rules on places drawn by hand (no data files, no conftest:
the fast tests ``scripts/mutate.py`` runs against ``layers/tatort_stomlinje.py``;
``test_tatort_stomlinje.py`` checks the layer on the real Värmland data).

Straight-line drawing (EPSG:3006 metres, every place on the x axis; the limit is the default
2 000 m); tätorter T, stomlinje stops S, stations not served on the day U, x in km::

    0 T1, 0.3 S1 | 8 S2, 10 T2, 10.1 L, 12 U2 | 20 T3, 20.8 T4, 22 U3, 23.5 S3
    40 T5, 40.6 U5, 41.5 S5 | 57 U6, 60 T6

Polygons: T1 ±500 m; T3 and T4 share one (19 000–21 000, the 2018 polygon of two 2020
tätorter); an unlinked polygon 39 000–41 000 around T5 (never used); and a second polygon
naming T1 far away at 70 000 (the first polygon of a code wins).

L is a served stop of class "ovrig" 100 m from T2 (never a stomlinje). Every expected value
is worked out from the drawing.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from layers import tatort_stomlinje
from layers.accessibility import build_network
from layers.settings import StomlinjeSettings

SETTINGS = StomlinjeSettings()
# tatortskod, tatort, kommunkod, bef_2020, x
TATORTER = [("T1", "Ettby", "1780", 5000, 0.0), ("T2", "Tvåby", "1780", 800, 10000.0),
            ("T3", "Treby", "1715", 300, 20000.0), ("T4", "Fyrby", "1715", 200, 20800.0),
            ("T5", "Femby", "1715", 1000, 40000.0), ("T6", "Sexby", "1715", 50, 60000.0)]
# namn, station_id, klass, status, avgangar_dag, x
STATIONS = [("Ettby C", "S1", "stomlinje", "trafikeras", 40.0, 300.0),
            ("Tvåby väst", "S2", "stark_stomlinje", "trafikeras", 80.0, 8000.0),
            ("Tvåby torg", "L", "ovrig", "trafikeras", 12.0, 10100.0),
            ("Tvåby öst", "U2", None, "saknar_tidtabell", None, 12000.0),
            ("Treby gamla", "U3", None, "saknar_tidtabell", None, 22000.0),
            ("Treby C", "S3", "stomlinje", "trafikeras", 30.0, 23500.0),
            ("Femby hamn", "U5", None, "ej_trafikdagen", None, 40600.0),
            ("Femby C", "S5", "stomlinje", "trafikeras", 24.0, 41500.0),
            ("Sexby", "U6", None, "annan_period", None, 57000.0)]
INOM, UTAN = "Stomlinje inom 2000 m", "Utan stomlinje inom 2000 m"
OKAND = "Okänt: närmare station utan tidtabell"


def _points(rows: list[tuple], columns: list[str]) -> gpd.GeoDataFrame:
    """Rows whose last value is x (y = 0 unless a (x, y) pair) as points in EPSG:3006."""
    xy = [row[-1] if isinstance(row[-1], tuple) else (row[-1], 0.0) for row in rows]
    return gpd.GeoDataFrame([row[:-1] for row in rows], columns=columns,
                            geometry=[Point(x, y) for x, y in xy], crs=3006)


def _tatorter(rows=TATORTER) -> gpd.GeoDataFrame:
    return _points(rows, ["tatortskod", "tatort", "kommunkod", "bef_2020"])


def _stations(rows=STATIONS) -> gpd.GeoDataFrame:
    return _points(rows, ["namn", "station_id", "klass", "status", "avgangar_dag"])


def _polygons() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"tatortskoder_2020": ["T1", "T3,T4", None, "T1"]},
        geometry=[box(-500, -500, 500, 500), box(19000, -1000, 21000, 1000),
                  box(39000, -1000, 41000, 1000), box(69000, -1000, 71000, 1000)], crs=3006)


def _by_tatort(table: gpd.GeoDataFrame) -> dict[str, tuple]:
    """Per tätort: stop, id, departures, class, metres, gap stop, gap metres, status, text
    (a missing value as None)."""
    columns = ["hallplats", "hallplats_id", "avgangar_dag", "klass", "avstand_m",
               "utan_tidtabell", "utan_tidtabell_m", "status", "status_sv"]
    return {row["tatort"]: tuple(None if pd.isna(row[c]) else row[c] for c in columns)
            for _, row in table.iterrows()}


def test_each_tatort_gets_its_nearest_stomlinje_stop_and_an_honest_status():
    """T1 holds S1 in its polygon (0 m). T2 is exactly 2 000 m from S2 (within) and as far
    from U2 (not nearer: no gap). T3 and T4 are measured from their shared polygon: S3
    2 500 m, U3 1 000 m nearer and within reach — unknown. T5 from its point (its polygon is
    unlinked): S5 1 500 m within, U5 600 m nearer but the stomlinje is within reach anyway.
    T6: S5 18 500 m, U6 3 000 m nearer but beyond reach — without."""
    table = tatort_stomlinje.build(_tatorter(), _stations(), settings=SETTINGS,
                                   polygons=_polygons())
    assert _by_tatort(table) == {
        "Ettby": ("Ettby C", "S1", 40.0, "stomlinje", 0.0, None, None, "inom", INOM),
        "Tvåby": ("Tvåby väst", "S2", 80.0, "stark_stomlinje", 2000.0, None, None, "inom",
                  INOM),
        "Treby": ("Treby C", "S3", 30.0, "stomlinje", 2500.0, "Treby gamla", 1000.0, "okand",
                  OKAND),
        "Fyrby": ("Treby C", "S3", 30.0, "stomlinje", 2500.0, "Treby gamla", 1000.0, "okand",
                  OKAND),
        "Femby": ("Femby C", "S5", 24.0, "stomlinje", 1500.0, "Femby hamn", 600.0, "inom",
                  INOM),
        "Sexby": ("Femby C", "S5", 24.0, "stomlinje", 18500.0, "Sexby", 3000.0, "utan", UTAN)}


def test_rows_keep_the_points_sorted_by_kommun_then_most_populous_first():
    table = tatort_stomlinje.build(_tatorter(), _stations(), settings=SETTINGS,
                                   polygons=_polygons())
    assert list(table.columns) == tatort_stomlinje.COLUMNS
    assert list(table["tatort"]) == ["Femby", "Treby", "Fyrby", "Sexby", "Ettby", "Tvåby"]
    assert list(table["tatortskod"]) == ["T5", "T3", "T4", "T6", "T1", "T2"]
    assert list(table["bef_2020"]) == [1000, 300, 200, 50, 5000, 800]
    assert list(table.index) == list(range(6)) and table.crs.to_epsg() == 3006
    assert [(p.x, p.y) for p in table.geometry] == [(40000, 0), (20000, 0), (20800, 0),
                                                    (60000, 0), (0, 0), (10000, 0)]
    assert set(table["metod"]) == {"fågelvägen"}


def test_without_polygons_every_tatort_is_measured_from_its_point():
    """T1's point is 300 m from S1; T3 2 000 m from U3 (nearer than S3's 3 500 m): unknown;
    T4 1 200 m from U3 and 2 700 m from S3."""
    table = _by_tatort(tatort_stomlinje.build(_tatorter(), _stations(), settings=SETTINGS))
    assert table["Ettby"][4] == 300.0 and table["Ettby"][7] == "inom"
    assert table["Treby"][4:8] == (3500.0, "Treby gamla", 2000.0, "okand")
    assert table["Fyrby"][4:8] == (2700.0, "Treby gamla", 1200.0, "okand")


def test_the_limit_is_the_setting_and_named_in_the_status():
    """At 1 000 m: T5's S5 (1 500 m) is beyond and U5 (600 m) nearer and within — unknown;
    T2's S2 (2 000 m) is beyond with no nearer gap — without; T1 (0 m) within."""
    table = _by_tatort(tatort_stomlinje.build(
        _tatorter(), _stations(), settings=StomlinjeSettings(tatort_access_m=1000.0),
        polygons=_polygons()))
    assert table["Femby"][7:] == ("okand", OKAND)
    assert table["Tvåby"][7:] == ("utan", "Utan stomlinje inom 1000 m")
    assert table["Ettby"][7:] == ("inom", "Stomlinje inom 1000 m")


def test_distances_are_rounded_to_whole_metres_but_the_status_uses_the_exact_one():
    """S at 2 000.4 m rounds to 2 000 m, but is beyond the 2 000 m limit; U at 700.6 m
    rounds to 701 m. Uby, 7 003.4 m from S, is 7 003 m away."""
    table = _by_tatort(tatort_stomlinje.build(
        _tatorter([("T", "Tby", "1780", 10, 0.0), ("V", "Uby", "1780", 5, -5003.0)]),
        _stations([("S", "S", "stomlinje", "trafikeras", 5.0, 2000.4),
                   ("U", "U", None, "saknar_tidtabell", None, -700.6)]),
        settings=SETTINGS))
    assert table["Tby"][4:8] == (2000.0, "U", 701.0, "okand")
    assert table["Uby"][4] == 7003.0


def test_without_any_stomlinje_stop_no_stop_is_named_and_the_distance_is_infinite():
    """Only unserved stations: the nearest within reach makes the status unknown, and none
    within reach leaves it without."""
    table = _by_tatort(tatort_stomlinje.build(
        _tatorter([("T", "Tby", "1780", 10, 0.0), ("V", "Vby", "1780", 5, 9000.0)]),
        _stations([("U", "U", None, "saknar_tidtabell", None, 500.0)]), settings=SETTINGS))
    assert table["Tby"][:4] == (None, None, None, None)
    assert math.isinf(table["Tby"][4]) and table["Tby"][5:8] == ("U", 500.0, "okand")
    assert math.isinf(table["Vby"][4]) and table["Vby"][5:8] == ("U", 8500.0, "utan")


def test_without_any_station_every_tatort_is_without():
    table = tatort_stomlinje.build(_tatorter(), _stations([]), settings=SETTINGS)
    assert set(table["status"]) == {"utan"} and table["hallplats"].isna().all()
    assert table["utan_tidtabell"].isna().all() and table["utan_tidtabell_m"].isna().all()
    assert np.isinf(table["avstand_m"].astype(float)).all()


def test_utan_stomlinje_lists_a_kommuns_tatorter_not_within_reach_most_populous_first():
    """At 1 000 m, Femby (1715) is unknown and Tvåby (1780) without: each in its kommun
    only; at 2 000 m all of 1780 is within."""
    table = tatort_stomlinje.build(_tatorter(), _stations(), settings=SETTINGS,
                                   polygons=_polygons())
    assert list(tatort_stomlinje.utan_stomlinje(table, "1715")["tatort"]) == [
        "Treby", "Fyrby", "Sexby"]
    assert tatort_stomlinje.utan_stomlinje(table, "1780").empty
    near = tatort_stomlinje.build(_tatorter(), _stations(),
                                  settings=StomlinjeSettings(tatort_access_m=1000.0),
                                  polygons=_polygons())
    assert list(tatort_stomlinje.utan_stomlinje(near, "1715")["tatort"]) == [
        "Femby", "Treby", "Fyrby", "Sexby"]
    assert list(tatort_stomlinje.utan_stomlinje(near, "1780")["tatort"]) == ["Tvåby"]


# Road drawing: nodes 1–4 at x = 0, 1000, 2000, 3000 (y = 0) joined by two-way 1 000 m roads.
ROAD_NODES = [(1, 0.0), (2, 1000.0), (3, 2000.0), (4, 3000.0)]
ROADS = [(1, 2), (2, 3), (3, 4), (2, 1), (3, 2), (4, 3)]


@pytest.fixture(scope="module")
def roads():
    nodes = gpd.GeoDataFrame({"node": [n for n, _ in ROAD_NODES]},
                             geometry=[Point(x, 0.0) for _, x in ROAD_NODES], crs=3006)
    edges = pd.DataFrame([(u, v, 1000.0, 1.0) for u, v in ROADS],
                         columns=["u", "v", "length_m", "minutes"])
    return build_network(nodes, edges)


def test_along_roads_the_snapping_legs_of_the_stops_count(roads):
    """Vägby's polygon (x ±100 m, y -100 to 300 m) holds node 1, measured from there (its
    centre, 100 m from node 1, is not used). A snaps to node 2 with a 1 200 m leg (2 200 m
    in all), B stands on node 3 (2 000 m): B is the nearer, and within the limit. U (150 m
    from node 1, not served) is nearer. Dby's point is 50 m from node 4, where C (300 m leg,
    listed first) and D (20 m leg) both snap: D, 70 m. Z, the first station not served,
    is 400 m off node 4: 450 m from Dby, farther than D. B is position 0 of the stops, U
    position 1 of the stations not served."""
    points = _tatorter([("N1", "Vägby", "1780", 100, 0.0), ("N2", "Dby", "1780", 50,
                                                            (3000.0, -50.0))])
    polygons = gpd.GeoDataFrame({"tatortskoder_2020": ["N1"]},
                                geometry=[box(-100, -100, 100, 300)], crs=3006)
    stations = _stations([("B", "B", "stomlinje", "trafikeras", 20.0, 2000.0),
                          ("A", "A", "stomlinje", "trafikeras", 10.0, (1000.0, 1200.0)),
                          ("C", "C", "stomlinje", "trafikeras", 30.0, (3000.0, 300.0)),
                          ("D", "D", "stomlinje", "trafikeras", 40.0, (3000.0, 20.0)),
                          ("Z", "Z", None, "saknar_tidtabell", None, (3000.0, -400.0)),
                          ("U", "U", None, "saknar_tidtabell", None, (-150.0, 0.0))])
    table = tatort_stomlinje.build(points, stations, settings=SETTINGS, polygons=polygons,
                                   network=roads)
    assert _by_tatort(table) == {
        "Vägby": ("B", "B", 20.0, "stomlinje", 2000.0, "U", 150.0, "inom", INOM),
        "Dby": ("D", "D", 40.0, "stomlinje", 70.0, None, None, "inom", INOM)}
    assert set(table["metod"]) == {"vägnät"}


def test_no_target_is_no_position_and_no_distance(roads):
    """Both searches give every area inf and position -1 when there is nothing to find."""
    areas = gpd.GeoSeries([Point(0, 0), box(900, -10, 1100, 10)], crs=3006)
    none = gpd.GeoSeries([], crs=3006)
    for dist, index in (tatort_stomlinje._nearest_straight(areas, none),
                        tatort_stomlinje._nearest_network(
                            roads, tatort_stomlinje._anchors(roads, areas), none)):
        assert np.isinf(dist).all() and list(index) == [-1, -1]
