"""A benchmark-sized GTFS feed made by REPLICATING a real feed's trips (never used as data).

:func:`replicate` copies the real feed's ``trips`` and ``stop_times`` as many times as it
takes to reach a row count; every copy gets new trip ids (``<trip_id>_REPLICA<k>``) and
keeps everything else as published (stops, routes, services, times). The tables that only
describe places and services (agency, routes, stops, calendar, calendar_dates, shapes) are
copied unchanged; ``transfers`` and ``attributions`` name trips and are left out. The
folder gets a ``README.txt`` saying what it is. Departures per stop on any day are exactly
``copies`` times the real feed's.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SUFFIX = "_REPLICA"
COPIED = ("agency", "routes", "stops", "calendar", "calendar_dates", "shapes")
REPLICATED = ("trips", "stop_times")


@dataclass(frozen=True)
class Replica:
    """A replicated feed folder: how many copies of the source's trips, stop_times rows."""

    path: Path
    source: Path
    copies: int
    stop_times: int

    @property
    def label(self) -> str:
        """One line saying what the feed is (printed by the benchmark, written to README)."""
        return (f"REPLICATED feed for benchmarking, not data: {self.copies} copies of the trips "
                f"and stop_times of {self.source.name} (trip ids suffixed {SUFFIX}<k>), "
                f"{self.stop_times} stop_times rows")


def replicate(source: Path, out: Path, *, min_stop_times: int) -> Replica:
    """Write into the folder ``out`` a copy of the zip ``source`` with its trips replicated.

    The number of copies is the smallest that gives at least ``min_stop_times`` stop_times
    rows (at least one).
    """
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as archive:
        names = {Path(n).stem: n for n in archive.namelist()}
        for table in COPIED:
            if table in names:
                (out / f"{table}.txt").write_bytes(archive.read(names[table]))
        raw = {t: pd.read_csv(archive.open(names[t]), dtype=str, keep_default_na=False)
               for t in REPLICATED}
    copies = max(1, math.ceil(min_stop_times / len(raw["stop_times"])))
    for table, frame in raw.items():
        path = out / f"{table}.txt"
        for k in range(copies):
            frame.assign(trip_id=frame["trip_id"] + f"{SUFFIX}{k}").to_csv(
                path, mode="w" if k == 0 else "a", header=k == 0, index=False)
    replica = Replica(out, source, copies, copies * len(raw["stop_times"]))
    (out / "README.txt").write_text(replica.label + "\n")
    return replica
