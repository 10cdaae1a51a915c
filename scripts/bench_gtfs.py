"""Benchmark GTFS: ours against gtfs_kit and plain pyarrow, on the real and a replicated feed.

Every contender runs in its own fresh process (:mod:`_measure`): time from the call, peak
resident memory above the process's size after its imports. Two parts:

[1] REAL national 2023 feed, load + classify. Ours: :func:`data_sources.gtfs.parse` →
    :func:`layers.tidtabeller.merge` (station keys from Trafikverket's register) → corridors
    along the RINF network → segment classes → station statistics. gtfs_kit:
    ``read_feed`` → ``compute_stop_stats`` for the same day (our representative Tuesday).
    Checks: calls per stop_id ours = gtfs_kit's ``num_trips``; trips per stop-to-stop
    segment ours = an independent pandas count over the raw zip.

[2] REPLICATED feed of ≥ ``--min-stop-times`` rows (the real feed's trips copied with new
    trip ids, :mod:`_gtfs_replica`; labelled, never data), load + departures per stop on the
    same day. Ours: :func:`data_sources.gtfs.parse` → :func:`layers.avgangar.departures`;
    gtfs_kit: ``read_feed`` → ``get_stop_times(date)``; pyarrow: the plainest correct code
    (:func:`pyarrow_departures`). A departure is a call where boarding is allowed
    (``pickup_type`` ≠ 1) that is not its trip's last. Check: the three give the same count
    for every stop. Targets (issue 18): ours ≥ 2× faster than gtfs_kit, and at most 1.5× the
    time of pyarrow.

Ends with ``bench_gtfs key=value …``.

Usage: ``.venv/bin/python scripts/bench_gtfs.py [--feed ZIP] [--repeat N] [--parts 12]
[--min-stop-times N] [--replica-dir DIR]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _gtfs_replica import replicate  # noqa: E402 (scripts/ is on the path: this file's folder)
from _measure import run_fresh  # noqa: E402

DEFAULT_FEED = "transport_osm/gtfs/sj_regional_national_2023.zip"
TIMEOUT_S = 1800.0
TARGET_VS_GTFS_KIT = 2.0
TARGET_VS_PYARROW = 1.5


# --------------------------------------------------------------------------- [1] real feed
def classify_inputs(data_dir: str) -> tuple:
    """Trafikverket's station register and the RINF network (loaded before the clock)."""
    from data_sources import rinf, stationer

    return stationer.load(Path(data_dir)), rinf.load(Path(data_dir))


def ours_classify(register, network, feed: str) -> dict:
    """Load, merge and classify with our code; calls per stop, segments and figures.

    ``seconds`` is the load + classify time; the stop-to-stop count for the check after it
    is left out.
    """
    import geopandas as gpd

    from data_sources import gtfs
    from layers import bannat, hallplatser, korridorer, tidtabeller
    from layers.settings import StomlinjeSettings

    settings = StomlinjeSettings()
    started = time.perf_counter()
    natdag = tidtabeller.merge([("feed", gtfs.parse(Path(feed)))], register, settings)
    net = bannat.attach(bannat.graph(network), gpd.GeoDataFrame(
        natdag.stations[["geometry"]], crs=natdag.stations.crs), match_m=settings.rinf_match_m,
        snap_m=settings.rinf_snap_m)
    along = korridorer.corridors(natdag, net, settings)
    segments = korridorer.segment_table(along, settings)
    stations = hallplatser.station_stats(natdag, settings)
    seconds = time.perf_counter() - started
    stop_to_stop = korridorer.segment_table(korridorer.corridors(natdag, None, settings),
                                            settings)
    strong = segments[segments["klass"] == "stark_stomlinje"]
    names = natdag.stations["namn"]
    return {"seconds": seconds, "day": natdag.dag.days[0].isoformat(),
            "calls": natdag.deps.groupby("stop_id")["trip_key"].nunique(),
            "segments_stop_to_stop": stop_to_stop[["fran", "till", "turer_dag"]],
            "keys": natdag.deps[["station_id", "nyckel"]].drop_duplicates(),
            "stations": len(stations), "segments": len(segments),
            "along_rinf": int((along.geometry["geometri"] == "bannat").sum()),
            "stark": [f"{names.get(a, a)}–{names.get(b, b)}" for a, b in
                      zip(strong["fran"], strong["till"], strict=True)],
            "max_corridor": float(segments["turer_dag"].max()) if len(segments) else 0.0}


