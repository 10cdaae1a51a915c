"""Benchmark: load + classify the national 2023 GTFS feed, ours against gtfs_kit.

Each side runs in its own child process, on the same zip and the same service day (our
representative Tuesday); peak memory is that child's peak resident set from ``getrusage``,
interpreter and imports included:

* ours: :func:`data_sources.gtfs.parse` → service day → departures → route-direction classes →
  station statistics;
* peer: ``gtfs_kit.read_feed`` → ``gtfs_kit.compute_stop_stats`` for that date.

Both then report calls per stop_id (trips stopping there, terminating calls included, which
is what gtfs_kit's ``num_trips`` counts) and the parent compares them. Prints figures and ends
with ``bench_gtfs ours_s=… peer_s=… ratio=… peak_mb=… peer_peak_mb=… same_counts=…``.

Usage: ``.venv/bin/python scripts/bench_gtfs.py [--feed PATH] [--repeat N]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_FEED = "transport_osm/gtfs/sj_regional_national_2023.zip"


def run_ours(feed_path: Path, out: Path) -> dict:
    """Load and classify with our code; write calls per stop to ``out``; return figures."""
    from data_sources import gtfs
    from layers import avgangar
    from layers.settings import StomlinjeSettings
    from layers.trafikdag import representative_day

    settings = StomlinjeSettings()
    imported_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    feed = gtfs.parse(feed_path)
    day = representative_day(feed, weekday=settings.service_weekday)
    deps = avgangar.departures(feed, day, settings)
    routes = avgangar.route_directions(deps, settings)
    stations = avgangar.station_stats(deps, routes, feed, settings)
    seconds = time.perf_counter() - started
    calls = deps.groupby("stop_id")["trip_key"].nunique()
    calls.rename("calls").to_csv(out)
    return {"seconds": seconds, "imported_kb": imported_kb, "day": day.isoformat(),
            "stations": len(stations),
            "route_directions": len(routes), "stomlinje": int((routes["klass"] != "ovrig").sum())}


def run_peer(feed_path: Path, day: str, out: Path) -> dict:
    """Load and compute stop statistics with gtfs_kit for ``day``; write calls per stop."""
    import gtfs_kit

    imported_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    feed = gtfs_kit.read_feed(feed_path, dist_units="km")
    stats = gtfs_kit.compute_stop_stats(feed, dates=[day.replace("-", "")])
    seconds = time.perf_counter() - started
    stats.set_index("stop_id")["num_trips"].rename("calls").to_csv(out)
    return {"seconds": seconds, "imported_kb": imported_kb, "stops": len(stats)}


def _child(side: str, feed: Path, day: str | None) -> tuple[dict, Path, float, float]:
    """Run one side in a fresh interpreter: figures, counts file, peak MB, MB after imports."""
    out = Path(tempfile.mkstemp(prefix=f"bench_gtfs_{side}_", suffix=".csv")[1])
    args = [sys.executable, __file__, "--child", side, "--feed", str(feed), "--out", str(out)]
    if day:
        args += ["--day", day]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures, out, figures["peak_kb"] / 1024, figures["imported_kb"] / 1024


def _same_counts(ours: Path, peer: Path) -> tuple[bool, int, int]:
    """Compare calls per stop: equal on every stop either side lists (absent = 0)."""
    import pandas as pd

    a = pd.read_csv(ours, dtype={"stop_id": str}).set_index("stop_id")["calls"]
    b = pd.read_csv(peer, dtype={"stop_id": str}).set_index("stop_id")["calls"]
    both = pd.concat([a.rename("ours"), b.rename("peer")], axis=1).fillna(0)
    differ = int((both["ours"] != both["peer"]).sum())
    return differ == 0, len(both), differ


def main() -> None:
    """Run both sides ``--repeat`` times (best time kept) and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feed", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=("ours", "peer"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--day")
    args = parser.parse_args()
    if args.child:
        figures = (run_ours(args.feed, args.out) if args.child == "ours"
                   else run_peer(args.feed, args.day, args.out))
        # Peak resident memory of this child process (Linux reports kB).
        figures["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps(figures))
        return
    data_dir = Path(os.environ.get("STRUKTURBILD_DATA", Path(__file__).parents[2] / "shared/data"))
    feed = args.feed or data_dir / DEFAULT_FEED
    print(f"feed: {feed} ({feed.stat().st_size / 1e6:.1f} MB)")
    ours_runs = [_child("ours", feed, None) for _ in range(args.repeat)]
    day = ours_runs[0][0]["day"]
    ours_peak = max(run[2] for run in ours_runs)
    peer_runs = [_child("peer", feed, day) for _ in range(args.repeat)]
    peer_peak = max(run[2] for run in peer_runs)
    ours_s = min(run[0]["seconds"] for run in ours_runs)
    peer_s = min(run[0]["seconds"] for run in peer_runs)
    same, stops, differ = _same_counts(ours_runs[0][1], peer_runs[0][1])
    ours_work = ours_peak - max(run[3] for run in ours_runs)
    peer_work = peer_peak - max(run[3] for run in peer_runs)
    for _, path, _, _ in ours_runs + peer_runs:
        path.unlink(missing_ok=True)
    info = ours_runs[0][0]
    print(f"service day: {day} (our representative Tuesday)")
    print(f"ours: load+classify {ours_s:.2f} s (best of {args.repeat}), peak RSS "
          f"{ours_peak:.0f} MB ({ours_work:.0f} MB above the imports); "
          f"{info['stations']} stations, {info['route_directions']} "
          f"route-directions, {info['stomlinje']} stomlinje")
    print(f"gtfs_kit: read_feed+compute_stop_stats {peer_s:.2f} s, peak RSS {peer_peak:.0f} MB "
          f"({peer_work:.0f} MB above the imports)")
    print(f"calls per stop: {stops} stops compared, {differ} differ")
    print(f"bench_gtfs ours_s={ours_s:.3f} peer_s={peer_s:.3f} ratio={peer_s / ours_s:.2f} "
          f"peak_mb={ours_peak:.0f} peer_peak_mb={peer_peak:.0f} work_mb={ours_work:.0f} "
          f"peer_work_mb={peer_work:.0f} same_counts={str(same).lower()}")


if __name__ == "__main__":
    main()
