"""Load test: the app under gunicorn driven by wrk, and the same collection served by pygeoapi.

Every request says ``Accept-Encoding: gzip`` as browsers do, so compression is measured.
In one run, on the real build (built here, or ``--build-dir``'s current build):

1. starts ``gunicorn`` (gthread workers, as ``strukturbild serve``) on 127.0.0.1 serving
   the app, warms it up, and records the server's RSS (master + workers);
2. drives it with ``wrk`` (Debian package ``wrk``) for ``--seconds`` at ``--connections``
   over a mix of OGC items pages, single features, the main map, embeds, the comparison
   page and the indicator API; prints requests/s, p50/p95/p99 latency, errors and the RSS
   at start and end;
3. drives ``/`` alone and ``/api/indikatorer`` (JSON) alone for ``--compare-seconds`` each
   (targets: ≥ 500 and ≥ 1 000 requests/s);
4. serves the same ``kommuner`` collection with ``pygeoapi`` from a GeoPackage through its
   SQLite/GeoPackage provider (``scripts/pygeoapi_peer.py``; gzip on) under the same
   number of gunicorn workers (one thread each: that provider is not thread-safe), drives
   both servers' ``kommuner`` items page for
   ``--compare-seconds`` each and prints the throughput ratio (ours / pygeoapi).

Ends with one line ``load_test rps=… p50_ms=… p99_ms=… errors=… rss_growth_pct=…
index_gzip_rps=… indikatorer_rps=… ratio_vs_pygeoapi=…``. A benchmark: it prints, it does
not assert.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from gisapp.build import run_build
from gisapp.config import BUILD_ENV, resolve_data_dir
from gisapp.store import Build, FileStore

MIXED_PATHS = (
    "/ogc/collections/kommuner/items",
    "/ogc/collections/service/items?limit=50",
    "/ogc/collections/service/items?limit=50&offset=50",
    "/ogc/collections/tatorter/items?kommunkod=1780",
    "/ogc/collections/kommuner/items/1780",
    "/ogc/collections/tatorter/items?limit=20&crs=http://www.opengis.net/def/crs/EPSG/0/3006",
    "/",
    "/embed?lager=kommuner,service&kommun=1780",
    "/embed?lager=tatorter",
    "/api/indikatorer",
    "/api/indikatorer?kommun=1780",
    "/jamfor",
)
ITEMS_PATH = "/collections/kommuner/items?limit=100&f=json"
LUA = textwrap.dedent("""
    local paths = {%s}
    local i = 0
    request = function()
      i = i %% #paths + 1
      return wrk.format("GET", paths[i], {["Accept-Encoding"] = "gzip"})
    end
    done = function(summary, latency, requests)
      local e = summary.errors
      io.write(string.format(
        "RESULT requests=%%d duration_us=%%d errors=%%d p50_us=%%d p95_us=%%d p99_us=%%d\\n",
        summary.requests, summary.duration,
        e.connect + e.read + e.write + e.status + e.timeout,
        latency:percentile(50), latency:percentile(95), latency:percentile(99)))
    end
