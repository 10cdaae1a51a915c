"""The accessibility engine on a six-node road graph drawn by hand (no data files, no
conftest: the fast tests that ``scripts/mutate.py`` runs against ``layers/accessibility.py``;
``test_accessibility.py`` checks the same engine on a real OSM extract against networkx).

The graph (EPSG:3006 metres; lengths and minutes are those of the edges, not of the
straight lines between the nodes)::

    D (0, 1000) <-1300 m, 1.3 min-- C (1000, 1000)
     |                               ^
     900 m, 0.9 min                  1200 m, 0.3 min (a fast road)
     v                               |
    A (0, 0) --1100 m, 1.1 min-->   B (1000, 0) --600 m, 0.6 min--> F (2000, 0)
    ^        <--800 m, 1.0 min---
    |        <--1500 m, 0.5 min-- (a parallel edge: longer but quicker)
    E (-1000, 0), 700 m, 2.0 min, one way E → A

A, B, C, D are the largest strongly connected component; E can only leave it and F can only
be entered, so points never snap to them. One more edge B → node 99 names a node that is not
in the node table, and one more edge node 98 → A too. Every expected value below is worked
out by hand from this drawing.
"""

from __future__ import annotations

import logging
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from layers.accessibility import (
    RESULT_COLUMNS,
    Snapped,
    accessibility,
    build_network,
    distance_to_nearest,
    nearest_network,
    nearest_source,
    nearest_straight,
    snap,
    xy_of,
)

# The node table's order is not the ids' order, C is row 0 and D the last row.
NODES = [(13, "C", 1000.0, 1000.0), (11, "A", 0.0, 0.0), (15, "E", -1000.0, 0.0),
         (16, "F", 2000.0, 0.0), (12, "B", 1000.0, 0.0), (14, "D", 0.0, 1000.0)]
ROW = {name: row for row, (_, name, _, _) in enumerate(NODES)}
ID = {name: node for node, name, _, _ in NODES}
EDGES = [("A", "B", 1100.0, 1.1), ("B", "A", 800.0, 1.0), ("B", "A", 1500.0, 0.5),
         ("B", "C", 1200.0, 0.3), ("C", "D", 1300.0, 1.3), ("D", "A", 900.0, 0.9),
         ("E", "A", 700.0, 2.0), ("B", "F", 600.0, 0.6)]
SNAP_KMH = 30.0  # 2 minutes per km of snapping leg


def _nodes(rows: list[tuple[int, str, float, float]]) -> gpd.GeoDataFrame:
    """A node table (``node`` id, Point) in EPSG:3006."""
    return gpd.GeoDataFrame({"node": [r[0] for r in rows]},
                            geometry=gpd.points_from_xy([r[2] for r in rows],
                                                        [r[3] for r in rows]), crs=3006)


def _edges(rows: list[tuple[int, int, float, float]]) -> pd.DataFrame:
    """Directed edges ``u, v, length_m, minutes``."""
    return pd.DataFrame(rows, columns=["u", "v", "length_m", "minutes"])


def _graph_edges() -> pd.DataFrame:
    """The drawing's edges by node id, plus B → 99 and 98 → A (nodes missing from the table)."""
    return _edges([(ID[u], ID[v], m, t) for u, v, m, t in EDGES]
                  + [(ID["B"], 99, 500.0, 0.5), (98, ID["A"], 400.0, 0.4)])


@pytest.fixture(scope="module")
def network():
    """The drawing compiled."""
    return build_network(_nodes(NODES), _graph_edges())


def _points(xy: list[tuple[float, float]], **columns) -> gpd.GeoDataFrame:
    """Points in EPSG:3006 with attribute columns."""
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(*zip(*xy, strict=True)),
                            crs=3006)


def _by_name(values: dict[str, float]) -> np.ndarray:
    """Values per node name as an array in the node table's order."""
    return np.array([values[name] for _, name, _, _ in NODES])


