"""Accessibility engine: distance and car time from every origin to the nearest service point.

The road network is held as a compact CSR graph of the *reversed* directed edges, so that one
multi-source Dijkstra pass (``scipy.sparse.csgraph.dijkstra``) from all service points of a
category gives, for every node, the distance *from* that node *to* its nearest service point
(on one-way streets origin→service differs from service→origin). Service points join the
search through one virtual node whose edges carry their snapping distance, so the result is
exact: origin snap + network path + service snap. Origins and service points are snapped to
their nearest network node with a KD-tree; the origin's snapping distance is reported.

Nothing is capped: an origin that cannot reach any service point gets ``inf`` and
``nabar = False``. Without a network, :func:`nearest_straight` gives the straight-line
distance, labelled ``metod = "fågelvägen"`` and with no travel time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

log = logging.getLogger(__name__)

NETWORK = "vägnät"
STRAIGHT = "fågelvägen"
RESULT_COLUMNS = ["km", "minuter", "anslutning_m", "nabar", "metod"]


@dataclass(frozen=True)
class Network:
    """A directed road graph ready for nearest-service searches (EPSG:3006 coordinates).

    ``reverse_m`` / ``reverse_min`` are CSR matrices of shape ``(n + 1, n + 1)`` holding the
    reversed edges (entry ``[v, u]`` is the shortest parallel edge u→v, in metres or
    minutes); row ``n`` is the empty virtual service node. ``tree`` indexes the coordinates
    of the nodes in ``snappable`` — the largest strongly connected component — so that points
    are never snapped onto a fragment with no way out (a one-way stub cut off at the extract's
    edge, a street whose only exit was filtered away).
    """

    xy: np.ndarray
    reverse_m: csr_matrix
    reverse_min: csr_matrix
    tree: cKDTree
    snappable: np.ndarray

    @classmethod
    def from_arrays(cls, xy: np.ndarray, reverse_m: csr_matrix, reverse_min: csr_matrix,
                    snappable: np.ndarray) -> Network:
        """Rebuild a network from its arrays (see :meth:`arrays`); the KD-tree is rebuilt."""
        return cls(xy=xy, reverse_m=reverse_m, reverse_min=reverse_min,
                   tree=cKDTree(xy[snappable]), snappable=snappable)

    def arrays(self) -> dict[str, np.ndarray]:
        """The network as plain arrays (coordinates, both CSR matrices, snappable nodes)."""
        out = {"xy": self.xy, "snappable": self.snappable,
               "shape": np.asarray(self.reverse_m.shape)}
        for name, matrix in (("m", self.reverse_m), ("min", self.reverse_min)):
            out |= {f"{name}_data": matrix.data, f"{name}_indices": matrix.indices,
                    f"{name}_indptr": matrix.indptr}
        return out

    @classmethod
    def of_arrays(cls, arrays: dict[str, np.ndarray]) -> Network:
        """The inverse of :meth:`arrays`."""
        shape = tuple(int(v) for v in arrays["shape"])
        matrices = [csr_matrix((arrays[f"{n}_data"], arrays[f"{n}_indices"],
                                arrays[f"{n}_indptr"]), shape=shape) for n in ("m", "min")]
        return cls.from_arrays(arrays["xy"], *matrices, arrays["snappable"])

    @property
    def n_nodes(self) -> int:
        """Number of road nodes (without the virtual node)."""
        return len(self.xy)

    @property
    def n_edges(self) -> int:
        """Number of directed edges (parallel edges merged)."""
        return int(self.reverse_m.nnz)


def _reverse_csr(rows: np.ndarray, cols: np.ndarray, weight: np.ndarray, size: int) -> csr_matrix:
    """CSR of the reversed edges keeping the lightest of parallel edges (explicit zeros kept)."""
    key = rows.astype(np.int64) * size + cols
    order = np.argsort(key, kind="stable")
    key, weight = key[order], weight[order]
    starts = np.flatnonzero(np.diff(key, prepend=-1))  # the first of each key (keys are >= 0)
    lightest = np.minimum.reduceat(weight, starts)
    unique = key[starts]
    counts = np.bincount(unique // size, minlength=size)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return csr_matrix((lightest, (unique % size).astype(np.int32), indptr), shape=(size, size))


def build_network(nodes: gpd.GeoDataFrame, edges: pd.DataFrame) -> Network:
    """Compile nodes (``node``, Point geometry) and directed edges into a :class:`Network`.

    ``edges`` has ``u, v, length_m, minutes`` (see :func:`layers.roadnet.directed_edges`).
    Edges touching a node that is not in ``nodes`` are left out (and logged).
    """
    index = pd.Index(nodes["node"].to_numpy())
    u = index.get_indexer(edges["u"].to_numpy())
    v = index.get_indexer(edges["v"].to_numpy())
    known = (u >= 0) & (v >= 0)
    if not known.all():
        log.warning("left out %d edge(s) whose nodes are not in the node table", (~known).sum())
    size = len(index) + 1
    rows, cols = v[known], u[known]
    xy = np.column_stack([nodes.geometry.x.to_numpy(), nodes.geometry.y.to_numpy()])
    reverse_m = _reverse_csr(rows, cols, edges["length_m"].to_numpy(float)[known], size)
    snappable = _largest_strong_component(reverse_m)
    if len(snappable) < len(xy):
        log.info("%d of %d road nodes lie off the largest strongly connected component; "
                 "points snap to the component only", len(xy) - len(snappable), len(xy))
    reverse_min = _reverse_csr(rows, cols, edges["minutes"].to_numpy(float)[known], size)
    return Network.from_arrays(xy, reverse_m, reverse_min, snappable)


def _largest_strong_component(reverse: csr_matrix) -> np.ndarray:
    """Indices of the road nodes in the largest strongly connected component."""
    n = reverse.shape[0] - 1
    if n == 0:
        return np.arange(0)
    _, labels = connected_components(reverse[:n, :n], directed=True, connection="strong")
    return np.flatnonzero(labels == np.bincount(labels).argmax())


def snap(network: Network, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the nearest snappable node of each point and the straight distance to it (m)."""
    distance, position = network.tree.query(np.asarray(xy, dtype=float).reshape(-1, 2))
    return network.snappable[position].astype(np.int64), distance


