"""Reference checks between the tables of a parsed GTFS feed.

stop_times → trips → routes → agency, trips → services (calendar or calendar_dates), stops → parent
stations, frequencies → trips, trips → shapes. A broken reference is a
:class:`GtfsReferenceError` naming the file, the rows and the ids.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_sources._validate import _listed
from data_sources.errors import DataError
from data_sources.gtfs.feed import Feed
from data_sources.gtfs.reader import FeedSource, row_numbers


class GtfsReferenceError(DataError):
    """A GTFS table refers to a row that does not exist (e.g. a stop_id missing from stops)."""


def _require_refs(child: pd.DataFrame, column: str, parent_ids: Iterable[str],
                  where_what: tuple[str, str], *,
                  rows: Callable[[], pd.Series] | None = None) -> None:
    """Raise ``GtfsReferenceError`` naming the rows whose ``column`` is not in ``parent_ids``.

    ``where_what`` names the child file and the table that should hold the ids.
    """
    _refuse_broken(child, column, _unknown(child[column], parent_ids), where_what, rows=rows)


def _unknown(values: pd.Series, parent_ids: Iterable[str]) -> pd.Index:
    """The distinct non-empty ``values`` that are not among ``parent_ids``.

    Distinct values are checked, not rows.
    """
    distinct = _distinct(values)
    if distinct.empty:
        return distinct
    known = pc.is_in(pa.array(distinct, type=pa.string(), from_pandas=True),
                     value_set=pa.array(pd.Series(parent_ids), type=pa.string(), from_pandas=True))
    return distinct[~known.to_numpy(zero_copy_only=False)]


def _unknown_trips(feed: Feed) -> pd.Index:
    """The stop_times trip ids that trips.txt lacks, found by :attr:`Feed.trip_codes`."""
    called = np.ones(len(feed.calls.trip_ids), dtype=bool)
    called[feed.trip_codes[feed.trip_codes >= 0]] = False
    return pd.Index(feed.calls.trip_ids.filter(pa.array(called)).to_pylist(), dtype=object)


def _refuse_broken(child: pd.DataFrame, column: str, broken_ids: pd.Index,
                   where_what: tuple[str, str], *,
                   rows: Callable[[], pd.Series] | None = None) -> None:
    """Raise ``GtfsReferenceError`` naming ``broken_ids`` and their rows, if there are any.

    Rows are only looked up when something is broken; ``rows`` names them where the file's
    line numbers are lost (the sorted stop_times).
    """
    if broken_ids.empty:
        return
    values = child[column]
    broken = values.isin(broken_ids).to_numpy()
    lines = rows()[broken] if rows is not None else pd.Series(row_numbers(broken, child))
    where, what = where_what
    msg = (f"{where}: {column} {_listed(sorted(broken_ids.astype(str)))} in row(s) "
           f"{_listed(lines.tolist())} not found in {what}")
    raise GtfsReferenceError(msg)


def _distinct(values: pd.Series) -> pd.Index:
    """The distinct non-empty values."""
    return pd.Index(values.dropna().unique())


def check_references(feed: Feed, source: FeedSource) -> None:
    """Raise ``GtfsReferenceError`` on the first broken reference between tables."""
    trips, stop_times = source.where("trips"), source.where("stop_times")
    _require_refs(feed.stops, "parent_station", feed.stops["stop_id"],
                  (source.where("stops"), "stops.txt (stop_id)"))
    if feed.agency["agency_id"].notna().any():
        _require_refs(feed.routes, "agency_id", feed.agency["agency_id"],
                      (source.where("routes"), "agency.txt"))
    _require_refs(feed.trips, "route_id", feed.routes["route_id"], (trips, "routes.txt"))
    services = pd.concat([feed.calendar["service_id"], feed.calendar_dates["service_id"]])
    _require_refs(feed.trips, "service_id", services,
                  (trips, "calendar.txt or calendar_dates.txt"))
    _require_refs(feed.frequencies, "trip_id", feed.trips["trip_id"],
                  (source.where("frequencies"), "trips.txt"))
    if feed.shapes is not None:
        _require_refs(feed.trips, "shape_id", feed.shapes["shape_id"], (trips, "shapes.txt"))
    # the typed stop_times frame is built only to name the rows of a broken reference
    unknown_stops = _unknown(feed.calls.stop_ids.to_pandas(), feed.stops["stop_id"])
    for column, unknown, what in (("trip_id", _unknown_trips(feed), "trips.txt"),
                                  ("stop_id", unknown_stops, "stops.txt")):
        if not unknown.empty:
            _refuse_broken(feed.stop_times, column, unknown, (stop_times, what),
                           rows=lambda: _stop_time_rows(feed.stop_times))


def _stop_time_rows(stop_times: pd.DataFrame) -> pd.Series:
    """Identify stop_times rows (sorted, so file lines are lost) by trip and sequence."""
    sequence = stop_times["stop_sequence"].astype("string")
    return stop_times["trip_id"].astype("string") + "#" + sequence