def test_the_network_holds_each_reversed_edge_keeping_the_lightest_parallel_one(caplog):
    """Entry [v, u] is edge u → v; of B's two edges to A the distance matrix keeps the
    shorter (800 m) and the time matrix the quicker (0.5 min); the edge to the unknown node
    are left out and logged, whichever end is unknown; row 6 is the empty virtual node."""
    with caplog.at_level(logging.INFO, logger="layers.accessibility"):
        net = build_network(_nodes(NODES), _graph_edges())
    metres = np.zeros((7, 7))
    minutes = np.zeros((7, 7))
    for u, v, m, t in [("A", "B", 1100, 1.1), ("B", "A", 800, 0.5), ("B", "C", 1200, 0.3),
                       ("C", "D", 1300, 1.3), ("D", "A", 900, 0.9), ("E", "A", 700, 2.0),
                       ("B", "F", 600, 0.6)]:
        metres[ROW[v], ROW[u]], minutes[ROW[v], ROW[u]] = m, t
    assert net.reverse_m.shape == net.reverse_min.shape == (7, 7)
    assert np.array_equal(net.reverse_m.toarray(), metres)
    assert np.array_equal(net.reverse_min.toarray(), minutes)
    assert net.n_nodes == 6 and net.n_edges == 7
    assert np.array_equal(net.xy, [[x, y] for _, _, x, y in NODES])
    assert caplog.messages == [
        "left out 2 edge(s) whose nodes are not in the node table",
        "2 of 6 road nodes lie off the largest strongly connected component; "
        "points snap to the component only"]


def test_a_ring_of_two_way_streets_is_one_strong_component_and_logs_nothing(caplog):
    """301 nodes in a ring of 100 m two-way streets, every edge known: nothing left out,
    nothing off the component (counts above 256, which CPython does not share as one int
    object), and node k lies 100 m × min(k, 301 - k) from node 0. A 50 m loop from node 0
    back to itself is an edge too (the first of the sorted edges), and shortens nothing."""
    n = 301
    ring = _edges([(k, (k + 1) % n, 100.0, 0.1) for k in range(n)]
                  + [((k + 1) % n, k, 100.0, 0.1) for k in range(n)] + [(0, 0, 50.0, 0.05)])
    with caplog.at_level(logging.INFO, logger="layers.accessibility"):
        net = build_network(_nodes([(k, "", 10.0 * k, 0.0) for k in range(n)]), ring)
    assert caplog.messages == []
    assert np.array_equal(net.snappable, np.arange(n))
    assert net.n_edges == 2 * n + 1 and net.reverse_m[0, 0] == 50.0
    got = distance_to_nearest(net.reverse_m, np.array([0]), np.zeros(1))
    assert list(got) == [100.0 * min(k, n - k) for k in range(n)]


def test_a_one_way_chain_has_no_two_nodes_reaching_each_other(caplog):
    """S → R → Q → P (rows 3 to 0): every node is a component of its own, so points snap to
    one of them (a road node, never the virtual node 4), and the log counts the other three;
    a source at P is 300 m from S. The first of the sorted edges is Q → P (entry [0, 1])."""
    with caplog.at_level(logging.INFO, logger="layers.accessibility"):
        net = build_network(_nodes([(k, "", 100.0 * k, 0.0) for k in range(4)]),
                            _edges([(k + 1, k, 100.0, 0.1) for k in range(3)]))
    assert caplog.messages == ["3 of 4 road nodes lie off the largest strongly connected "
                               "component; points snap to the component only"]
    assert len(net.snappable) == 1 and 0 <= net.snappable[0] < 4 and net.n_edges == 3
    got = distance_to_nearest(net.reverse_m, np.array([0]), np.zeros(1))
    assert list(got) == [0.0, 100.0, 200.0, 300.0]


def test_a_network_without_nodes_has_nothing_to_snap_to():
    """An extract without drive roads compiles to an empty network (only the virtual node)."""
    net = build_network(_nodes([]), _edges([]))
    assert net.n_nodes == 0 and net.n_edges == 0 and len(net.snappable) == 0
    assert net.reverse_m.shape == (1, 1)


def test_a_network_of_one_node_snaps_every_point_to_it():
    """The smallest network: one node, no edge; origin and service meet at the node, so the
    distance is their two snapping legs (300 + 400 m)."""
    net = build_network(_nodes([(5, "P", 0.0, 0.0)]), _edges([]))
    assert list(net.snappable) == [0]
    got = nearest_network(net, Snapped.of(net, np.array([[300.0, 0.0]])),
                          np.array([[0.0, 400.0]]), snap_speed_kmh=SNAP_KMH)
    assert got["km"].tolist() == pytest.approx([0.7])
    assert got["minuter"].tolist() == pytest.approx([1.4])
    cost, source = nearest_source(net.reverse_m, np.array([0, 0]), np.array([400.0, 90.0]))
    assert list(cost) == [90.0] and list(source) == [1]  # of two sources, the cheaper


