"""Fast rule tests of :mod:`layers.korridorer` on a small hand-made network day.

Five stations on a straight line and beside it (EPSG:3006 metres from ``X0, Y0``): A, B and
C on a RINF line A–B–M–C (M a switch, no station), D beside it (buses only), E far away
(off the network). The merged calls (:class:`layers.tidtabeller.Natdag` ``deps``) are
written by hand: trains A→C passing B, C→A passing B (two calls at C first), C→E, and buses
A→D→C along a shape, A→B, A→D (three more, no shape), C→D and A→C (by road: a bus is never
routed over the railway). Every passage, hour, course
and class below is worked out by hand from those times and positions. No conftest fixture,
no real-data build: these are the tests ``make mutate`` runs against each mutant.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from data_sources.rinf import Rinf
from layers import bannat, korridorer
from layers.settings import StomlinjeSettings
from layers.tidtabeller import Natdag
from layers.trafikdag import Analysdag

X0, Y0 = 400_000.0, 6_580_000.0
XY = {"A": (0, 0), "B": (10_000, 0), "C": (20_000, 0), "D": (10_000, 5_000),
      "E": (60_000, 60_000)}
# the rule on two hours: every hour 07–09 has a trip; stark with 2 in 07 and 2 in 08
RULE = StomlinjeSettings(day_hours=(7, 9), peak_am=(7, 8), peak_pm=(8, 9), min_per_hour=1,
                         strong_per_hour=2)
SHAPE = [(0, 0), (5_000, 5_000), (10_000, 5_000), (15_000, 5_000), (20_000, 0)]


def _at(x: float, y: float) -> tuple[float, float]:
    return (X0 + x, Y0 + y)


def _line(points: list[tuple[float, float]]) -> LineString:
    return LineString([_at(*p) for p in points])


def _calls(trips: list[tuple[str, str, str, str | None, list[tuple[str, int]]]]) -> pd.DataFrame:
    """Merged calls of ``(trip, mode, line, shape, [(station, seconds), …])``, listed last
    trip first and last call first (the table need not come sorted)."""
    rows = [{"trip_key": trip, "stop_sequence": seq + 1, "nyckel": station, "tid_s": tid,
             "trafikslag": mode, "shape_id": shape, "flode": "f", "dag": 0, "linje": line,
             "operator": "SJ" if mode == "tag" else "VT"}
            for trip, mode, line, shape, stops in trips
            for seq, (station, tid) in enumerate(stops)]
    return pd.DataFrame(rows[::-1])


TRIPS = [
    ("t1", "tag", "R1", None, [("A", 27_000), ("C", 30_600)]),             # 07:30 → 08:30
    ("t2", "tag", "R1", None, [("C", 36_000), ("C", 36_120), ("A", 38_520)]),
    ("t3", "tag", "R1", None, [("C", 41_400), ("E", 44_998)]),  # middle 11:59:59
    ("b1", "buss", "1", "sh", [("A", 25_200), ("D", 26_400), ("C", 28_800)]),
    ("b2", "buss", "2", None, [("A", 27_000), ("B", 27_600)]),
    ("b3", "buss", "1", None, [("A", 25_800), ("D", 27_000)]),
    ("b4", "buss", "1", None, [("A", 29_100), ("D", 30_300)]),
    ("b5", "buss", "10", None, [("A", 30_600), ("D", 31_800)]),
    ("b6", "buss", "6", None, [("C", 29_400), ("D", 30_600)]),
    ("b7", "buss", "7", None, [("A", 43_200), ("C", 45_000)]),  # by road, not by rail
]


def _natdag(trips=TRIPS, days: int = 1) -> Natdag:
    """The network day of ``trips`` over ``days`` analysed days (calls repeated per day)."""
    deps = pd.concat([_calls(trips).assign(dag=d, trip_key=lambda f, d=d: f["trip_key"]
                                           + f"|{d}") for d in range(days)],
                     ignore_index=True)
    stations = gpd.GeoDataFrame({"namn": list(XY)}, index=pd.Index(list(XY), name="nyckel"),
                                geometry=[Point(_at(*xy)) for xy in XY.values()],
                                crs="EPSG:3006")
    dag = Analysdag(tuple(date(2024, 1, 2 + 7 * d) for d in range(days)), "dag", "day")
    return Natdag(dag, stations, deps, (), {("f", "sh"): _line(SHAPE)}, {})


@pytest.fixture(scope="module")
def net() -> bannat.Bannat:
    """RINF points at A, B, C and the switch M, sections A–B, B–M, M–C; stations attached."""
    points = gpd.GeoDataFrame({"op_id": ["opA", "opB", "opM", "opC"]},
                              geometry=[Point(_at(*xy)) for xy in
                                        [(0, 0), (10_000, 0), (15_000, 0), (20_000, 0)]],
                              crs="EPSG:3006")
    sections = pd.DataFrame({"fran": ["opA", "opB", "opM"], "till": ["opB", "opM", "opC"],
                             "langd_m": [10_000.0, 5_000.0, 5_000.0]})
    return bannat.attach(bannat.graph(Rinf(points, sections)), _natdag().stations,
                         match_m=400.0, snap_m=2_000.0)


# (fran, till, riktning, trip, hour, stops at fran, stops at till): a passage's hour is its
# time at the middle of the segment, interpolated by distance along the path
PASSAGES = {
    ("A", "B", 1, "t1", 7, True, False),    # 07:30 + 0.25 h: at A, passing B
    ("B", "C", 1, "t1", 8, False, True),    # 07:30 + 0.75 h
    ("B", "C", -1, "t2", 10, False, True),  # leaves C 10:02, 40 min to A: 10:12
    ("A", "B", -1, "t2", 10, True, False),  # 10:32
    ("C", "E", 1, "t3", 11, True, True),
    ("A", "D", 1, "b1", 7, True, True), ("C", "D", -1, "b1", 7, True, True),
    ("A", "B", 1, "b2", 7, True, True), ("A", "D", 1, "b3", 7, True, True),
    ("A", "D", 1, "b4", 8, True, True), ("A", "D", 1, "b5", 8, True, True),
    ("C", "D", 1, "b6", 8, True, True),
    ("A", "C", 1, "b7", 12, True, True),    # a bus between stations on the railway
}
PASSAGE_COLUMNS = ["fran", "till", "riktning", "trip_key", "timme", "stannar_fran",
                   "stannar_till"]


def _passages(k: korridorer.Korridorer) -> set[tuple]:
    """Passages as plain tuples, the day's ``|0`` dropped from the trip keys."""
    frame = k.passages[PASSAGE_COLUMNS].assign(trip_key=k.passages["trip_key"].str[:-2])
    return {tuple(v.item() if hasattr(v, "item") else v for v in row)
            for row in frame.itertuples(index=False, name=None)}


