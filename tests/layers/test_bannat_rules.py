"""The railway graph on a hand-made RINF network (no data files, no conftest: the fast tests
that ``scripts/mutate.py`` runs against ``layers/bannat.py``).

Five operational points (m east and north of ``X0, Y0``): P (0, 0), Q (10 000, 0), R (20 000,
0), S (10 000, 10 000) and T far away with no section. Sections P–Q (RINF length 12 000 m,
longer than the straight 10 km), Q–R twice (10 000 then 9 000 m, the shorter kept), Q–S
twice (10 000 then 11 000 m), and R–R (a loop, dropped). Stations are attached with
``match_m`` 400 m and ``snap_m`` 2 000 m. Every node, length and fraction below is worked out
by hand from those positions and lengths.
"""

from __future__ import annotations

import dataclasses
import io

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from data_sources.rinf import Rinf
from layers import bannat

X0, Y0 = 400_000.0, 6_600_000.0
POINTS = {"P": (0, 0), "Q": (10_000, 0), "R": (20_000, 0), "S": (10_000, 10_000),
          "T": (50_000, 50_000)}
SECTIONS = [("P", "Q", 12_000), ("Q", "R", 10_000), ("R", "Q", 9_000), ("Q", "S", 10_000),
            ("S", "Q", 11_000), ("R", "R", 5)]
# station key → position (m); listed out of key order and of their order along the sections
STATIONS = {
    "tv:P": (0, 400),             # exactly match_m from P: P's
    "tv:Ha": (7_500, 300),        # 2 518 m from Q: a halt on P–Q at 0.75
    "tv:Hb": (2_500, -200),       # a halt on P–Q at 0.25
    "tv:S": (10_000, 10_000),     # on S
    "tv:Hd": (15_000, 200),       # a halt on Q–R at 0.5
    "tv:He": (15_000.05, -200),   # a halt on Q–R at 0.500005, 0.05 m further
    "tv:Far": (5_000, 2_500),     # 2 500 m from P–Q, 5 000 m from Q–S: unattached
    "tv:T": (50_000, 50_300),     # T's, though T has no section
}
MATCH_M, SNAP_M = 400.0, 2_000.0


