"""Page weight and server time of the map pages, against a naive folium map of the same data.

Builds the real data (or uses ``--build-dir``'s current build), then measures in one run:

* bytes transferred (gzip) for the main map with every default layer: the HTML (data is
  embedded) and the self-hosted assets it loads; layers drawn on demand
  (``/kartlager/<id>.geojson``) are measured apart, and counted in the total when they are
  shown by default (the page then fetches them at once);
* the same for a naive folium map of the same layers, unsimplified, with folium defaults;
* server time of cached pages (p50/p95 over ``--requests`` requests, in-process WSGI).

Prints figures, then one line ``bench_pages key=value …``.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import time

import folium
from _builds import current_build

from layers.catalog import SPECS


def gzip_size(data: bytes) -> int:
    """Size of ``data`` after gzip at the level a web server typically uses."""
    return len(gzip.compress(data, compresslevel=6))


def naive_map(build) -> bytes:
    """What a tutorial does: every layer as unsimplified GeoJSON with folium's defaults."""
    fmap = folium.Map()
    for layer_id in build.layer_ids():
        frame = build.layer(layer_id)
        folium.GeoJson(frame.to_crs(4326).to_json(), name=layer_id).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap.get_root().render().encode()


def timed_requests(client, path: str, n: int) -> list[float]:
    """Milliseconds per request for ``n`` requests of ``path`` (after one warm-up)."""
    client.get(path)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", help="use this build directory's current build")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    build, client = current_build(args.build_dir)

    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    html_gzip = len(page.data)
    html = gzip.decompress(page.data)
    assets = re.findall(rb'(?:src|href)="(/static/[^"]+)"', html)
    assets_gzip = sum(gzip_size(client.get(a.decode()).data) for a in assets)
    naive = naive_map(build)
    naive_gzip = gzip_size(naive)
    on_demand = {}
    for url in sorted(set(re.findall(rb'"url": "(/kartlager/[^"]+)"', html))):
        layer_id = url.decode().rsplit("/", 1)[1].removesuffix(".geojson")
        on_demand[layer_id] = gzip_size(client.get(url.decode()).data)
    fetched_at_load = sum(size for layer_id, size in on_demand.items()
                          if SPECS[layer_id].default_visible)

    main_ms = timed_requests(client, "/", args.requests)
    embed_ms = timed_requests(client, "/embed?lager=kommuner,service&kommun=1780", args.requests)
    p95 = statistics.quantiles(main_ms + embed_ms, n=20)[18]

    print(f"build {build.id}: layers {', '.join(build.layer_ids())}")
    print(f"main map: HTML+data {len(html) / 1024:.0f} KB raw, {html_gzip / 1024:.1f} KB gzip; "
          f"assets {assets_gzip / 1024:.1f} KB gzip ({len(assets)} files)")
    for layer_id, size in on_demand.items():
        shown = "shown by default" if SPECS[layer_id].default_visible else "when switched on"
        print(f"on demand: {layer_id} {size / 1024:.1f} KB gzip ({shown})")
    print(f"naive folium map of the same layers: {len(naive) / 1024:.0f} KB raw, "
          f"{naive_gzip / 1024:.1f} KB gzip (CDN assets not counted)")
    print(f"ratio naive/ours (HTML+data, gzip): {naive_gzip / html_gzip:.1f}x")
    print(f"cached page time: main p50 {statistics.median(main_ms):.1f} ms, "
          f"embed p50 {statistics.median(embed_ms):.1f} ms, p95 both {p95:.1f} ms "
          f"({args.requests} requests each, in-process)")
    print(f"bench_pages main_gzip_bytes={html_gzip} assets_gzip_bytes={assets_gzip} "
          f"total_gzip_bytes={html_gzip + assets_gzip + fetched_at_load} "
          f"on_demand_gzip_bytes={sum(on_demand.values())} naive_gzip_bytes={naive_gzip} "
          f"ratio={naive_gzip / html_gzip:.2f} p95_ms={p95:.1f}")


if __name__ == "__main__":
    main()