""")
RESULT = re.compile(r"RESULT (.*)")


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout_s: float = 60.0) -> None:
    """Poll ``url`` until it answers 200 (raise after ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    msg = f"server at {url} did not come up in {timeout_s:.0f} s"
    raise RuntimeError(msg)


def rss_mb(master_pid: int) -> float:
    """Resident memory of a process and its direct children (gunicorn workers), in MB."""
    pids = [master_pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    total_kb = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total_kb += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return total_kb / 1024


@contextmanager
def gunicorn(app: str, env: dict[str, str], workers: int, threads: int):
    """Run ``gunicorn app`` on a free port; yield (base URL, master pid)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads",
               str(threads), "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "--no-control-socket",
               "--pythonpath", str(Path(__file__).parent), app]
    process = subprocess.Popen(command, env={**os.environ, **env})
    try:
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # workers still busy with queued requests
            process.kill()
            process.wait(timeout=30)


def run_wrk(base: str, paths: list[str], seconds: int, connections: int,
            workdir: Path) -> dict[str, float]:
    """Drive ``base`` with wrk over ``paths`` (absolute paths, round robin); return figures."""
    script = workdir / "paths.lua"
    script.write_text(LUA % ", ".join(f'"{p}"' for p in paths), "utf-8")
    threads = min(2, connections)
    completed = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
         "--timeout", "10s", "-s", str(script), base],
        capture_output=True, text=True, check=True, timeout=seconds + 120)
    figures = dict(pair.split("=") for pair in RESULT.search(completed.stdout).group(1).split())
    values = {k: float(v) for k, v in figures.items()}
    values["rps"] = values["requests"] / (values["duration_us"] / 1e6)
    return values


def warm_up(base: str, paths: list[str], rounds: int) -> None:
    """Request every path ``rounds`` times so each worker fills its caches; fail on non-200."""
    for _ in range(rounds):
        for path in paths:
            request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request, timeout=60) as response:
                if response.status != 200:
                    msg = f"warm-up {path}: HTTP {response.status}"
                    raise RuntimeError(msg)
                response.read()


def pygeoapi_config(workdir: Path, port: int, resources: dict[str, dict]) -> tuple[Path, Path]:
    """Write pygeoapi's config serving ``resources`` and its OpenAPI document.

    ``resources`` maps a collection id to its CRS84 ``bbox`` and pygeoapi ``provider``.
    """
    url = f"http://127.0.0.1:{port}"
    config = {
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": url,
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8",
                   "gzip": True, "languages": ["sv"],
                   "limits": {"default_items": 100, "max_items": 10000},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                           "attribution": "OSM"}},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "Strukturbild (pygeoapi peer)",
                "description": "The same collections served by pygeoapi",
                "keywords": list(resources), "keywords_type": "theme",
                "terms_of_service": "https://creativecommons.org/publicdomain/zero/1.0/",
                "url": url},
            "license": {"name": "CC0 1.0",
                        "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
            "provider": {"name": "Lantmäteriet", "url": "https://www.lantmateriet.se"},
            "contact": {"name": "Strukturbild", "email": "none@invalid",
                        "role": "pointOfContact"}},
        "resources": {
            name: {"type": "collection", "title": name, "description": name,
                   "keywords": [name], "links": [],
                   "extents": {"spatial": {
                       "bbox": resource["bbox"],
                       "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
                   "providers": [{"type": "feature", **resource["provider"]}]}
            for name, resource in resources.items()},
    }
    path = workdir / "pygeoapi.yml"
    path.write_text(json.dumps(config, indent=1), "utf-8")  # JSON is YAML
    openapi = workdir / "pygeoapi-openapi.yml"
    subprocess.run([sys.executable, str(Path(__file__).with_name("pygeoapi_peer.py")),
                    "openapi", "generate",
                    str(path), "--output-file", str(openapi)], check=True, timeout=120,
                   env={**os.environ, "PYGEOAPI_CONFIG": str(path)}, capture_output=True)
    return path, openapi


def geopackage_peer(workdir: Path, build: Build) -> dict[str, dict]:
    """The peer's ``kommuner``: a GeoPackage (CRS84) for pygeoapi's SQLite/GeoPackage provider."""
    kommuner = build.layer("kommuner").to_crs("OGC:CRS84")
    data = workdir / "kommuner.gpkg"
    kommuner.to_file(data, driver="GPKG", layer="kommuner")
    return {"kommuner": {
        "bbox": [round(float(v), 4) for v in kommuner.total_bounds],
        "provider": {"name": "SQLiteGPKG", "data": str(data), "id_field": "kommunkod",
                     "table": "kommuner"}}}


def print_run(label: str, figures: dict[str, float]) -> None:
    """Print one wrk run's figures."""
    print(f"{label}: {figures['rps']:.1f} req/s, p50 {figures['p50_us'] / 1000:.1f} ms, "
          f"p95 {figures['p95_us'] / 1000:.1f} ms, p99 {figures['p99_us'] / 1000:.1f} ms, "
          f"{int(figures['requests'])} requests, {int(figures['errors'])} errors")


def main() -> None:
    """Run the load test and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", help="use this build directory's current build")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--compare-seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("load_test: needs wrk (Debian package wrk)")

    with tempfile.TemporaryDirectory(prefix="strukturbild-load-") as tmp:
        workdir = Path(tmp)
        build_dir = Path(args.build_dir) if args.build_dir else workdir / "builds"
        store = FileStore(build_dir)
        build = store.current() or run_build(resolve_data_dir(), store)
        print(f"Bygge {build.id}; {args.workers} gunicorn workers × {args.threads} threads, "
              f"wrk {args.connections} connections")

        env = {BUILD_ENV: str(build_dir)}
        alone = {"index": "/", "indikatorer": "/api/indikatorer", "items": "/ogc" + ITEMS_PATH}
        runs = {}
        with gunicorn("gisapp:create_app()", env, args.workers, args.threads) as (base, pid):
            wait_until_up(base + "/healthz")
            warm_up(base, [*MIXED_PATHS, *alone.values()], rounds=4 * args.workers)
            rss_start = rss_mb(pid)
            mixed = run_wrk(base, list(MIXED_PATHS), args.seconds, args.connections, workdir)
            rss_end = rss_mb(pid)
            for name, path in alone.items():
                runs[name] = run_wrk(base, [path], args.compare_seconds, args.connections,
                                     workdir)
        print_run(f"Blandad last / mixed load, gzip ({args.seconds} s)", mixed)
        growth = 100 * (rss_end - rss_start) / rss_start
        print(f"Server RSS: {rss_start:.1f} MB at start, {rss_end:.1f} MB at end "
              f"({growth:+.1f} %)")
        print_run(f"/ with gzip ({args.compare_seconds} s)", runs["index"])
        print_run(f"/api/indikatorer JSON with gzip ({args.compare_seconds} s)",
                  runs["indikatorer"])
        print_run(f"Strukturbild kommuner items ({args.compare_seconds} s)", runs["items"])

        port = free_port()
        config, openapi = pygeoapi_config(workdir, port, geopackage_peer(workdir, build))
        peer_env = {"PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi)}
        # one thread per worker: pygeoapi's SQLite provider opens the GeoPackage per request
        # and fails under concurrent threads ("database is locked", VirtualGPKG races)
        with gunicorn("pygeoapi_peer:APP", peer_env, args.workers, 1) as (peer_base, _):
            wait_until_up(peer_base + ITEMS_PATH)
            warm_up(peer_base, [ITEMS_PATH], rounds=4 * args.workers)
            peer = run_wrk(peer_base, [ITEMS_PATH], args.compare_seconds, args.connections,
                           workdir)
        print_run(f"pygeoapi kommuner items, SQLite/GeoPackage provider "
                  f"({args.compare_seconds} s)", peer)
        ours = runs["items"]
        ratio = ours["rps"] / peer["rps"] if peer["rps"] else float("inf")
        print(f"Genomströmning mot pygeoapi / throughput vs pygeoapi: {ratio:.2f}×")
        errors = int(mixed["errors"] + sum(r["errors"] for r in runs.values()))
        print(f"load_test rps={mixed['rps']:.1f} p50_ms={mixed['p50_us'] / 1000:.1f} "
              f"p95_ms={mixed['p95_us'] / 1000:.1f} p99_ms={mixed['p99_us'] / 1000:.1f} "
              f"errors={errors} rss_start_mb={rss_start:.1f} "
              f"rss_end_mb={rss_end:.1f} rss_growth_pct={growth:.1f} "
              f"index_gzip_rps={runs['index']['rps']:.1f} "
              f"indikatorer_rps={runs['indikatorer']['rps']:.1f} "
              f"items_rps={ours['rps']:.1f} pygeoapi_items_rps={peer['rps']:.1f} "
              f"ratio_vs_pygeoapi={ratio:.2f}")


if __name__ == "__main__":
    main()
