"""stop_times kept as codes and typed on demand: a day's trips alone, or the whole table.

Guards :meth:`data_sources.gtfs.Feed.stop_times_of` (only some trips typed), the shortcut of
:attr:`~data_sources.gtfs.Feed.trip_codes` for a trips.txt in stop_times' order, and that
the checks at load still name the rows as the sorted table lists them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data_sources import gtfs
from data_sources.errors import DataError
from tests.gtfs_text import write_feed


def _calls(frame: pd.DataFrame) -> list[tuple]:
    """(trip_id, stop_sequence, stop_id, departure_s) of every row, in the frame's order."""
    return list(zip(frame["trip_id"].astype(str), frame["stop_sequence"].tolist(),
                    frame["stop_id"].astype(str), frame["departure_s"].tolist(), strict=True))


def _raw_calls(raw_stop_times: pd.DataFrame, trips: set[str]) -> list[tuple]:
    """The same tuples from the raw text, for ``trips``, sorted with plain Python.

    Departures are the file's departure_time (the rail feed times every call).
    """
    rows = raw_stop_times[raw_stop_times["trip_id"].isin(trips)]
    seconds = [int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in
               rows["departure_time"].str.split(":")]
    return sorted(zip(rows["trip_id"], rows["stop_sequence"].astype(int), rows["stop_id"],
                      seconds, strict=True))


def test_the_calls_of_some_trips_are_those_of_the_raw_file(data_dir: Path, raw) -> None:
    """Every third trip of the real rail feed: its calls from the raw file, sorted, and
    categories holding only the ids those calls use."""
    feed = gtfs.load_rail(data_dir)
    raw_stop_times = raw(data_dir / gtfs.RAIL_DIR, "stop_times")
    chosen = np.arange(len(feed.trips)) % 3 == 0
    some = feed.stop_times_of(chosen)
    trips = set(feed.trips.loc[chosen, "trip_id"])
    assert _calls(some) == _raw_calls(raw_stop_times, trips)
    assert set(some["trip_id"].cat.categories) == trips
    assert set(some["stop_id"].cat.categories) == set(
        raw_stop_times.loc[raw_stop_times["trip_id"].isin(trips), "stop_id"])
    assert list(some.columns) == list(feed.stop_times.columns)


def test_all_trips_or_none(data_dir: Path, raw) -> None:
    feed = gtfs.load_rail(data_dir)
    everything = feed.stop_times_of(np.ones(len(feed.trips), dtype=bool))
    assert _calls(everything) == _calls(feed.stop_times) == _raw_calls(
        raw(data_dir / gtfs.RAIL_DIR, "stop_times"), set(feed.trips["trip_id"]))
    assert feed.stop_times_of(np.zeros(len(feed.trips), dtype=bool)).empty


def test_trips_listed_in_another_order_than_stop_times_find_their_calls(rail_copy: Path,
                                                                         raw) -> None:
    """trips.txt reversed: no shortcut; each trip still gets its own calls."""
    trips = raw(rail_copy, "trips")
    trips.iloc[::-1].to_csv(rail_copy / "trips.txt", index=False)
    feed = gtfs.parse(rail_copy)
    assert feed.trips["trip_id"].tolist() == trips["trip_id"].tolist()[::-1]
    first = np.arange(len(feed.trips)) < 5
    assert _calls(feed.stop_times_of(first)) == _raw_calls(
        raw(rail_copy, "stop_times"), set(trips["trip_id"].iloc[::-1].iloc[:5]))


TABLES = {
    "stops": "stop_id,stop_name,stop_lat,stop_lon\ns1,A,59.38,13.50\ns2,B,59.40,13.52",
    "routes": "route_id,route_type\nr,2",
    "calendar": ("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
                 "start_date,end_date\nw,1,1,1,1,1,0,0,20240101,20241231"),
}
TIMES = "trip_id,arrival_time,departure_time,stop_id,stop_sequence"


def test_a_trip_with_an_empty_id_in_trips_does_not_stand_in_for_a_missing_one(
        tmp_path: Path) -> None:
    """trips.txt holds ``a`` and an empty id, stop_times calls ``a`` and ``b``: as many
    trips as trip ids called, yet ``b`` is missing from trips.txt."""
    tables = TABLES | {
        "trips": "route_id,service_id,trip_id\nr,w,a\nr,w,",
        "stop_times": (f"{TIMES}\na,08:00:00,08:00:00,s1,1\na,08:10:00,08:10:00,s2,2\n"
                       "b,09:00:00,09:00:00,s1,1\nb,09:10:00,09:10:00,s2,2"),
    }
    with pytest.raises(gtfs.GtfsReferenceError, match=r"trip_id 'b' in row\(s\) 'b#1', 'b#2'"):
        write_feed(tmp_path, tables)


def test_repeated_calls_of_several_trips_are_listed_as_the_sorted_table_lists_them(
        tmp_path: Path) -> None:
    """Trips ``z`` then ``a`` in the file, both with a repeated sequence: named ``a`` first,
    with their file lines in that order."""
    tables = TABLES | {
        "trips": "route_id,service_id,trip_id\nr,w,z\nr,w,a",
        "stop_times": (f"{TIMES}\nz,08:00:00,08:00:00,s1,1\nz,08:10:00,08:10:00,s2,1\n"
                       "a,09:00:00,09:00:00,s1,4\na,09:10:00,09:10:00,s2,4"),
    }
    with pytest.raises(DataError, match=r"trip_id 'a', 'z' in row\(s\) 4, 5, 2, 3$"):
        write_feed(tmp_path, tables)


def test_an_untimed_last_stop_is_named_by_its_line(tmp_path: Path) -> None:
    tables = TABLES | {
        "trips": "route_id,service_id,trip_id\nr,w,z\nr,w,a",
        "stop_times": (f"{TIMES}\nz,08:00:00,08:00:00,s1,1\nz,,,s2,2\n"
                       "a,09:00:00,09:00:00,s1,1\na,09:10:00,09:10:00,s2,2"),
    }
    with pytest.raises(DataError, match=r"missing for trip_id 'z' in row\(s\) 3$"):
        write_feed(tmp_path, tables)


def test_a_trip_without_calls_selects_none(tmp_path: Path) -> None:
    """``x`` has no calls (its code is −1): choosing it alone types nothing."""
    feed = write_feed(tmp_path, TABLES | {
        "trips": "route_id,service_id,trip_id\nr,w,z\nr,w,a\nr,w,x",
        "stop_times": (f"{TIMES}\nz,08:00:00,08:00:00,s1,1\nz,08:10:00,08:10:00,s2,2\n"
                       "a,09:00:00,09:00:00,s1,1\na,09:10:00,09:10:00,s2,2"),
    })
    assert feed.trip_codes.tolist() == [0, 1, -1]
    assert feed.stop_times_of(np.array([False, False, True])).empty
    assert _calls(feed.stop_times_of(np.array([False, True, True]))) == [
        ("a", 1, "s1", 9 * 3600), ("a", 2, "s2", 9 * 3600 + 600)]