def _with_sources(graph: csr_matrix, nodes: np.ndarray, cost: np.ndarray) -> csr_matrix:
    """Return ``graph`` with edges virtual node → ``nodes`` of ``cost`` (one per node, min)."""
    order = np.lexsort((cost, nodes))  # by node, cheapest first: keep the first of each
    nodes, cost = np.asarray(nodes)[order], np.asarray(cost, dtype=float)[order]
    first = np.diff(nodes, prepend=-1) != 0  # node indices are >= 0
    n_virtual = graph.shape[0] - 1
    data = np.concatenate([graph.data[: graph.indptr[n_virtual]], cost[first]])
    indices = np.concatenate([graph.indices[: graph.indptr[n_virtual]],
                              nodes[first].astype(np.int32)])
    indptr = graph.indptr.copy()
    indptr[-1] = len(data)
    return csr_matrix((data, indices, indptr), shape=graph.shape)


def distance_to_nearest(
    graph: csr_matrix, source_nodes: np.ndarray, source_cost: np.ndarray
) -> np.ndarray:
    """Cost from every node to its nearest source along a reversed graph (one Dijkstra pass).

    ``source_cost`` is added at each source (its snapping leg). Returns an array over the
    road nodes; ``inf`` where no source can be reached (everywhere when there is none).
    """
    searched = _with_sources(graph, source_nodes, source_cost)
    return dijkstra(searched, directed=True, indices=graph.shape[0] - 1)[:-1]