def test_points_snap_to_the_largest_strongly_connected_component(network):
    """A point 10 m from E (which cannot be reached) snaps to A, 990 m away; a point on F
    (which has no way out) to B, 1000 m away; one point may be given as a flat pair."""
    assert np.array_equal(network.snappable, sorted(ROW[n] for n in "ABCD"))
    node, metres = snap(network, np.array([[-990.0, 0.0], [2000.0, 0.0], [1003.0, 996.0]]))
    assert list(node) == [ROW["A"], ROW["B"], ROW["C"]]
    assert metres == pytest.approx([990.0, 1000.0, 5.0])
    one = Snapped.of(network, np.array([30.0, 1040.0]))
    assert list(one.node) == [ROW["D"]] and one.metres == pytest.approx([50.0])


def test_distance_to_a_source_follows_one_way_streets_from_every_node(network):
    """Metres from every node to B: C must go round by D and A (3300 m) though B → C is
    1200 m; F, a dead end, never gets there."""
    got = distance_to_nearest(network.reverse_m, np.array([ROW["B"]]), np.zeros(1))
    assert list(got) == list(_by_name({"A": 1100, "B": 0, "C": 3300, "D": 2000, "E": 1800,
                                       "F": np.inf}))


def test_the_source_cost_is_added_at_the_source(network):
    """To F with a 5 m leg at F: only through B → F."""
    got = distance_to_nearest(network.reverse_m, np.array([ROW["F"]]), np.array([5.0]))
    assert list(got) == list(_by_name({"A": 1705, "B": 605, "C": 3905, "D": 2605, "E": 2405,
                                       "F": 5}))


def test_two_sources_on_one_node_count_with_the_cheaper_leg(network):
    """Sources on B (legs 50 and 7 m, the dearer given first) and on C (10 m): every node
    goes to its nearest, B's cost being 7."""
    got = distance_to_nearest(network.reverse_m, np.array([ROW["B"], ROW["C"], ROW["B"]]),
                              np.array([50.0, 10.0, 7.0]))
    assert list(got) == list(_by_name({"A": 1107, "B": 7, "C": 10, "D": 2007, "E": 1807,
                                       "F": np.inf}))


def test_the_nearest_source_is_named_with_the_cheaper_leg_on_a_shared_node(network):
    """The sources of the test above: every node but C goes to B's 7 m source (position 2),
    C to its own (position 1); F reaches none (-1)."""
    cost, source = nearest_source(network.reverse_m, np.array([ROW["B"], ROW["C"], ROW["B"]]),
                                  np.array([50.0, 10.0, 7.0]))
    assert list(cost) == list(_by_name({"A": 1107, "B": 7, "C": 10, "D": 2007, "E": 1807,
                                        "F": np.inf}))
    assert list(source) == list(_by_name({"A": 2, "B": 2, "C": 1, "D": 2, "E": 2, "F": -1}))


def test_the_nearest_source_is_where_the_path_joined_not_the_last_source_passed(network):
    """X on A with a 500 m leg (position 0), Y on B with none (position 1): A, D, E and C go
    to X (500, 1400, 1200 and 2700 m; C's path C → D → A takes two jumps), B to Y (0 m; by
    A it would be 1300); F reaches neither."""
    cost, source = nearest_source(network.reverse_m, np.array([ROW["A"], ROW["B"]]),
                                  np.array([500.0, 0.0]))
    assert list(cost) == list(_by_name({"A": 500, "B": 0, "C": 2700, "D": 1400, "E": 1200,
                                        "F": np.inf}))
    assert list(source) == list(_by_name({"A": 0, "B": 1, "C": 0, "D": 0, "E": 0, "F": -1}))


def test_a_path_through_row_0_is_followed_to_its_source(network):
    """One source, on C (row 0 of the node table): B reaches it by its 1 200 m road, so B's
    predecessor is row 0, and A, D, E come through B; all name the source but F."""
    cost, source = nearest_source(network.reverse_m, np.array([ROW["C"]]), np.zeros(1))
    assert list(cost) == list(_by_name({"A": 2300, "B": 1200, "C": 0, "D": 3200, "E": 3000,
                                        "F": np.inf}))
    assert list(source) == list(_by_name({"A": 0, "B": 0, "C": 0, "D": 0, "E": 0, "F": -1}))


def test_the_nearest_of_no_source_is_none(network):
    cost, source = nearest_source(network.reverse_m, np.array([], dtype=np.int64), np.zeros(0))
    assert np.isinf(cost).all() and list(source) == [-1] * 6


def test_minutes_take_the_quicker_parallel_edge(network):
    """Minutes to A: from B by the 1500 m road (0.5 min), not the 800 m one (1.0 min)."""
    got = distance_to_nearest(network.reverse_min, np.array([ROW["A"]]), np.zeros(1))
    assert got == pytest.approx(_by_name({"A": 0, "B": 0.5, "C": 2.2, "D": 0.9, "E": 2.0,
                                          "F": np.inf}))


