"""GTFS timetables (Trafiklab GTFS Regional / GTFS Sverige 2 layout), as a zip or a folder.

:func:`parse` reads a feed into a :class:`Feed` of typed frames and checks its references;
the big stop_times table is kept as codes and typed on demand, whole or for a day's trips
(:meth:`Feed.stop_times_of`). One job per module:

* :mod:`~data_sources.gtfs.feed`: the :class:`Feed` frames and the sources :data:`RAIL` and
  :data:`REGIONAL`;
* :mod:`~data_sources.gtfs.reader`: the zip-or-folder source and the streaming table reader;
* :mod:`~data_sources.gtfs.tables`: typing per table (stops, calendar, …) and :func:`parse`;
* :mod:`~data_sources.gtfs.stop_times`: stop_times read, grouped by trip and checked;
* :mod:`~data_sources.gtfs.checks`: references between tables;
* :mod:`~data_sources.gtfs.fetch`: downloads from Trafiklab (API key in :data:`KEY_ENV`).
"""

from __future__ import annotations

from data_sources.gtfs.checks import GtfsReferenceError
from data_sources.gtfs.feed import (
    RAIL,
    RAIL_2025,
    RAIL_2025_NATIONAL,
    RAIL_DIR,
    RAIL_NATIONAL,
    REGIONAL,
    REGIONAL_OPERATOR,
    Feed,
)
from data_sources.gtfs.fetch import KEY_ENV, fetch_gtfs
from data_sources.gtfs.tables import (
    WEEKDAYS,
    load_rail,
    load_rail_2025,
    load_rail_2025_national,
    load_rail_national,
    load_regional,
    parse,
)

__all__ = [
    "KEY_ENV",
    "RAIL",
    "RAIL_2025",
    "RAIL_2025_NATIONAL",
    "RAIL_DIR",
    "RAIL_NATIONAL",
    "REGIONAL",
    "REGIONAL_OPERATOR",
    "WEEKDAYS",
    "Feed",
    "GtfsReferenceError",
    "fetch_gtfs",
    "load_rail",
    "load_rail_2025",
    "load_rail_2025_national",
    "load_rail_national",
    "load_regional",
    "parse",
]
