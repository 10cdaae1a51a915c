"""The accessibility engine on a real OSM extract, checked against networkx's Dijkstra."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest

from layers.accessibility import (
    NETWORK,
    Snapped,
    accessibility,
    distance_to_nearest,
    nearest_network,
    xy_of,
)
from tests.osm_oracle import drive_network_counts, helsinki

SNAP_KMH = 30.0


def _digraph(directed, weight: str) -> nx.DiGraph:
    """networkx graph of the directed edges, keeping the lightest parallel edge."""
    graph = nx.DiGraph()
    for u, v, w in directed[["u", "v", weight]].itertuples(index=False):
        if not graph.has_edge(u, v) or graph[u][v]["w"] > w:
            graph.add_edge(u, v, w=w)
    return graph


def _brute_snap(network, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest node of the largest strongly connected component, by exhaustive search
    (independent of the KD-tree and of the component computation: networkx finds it)."""
    graph = nx.DiGraph()
    rows, cols = network.reverse_m[:-1, :-1].nonzero()
    graph.add_edges_from(zip(cols.tolist(), rows.tolist(), strict=True))
    main = np.array(sorted(max(nx.strongly_connected_components(graph), key=len)))
    node_xy = network.xy[main]
    d = np.hypot(xy[:, None, 0] - node_xy[None, :, 0], xy[:, None, 1] - node_xy[None, :, 1])
    return main[d.argmin(axis=1)], d.min(axis=1)


@pytest.fixture(scope="module")
def varmland_free_kommun(osm_roads):
    """One made-up 'kommun' polygon around the extract, so that OSM points get a kommunkod
    (the build takes it from the kommun holding the point; Helsinki has none of ours)."""
    from shapely.geometry import box

    minx, miny, maxx, maxy = osm_roads[0].total_bounds
    return gpd.GeoDataFrame({"kommunkod": ["0000"]},
                            geometry=[box(minx - 5000, miny - 5000, maxx + 5000, maxy + 5000)],
                            crs="EPSG:3006")


@pytest.fixture(scope="module")
def pharmacies(osm_pois):
    """The extract's real pharmacies (amenity=pharmacy)."""
    found = osm_pois[osm_pois["amenity"] == "pharmacy"].assign(kategori="apotek")
    assert len(found) >= 3
    return found


@pytest.fixture(scope="module")
def origins(osm_pois):
    """Real places as origins: every mapped shop and amenity that is not a pharmacy."""
    return osm_pois[osm_pois["amenity"] != "pharmacy"].reset_index(drop=True)


def test_extract_network_size(osm_network, osm_roads):
    raw_nodes, _ = drive_network_counts(helsinki())  # raw ways counted with pyosmium
    assert osm_network.n_nodes == len(osm_roads[0]) == raw_nodes
    assert osm_network.reverse_m.shape == (raw_nodes + 1, raw_nodes + 1)
    assert osm_network.n_edges > len(osm_roads[1])  # two-way segments give two edges


@pytest.mark.parametrize(("weight", "column"), [("length_m", "km"), ("minutes", "minuter")])
def test_distances_equal_networkx_per_origin(osm_network, osm_roads, osm_directed, pharmacies,
                                             origins, weight, column):
    ours = nearest_network(osm_network, Snapped.of(osm_network, xy_of(origins)),
                           xy_of(pharmacies), snap_speed_kmh=SNAP_KMH)
    node_ids = osm_roads[0]["node"].to_numpy()
    o_idx, o_snap = _brute_snap(osm_network, xy_of(origins))
    s_idx, s_snap = _brute_snap(osm_network, xy_of(pharmacies))
    to_unit = (lambda m: m / 1000.0) if column == "km" else (lambda m: m / 1000.0 / SNAP_KMH * 60)
    graph = _digraph(osm_directed, weight)
    scale = 1000.0 if column == "km" else 1.0
    checked = 0
    for i in range(len(origins)):
        reach = nx.single_source_dijkstra_path_length(graph, node_ids[o_idx[i]], weight="w")
        legs = [reach[node_ids[n]] / scale + to_unit(s) for n, s in zip(s_idx, s_snap,
                                                                          strict=True)
                if node_ids[n] in reach]
        expected = to_unit(o_snap[i]) + min(legs) if legs else np.inf
        if np.isinf(expected):
            assert not ours.loc[i, "nabar"]
            assert np.isinf(ours.loc[i, column])
            continue
        tolerance = 0.001 if column == "km" else 0.001 / SNAP_KMH * 60  # 1 m
        assert ours.loc[i, column] == pytest.approx(expected, abs=tolerance)
        checked += 1
    assert checked >= 40
    assert np.allclose(ours["anslutning_m"], o_snap)
    assert (ours["metod"] == NETWORK).all()