def test_no_source_leaves_every_node_unreachable(network):
    got = distance_to_nearest(network.reverse_m, np.array([], dtype=np.int64), np.zeros(0))
    assert len(got) == 6 and np.isinf(got).all()


def test_nearest_and_quickest_service_may_differ_and_count_both_snapping_legs(network):
    """Services at S1 (0, -30), 30 m from A, and S2 (1000, 1040), 40 m from C. From O1,
    20 m from B: S1 is nearest (20 + 800 + 30 m) but S2 is quickest by the fast road
    (0.04 + 0.3 + 0.08 min at 2 min per snapping km). O2 near E snaps 990 m to A; O3 is
    on D."""
    origins = Snapped.of(network, np.array([[1000.0, -20.0], [-990.0, 0.0], [0.0, 1000.0]]))
    got = nearest_network(network, origins, np.array([[0.0, -30.0], [1000.0, 1040.0]]),
                          snap_speed_kmh=SNAP_KMH)
    assert list(got.columns) == RESULT_COLUMNS
    assert got["km"].tolist() == pytest.approx([0.85, 1.02, 0.93])
    assert got["minuter"].tolist() == pytest.approx([0.42, 2.04, 0.96])
    assert got["anslutning_m"].tolist() == pytest.approx([20.0, 990.0, 0.0])
    assert got["nabar"].tolist() == [True, True, True]
    assert (got["metod"] == "vägnät").all()


def test_an_origin_without_any_service_is_unreachable(network):
    origins = Snapped.of(network, np.array([[1000.0, -20.0]]))
    got = nearest_network(network, origins, np.zeros((0, 2)), snap_speed_kmh=SNAP_KMH)
    assert np.isinf(got.loc[0, "km"]) and np.isinf(got.loc[0, "minuter"])
    assert not got.loc[0, "nabar"] and got.loc[0, "anslutning_m"] == pytest.approx(20.0)


def test_straight_line_distance_is_labelled_and_has_no_time():
    got = nearest_straight(np.array([[1000.0, -20.0], [0.0, 1000.0]]),
                           np.array([[0.0, -30.0], [1000.0, 1040.0]]))
    assert list(got.columns) == RESULT_COLUMNS
    assert got["km"].tolist() == pytest.approx([math.hypot(1000, 10) / 1000,
                                                math.hypot(1000, 40) / 1000])
    assert got["minuter"].isna().all() and (got["anslutning_m"] == 0).all()
    assert got["nabar"].all() and (got["metod"] == "fågelvägen").all()
    none = nearest_straight(np.array([[0.0, 0.0]]), np.zeros((0, 2)))
    assert np.isinf(none.loc[0, "km"]) and not none.loc[0, "nabar"]


def _origins() -> gpd.GeoDataFrame:
    """O1 and O2 of the nearest/quickest test, labelled 7 and 3."""
    frame = _points([(1000.0, -20.0), (-990.0, 0.0)], namn=["O1", "O2"])
    return frame.set_axis([7, 3])


def _services() -> gpd.GeoDataFrame:
    """S1 a pharmacy, S2 a health centre (listed first)."""
    return _points([(1000.0, 1040.0), (0.0, -30.0)], kategori=["vardcentral", "apotek"])


def test_accessibility_gives_one_row_per_origin_and_category_in_category_order(network):
    """Categories sorted, origins in order and relabelled from 0, their columns kept."""
    got = accessibility(_origins(), _services(), network, snap_speed_kmh=SNAP_KMH)
    assert list(got.columns) == ["namn", "geometry", "kategori", *RESULT_COLUMNS]
    assert list(got.index) == [0, 1, 2, 3] and got.crs.to_epsg() == 3006
    assert got[["kategori", "namn"]].values.tolist() == [
        ["apotek", "O1"], ["apotek", "O2"], ["vardcentral", "O1"], ["vardcentral", "O2"]]
    assert got["km"].tolist() == pytest.approx([0.85, 1.02, 1.26, 3.33])
    assert got["minuter"].tolist() == pytest.approx([0.6, 2.04, 0.42, 3.46])
    assert got["anslutning_m"].tolist() == pytest.approx([20.0, 990.0, 20.0, 990.0])
    assert list(got.geometry.x) == [1000.0, -990.0, 1000.0, -990.0]


