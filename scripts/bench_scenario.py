"""Benchmark: one service point removed, moved or added, on a build of the real Värmland data.

Origins are the build's ``tillganglighet`` origins — with the SCB population grid, every
square's tätort part and landsbygd part (about 6 000 in Värmland). Measured in one run:

* ours: :func:`layers.scenario.run` with today's result taken from the build (only the
  category a change touches is searched again), and ``/api/scenario`` end to end through the
  Flask test client (parsing, the run, the JSON answer);
* peer: the same scenario without the build's stored result (today's distances searched
  again too), which must give the same population counts.

Distances are the build's own: along its stored road network when it has one, else straight
line (the development data has no road network for Värmland). Ends with ``bench_scenario
origins=… ours_s=… api_s=… peer_s=… ratio=… same_counts=…`` (seconds: the slowest of the
three changes, each the median of ``--repeat`` runs).

Usage: ``.venv/bin/python scripts/bench_scenario.py [--build-dir DIR] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import statistics
import time

from _builds import current_build
from pyproj import Transformer

from gisapp.scenario.service import run_on_build
from layers import scenario, tillganglighet

TO_WGS = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)


def median_s(func, repeat: int) -> tuple[float, object]:
    """Median wall time of ``func()`` over ``repeat`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def peer(build, changes: list[scenario.Change], km: float) -> scenario.ScenarioResult:
    """The same scenario without the build's stored result: today is recomputed too."""
    limits = scenario.Limits(km=km, minutes=20.0,
                             snap_speed_kmh=build.manifest["settings"]["snap_speed_kmh"])
    return scenario.run(tillganglighet.origins_of(build.layer("tillganglighet")),
                        build.layer("service"), changes, build.network, limits=limits)


def main() -> None:
    """Run the three changes and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", help="use this build directory's current build")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    build, client = current_build(args.build_dir)
    service = build.layer("service")
    pharmacy = service[service["kategori"] == "apotek"].iloc[0]
    x, y = pharmacy.geometry.x + 5_000, pharmacy.geometry.y
    lon, lat = TO_WGS.transform(x, y)
    cases = {
        "remove": ([scenario.Change("remove", id=pharmacy["id"])],
                   {"ta_bort": pharmacy["id"]}),
        "move": ([scenario.Change("move", id=pharmacy["id"], x=x, y=y)],
                 {"flytta": f"{pharmacy['id']}@{lon:.5f},{lat:.5f}"}),
        "add": ([scenario.Change("add", kategori="apotek", x=x, y=y)],
                {"lagg_till": f"apotek@{lon:.5f},{lat:.5f}"}),
    }
    km = 10.0
    origins = tillganglighet.origins_of(build.layer("tillganglighet"))
    method = build.manifest["layers"]["tillganglighet"]["tillganglighet"]["metod"]
    print(f"build {build.id}: {len(origins)} origins ({origins['rutid_scb'].notna().sum()} from "
          f"grid squares), {len(service)} service points, distances {method}")
    worst = {"ours": 0.0, "api": 0.0, "peer": 0.0}
    same = True
    for name, (changes, query) in cases.items():
        ours_s, result = median_s(lambda c=changes: run_on_build(build, c, km=km, minutes=20.0),
                                  args.repeat)
        api_s, response = median_s(
            lambda q=query: client.get("/api/scenario", query_string={**q, "km": str(km)}),
            args.repeat)
        assert response.status_code == 200, response.get_json()
        peer_s, expected = median_s(lambda c=changes: peer(build, c, km), 1)
        same &= result.summary.reset_index(drop=True).equals(
            expected.summary.reset_index(drop=True))
        changed = result.per_origin["km_efter"] != result.per_origin["km_fore"]
        print(f"{name}: ours {ours_s * 1000:.0f} ms, API {api_s * 1000:.0f} ms, peer "
              f"{peer_s * 1000:.0f} ms; {int(changed.sum())} origins change, "
              f"{int(result.per_origin.loc[changed, 'befolkning'].sum())} persons")
        worst = {k: max(worst[k], v) for k, v in (("ours", ours_s), ("api", api_s),
                                                   ("peer", peer_s))}
    print(f"bench_scenario origins={len(origins)} ours_s={worst['ours']:.3f} "
          f"api_s={worst['api']:.3f} peer_s={worst['peer']:.3f} "
          f"ratio={worst['peer'] / worst['ours']:.1f} same_counts={str(same).lower()}")


if __name__ == "__main__":
    main()
