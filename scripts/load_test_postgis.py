"""Load test on the PostGIS store: national OGC items, ours against pygeoapi's PostgreSQL provider.

In one run:

1. starts a throwaway PostgreSQL/PostGIS cluster (``scripts/pg_cluster.sh``) and builds the
   whole country into it with ``strukturbild build --lan all --store <url>`` (or uses
   ``--store``'s current build when it is national);
2. serves the app from that store under ``gunicorn`` and pygeoapi with its ``PostgreSQL``
   provider on the *same* tables of the current build's schema (``befolkning``, the 1 km
   population grid, and ``kommuner``; storage CRS EPSG:3006, served in CRS84 by both), with
   the same number of gunicorn workers and threads and gzip on in both;
3. checks that both servers return the same ``numberReturned`` and ``numberMatched`` for
   every compared request (a page of ``limit=100`` and a ``bbox`` page of each collection);
4. drives each request on each server with ``wrk`` for ``--seconds`` at ``--connections``
   (``Accept-Encoding: gzip``) and prints requests/s, p50/p99 latency, errors (socket errors
   and non-2xx answers) and the ratio ours / pygeoapi; ours twice, as configured by default
   (answers kept per build and request, compressed once) and with that cache off
   (``STRUKTURBILD_OGC_CACHE_MB=0``: every request runs its SQL and compresses its answer).

Ends with one line ``load_test_postgis items_rps_min=… pygeoapi_rps_max=… ratio_min=…
uncached_ratio_min=… errors=… …``.
A benchmark: it prints, it does not assert.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from _pg_cluster import running_cluster
from load_test import (
    free_port,
    gunicorn,
    print_run,
    pygeoapi_config,
    run_wrk,
    wait_until_up,
    warm_up,
)

from gisapp.config import OGC_CACHE_ENV, STORE_ENV
from gisapp.store.postgis import PostgisBuild, PostgisStore

COLLECTIONS = {"befolkning": "rutid_scb", "kommuner": "kommunkod"}  # table -> id column
EPSG_3006 = "http://www.opengis.net/def/crs/EPSG/0/3006"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
# around Karlstad in EPSG:3006: easting 403 000–426 000, northing 6 574 000–6 596 000
EAST, NORTH = (403_000, 426_000), (6_574_000, 6_596_000)


@dataclass(frozen=True)
class Compared:
    """One items request as each server spells it (paths below the API root)."""

    label: str
    ours: str
    pygeoapi: str


def compared_requests() -> list[Compared]:
    """A page of 100 of each collection, and a page of 100 within the Karlstad bbox.

    The bbox is given in the storage CRS (``bbox-crs`` EPSG:3006), so both servers test the
    same envelope on the same GiST index. Ours reads it in the CRS's axis order (northing,
    easting) as OGC API – Features Part 2 says; pygeoapi passes it to ``ST_MakeEnvelope``
    as x, y. (In CRS84 pygeoapi transforms the corners to northing/easting and then uses
    them as x/y, so it finds nothing: no CRS84 bbox is compared.)
    """
    ours_bbox = f"{NORTH[0]},{EAST[0]},{NORTH[1]},{EAST[1]}"
    their_bbox = f"{EAST[0]},{NORTH[0]},{EAST[1]},{NORTH[1]}"
    requests = []
    for name in COLLECTIONS:
        items = f"/collections/{name}/items?limit=100&f=json"
        requests.append(Compared(f"{name} limit=100", items, items))
        requests.append(Compared(
            f"{name} limit=100 bbox (EPSG:3006)",
            f"{items}&bbox={ours_bbox}&bbox-crs={EPSG_3006}",
            f"{items}&bbox={their_bbox}&bbox-crs={EPSG_3006}"))
    return requests


def national_build(url: str) -> PostgisBuild:
    """The store's current build when it is national, else a national build made now."""
    store = PostgisStore(url)
    build = store.current()
    if build is None or build.manifest["settings"]["lanskod"] != "all":
        print(f"strukturbild build --lan all --store {url}", flush=True)
        subprocess.run([str(Path(sys.executable).with_name("strukturbild")), "build", "--lan",
                        "all", "--store", url], check=True, stdout=subprocess.DEVNULL)
        build = store.current()
    store.close()
    return build


def peer_resources(url: str, build: PostgisBuild) -> dict[str, dict]:
    """The peer's resources: pygeoapi's PostgreSQL provider on each table compared."""
    parts = urlsplit(url)
    data = {"host": parts.hostname, "port": parts.port or 5432,
            "dbname": parts.path.lstrip("/"), "user": parts.username,
            "search_path": [build.schema]}
    resources = {}
    with psycopg.connect(url) as conn:
        for name, id_field in COLLECTIONS.items():
            geometry = next(n for n, d in build.dtypes[name].items() if d == "geometry")
            # the layer's own columns: not the store's (_row, the CRS84 columns)
            properties = [n for n, d in build.dtypes[name].items() if d != "geometry"]
            extent = conn.execute(
                f'SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT '
                f'ST_Extent(ST_Transform("{geometry}", 4326)) AS e FROM '
                f'"{build.schema}"."{name}") AS x').fetchone()
            resources[name] = {
                "bbox": [round(float(v), 4) for v in extent],
                "provider": {"name": "PostgreSQL", "data": data, "id_field": id_field,
                             "table": name, "geom_field": geometry, "properties": properties,
                             "storage_crs": EPSG_3006, "crs": [CRS84, EPSG_3006]}}
    return resources