def gtfs_kit_stats(feed: str, day: str) -> pd.Series:
    """gtfs_kit: ``read_feed`` → ``compute_stop_stats`` for ``day``; calls per stop."""
    import gtfs_kit

    stats = gtfs_kit.compute_stop_stats(gtfs_kit.read_feed(feed, dist_units="km"),
                                        dates=[day.replace("-", "")])
    return stats.set_index("stop_id")["num_trips"]


def independent_segments(feed_path: Path, day: str) -> pd.Series:
    """Trips per day on each pair of consecutive stations, both directions, from the raw zip.

    Index: ``(station_id, station_id)`` sorted; stations are parent stations (or the stop).
    """
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


def same_segments(ours: dict, feed: Path, day: str) -> tuple[int, int]:
    """Segments compared and how many differ: ours (station keys) vs the independent count."""
    key_of = dict(zip(ours["keys"]["station_id"], ours["keys"]["nyckel"], strict=True))
    expected = independent_segments(feed, day)
    pairs = [tuple(sorted((key_of[a], key_of[b]))) for a, b in expected.index]
    expected = pd.Series(expected.to_numpy(), index=pd.MultiIndex.from_tuples(pairs))
    expected = expected[[a != b for a, b in expected.index]].groupby(level=[0, 1]).sum()
    got = ours["segments_stop_to_stop"].set_index(["fran", "till"])["turer_dag"]
    return differing(got, expected)


# --------------------------------------------------------------------------- [2] replica
def ours_departures(feed: str, day: str) -> pd.Series:
    """Ours: parse the feed, departures of the day, counted per stop_id."""
    from data_sources import gtfs
    from layers import avgangar
    from layers.settings import StomlinjeSettings

    calls = avgangar.departures(gtfs.parse(Path(feed)), date.fromisoformat(day),
                                StomlinjeSettings())
    return calls[calls["avgang"]].groupby("stop_id").size()


def gtfs_kit_departures(feed: str, day: str) -> pd.Series:
    """gtfs_kit: ``read_feed``, ``get_stop_times(date)``, departures counted per stop_id."""
    import gtfs_kit

    st = gtfs_kit.read_feed(feed, dist_units="km").get_stop_times(day.replace("-", ""))
    last = st.groupby("trip_id")["stop_sequence"].transform("max")
    boards = st["pickup_type"].fillna(0).astype(int) != 1
    return st[boards & (st["stop_sequence"] != last)].groupby("stop_id").size()