def test_one_way_streets_measure_origin_to_service(osm_network, osm_roads, osm_directed):
    graph = _digraph(osm_directed, "length_m")
    node_ids = osm_roads[0]["node"].to_numpy()
    service = 0
    towards = distance_to_nearest(osm_network.reverse_m, np.array([service]), np.zeros(1))
    away = nx.single_source_dijkstra_path_length(graph, node_ids[service], weight="w")
    back = nx.single_source_dijkstra_path_length(graph.reverse(copy=True), node_ids[service],
                                                 weight="w")
    differing = 0
    for i, node in enumerate(node_ids):
        expected = back.get(node, np.inf)
        assert towards[i] == pytest.approx(expected, abs=1e-6)
        if node in away and node in back and abs(away[node] - back[node]) > 10:
            differing += 1
    assert differing > 100  # one-way streets matter in this extract


def test_every_road_node_reaches_a_pharmacy_and_none_is_dropped(osm_network, osm_roads,
                                                                 pharmacies):
    """Snapping to the largest strongly connected component leaves nobody unreachable, not
    even the nodes of one-way stubs the extract's edge cut off (they snap to the component)."""
    nodes = osm_roads[0]
    result = accessibility(nodes, pharmacies, osm_network, snap_speed_kmh=SNAP_KMH)
    assert len(result) == len(nodes)
    assert result["nabar"].all() and np.isfinite(result[["km", "minuter"]]).all().all()
    on_stubs = ~np.isin(np.arange(len(nodes)), osm_network.snappable)
    assert (result.loc[on_stubs, "anslutning_m"] > 0).all()


def test_parallel_edges_keep_the_shortest(osm_network, osm_directed, osm_roads):
    index = {n: i for i, n in enumerate(osm_roads[0]["node"])}
    shortest = osm_directed.groupby(["u", "v"])["length_m"].min()
    assert osm_network.n_edges == len(shortest)
    for (u, v), length in shortest.sample(200, random_state=7).items():
        assert osm_network.reverse_m[index[v], index[u]] == pytest.approx(length)


def test_straight_line_fallback_is_labelled(pharmacies, origins):
    result = accessibility(origins, pharmacies, None, snap_speed_kmh=SNAP_KMH)
    assert (result["metod"] == "fågelvägen").all()
    assert result["minuter"].isna().all()
    expected = [pharmacies.distance(point).min() / 1000 for point in origins.geometry]
    assert np.allclose(result["km"], expected)


def test_origins_must_be_in_sweref(pharmacies, origins, osm_network):
    with pytest.raises(ValueError, match="EPSG:3006"):
        accessibility(gpd.GeoDataFrame(origins.to_crs(4326)), pharmacies, osm_network,
                      snap_speed_kmh=SNAP_KMH)


def test_points_never_snap_onto_a_fragment_without_a_way_out(osm_network, pharmacies):
    """The extract's edge cuts some one-way streets off: a point on such a stub snaps to the
    connected network instead of being reported unreachable."""
    off = np.setdiff1d(np.arange(osm_network.n_nodes), osm_network.snappable)
    assert len(off) > 0  # the real extract has such fragments
    origins_xy = osm_network.xy[off[:50]]
    result = nearest_network(osm_network, Snapped.of(osm_network, origins_xy),
                             xy_of(pharmacies), snap_speed_kmh=SNAP_KMH)
    assert result["nabar"].all()
    assert (result["anslutning_m"] > 0).all()  # the extra leg is counted and reported


def test_service_access_of_every_category_equals_networkx_for_a_sample(osm_network, osm_roads,
                                                                        osm_directed, osm_pois,
                                                                        varmland_free_kommun):
    """Every real service category of the extract, mapped as the build maps OSM, through
    :func:`accessibility` (snap legs included): a sample of 40 real places as origins equals
    per-origin networkx Dijkstra to 1 m."""
    from layers import service

    services = service.from_osm(osm_pois, varmland_free_kommun, date="extract")
    assert set(services["kategori"]) >= {"apotek", "dagligvaror", "bankomat", "bibliotek",
                                         "vardcentral", "post"}
    origins = osm_pois.iloc[::max(1, len(osm_pois) // 40)].reset_index(drop=True)
    ours = accessibility(origins, services, osm_network, snap_speed_kmh=SNAP_KMH)
    node_ids = osm_roads[0]["node"].to_numpy()
    graph = _digraph(osm_directed, "length_m")
    o_idx, o_snap = _brute_snap(osm_network, xy_of(origins))
    for kategori, points in services.groupby("kategori"):
        s_idx, s_snap = _brute_snap(osm_network, xy_of(points))
        got = ours[ours["kategori"] == kategori].reset_index(drop=True)
        for i in range(len(origins)):
            reach = nx.single_source_dijkstra_path_length(graph, node_ids[o_idx[i]], weight="w")
            legs = [reach[node_ids[n]] + s for n, s in zip(s_idx, s_snap, strict=True)
                    if node_ids[n] in reach]
            assert got.loc[i, "km"] * 1000 == pytest.approx(o_snap[i] + min(legs), abs=1.0)
            assert got.loc[i, "anslutning_m"] == pytest.approx(o_snap[i])