def test_every_trip_is_counted_on_each_segment_it_runs_along(net):
    """Guards the passages: trains over every network segment of their path (passing B),
    buses stop to stop, the direction and the stops, the hour at the segment's middle."""
    k = korridorer.corridors(_natdag(), net, RULE)
    assert _passages(k) == PASSAGES and len(k.passages) == len(PASSAGES)
    assert k.n_days == 1
    row = k.passages[k.passages["trip_key"] == "b6|0"].iloc[0]
    assert (row["trafikslag"], row["linje"], row["operator"], row["flode"], row["dag"]) == (
        "buss", "6", "VT", "f", 0)
    assert str(k.passages["timme"].dtype) == "int64"


def _coords(line: LineString) -> list[tuple[float, float]]:
    return [(x - X0, y - Y0) for x, y in line.coords]


def test_segments_are_drawn_along_the_network_the_shape_or_straight(net):
    """Guards the courses: the network wins over a straight bus line on A–B, a shape is cut
    between its stations, every course runs ``fran → till``."""
    geometry = korridorer.corridors(_natdag(), net, RULE).geometry
    assert geometry.crs == "EPSG:3006"
    assert list(geometry.columns) == ["fran", "till", "geometri", "geometry"]
    courses = {(f, t): (kind, _coords(line)) for f, t, kind, line in
               geometry[["fran", "till", "geometri", "geometry"]].itertuples(index=False)}
    assert courses == {
        ("A", "B"): ("bannat", [(0, 0), (10_000, 0)]),
        ("B", "C"): ("bannat", [(10_000, 0), (15_000, 0), (20_000, 0)]),
        ("A", "D"): ("shapes", [(0, 0), (5_000, 5_000), (10_000, 5_000)]),
        ("C", "D"): ("shapes", [(20_000, 0), (15_000, 5_000), (10_000, 5_000)]),
        ("C", "E"): ("rak", [(20_000, 0), (60_000, 60_000)]),
        ("A", "C"): ("rak", [(0, 0), (20_000, 0)]),
    }
    assert list(geometry.index) == list(range(6))