def pyarrow_departures(feed: str, day: str) -> pd.Series:
    """Plain pyarrow: read the needed columns, keep the day's trips, count per stop_id."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    def read(table: str, types: dict) -> pa.Table:
        return pacsv.read_csv(Path(feed) / f"{table}.txt", convert_options=pacsv.ConvertOptions(
            include_columns=list(types), column_types=types))

    text, stamp = pa.string(), day.replace("-", "")
    weekday = date.fromisoformat(day).strftime("%A").lower()
    cal = read("calendar", {"service_id": text, weekday: pa.int8(), "start_date": text,
                            "end_date": text})
    weekly = cal.filter((pc.field(weekday) == 1) & (pc.field("start_date") <= stamp)
                        & (pc.field("end_date") >= stamp))["service_id"]
    dates = read("calendar_dates", {"service_id": text, "date": text,
                                    "exception_type": pa.int8()}).filter(pc.field("date") == stamp)
    added = dates.filter(pc.field("exception_type") == 1)["service_id"]
    removed = dates.filter(pc.field("exception_type") == 2)["service_id"]
    running = pa.chunked_array([*weekly.chunks, *added.chunks], type=text)
    running = running.filter(pc.invert(pc.is_in(running, removed.combine_chunks())))
    trips = read("trips", {"trip_id": text, "service_id": text}).filter(
        pc.field("service_id").isin(running.combine_chunks()))
    st = read("stop_times", {"trip_id": text, "stop_id": text, "stop_sequence": pa.int32(),
                             "pickup_type": pa.int8()}).filter(
        pc.field("trip_id").isin(trips["trip_id"].combine_chunks()))
    st = st.join(st.group_by("trip_id").aggregate([("stop_sequence", "max")]), "trip_id")
    departs = st.filter((pc.field("stop_sequence") != pc.field("stop_sequence_max"))
                        & (pc.field("pickup_type").is_null() | (pc.field("pickup_type") != 1)))
    counts = departs.group_by("stop_id").aggregate([("stop_id", "count")])
    return pd.Series(counts["stop_id_count"].to_numpy(), index=counts["stop_id"].to_pylist())


# --------------------------------------------------------------------------- runs, report
def differing(a: pd.Series, b: pd.Series) -> tuple[int, int]:
    """Keys compared (either side) and how many values differ (absent counts as 0)."""
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1).fillna(0)
    return len(both), int((both["a"] != both["b"]).sum())


def best(func, *args, repeat: int, **kwargs) -> dict:
    """Run ``func`` ``repeat`` times in fresh processes: least time, most memory, first value."""
    runs = [run_fresh(func, *args, timeout=TIMEOUT_S, **kwargs) for _ in range(repeat)]
    failed = [r for r in runs if r["status"] != "ok"]
    if failed:
        sys.exit(f"{func.__name__}: {failed[0]['status']}: {failed[0]['why']}")
    return {"seconds": min(r["seconds"] for r in runs),
            "cpu": min(r["cpu_seconds"] for r in runs), "mb": max(r["mb"] for r in runs),
            "value": runs[0]["value"]}


def real_feed(feed: Path, data_dir: Path, repeat: int) -> dict:
    """Part [1]; prints its lines and returns the figures for the key=value line."""
    ours = best(ours_classify, str(feed), repeat=repeat, setup=classify_inputs,
                setup_args=(str(data_dir),), imports=("data_sources.gtfs", "layers.tidtabeller"))
    info = ours["value"]
    ours["seconds"] = info["seconds"]  # load + classify, without the check's extra count
    day = info["day"]
    peer = best(gtfs_kit_stats, str(feed), day, repeat=repeat, imports=("gtfs_kit",))
    stops, calls_differ = differing(info["calls"], peer["value"])
    segments, segments_differ = same_segments(info, feed, day)
    print(f"[1] REAL feed {feed.name} ({feed.stat().st_size / 1e6:.1f} MB), service day {day} "
          f"(our representative Tuesday), best of {repeat}:")
    print(f"    ours     load+classify {ours['seconds']:.2f} s, peak +{ours['mb']:.0f} MB; "
          f"{info['stations']} stations, {info['segments']} network segments "
          f"({info['along_rinf']} drawn along RINF), busiest corridor "
          f"{info['max_corridor']:.0f} trips/day; stark stomlinje: "
          f"{', '.join(info['stark']) or 'none'}")
    print(f"    gtfs_kit read_feed+compute_stop_stats {peer['seconds']:.2f} s, "
          f"peak +{peer['mb']:.0f} MB")
    print(f"    calls per stop: {stops} stops compared, {calls_differ} differ; trips per "
          f"stop-to-stop segment: {segments} compared with an independent pandas count, "
          f"{segments_differ} differ")
    return {"day": day, "ours_s": ours["seconds"], "peer_s": peer["seconds"],
            "ratio": peer["seconds"] / ours["seconds"], "mb": ours["mb"], "peer_mb": peer["mb"],
            "same_counts": calls_differ == 0, "same_segments": segments_differ == 0}


def replicated_feed(source: Path, folder: Path, day: str, args) -> dict:
    """Part [2]; prints its lines and returns the figures for the key=value line."""
    replica = replicate(source, folder, min_stop_times=args.min_stop_times)
    print(f"[2] {replica.label}; service day {day}, best of {args.repeat}:")
    sides = {"ours": best(ours_departures, str(folder), day, repeat=args.repeat,
                          imports=("data_sources.gtfs", "layers.avgangar")),
             "gtfs_kit": best(gtfs_kit_departures, str(folder), day, repeat=args.repeat,
                              imports=("gtfs_kit",)),
             "pyarrow": best(pyarrow_departures, str(folder), day, repeat=args.repeat,
                             imports=("pyarrow.csv", "pyarrow.compute", "pandas"))}
    for name, side in sides.items():
        print(f"    {name:8s} load+departures per stop {side['seconds']:7.2f} s "
              f"(CPU {side['cpu']:6.2f} s), peak +{side['mb']:.0f} MB")
    ours = sides["ours"]
    stops, vs_kit = differing(ours["value"], sides["gtfs_kit"]["value"])
    _, vs_arrow = differing(ours["value"], sides["pyarrow"]["value"])
    print(f"    departures per stop: {stops} stops, {int(ours['value'].sum())} departures "
          f"(ours); differ from gtfs_kit at {vs_kit} stops, from pyarrow at {vs_arrow}")
    faster = sides["gtfs_kit"]["seconds"] / ours["seconds"]
    slower = ours["seconds"] / sides["pyarrow"]["seconds"]
    cpu_faster = sides["gtfs_kit"]["cpu"] / ours["cpu"]
    cpu_slower = ours["cpu"] / sides["pyarrow"]["cpu"]
    print(f"    targets (wall time): ours {faster:.2f}× faster than gtfs_kit "
          f"(≥ {TARGET_VS_GTFS_KIT}: {'met' if faster >= TARGET_VS_GTFS_KIT else 'NOT met'}); "
          f"ours {slower:.2f}× "
          f"pyarrow's time (≤ {TARGET_VS_PYARROW}: "
          f"{'met' if slower <= TARGET_VS_PYARROW else 'NOT met'}); by CPU time "
          f"{cpu_faster:.2f}× and {cpu_slower:.2f}×")
    return {"replica_rows": replica.stop_times, "replica_ours_s": ours["seconds"],
            "replica_gtfs_kit_s": sides["gtfs_kit"]["seconds"],
            "replica_pyarrow_s": sides["pyarrow"]["seconds"], "replica_mb": ours["mb"],
            "replica_gtfs_kit_mb": sides["gtfs_kit"]["mb"],
            "replica_pyarrow_mb": sides["pyarrow"]["mb"], "vs_gtfs_kit": faster,
            "vs_pyarrow": slower, "cpu_vs_gtfs_kit": cpu_faster, "cpu_vs_pyarrow": cpu_slower,
            "same_departures": vs_kit == 0 and vs_arrow == 0}


def representative_tuesday(feed: Path) -> str:
    """The feed's busiest Tuesday (ISO date), the day part [1] analyses."""
    from data_sources import gtfs
    from layers import trafikdag

    return trafikdag.representative_day(gtfs.parse(feed), weekday=1).isoformat()