def test_accessibility_takes_the_categories_asked_for_and_skips_those_without_points(network):
    got = accessibility(_origins(), _services(), network, snap_speed_kmh=SNAP_KMH,
                        categories=["bibliotek", "vardcentral"])
    assert got["kategori"].tolist() == ["vardcentral", "vardcentral"]
    assert got["km"].tolist() == pytest.approx([1.26, 3.33])


def test_accessibility_without_any_service_point_is_an_empty_frame_of_the_columns(network):
    got = accessibility(_origins(), _services(), network, snap_speed_kmh=SNAP_KMH,
                        categories=["bibliotek"])
    assert got.empty and got.crs.to_epsg() == 3006 and got.geometry.name == "geometry"
    assert list(got.columns) == ["namn", "geometry", "kategori", *RESULT_COLUMNS]


def test_accessibility_without_a_network_falls_back_to_straight_lines():
    got = accessibility(_origins(), _services(), None, snap_speed_kmh=SNAP_KMH)
    assert got["metod"].eq("fågelvägen").all() and got["minuter"].isna().all()
    assert got["km"].tolist() == pytest.approx([
        math.hypot(1000, 10) / 1000, math.hypot(990, 30) / 1000,
        1.06, math.hypot(1990, 1040) / 1000])


@pytest.mark.parametrize(("crs", "named"), [(None, "None"), (4326, "EPSG:4326"),
                                             (2400, "EPSG:2400")])  # RT90, below 3006
def test_points_must_be_in_sweref(crs, named):
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy([1.0], [2.0]), crs=crs)
    with pytest.raises(ValueError, match=f"^expected points in EPSG:3006, got {named}$"):
        xy_of(frame)


def test_the_network_goes_to_plain_arrays_and_back_unchanged(network, tmp_path):
    """Guards ``Network.arrays`` and ``Network.of_arrays`` (the stores write the arrays with
    ``np.savez`` and rebuild the network from them; mutants: an array left out or under
    another name, the shape lost, the distance and time matrices swapped, the KD-tree not
    rebuilt on the snappable nodes).

    The drawing's network has 6 nodes and 7 reversed edges in 7 × 7 matrices, A, B, C, D
    snappable. Its arrays are the coordinates, the snappable rows, the shape (7, 7) and per
    matrix its CSR data, indices and indptr (8 rows + 1 = 8 pointers); written with
    ``np.savez`` and read back they give the same matrices, and a point next to E snaps to
    A as on the original (E is off the component; A is 1000 m away, D and B farther).
    """
    arrays = network.arrays()
    assert sorted(arrays) == ["m_data", "m_indices", "m_indptr", "min_data", "min_indices",
                              "min_indptr", "shape", "snappable", "xy"]
    assert arrays["shape"].tolist() == [7, 7]
    assert sorted(arrays["snappable"].tolist()) == sorted(ROW[n] for n in "ABCD")
    assert np.array_equal(arrays["xy"], network.xy)
    assert len(arrays["m_data"]) == len(arrays["min_data"]) == 7
    assert len(arrays["m_indptr"]) == 8
    # the metres and minutes of B → A (800 m, 0.5 min) are in their own matrix's data
    assert 800.0 in arrays["m_data"] and 800.0 not in arrays["min_data"]
    assert 0.5 in arrays["min_data"] and 0.5 not in arrays["m_data"]
    np.savez(tmp_path / "network.npz", **arrays)
    with np.load(tmp_path / "network.npz") as stored:
        back = type(network).of_arrays(dict(stored))
    assert back.reverse_m.shape == back.reverse_min.shape == (7, 7)
    assert np.array_equal(back.reverse_m.toarray(), network.reverse_m.toarray())
    assert np.array_equal(back.reverse_min.toarray(), network.reverse_min.toarray())
    assert np.array_equal(back.xy, network.xy)
    assert np.array_equal(back.snappable, network.snappable)
    node, metres = snap(back, np.array([[-1000.0, 10.0]]))
    assert node.tolist() == [ROW["A"]] and metres[0] == pytest.approx(math.hypot(1000, 10))


def test_networks_and_snapped_points_are_frozen(network):
    """Guards the two ``@dataclass(frozen=True)`` (mutant: ``frozen=False``): a network is
    shared by every search of a build and the app's requests, so it cannot be changed in
    place; nor can a set of snapped points."""
    with pytest.raises(AttributeError):
        network.xy = np.zeros((0, 2))
    snapped = Snapped.of(network, np.array([[0.0, 0.0]]))
    with pytest.raises(AttributeError):
        snapped.node = np.zeros(1, dtype=int)
