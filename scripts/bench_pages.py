"""Page weight and server time of the map pages, against folium maps of the same layers.

Builds the real data (or uses ``--build-dir``'s current build), serves it with a real HTTP
server on 127.0.0.1 (gzip as the app negotiates it, measured on the wire) and measures in
one run:

* **ours**: the initial transfer of the main map with its default layers — the HTML (data
  embedded), the self-hosted assets it loads and the vector tiles of the first view, each
  fetched through the server with ``Accept-Encoding: gzip``. The first view's tiles are the
  ``/tiles/…`` requests headless Chromium makes loading the page at 1280×800 until the
  network is idle (an empty tile, 204, weighs nothing); layers drawn on demand
  (``/kartlager/<id>.geojson``) are apart, counted when shown by default;
* **fair peer**: a plain folium map of the *same* layers as our page carries (the default
  ones and those off by default but embedded) with the *same* display
  simplification (each spec's ``display_tolerance_m``) and the *same* coordinate rounding
  (:data:`gisapp.maps.display.COORD_DECIMALS`), folium's defaults otherwise, served as a
  static page by the same server; its CDN assets (Leaflet, jQuery, Bootstrap,
  awesome-markers, Font Awesome CSS) are counted on its side, gzip-compressed, from the
  npm packages of the versions folium links (installed into a cache folder on first run;
  fonts the CSS pulls in and the Bootstrap 3 glyphicons CSS are not counted, so the peer's
  figure is a lower bound);
* **naive peer** (context only): every built layer unsimplified, unrounded, as a tutorial
  does it;
* server time of cached pages (p50/p95 over ``--requests`` requests, over HTTP).

The budget: a national main map (``strukturbild build --lan all``) ≤ 300 KB, a one-län map
≤ 132 KB (Värmland before vector tiles). Prints figures, then one line
``bench_pages key=value …``. A national build skips the naive peer (every layer
unsimplified would be hundreds of megabytes).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import folium
import shapely
from _builds import current_build
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from data_sources.crs import SERVE_CRS
from gisapp import create_app
from gisapp.maps.display import COORD_DECIMALS, simplify_for_display
from gisapp.maps.view import default_layers
from layers.catalog import SPECS

# folium's CDN files → (npm package@version, file in the package); awesome-markers 2.0.2 is
# not on npm, 2.0.4 is the nearest release.
FOLIUM_ASSETS = {
    "leaflet.js": ("leaflet@1.9.3", "dist/leaflet.js"),
    "jquery-3.7.1.min.js": ("jquery@3.7.1", "dist/jquery.min.js"),
    "bootstrap.bundle.min.js": ("bootstrap@5.2.2", "dist/js/bootstrap.bundle.min.js"),
    "leaflet.awesome-markers.js": ("leaflet.awesome-markers@2.0.4",
                                   "dist/leaflet.awesome-markers.js"),
    "leaflet.css": ("leaflet@1.9.3", "dist/leaflet.css"),
    "bootstrap.min.css": ("bootstrap@5.2.2", "dist/css/bootstrap.min.css"),
    "all.min.css": ("@fortawesome/fontawesome-free@6.2.0", "css/all.min.css"),
    "leaflet.awesome-markers.css": ("leaflet.awesome-markers@2.0.4",
                                    "dist/leaflet.awesome-markers.css"),
}
ENCODINGS = "gzip, deflate"
VIEWPORT = {"width": 1280, "height": 800}
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
BUDGET_NATIONAL_KB, BUDGET_REGION_KB = 300, 132
# the panel has added every visible tiled layer (after folium's first zoom), and every tile
# of the view is drawn: conditions, not a fixed wait
TILE_LAYERS_ADDED_JS = """() => window.strukturbildLayers && Object.values(
    window.strukturbildLayers).every((e) => !e.spec.tiles || !e.spec.visible
                                     || e.layer.getLayers().length > 0)"""
TILES_LOADED_JS = """() => !document.querySelector('.leaflet-zoom-anim')
    && [...document.querySelectorAll('svg.leaflet-tile')].every(
        (t) => t.classList.contains('leaflet-tile-loaded'))"""
ASSET_CACHE = Path(tempfile.gettempdir()) / "strukturbild-bench-folium-assets"


def gzip_size(data: bytes) -> int:
    """Size of ``data`` after gzip at the level a web server typically uses."""
    return len(gzip.compress(data, compresslevel=6))


def fetch(url: str) -> tuple[bytes, str]:
    """Body bytes as sent and the Content-Encoding, asking for gzip or deflate.

    The app gzips pages; files it streams (static assets) it compresses with deflate (the
    same DEFLATE stream as gzip, without gzip's 18-byte wrapper): flask-compress offers no
    gzip for streamed responses. Browsers also accept br and zstd; asking for gzip/deflate
    keeps ours and the peer on one algorithm.
    """
    request = urllib.request.Request(url, headers={"Accept-Encoding": ENCODINGS})
    with urllib.request.urlopen(request) as response:  # noqa: S310 (127.0.0.1 only)
        return response.read(), response.headers.get("Content-Encoding", "")


def wire_size(url: str) -> int:
    """Bytes of the body on the wire, as the server sends it."""
    return len(fetch(url)[0])


def rounded_geojson(frame) -> str:
    """GeoJSON in EPSG:4326 rounded to :data:`COORD_DECIMALS`, as our pages round it."""
    wgs = frame.to_crs(SERVE_CRS).copy()
    wgs.geometry = shapely.set_precision(wgs.geometry.values, 10**-COORD_DECIMALS)
    return wgs.to_json()


def folium_map(build, layer_ids, *, fair: bool) -> bytes:
    """A plain folium map: ``fair`` = our simplification and rounding, else raw layers."""
    fmap = folium.Map()
    for layer_id in layer_ids:
        frame = build.layer(layer_id)
        data = (rounded_geojson(simplify_for_display(layer_id, frame)) if fair
                else frame.to_crs(SERVE_CRS).to_json())
        folium.GeoJson(data, name=layer_id).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap.get_root().render().encode()


def folium_assets() -> dict[str, bytes | None]:
    """Folium's CDN files from their npm packages (``None`` where npm could not get one)."""
    wanted = sorted({package for package, _ in FOLIUM_ASSETS.values()})
    modules = ASSET_CACHE / "node_modules"
    missing = [p for p in wanted if not (modules / p.rsplit("@", 1)[0]).is_dir()]
    if missing:
        subprocess.run(["npm", "install", "--prefix", str(ASSET_CACHE), "--no-audit",
                        "--no-fund", "--silent", *missing], check=False, timeout=300)
    out = {}
    for name, (package, file) in FOLIUM_ASSETS.items():
        path = modules / package.rsplit("@", 1)[0] / file
        out[name] = path.read_bytes() if path.is_file() else None
    return out


def first_view_tiles(url: str) -> list[str]:
    """Paths of the vector tiles headless Chromium requests loading the page at ``url``.

    OpenStreetMap's base tiles (outside this machine) are answered with nothing.
    """
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    requested = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.route(re.compile(r"^https://([a-z]\.)?tile\.openstreetmap\.org/"),
                   lambda route: route.fulfill(status=204))
        page.on("request", lambda r: "/tiles/" in r.url and requested.append(r.url))
        page.goto(url, wait_until="networkidle")
        page.wait_for_function(TILE_LAYERS_ADDED_JS, timeout=60_000)
        page.wait_for_load_state("networkidle")
        page.wait_for_function(TILES_LOADED_JS, timeout=60_000)
        browser.close()
    return [u.split("127.0.0.1", 1)[1].split("/", 1)[1] for u in requested]


def serve(app):
    """Serve a WSGI app on 127.0.0.1 in a thread; returns (base URL, server)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def peer_app(pages: dict[str, bytes]):
    """A static WSGI app answering ``/<name>`` with a page, gzip when asked (as ours does)."""
    def app(environ, start_response):
        body = pages.get(environ["PATH_INFO"].lstrip("/"))
        if body is None:
            return Response("not found", status=404)(environ, start_response)
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
            body = gzip.compress(body, compresslevel=6)
            headers["Content-Encoding"] = "gzip"
        return Response(body, headers=headers)(environ, start_response)
    return app


def timed(url: str, n: int) -> list[float]:
    """Milliseconds per request for ``n`` requests of ``url`` over HTTP (after a warm-up)."""
    fetch(url)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fetch(url)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", help="use this build directory's current build")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    build, client = current_build(args.build_dir)
    del client
    ours_url, ours = serve(create_app({"BUILD_DIR": str(build.path.parent),
                                       "RATE_LIMIT_PER_MINUTE": 0}))

    body, encoding = fetch(ours_url + "/")
    assert encoding == "gzip", "the app must gzip the page"
    assert fetch(ours_url + "/static/strukturbild.js")[1] == "gzip", "assets must be gzipped"
    html = gzip.decompress(body)
    html_gzip = len(body)
    assets = sorted(set(re.findall(rb'(?:src|href)="(/static/[^"]+)"', html)))
    assets_gzip = sum(wire_size(ours_url + a.decode()) for a in assets)
    tile_paths = first_view_tiles(ours_url + "/")
    tiles_gzip = sum(wire_size(f"{ours_url}/{path}") for path in tile_paths)
    tile_count = len(tile_paths)
    on_demand = {}
    for url in sorted(set(re.findall(rb'"url": "(/kartlager/[^"]+)"', html))):
        layer_id = url.decode().rsplit("/", 1)[1].removesuffix(".geojson")
        on_demand[layer_id] = wire_size(ours_url + url.decode())
    fetched_at_load = sum(size for layer_id, size in on_demand.items()
                          if SPECS[layer_id].default_visible)
    ours_total = html_gzip + assets_gzip + tiles_gzip + fetched_at_load
    national = bool(build.manifest["region"].get("nationell"))
    budget_kb = BUDGET_NATIONAL_KB if national else BUDGET_REGION_KB

    # the layers a folium page must carry to show what ours shows: those shown by default
    # (ours draws some from tiles) and those off by default but inlined in ours
    tiled = build.manifest.get("tiles", {}).get("layers", {})
    shown = [i for i in build.layer_ids() if i in SPECS and i not in on_demand
             and build.manifest["layers"][i]["rows"] > 0
             and (i not in tiled or SPECS[i].default_visible)]
    peers = {"fair.html": folium_map(build, shown, fair=True)}
    if not national:
        peers["naive.html"] = folium_map(build, build.layer_ids(), fair=False)
    peer_url, peer = serve(peer_app(peers))
    fair_gzip = wire_size(peer_url + "/fair.html")
    naive_gzip = wire_size(peer_url + "/naive.html") if not national else 0
    cdn = folium_assets()
    cdn_gzip = sum(gzip_size(data) for data in cdn.values() if data is not None)
    not_counted = [name for name, data in cdn.items() if data is None]
    fair_total = fair_gzip + cdn_gzip

    main_ms = timed(ours_url + "/", args.requests)
    embed_ms = timed(ours_url + "/embed?lager=kommuner,service&kommun=1780", args.requests)
    p95 = statistics.quantiles(main_ms + embed_ms, n=20)[18]
    ours.shutdown()
    peer.shutdown()

    print(f"build {build.id}: default layers {', '.join(default_layers(build))}; the fair "
          f"peer carries {', '.join(shown)}")
    print(f"ours: HTML+data {len(html) / 1024:.0f} KB raw, {html_gzip / 1024:.1f} KB gzip on "
          f"the wire; self-hosted assets {assets_gzip / 1024:.1f} KB gzip on the wire "
          f"({len(assets)} files); vector tiles of the first view {tiles_gzip / 1024:.1f} KB "
          f"gzip ({tile_count} requests: "
          f"{', '.join(sorted({p.split('/')[1] for p in tile_paths}))}); "
          f"total {ours_total / 1024:.1f} KB")
    for layer_id, size in on_demand.items():
        when = "shown by default" if SPECS[layer_id].default_visible else "when switched on"
        print(f"  on demand: {layer_id} {size / 1024:.1f} KB gzip ({when})")
    print(f"fair folium peer (same layers, same simplification and rounding): HTML+data "
          f"{fair_gzip / 1024:.1f} KB gzip on the wire; CDN assets "
          f"{cdn_gzip / 1024:.1f} KB gzip ({len(cdn) - len(not_counted)} files"
          + (f"; not counted: {', '.join(not_counted)}" if not_counted else "")
          + f"); total {fair_total / 1024:.1f} KB")
    if not national:
        print(f"naive folium (every layer unsimplified, context only): "
              f"{naive_gzip / 1024:.1f} KB gzip HTML+data")
    within = ours_total <= budget_kb * 1024
    print(f"ratio ours/fair peer: HTML+data {html_gzip / fair_gzip:.2f}x, "
          f"total with assets {ours_total / fair_total:.2f}x")
    print(f"budget ({'national' if national else 'one län'} main map, initial transfer): "
          f"ours {ours_total / 1024:.1f} KB ≤ {budget_kb} KB gzip: {'yes' if within else 'NO'}")
    print(f"cached page time over HTTP: main p50 {statistics.median(main_ms):.1f} ms, "
          f"embed p50 {statistics.median(embed_ms):.1f} ms, p95 both {p95:.1f} ms "
          f"({args.requests} requests each)")
    print("bench_pages " + " ".join(f"{k}={v}" for k, v in {
        "main_gzip_bytes": html_gzip, "assets_gzip_bytes": assets_gzip,
        "first_view_tiles_gzip_bytes": tiles_gzip, "first_view_tile_requests": tile_count,
        "total_gzip_bytes": ours_total, "on_demand_gzip_bytes": sum(on_demand.values()),
        "fair_peer_gzip_bytes": fair_gzip, "fair_peer_cdn_gzip_bytes": cdn_gzip,
        "fair_peer_total_gzip_bytes": fair_total, "naive_gzip_bytes": naive_gzip,
        "ratio_html_vs_fair": f"{html_gzip / fair_gzip:.2f}",
        "ratio_total_vs_fair": f"{ours_total / fair_total:.2f}",
        "budget_kb": budget_kb, "within_budget": json.dumps(within),
        "p95_ms": f"{p95:.1f}"}.items()))


if __name__ == "__main__":
    main()
