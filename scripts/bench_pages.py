"""Page weight and server time of the map pages, against a naive folium map of the same data.

Builds the real data (or uses ``--build-dir``'s current build), then measures in one run:

* bytes transferred (gzip) for the main map with every default layer: the HTML (data is
  embedded) and the self-hosted assets it loads;
* the same for a naive folium map of the same layers, unsimplified, with folium defaults;
* server time of cached pages (p50/p95 over ``--requests`` requests, in-process WSGI).

Prints figures, then one line ``bench_pages key=value …``.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import tempfile
import time
from pathlib import Path

import folium

from gisapp import create_app
from gisapp.build import run_build
from gisapp.config import resolve_data_dir
from gisapp.store import BuildStore


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

    build_dir = Path(args.build_dir) if args.build_dir else Path(tempfile.mkdtemp()) / "builds"
    store = BuildStore(build_dir)
    if store.current() is None:
        run_build(resolve_data_dir(), store, progress=lambda line: None)
    build = store.current()
    client = create_app({"BUILD_DIR": str(build_dir)}).test_client()

    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    html_gzip = len(page.data)
    html = gzip.decompress(page.data)
    assets = re.findall(rb'(?:src|href)="(/static/[^"]+)"', html)
    assets_gzip = sum(gzip_size(client.get(a.decode()).data) for a in assets)
    naive = naive_map(build)
    naive_gzip = gzip_size(naive)

    main_ms = timed_requests(client, "/", args.requests)
    embed_ms = timed_requests(client, "/embed?lager=kommuner,service&kommun=1780", args.requests)
    p95 = statistics.quantiles(main_ms + embed_ms, n=20)[18]

    print(f"build {build.id}: layers {', '.join(build.layer_ids())}")
    print(f"main map: HTML+data {len(html) / 1024:.0f} KB raw, {html_gzip / 1024:.1f} KB gzip; "
          f"assets {assets_gzip / 1024:.1f} KB gzip ({len(assets)} files)")
    print(f"naive folium map of the same layers: {len(naive) / 1024:.0f} KB raw, "
          f"{naive_gzip / 1024:.1f} KB gzip (CDN assets not counted)")
    print(f"ratio naive/ours (HTML+data, gzip): {naive_gzip / html_gzip:.1f}x")
    print(f"cached page time: main p50 {statistics.median(main_ms):.1f} ms, "
          f"embed p50 {statistics.median(embed_ms):.1f} ms, p95 both {p95:.1f} ms "
          f"({args.requests} requests each, in-process)")
    print(f"bench_pages main_gzip_bytes={html_gzip} assets_gzip_bytes={assets_gzip} "
          f"total_gzip_bytes={html_gzip + assets_gzip} naive_gzip_bytes={naive_gzip} "
          f"ratio={naive_gzip / html_gzip:.2f} p95_ms={p95:.1f}")


if __name__ == "__main__":
    main()