def _at(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


def _rinf(points=POINTS, sections=SECTIONS) -> Rinf:
    return Rinf(gpd.GeoDataFrame({"op_id": list(points)},
                                 geometry=[_at(*xy) for xy in points.values()],
                                 crs="EPSG:3006"),
                pd.DataFrame(sections, columns=["fran", "till", "langd_m"]))


def _stations(stations=STATIONS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[_at(*xy) for xy in stations.values()],
                            index=pd.Index(list(stations), name="nyckel"), crs="EPSG:3006")


def _lengths(g) -> dict[frozenset, float]:
    return {frozenset((a, b)): d["length"] for a, b, d in g.edges(data=True)}


@pytest.fixture(scope="module")
def net() -> bannat.Bannat:
    return bannat.attach(bannat.graph(_rinf()), _stations(), match_m=MATCH_M, snap_m=SNAP_M)


def test_the_graph_has_every_point_and_the_shortest_section_between_two():
    g = bannat.graph(_rinf())
    assert sorted(g.nodes) == ["P", "Q", "R", "S", "T"]
    assert (g.nodes["S"]["x"], g.nodes["S"]["y"]) == (X0 + 10_000, Y0 + 10_000)
    assert _lengths(g) == {frozenset("PQ"): 12_000.0, frozenset("QR"): 9_000.0,
                           frozenset("QS"): 10_000.0}
    assert all(type(d["length"]) is float for *_, d in g.edges(data=True))


def test_a_section_from_a_point_to_itself_is_dropped_as_read_from_the_file():
    """As the RINF reader gives them, the ids of a row are separate strings (equal, not one
    object): the loop SEB–SEB is still dropped."""
    sections = pd.read_csv(io.StringIO("fran,till,langd_m\nSEA,SEB,1000\nSEB,SEB,5\n"),
                           dtype={"fran": str, "till": str})
    rinf = Rinf(gpd.GeoDataFrame({"op_id": ["SEA", "SEB"]}, geometry=[_at(0, 0), _at(1_000, 0)],
                                 crs="EPSG:3006"), sections)
    assert _lengths(bannat.graph(rinf)) == {frozenset(("SEA", "SEB")): 1_000.0}


def test_stations_attach_to_a_point_or_split_the_nearest_section(net):
    """P within 400 m (exactly) of its point, T on a point without sections, the halts
    where they project onto their section; Far, beyond 2 000 m of every section, left out."""
    assert net.station_node == {"tv:P": "P", "tv:S": "S", "tv:T": "T", "tv:Ha": "halt:tv:Ha",
                                "tv:Hb": "halt:tv:Hb", "tv:Hd": "halt:tv:Hd",
                                "tv:He": "halt:tv:He"}
    assert net.node_station == {n: k for k, n in net.station_node.items()}
    assert net.xy("halt:tv:Hb") == pytest.approx((X0 + 2_500, Y0))
    assert net.xy("halt:tv:Ha") == pytest.approx((X0 + 7_500, Y0))
    assert net.xy("halt:tv:He") == pytest.approx((X0 + 15_000.05, Y0))
    assert net.xy("T") == (X0 + 50_000, Y0 + 50_000)


def test_halts_replace_their_section_by_a_chain_in_order_along_it(net):
    """P–Q (12 000 m) becomes P–Hb–Ha–Q: 0.25, 0.5 and 0.25 of it. Q–R (9 000 m) becomes
    Q–Hd–He–R: 4 500 m, 0.045 m raised to 1 m, and 9 000 · 0.499995 m."""
    lengths = _lengths(net.graph)
    assert lengths == pytest.approx({
        frozenset(("P", "halt:tv:Hb")): 3_000.0,
        frozenset(("halt:tv:Hb", "halt:tv:Ha")): 6_000.0,
        frozenset(("halt:tv:Ha", "Q")): 3_000.0,
        frozenset(("Q", "halt:tv:Hd")): 4_500.0,
        frozenset(("halt:tv:Hd", "halt:tv:He")): 1.0,
        frozenset(("halt:tv:He", "R")): 4_499.955,
        frozenset("QS"): 10_000.0})


def test_a_station_equally_near_two_sections_joins_the_first_listed():
    """(11 000, 1 000) lies 1 000 m from both Q–R and Q–S (and 1 414 m from Q): it is put on
    Q–R, the first of them in the RINF list, at 0.1 of its 9 000 m."""
    net = bannat.attach(bannat.graph(_rinf()), _stations({"x": (11_000, 1_000)}),
                        match_m=MATCH_M, snap_m=SNAP_M)
    assert net.xy("halt:x") == pytest.approx((X0 + 11_000, Y0))
    assert _lengths(net.graph) == pytest.approx({
        frozenset("PQ"): 12_000.0, frozenset(("Q", "halt:x")): 900.0,
        frozenset(("halt:x", "R")): 8_100.0, frozenset("QS"): 10_000.0})


def test_a_halt_next_to_the_sections_end_keeps_a_metre_to_it():
    """(19 999.95, 500) is 500 m from R (beyond match_m) and projects onto Q–R at 0.999995:
    Q–halt 8 999.955 m, halt–R 0.045 m raised to 1 m."""
    net = bannat.attach(bannat.graph(_rinf()), _stations({"y": (19_999.95, 500)}),
                        match_m=MATCH_M, snap_m=SNAP_M)
    lengths = _lengths(net.graph)
    assert lengths[frozenset(("halt:y", "R"))] == 1.0
    assert lengths[frozenset(("Q", "halt:y"))] == pytest.approx(8_999.955)


def test_attaching_leaves_the_given_graph_as_it_was():
    g = bannat.graph(_rinf())
    bannat.attach(g, _stations(), match_m=MATCH_M, snap_m=SNAP_M)
    assert sorted(g.nodes) == ["P", "Q", "R", "S", "T"] and len(g.edges) == 3


def test_a_path_runs_over_the_sections_through_the_halts(net):
    assert bannat.path(net, "tv:Hb", "tv:S", max_detour=2.5) == [
        "halt:tv:Hb", "halt:tv:Ha", "Q", "S"]
    assert bannat.path(net, "tv:S", "tv:P", max_detour=2.5) == [
        "S", "Q", "halt:tv:Ha", "halt:tv:Hb", "P"]


def test_no_path_for_an_unattached_or_unreachable_station(net):
    assert bannat.path(net, "tv:P", "tv:Far", max_detour=2.5) is None
    assert bannat.path(net, "tv:Far", "tv:P", max_detour=2.5) is None
    assert bannat.path(net, "tv:P", "tv:Nowhere", max_detour=2.5) is None
    assert bannat.path(net, "tv:P", "tv:T", max_detour=2.5) is None


@pytest.mark.parametrize(("second", "found"), [(3_000.0, True), (3_000.5, False)])
def test_a_path_longer_than_the_detour_allows_is_refused(second, found):
    """Stations 2 000 m apart (their nodes; the station a lies 300 m off its point):
    2.5 · 2 000 + 1 000 = 6 000 m allowed; 3 000 + 3 000 m is, 3 000 + 3 000.5 is not."""
    rinf = _rinf({"A": (0, 0), "M": (1_000, 2_000), "B": (2_000, 0)},
                 [("A", "M", 3_000.0), ("M", "B", second)])
    net = bannat.attach(bannat.graph(rinf), _stations({"a": (0, 300), "b": (2_000, 0)}),
                        match_m=MATCH_M, snap_m=SNAP_M)
    assert bannat.path(net, "a", "b", max_detour=2.5) == (["A", "M", "B"] if found else None)


def test_stretches_cut_a_path_at_every_station_passed(net):
    """P → S over P, Hb, Ha, Q (no station), S: 3 000 + 6 000 + 3 000 + 10 000 = 22 000 m,
    cut at P (0), Hb (3/22), Ha (9/22) and S (1); Ha–S drawn through Q."""
    parts = bannat.stretches(net, bannat.path(net, "tv:P", "tv:S", max_detour=2.5))
    assert [(p.fran, p.till) for p in parts] == [("tv:P", "tv:Hb"), ("tv:Hb", "tv:Ha"),
                                                 ("tv:Ha", "tv:S")]
    assert [x for p in parts for x in (p.start, p.end)] == pytest.approx(
        [0.0, 3 / 22, 3 / 22, 9 / 22, 9 / 22, 1.0])
    assert [[(x - X0, y - Y0) for x, y in p.coords] for p in parts] == [
        [(0, 0), (2_500, 0)], [(2_500, 0), (7_500, 0)], [(7_500, 0), (10_000, 0),
                                                         (10_000, 10_000)]]
    back = bannat.stretches(net, bannat.path(net, "tv:S", "tv:Hb", max_detour=2.5))
    # S → Hb: 10 000 + 3 000 + 6 000 = 19 000 m, cut at S, Ha (13/19) and Hb
    assert [(p.fran, p.till) for p in back] == [("tv:S", "tv:Ha"), ("tv:Ha", "tv:Hb")]
    assert [x for p in back for x in (p.start, p.end)] == pytest.approx(
        [0.0, 13 / 19, 13 / 19, 1.0])


def test_a_path_of_one_node_has_no_stretch(net):
    assert bannat.stretches(net, ["P"]) == []


def test_stretches_over_a_section_of_no_length_start_and_end_at_0():
    """A section RINF gives 0 m: the path's fractions are all 0, not 0 / 0."""
    rinf = _rinf({"A": (0, 0), "B": (300, 0)}, [("A", "B", 0.0)])
    net = bannat.attach(bannat.graph(rinf), _stations({"a": (0, 0), "b": (300, 0)}),
                        match_m=MATCH_M, snap_m=SNAP_M)
    nodes = bannat.path(net, "a", "b", max_detour=2.5)
    assert nodes == ["A", "B"]
    parts = bannat.stretches(net, nodes)
    assert [(p.fran, p.till, p.start, p.end) for p in parts] == [("a", "b", 0.0, 0.0)]


def test_a_stretch_is_a_frozen_value_and_a_network_starts_without_stations():
    part = bannat.Stretch("a", "b", ((0.0, 0.0), (1.0, 0.0)), 0.0, 1.0)
    assert hash(part) == hash(bannat.Stretch("a", "b", ((0.0, 0.0), (1.0, 0.0)), 0.0, 1.0))
    with pytest.raises(dataclasses.FrozenInstanceError):
        part.fran = "c"
    g = bannat.graph(_rinf())
    one, two = bannat.Bannat(g, {}), bannat.Bannat(g, {})
    assert one.node_station == {} and one.node_station is not two.node_station
