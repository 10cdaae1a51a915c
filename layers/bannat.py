"""Trains along the railway network: RINF sections as a graph, stations attached to it.

The graph's nodes are RINF operational points (EPSG:3006 coordinates), its edges the
sections of line weighted by their length. A station is the operational point within
``rinf_match_m``; a halt RINF lacks (no switches) is inserted into the nearest section
within ``rinf_snap_m``, splitting it where the station projects onto it. A trip's stretch
between two consecutive stops then follows the shortest path over the sections, and passes
every station on the way — so a Karlstad–Arvika train is drawn through Kil, and counted on
each network segment between consecutive stations it runs along.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely
from scipy.spatial import cKDTree

from data_sources.rinf import Rinf

HALT_PREFIX = "halt:"


@dataclass
class Bannat:
    """The railway graph with the stations attached (``station_node``: key → node)."""

    graph: nx.Graph
    station_node: dict[str, str]
    node_station: dict[str, str] = field(default_factory=dict)

    def xy(self, node: str) -> tuple[float, float]:
        """Coordinates (EPSG:3006) of a node."""
        data = self.graph.nodes[node]
        return data["x"], data["y"]


def graph(rinf: Rinf) -> nx.Graph:
    """The sections of line as an undirected graph (``length`` in metres on each edge)."""
    g = nx.Graph()
    points = rinf.points
    for op_id, point in zip(points["op_id"], points.geometry, strict=True):
        g.add_node(op_id, x=point.x, y=point.y)
    for a, b, metres in rinf.sections[["fran", "till", "langd_m"]].itertuples(index=False):
        if a != b and (not g.has_edge(a, b) or g.edges[a, b]["length"] > metres):
            g.add_edge(a, b, length=float(metres))
    return g


def _edge_lines(g: nx.Graph) -> tuple[list[tuple[str, str]], np.ndarray]:
    """Edges and their straight lines between the two points."""
    edges = list(g.edges)
    lines = shapely.linestrings([[(g.nodes[a]["x"], g.nodes[a]["y"]),
                                  (g.nodes[b]["x"], g.nodes[b]["y"])] for a, b in edges])
    return edges, lines


def attach(g: nx.Graph, stations: gpd.GeoDataFrame, *, match_m: float,
           snap_m: float) -> Bannat:
    """Attach stations (index: station key, points in EPSG:3006) to the graph ``g`` (a copy).

    Stations near no point and no section (abroad, or off the network) stay unattached.
    """
    g = g.copy()
    nodes = list(g.nodes)
    tree = cKDTree(np.array([(g.nodes[n]["x"], g.nodes[n]["y"]) for n in nodes]))
    station_node: dict[str, str] = {}
    halts: dict[tuple[str, str], list[tuple[float, str, shapely.Point]]] = defaultdict(list)
    edges, lines = _edge_lines(g)
    line_tree = shapely.STRtree(lines)
    for key, point in zip(stations.index, stations.geometry, strict=True):
        dist, i = tree.query([point.x, point.y])
        if dist <= match_m:
            station_node[key] = nodes[i]
            continue
        nearest = line_tree.query_nearest(point, max_distance=snap_m, return_distance=False)
        if len(nearest) == 0:
            continue
        line = lines[nearest[0]]
        at = line.project(point, normalized=True)
        halts[edges[nearest[0]]].append((at, key, line.interpolate(at, normalized=True)))
    for (a, b), on_edge in halts.items():
        _split(g, a, b, sorted(on_edge, key=lambda h: h[0]), station_node)
    return Bannat(g, station_node, {n: k for k, n in station_node.items()})


def _split(g: nx.Graph, a: str, b: str, halts: list[tuple[float, str, shapely.Point]],
           station_node: dict[str, str]) -> None:
    """Replace edge ``a–b`` by a chain through the halts (fractions of its length)."""
    length = g.edges[a, b]["length"]
    g.remove_edge(a, b)
    previous, previous_at = a, 0.0
    for at, key, point in halts:
        node = f"{HALT_PREFIX}{key}"
        g.add_node(node, x=point.x, y=point.y)
        g.add_edge(previous, node, length=max(length * (at - previous_at), 1.0))
        station_node[key] = node
        previous, previous_at = node, at
    g.add_edge(previous, b, length=max(length * (1.0 - previous_at), 1.0))


def path(net: Bannat, a: str, b: str, *, max_detour: float) -> list[str] | None:
    """Nodes of the shortest path between stations ``a`` and ``b``, or ``None``.

    ``None`` when either is unattached, no path exists, or it is longer than ``max_detour``
    times the straight distance (plus 1 km, for short hops between close stations).
    """
    if a not in net.station_node or b not in net.station_node:
        return None
    start, end = net.station_node[a], net.station_node[b]
    try:
        metres, nodes = nx.single_source_dijkstra(net.graph, start, end, weight="length")
    except nx.NetworkXNoPath:
        return None
    straight = float(np.hypot(*(np.subtract(net.xy(start), net.xy(end)))))
    return nodes if metres <= max_detour * straight + 1_000.0 else None


@dataclass(frozen=True)
class Stretch:
    """One network segment between consecutive stations on a path.

    ``fran``/``till`` are station keys in travel order, ``coords`` the drawn course,
    ``start``/``end`` its position along the whole path as fractions (0–1).
    """

    fran: str
    till: str
    coords: tuple[tuple[float, float], ...]
    start: float
    end: float


def stretches(net: Bannat, nodes: list[str]) -> list[Stretch]:
    """Split a path at every attached station it passes (its ends included)."""
    lengths = [net.graph.edges[u, v]["length"] for u, v in zip(nodes, nodes[1:], strict=False)]
    total = sum(lengths) or 1.0
    at = np.concatenate([[0.0], np.cumsum(lengths)]) / total
    cuts = [i for i, n in enumerate(nodes) if n in net.node_station]
    out = []
    for i, j in zip(cuts, cuts[1:], strict=False):
        coords = tuple(net.xy(n) for n in nodes[i:j + 1])
        out.append(Stretch(net.node_station[nodes[i]], net.node_station[nodes[j]], coords,
                           float(at[i]), float(at[j])))
    return out