def _data_dir() -> Path:
    """The data directory: ``$STRUKTURBILD_DATA`` or ``../shared/data``."""
    return Path(os.environ.get("STRUKTURBILD_DATA", Path(__file__).parents[2] / "shared/data"))


def _formatted(value) -> str:
    """A key=value figure: booleans lower case, floats with three decimals."""
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def main() -> None:
    """Run both parts and print the key=value line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feed", type=Path, help="real feed zip (default: the national 2023)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per contender (best kept)")
    parser.add_argument("--min-stop-times", type=int, default=5_000_000)
    parser.add_argument("--replica-dir", type=Path,
                        help="where to write the replicated feed (default: a temporary folder)")
    parser.add_argument("--parts", default="12", help="which parts: 1 real feed, 2 replica "
                        "(default 12; part 2 alone runs on the feed's representative Tuesday)")
    args = parser.parse_args()
    feed = args.feed or _data_dir() / DEFAULT_FEED
    figures = real_feed(feed, _data_dir(), args.repeat) if "1" in args.parts else {}
    day = figures.pop("day", None) or representative_tuesday(feed)
    if "2" not in args.parts:
        print("bench_gtfs " + " ".join(f"{k}={_formatted(v)}" for k, v in figures.items()))
        return
    if args.replica_dir:
        figures |= replicated_feed(feed, args.replica_dir, day, args)
    else:
        with tempfile.TemporaryDirectory(prefix="bench_gtfs_replica_") as tmp:
            figures |= replicated_feed(feed, Path(tmp), day, args)
    print("bench_gtfs " + " ".join(f"{k}={_formatted(v)}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