def test_without_a_network_trains_run_stop_to_stop(net):
    """Guards ``net=None``: the train A→C is one straight segment A–C, stopping at both."""
    k = korridorer.corridors(_natdag(), None, RULE)
    trains = {p for p in _passages(k) if p[3].startswith("t")}
    assert trains == {("A", "C", 1, "t1", 8, True, True), ("A", "C", -1, "t2", 10, True, True),
                      ("C", "E", 1, "t3", 11, True, True)}
    kinds = k.geometry.set_index(["fran", "till"])["geometri"]
    assert kinds[("A", "C")] == "rak" and kinds[("A", "B")] == "rak"


def test_two_stations_on_one_network_point_are_joined_straight(net):
    """Guards an empty path split: B2 lies 100 m from B, on B's RINF point."""
    natdag = _natdag([("t9", "tag", "R9", None, [("B", 50_000), ("B2", 50_600)])])
    natdag = Natdag(natdag.dag, pd.concat([natdag.stations, gpd.GeoDataFrame(
        {"namn": ["B2"]}, index=pd.Index(["B2"], name="nyckel"),
        geometry=[Point(_at(10_100, 0))], crs="EPSG:3006")]), natdag.deps, (), {}, {})
    two = bannat.attach(net.graph, natdag.stations, match_m=400.0, snap_m=2_000.0)
    k = korridorer.corridors(natdag, two, RULE)
    assert _passages(k) == {("B", "B2", 1, "t9", 13, True, True)}
    assert k.geometry["geometri"].tolist() == ["rak"]


def test_a_train_passing_two_stations_stops_only_at_its_ends(net):
    """Guards the first and last of a path's segments: with a station at the switch M too,
    the train A→C runs A–B, B–M, M–C and stops only at A and C."""
    natdag = _natdag([t for t in TRIPS if t[0] == "t1"])
    natdag = Natdag(natdag.dag, pd.concat([natdag.stations, gpd.GeoDataFrame(
        {"namn": ["M"]}, index=pd.Index(["M"], name="nyckel"),
        geometry=[Point(_at(15_000, 0))], crs="EPSG:3006")]), natdag.deps, (), {}, {})
    four = bannat.attach(net.graph, natdag.stations, match_m=400.0, snap_m=2_000.0)
    k = korridorer.corridors(natdag, four, RULE)
    # middles at 0.25, 0.625 and 0.875 of 07:30–08:30; M–C is drawn C → M ("C" < "M")
    assert _passages(k) == {("A", "B", 1, "t1", 7, True, False),
                            ("B", "M", 1, "t1", 8, False, False),
                            ("C", "M", -1, "t1", 8, True, False)}


def test_a_night_train_between_neighbours_follows_the_network(net):
    """Guards a one-segment path (drawn along the network) and the time interpolated from
    the departure: A 00:30 → B 02:30, the middle at 01:30."""
    k = korridorer.corridors(_natdag([("t6", "tag", "R6", None, [("A", 1_800),
                                                                 ("B", 9_000)])]), net, RULE)
    assert _passages(k) == {("A", "B", 1, "t6", 1, True, True)}
    assert k.geometry["geometri"].tolist() == ["bannat"]


