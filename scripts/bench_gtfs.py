"""Benchmark: load + classify the national 2023 GTFS feed, ours against gtfs_kit.

Each side runs in its own child process, on the same zip and the same service day (our
representative Tuesday); peak memory is that child's peak resident set from ``getrusage``,
interpreter and imports included:

* ours: :func:`data_sources.gtfs.parse` → :func:`layers.tidtabeller.merge` (station keys from
  Trafikverket's register) → corridors along the RINF network → segment classes → station
  statistics;
* peer: ``gtfs_kit.read_feed`` → ``gtfs_kit.compute_stop_stats`` for that date.

Two checks, each against a count made without our code:

* calls per stop_id (trips stopping there, terminating calls included, which is what
  gtfs_kit's ``num_trips`` counts), ours against gtfs_kit;
* trips per segment between consecutive stops (both directions, stop-to-stop: our corridor
  counting without the RINF network), ours against an independent count made here with plain
  pandas over the raw zip (calendar, calendar_dates, stop_times, parent stations).

Prints figures and ends with ``bench_gtfs ours_s=… peer_s=… ratio=… peak_mb=… peer_peak_mb=…
same_counts=… same_segments=…``.

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
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_FEED = "transport_osm/gtfs/sj_regional_national_2023.zip"


def run_ours(feed_path: Path, data_dir: Path, out: Path) -> dict:
    """Load, merge and classify with our code; write calls per stop and segments; figures."""
    import geopandas as gpd

    from data_sources import gtfs, rinf, stationer
    from layers import bannat, hallplatser, korridorer, tidtabeller
    from layers.settings import StomlinjeSettings

    settings = StomlinjeSettings()
    register = stationer.load(data_dir)
    network = rinf.load(data_dir)
    imported_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    feed = gtfs.parse(feed_path)
    natdag = tidtabeller.merge([("feed", feed)], register, settings)
    net = bannat.attach(bannat.graph(network), gpd.GeoDataFrame(
        natdag.stations[["geometry"]], crs=natdag.stations.crs), match_m=settings.rinf_match_m,
        snap_m=settings.rinf_snap_m)
    along = korridorer.corridors(natdag, net, settings)
    segments = korridorer.segment_table(along, settings)
    stations = hallplatser.station_stats(natdag, settings)
    seconds = time.perf_counter() - started
    natdag.deps.groupby("stop_id")["trip_key"].nunique().rename("calls").to_csv(out)
    stop_to_stop = korridorer.segment_table(korridorer.corridors(natdag, None, settings),
                                            settings)
    keys = natdag.deps[["station_id", "nyckel"]].drop_duplicates()
    stop_to_stop[["fran", "till", "turer_dag"]].to_csv(out.with_suffix(".segments.csv"),
                                                         index=False)
    keys.to_csv(out.with_suffix(".keys.csv"), index=False)
    strong = segments[segments["klass"] == "stark_stomlinje"]
    names = natdag.stations["namn"]
    return {"seconds": seconds, "imported_kb": imported_kb,
            "day": natdag.dag.days[0].isoformat(), "stations": len(stations),
            "segments": len(segments), "along_rinf": int((along.geometry["geometri"]
                                                           == "bannat").sum()),
            "stark": [f"{names.get(a, a)}–{names.get(b, b)}" for a, b in
                      zip(strong["fran"], strong["till"], strict=True)],
            "max_corridor": float(segments["turer_dag"].max()) if len(segments) else 0.0}


def independent_segments(feed_path: Path, day: str) -> pd.Series:
    """Trips per day on each pair of consecutive stations, both directions, from the raw zip.

    Index: ``(station_id, station_id)`` sorted; stations are parent stations (or the stop).
    """
    import pandas as pd

    with zipfile.ZipFile(feed_path) as archive:
        def raw(table: str) -> pd.DataFrame:
            return pd.read_csv(archive.open(f"{table}.txt"), dtype=str, keep_default_na=False)

        cal, cd, trips, st, stops = (raw(t) for t in ("calendar", "calendar_dates", "trips",
                                                       "stop_times", "stops"))
    stamp, weekday = day.replace("-", ""), pd.Timestamp(day).day_name().lower()
    running = set(cal.loc[(cal["start_date"] <= stamp) & (cal["end_date"] >= stamp)
                          & (cal[weekday] == "1"), "service_id"])
    running |= set(cd.loc[(cd["date"] == stamp) & (cd["exception_type"] == "1"), "service_id"])
    running -= set(cd.loc[(cd["date"] == stamp) & (cd["exception_type"] == "2"), "service_id"])
    st = st[st["trip_id"].isin(trips.loc[trips["service_id"].isin(running), "trip_id"])].copy()
    parent = dict(zip(stops["stop_id"], stops["parent_station"].where(
        stops["parent_station"] != "", stops["stop_id"]), strict=True))
    st["station"] = st["stop_id"].map(parent)
    st["seq"] = st["stop_sequence"].astype(int)
    st = st.sort_values(["trip_id", "seq"])
    st["next"] = st.groupby("trip_id")["station"].shift(-1)
    hops = st.dropna(subset=["next"])
    hops = hops[hops["station"] != hops["next"]]
    pairs = [tuple(sorted(p)) for p in zip(hops["station"], hops["next"], strict=True)]
    return hops.assign(pair=pairs).groupby("pair")["trip_id"].nunique()


def _same_segments(ours: Path, feed: Path, day: str) -> tuple[bool, int, int]:
    """Compare trips per segment: ours (station keys) against :func:`independent_segments`."""
    import pandas as pd

    keys = pd.read_csv(ours.with_suffix(".keys.csv"), dtype=str)
    key_of = dict(zip(keys["station_id"], keys["nyckel"], strict=True))
    expected = independent_segments(feed, day)
    pairs = [tuple(sorted((key_of[a], key_of[b]))) for a, b in expected.index]
    expected = pd.Series(expected.to_numpy(), index=pd.MultiIndex.from_tuples(pairs))
    expected = expected[[a != b for a, b in expected.index]].groupby(level=[0, 1]).sum()
    segments = pd.read_csv(ours.with_suffix(".segments.csv"), dtype={"fran": str, "till": str})
    got = segments.set_index(["fran", "till"])["turer_dag"]
    both = pd.concat([got.rename("ours"), expected.rename("independent")], axis=1).fillna(0)
    differ = int((both["ours"] != both["independent"]).sum())
    return differ == 0, len(both), differ


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


def _data_dir() -> Path:
    """The data directory: ``$STRUKTURBILD_DATA`` or ``../shared/data``."""
    return Path(os.environ.get("STRUKTURBILD_DATA", Path(__file__).parents[2] / "shared/data"))


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
        figures = (run_ours(args.feed, _data_dir(), args.out) if args.child == "ours"
                   else run_peer(args.feed, args.day, args.out))
        # Peak resident memory of this child process (Linux reports kB).
        figures["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps(figures))
        return
    feed = args.feed or _data_dir() / DEFAULT_FEED
    print(f"feed: {feed} ({feed.stat().st_size / 1e6:.1f} MB)")
    ours_runs = [_child("ours", feed, None) for _ in range(args.repeat)]
    day = ours_runs[0][0]["day"]
    ours_peak = max(run[2] for run in ours_runs)
    peer_runs = [_child("peer", feed, day) for _ in range(args.repeat)]
    peer_peak = max(run[2] for run in peer_runs)
    ours_s = min(run[0]["seconds"] for run in ours_runs)
    peer_s = min(run[0]["seconds"] for run in peer_runs)
    same, stops, differ = _same_counts(ours_runs[0][1], peer_runs[0][1])
    same_segments, segments, segments_differ = _same_segments(ours_runs[0][1], feed, day)
    ours_work = ours_peak - max(run[3] for run in ours_runs)
    peer_work = peer_peak - max(run[3] for run in peer_runs)
    for _, path, _, _ in ours_runs + peer_runs:
        for written in (path, path.with_suffix(".segments.csv"), path.with_suffix(".keys.csv")):
            written.unlink(missing_ok=True)
    info = ours_runs[0][0]
    print(f"service day: {day} (our representative Tuesday)")
    print(f"ours: load+classify {ours_s:.2f} s (best of {args.repeat}), peak RSS "
          f"{ours_peak:.0f} MB ({ours_work:.0f} MB above the imports); "
          f"{info['stations']} stations, {info['segments']} network segments "
          f"({info['along_rinf']} drawn along RINF), busiest corridor "
          f"{info['max_corridor']:.0f} trips/day; stark stomlinje: "
          f"{', '.join(info['stark']) or 'none'}")
    print(f"gtfs_kit: read_feed+compute_stop_stats {peer_s:.2f} s, peak RSS {peer_peak:.0f} MB "
          f"({peer_work:.0f} MB above the imports)")
    print(f"calls per stop: {stops} stops compared, {differ} differ")
    print(f"trips per stop-to-stop segment: {segments} segments compared with an independent "
          f"pandas count, {segments_differ} differ")
    print(f"bench_gtfs ours_s={ours_s:.3f} peer_s={peer_s:.3f} ratio={peer_s / ours_s:.2f} "
          f"peak_mb={ours_peak:.0f} peer_peak_mb={peer_peak:.0f} work_mb={ours_work:.0f} "
          f"peer_work_mb={peer_work:.0f} same_counts={str(same).lower()} "
          f"same_segments={str(same_segments).lower()}")


if __name__ == "__main__":
    main()