def counts(url: str) -> tuple[int, int]:
    """``numberReturned`` and ``numberMatched`` of one items answer (asked with gzip)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
    document = json.loads(body)
    return len(document["features"]), document["numberMatched"]


def measure(app: str, env: dict[str, str], path: str, args: argparse.Namespace,
            workdir: Path) -> tuple[tuple[int, int], dict[str, float]]:
    """Serve ``app`` afresh (no backlog of an earlier run), warm it, count and drive ``path``."""
    with gunicorn(app, env, args.workers, args.threads) as (base, _):
        wait_until_up(base + path, timeout_s=120)
        warm_up(base, [path], rounds=2 * args.workers)
        return counts(base + path), run_wrk(base, [path], args.seconds, args.connections,
                                            workdir)


def main() -> None:
    """Run the comparison and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="a postgresql:// URL to use instead of a new cluster")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("load_test_postgis: needs wrk (Debian package wrk)")

    ours, uncached, theirs, ratios, uncached_ratios, mismatches = [], [], [], [], [], 0
    with tempfile.TemporaryDirectory(prefix="strukturbild-pgload-") as tmp:
        workdir = Path(tmp)
        with (running_cluster(workdir) if args.store is None
              else _given(args.store)) as url:
            build = national_build(url)
            print(f"Bygge {build.id} (hela landet), schema {build.schema}; "
                  f"{args.workers} gunicorn workers × {args.threads} threads for both, "
                  f"wrk {args.connections} connections × {args.seconds} s per request, "
                  f"Accept-Encoding: gzip", flush=True)
            config, openapi = pygeoapi_config(workdir, free_port(), peer_resources(url, build))
            peer_env = {"PYGEOAPI_CONFIG": str(config), "PYGEOAPI_OPENAPI": str(openapi),
                        "PYTHONWARNINGS": "ignore"}  # SQLAlchemy on the id_field as key
            for request in compared_requests():
                our_count, our_run = measure("gisapp:create_app()", {STORE_ENV: url},
                                             "/ogc" + request.ours, args, workdir)
                _, uncached_run = measure("gisapp:create_app()",
                                          {STORE_ENV: url, OGC_CACHE_ENV: "0"},
                                          "/ogc" + request.ours, args, workdir)
                their_count, their_run = measure("pygeoapi_peer:APP", peer_env,
                                                 request.pygeoapi, args, workdir)
                mismatches += our_count != their_count
                ratios.append(_ratio(our_run, their_run))
                uncached_ratios.append(_ratio(uncached_run, their_run))
                ours.append(our_run)
                uncached.append(uncached_run)
                theirs.append(their_run)
                print(f"{request.label}: returned, matched: ours {our_count}, pygeoapi "
                      f"{their_count} ({'same' if our_count == their_count else 'DIFFERENT'})")
                print_run("  Strukturbild, PostGIS store", our_run)
                print_run("  Strukturbild, answer cache off", uncached_run)
                print_run("  pygeoapi, PostgreSQL provider", their_run)
                print(f"  ours / pygeoapi: {ratios[-1]:.2f}× (cache off: "
                      f"{uncached_ratios[-1]:.2f}×)", flush=True)

    print(f"load_test_postgis items_rps_min={min(r['rps'] for r in ours):.1f} "
          f"pygeoapi_rps_max={max(r['rps'] for r in theirs):.1f} "
          f"p99_ms_max={max(r['p99_us'] for r in ours) / 1000:.1f} "
          f"errors={int(sum(r['errors'] for r in ours))} "
          f"uncached_rps_min={min(r['rps'] for r in uncached):.1f} "
          f"uncached_errors={int(sum(r['errors'] for r in uncached))} "
          f"pygeoapi_errors={int(sum(r['errors'] for r in theirs))} "
          f"ratio_min={min(ratios):.2f} uncached_ratio_min={min(uncached_ratios):.2f} "
          f"count_mismatches={mismatches}")


def _ratio(ours: dict[str, float], theirs: dict[str, float]) -> float:
    """Throughput ratio ours / theirs (infinite when theirs completed nothing)."""
    return ours["rps"] / theirs["rps"] if theirs["rps"] else float("inf")


@contextmanager
def _given(url: str) -> Iterator[str]:
    """The store named on the command line (left running)."""
    yield url


if __name__ == "__main__":
    main()