def test_cut_follows_a_shape_only_with_a_point_between_the_stations():
    """Guards :func:`korridorer._cut`: more than 1 m apart along the shape and a shape point
    between them, else straight."""
    line = LineString([(0, 0), (0.5, 0), (1.0, 0), (1.5, 0), (10, 0), (20, 0)])
    start = Point(0, 0)
    assert korridorer._cut(line, start, Point(20, 0))[1] == "shapes"
    assert korridorer._cut(line, start, Point(1.5, 0)) == (LineString([(0, 0), (0.5, 0), (
        1.0, 0), (1.5, 0)]), "shapes")
    assert korridorer._cut(line, start, Point(1.0, 0)) == (LineString([(0, 0), (1, 0)]), "rak")
    assert korridorer._cut(line, start, Point(0.7, 0)) == (LineString([(0, 0), (0.7, 0)]), "rak")
    assert korridorer._cut(line, Point(1.0, 0), Point(1.7, 0)) == (
        LineString([(1.0, 0), (1.7, 0)]), "rak")  # 0.7 m apart, not at the shape's start
    assert korridorer._cut(line, Point(1.5, 0), Point(7, 0)) == (
        LineString([(1.5, 0), (7, 0)]), "rak")
    assert korridorer._cut(None, start, Point(20, 0)) == (LineString([(0, 0), (20, 0)]), "rak")


def test_segment_table_counts_windows_lines_and_classes(net):
    """Guards the per-segment table: both directions' trips in each window, distinct lines
    shortest first, rail lifted to stomlinje, the weaker direction deciding."""
    table = korridorer.segment_table(korridorer.corridors(_natdag(), net, RULE), RULE)
    columns = ["turer_dag", "turer_dagtid", "turer_topp_fm", "turer_topp_em", "linjer",
               "operatorer", "floden", "trafikslag", "klass"]
    assert list(table.columns) == ["fran", "till", *columns]
    assert {(f, t): tuple(rest) for f, t, *rest in table.itertuples(index=False)} == {
        ("A", "B"): (3, 2, 2, 0, "2, R1", "SJ, VT", "f", "tag", "stomlinje"),
        ("A", "D"): (4, 4, 2, 2, "1, 10", "VT", "f", "buss", "stark_stomlinje"),
        ("B", "C"): (2, 1, 0, 1, "R1", "SJ", "f", "tag", "stomlinje"),
        ("C", "D"): (2, 2, 1, 1, "1, 6", "VT", "f", "buss", "ovrig"),
        ("C", "E"): (1, 0, 0, 0, "R1", "SJ", "f", "tag", "stomlinje"),
        ("A", "C"): (1, 0, 0, 0, "7", "VT", "f", "buss", "ovrig"),
    }
    both = korridorer.segment_table(korridorer.corridors(_natdag(), net, RULE),
                                    replace(RULE, each_direction=False))
    # C–D: one bus each way, in 07 and in 08: the rule holds only with both added up
    assert both.set_index(["fran", "till"]).loc[("C", "D"), "klass"] == "stomlinje"


def test_station_classes_count_only_the_trips_that_stop(net):
    """Guards the station rule: B's trains pass without stopping, so its one bus decides."""
    classes = korridorer.station_classes(korridorer.corridors(_natdag(), net, RULE), RULE)
    assert classes.to_dict() == {"A": "stark_stomlinje", "B": "ovrig", "C": "stomlinje",
                                 "D": "stark_stomlinje", "E": "stomlinje"}


def test_hourly_counts_a_trip_once_per_hour_and_means_over_the_days():
    """Guards :func:`korridorer.hourly`: one trip twice in an hour counts once, hours past
    midnight add columns, counts are divided by the days."""
    passages = pd.DataFrame({"fran": ["A", "A", "A", "A"], "till": ["B", "B", "B", "B"],
                             "trip_key": ["x", "x", "y", "z"], "timme": [7, 7, 7, 25]})
    out = korridorer.hourly(passages, ["fran", "till"], 2)
    assert list(out.columns) == list(range(26))
    assert out.loc[("A", "B")].to_dict() == {h: {7: 1.0, 25: 0.5}.get(h, 0.0)
                                             for h in range(26)}
    short = korridorer.hourly(passages.iloc[:3], ["fran", "till"], 1)
    assert list(short.columns) == list(range(24)) and short.loc[("A", "B"), 7] == 2.0


def test_an_average_over_days_halves_the_counts(net):
    """Guards ``n_days``: the same day twice gives the same means as one day."""
    two = korridorer.corridors(_natdag(days=2), net, RULE)
    assert two.n_days == 2
    table = korridorer.segment_table(two, RULE).set_index(["fran", "till"])
    assert table.loc[("A", "D"), "turer_dag"] == 4.0
    assert table.loc[("A", "D"), "klass"] == "stark_stomlinje"