def nearest_source(
    graph: csr_matrix, source_nodes: np.ndarray, source_cost: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`distance_to_nearest`, and which source is the nearest.

    Returns the cost from every road node to its nearest source (snapping leg included) and
    that source's position in ``source_nodes`` (``-1`` where none is reached). Of several
    sources snapped to one node, the one with the shortest leg is the nearest.
    """
    virtual = graph.shape[0] - 1
    cost, previous = dijkstra(_with_sources(graph, source_nodes, source_cost), directed=True,
                              indices=virtual, return_predecessors=True)
    # Each path's first road node is where its source joined: follow the predecessors
    # there, halving the remaining length each round (pointer jumping).
    entry = np.where((previous >= 0) & (previous != virtual), previous,
                     np.arange(len(previous)))
    while not np.array_equal(entry[entry], entry):
        entry = entry[entry]
    order = np.lexsort((source_cost, source_nodes))
    nodes = np.asarray(source_nodes)[order]
    cheapest = pd.Series(order, index=nodes)[np.diff(nodes, prepend=-1) != 0]
    source = cheapest.reindex(entry[:-1]).fillna(-1).to_numpy(dtype=np.int64)
    return cost[:-1], np.where(np.isfinite(cost[:-1]), source, -1)


@dataclass(frozen=True)
class Snapped:
    """Points snapped to a network: node index and snapping distance (m) per point."""

    node: np.ndarray
    metres: np.ndarray

    @classmethod
    def of(cls, network: Network, xy: np.ndarray) -> Snapped:
        """Snap ``xy`` (EPSG:3006, shape (k, 2)) to ``network``."""
        return cls(*snap(network, xy))


def nearest_network(
    network: Network, origins: Snapped, services_xy: np.ndarray, *, snap_speed_kmh: float
) -> pd.DataFrame:
    """Distance to the nearest and car time to the quickest service point along ``network``.

    The two come from two searches (by length, by time), so they may refer to different
    points: a farther point on a faster road can be the quickest. Snapping legs (origin →
    node, node → service) count in the distance, and in the time at ``snap_speed_kmh``.
    Returns ``km, minuter, anslutning_m, nabar, metod`` (one row per
    origin, in order); unreachable origins have ``inf`` and ``nabar = False``.
    """
    services = Snapped.of(network, services_xy)
    metres = distance_to_nearest(network.reverse_m, services.node, services.metres)
    minutes = distance_to_nearest(network.reverse_min, services.node,
                                  services.metres / 1000.0 / snap_speed_kmh * 60.0)
    km = (metres[origins.node] + origins.metres) / 1000.0
    minuter = minutes[origins.node] + origins.metres / 1000.0 / snap_speed_kmh * 60.0
    return pd.DataFrame({"km": km, "minuter": minuter, "anslutning_m": origins.metres,
                         "nabar": np.isfinite(km), "metod": NETWORK})


def nearest_straight(origins_xy: np.ndarray, services_xy: np.ndarray) -> pd.DataFrame:
    """Straight-line distance to the nearest service point (the labelled fallback).

    Returns ``km, minuter (NaN: no travel time without a network), anslutning_m (0),
    nabar, metod = "fågelvägen"``.
    """
    n = len(origins_xy)
    # a tree of no services gives every origin an infinite distance
    metres = cKDTree(services_xy).query(np.asarray(origins_xy, dtype=float).reshape(-1, 2))[0]
    km = metres / 1000.0
    return pd.DataFrame({"km": km, "minuter": np.full(n, np.nan), "anslutning_m": np.zeros(n),
                         "nabar": np.isfinite(km), "metod": STRAIGHT})


def xy_of(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Point coordinates of a frame in EPSG:3006 as an (n, 2) array."""
    if frame.crs is None or frame.crs.to_epsg() != 3006:
        msg = f"expected points in EPSG:3006, got {frame.crs}"
        raise ValueError(msg)
    return np.column_stack([frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()])


def accessibility(
    origins: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    network: Network | None,
    *,
    snap_speed_kmh: float,
    categories: list[str] | None = None,
) -> gpd.GeoDataFrame:
    """Nearest service of each category for every origin (long format, one row per pair).

    ``origins`` are points (EPSG:3006) with any attribute columns; ``services`` has
    ``kategori`` and points. Categories without any service point are left out. Returns
    the origin columns plus ``kategori, km, minuter, anslutning_m, nabar, metod``.
    """
    if categories is None:
        categories = sorted(services["kategori"].unique())
    origin_xy = xy_of(origins)
    snapped = Snapped.of(network, origin_xy) if network is not None else None
    parts = []
    for kategori in categories:
        service_xy = xy_of(services[services["kategori"] == kategori])
        if len(service_xy) == 0:
            continue
        if network is None:
            result = nearest_straight(origin_xy, service_xy)
        else:
            result = nearest_network(network, snapped, service_xy, snap_speed_kmh=snap_speed_kmh)
        part = origins.reset_index(drop=True).assign(kategori=kategori)
        parts.append(pd.concat([part, result], axis=1))
    if not parts:
        empty = origins.iloc[:0].assign(kategori=pd.Series(dtype=str),
                                         **{c: pd.Series(dtype=float) for c in RESULT_COLUMNS})
        return gpd.GeoDataFrame(empty, geometry=origins.geometry.name, crs=origins.crs)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry=origins.geometry.name,
                            crs=origins.crs)
