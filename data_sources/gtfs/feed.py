"""What a GTFS feed is here: the typed :class:`Feed`, and the feeds this project reads.

:data:`RAIL` is the SJ/Tågab rail feed of trips calling in Värmland (a folder, 2023);
:data:`REGIONAL` is Värmlandstrafik's GTFS Regional zip, fetched from Trafiklab with an API
key (its :attr:`~data_sources.base.SourceMeta.fetcher` reads the key from :data:`KEY_ENV`).

Frames of a :class:`Feed` (EPSG:3006 where there is geometry):

* ``stops``: ``stop_id, stop_name, location_type (int8), parent_station, station_id``
  (the parent station, or the stop itself), ``geometry`` (Point);
* ``agency``: ``agency_id, agency_name`` (the operators; empty when the feed has no
  ``agency.txt``);
* ``routes``: ``route_id, agency_id, route_short_name, route_long_name, route_type (int)``;
* ``trips``: ``trip_id, route_id, service_id, direction_id (Int8), shape_id, trip_headsign``;
* ``stop_times`` (built from ``calls``, a :class:`~data_sources.gtfs.stop_times.StopTimes`,
  on first use; :meth:`Feed.stop_times_of` types only some trips): ``trip_id, stop_id``
  (categorical), ``stop_sequence`` (int32),
  ``arrival_s, departure_s`` (int32, interpolated inside a trip where the feed leaves them
  empty), ``pickup_type, drop_off_type`` (int8, 0 when empty);
* ``calendar``: ``service_id, monday … sunday`` (int8), ``start_date, end_date`` (datetime64);
* ``calendar_dates``: ``service_id, date`` (datetime64), ``exception_type`` (int8: 1 added,
  2 removed);
* ``frequencies``: ``trip_id, start_s, end_s, headway_s`` (int32; empty when absent);
* ``shapes``: ``shape_id, shape_pt_sequence, x, y`` (EPSG:3006 metres), or ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_sources.base import SourceFile, SourceMeta
from data_sources.gtfs.fetch import KEY_HELP, feed_path, trafiklab_fetcher
from data_sources.gtfs.stop_times import StopTimes

GTFS_CRS = "EPSG:4326"
RAIL_HELP = (
    "a copy of Trafiklab's GTFS Regional feed of operator sj, filtered to the trips that call "
    "in the region and unzipped into this folder (the feed needs a Trafiklab API key)"
)
RAIL_FILES = ("stops", "routes", "trips", "stop_times", "calendar", "calendar_dates")
RAIL_DIR = "transport_osm/gtfs/varmland_rail_sj_2023"

RAIL = SourceMeta(
    name="gtfs_rail",
    title="Tågtidtabeller GTFS (SJ och Tågab, resor via Värmland)",
    publisher="Samtrafiken i Sverige AB via Trafiklab (GTFS Regional, operatör sj)",
    licence="CC0 1.0",
    reference_year="2023",
    native_crs=GTFS_CRS,
    landing_page="https://www.trafiklab.se/api/gtfs-datasets/gtfs-regional/",
    files=tuple(
        SourceFile(path=f"{RAIL_DIR}/{table}.txt", how_to_get=RAIL_HELP)
        for table in RAIL_FILES
    ),
    caveats=(
        "Feed downloaded about Nov 2023; service dates 2023-06-12 to 2024-04-08, densest "
        "Oct 2023 to Mar 2024.",
        "Shapes join consecutive stops with straight lines; they are not track geometry.",
        "Fryksdalsbanan, Värmlandstrafik's own trains and all buses are not in this feed.",
    ),
)

RAIL_2025_HELP = (
    "a copy of Trafiklab's GTFS Sverige 2 feed, filtered to the rail trips that call in the "
    "region and unzipped into this folder (the feed needs a Trafiklab API key)"
)
RAIL_2025_DIR = "transport_osm/gtfs/varmland_rail_sverige2_subset_2025"
RAIL_2025 = SourceMeta(
    name="gtfs_rail_2025",
    title="Tågtidtabeller GTFS Sverige 2 (delmängd 2025, SJ via Värmland)",
    publisher="Samtrafiken i Sverige AB via Trafiklab (GTFS Sverige 2)",
    licence="CC0 1.0",
    reference_year="2025",
    native_crs=GTFS_CRS,
    landing_page="https://www.trafiklab.se/api/gtfs-datasets/gtfs-sverige-2/",
    files=tuple(
        SourceFile(path=f"{RAIL_2025_DIR}/{table}.txt", how_to_get=RAIL_2025_HELP)
        for table in ("agency", "stops", "routes", "trips", "stop_times", "calendar_dates")
    ),
    caveats=(
        "A subset of the national feed chosen by a third party: SJ's regional trains "
        "Göteborg–Karlstad only; the other Värmland trains of 2025 are not in it.",
        "Service dates 2025-05-25 to 2025-12-13; no shapes, no calendar.txt.",
    ),
)

NATIONAL_HELP = (
    "the national feed as a zip, e.g. Trafiklab's GTFS Regional feed of operator sj "
    "(needs a Trafiklab API key)"
)
RAIL_NATIONAL = SourceMeta(
    name="gtfs_rail_national",
    title="Tågtidtabeller GTFS (SJ, Tågab, Vy m.fl., hela landet 2023)",
    publisher="Samtrafiken i Sverige AB via Trafiklab (GTFS Regional, operatör sj)",
    licence="CC0 1.0",
    reference_year="2023",
    native_crs=GTFS_CRS,
    landing_page="https://www.trafiklab.se/api/gtfs-datasets/gtfs-regional/",
    files=(SourceFile(path="transport_osm/gtfs/sj_regional_national_2023.zip",
                      how_to_get=NATIONAL_HELP),),
    caveats=(
        "The whole feed of operator sj (SJ, Tågab, Vy, Snälltåget, DSB, DB, ÖBB); regional "
        "operators' own trains (e.g. Värmlandstrafik, Krösatågen) and all buses are not in it.",
        "Shapes join consecutive stops with straight lines; they are not track geometry.",
    ),
)
RAIL_2025_NATIONAL = SourceMeta(
    name="gtfs_rail_2025_national",
    title="Tågtidtabeller GTFS Sverige 2 (delmängd 2025, hela landet)",
    publisher="Samtrafiken i Sverige AB via Trafiklab (GTFS Sverige 2)",
    licence="CC0 1.0",
    reference_year="2025",
    native_crs=GTFS_CRS,
    landing_page="https://www.trafiklab.se/api/gtfs-datasets/gtfs-sverige-2/",
    files=(SourceFile(path="transport_osm/gtfs/sverige2_rail_subset_national_2025.zip",
                      how_to_get=NATIONAL_HELP),),
    caveats=("A subset of the national feed chosen by a third party (SJ, Vy, Öresundståg, "
             "Snälltåget, Krösatågen); service dates 2025-05-23 to 2025-12-13, no shapes.",),
)

REGIONAL_OPERATOR = "varm"
REGIONAL = SourceMeta(
    name="gtfs_varmlandstrafik",
    title="Värmlandstrafik GTFS (buss och regionaltåg)",
    publisher="Samtrafiken i Sverige AB via Trafiklab (GTFS Regional, operatör varm)",
    licence="CC0 1.0",
    reference_year="current",
    native_crs=GTFS_CRS,
    landing_page="https://www.trafiklab.se/api/gtfs-datasets/gtfs-regional/",
    files=(SourceFile(path=feed_path(REGIONAL_OPERATOR), how_to_get=KEY_HELP),),
    caveats=("Trafiklab publishes the current timetable only; keep the zip to rebuild a date.",),
    fetcher=trafiklab_fetcher("gtfs_varmlandstrafik", REGIONAL_OPERATOR),
)


@dataclass(frozen=True)
class Feed:
    """One GTFS feed as typed frames; see the module docstring for the columns."""

    path: Path
    agency: pd.DataFrame
    stops: gpd.GeoDataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    calls: StopTimes
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    frequencies: pd.DataFrame
    shapes: pd.DataFrame | None

    @cached_property
    def stop_times(self) -> pd.DataFrame:
        """All calls as one typed frame (built on first use; see :meth:`stop_times_of`)."""
        return self.calls.frame()

    def stop_times_of(self, trips: np.ndarray) -> pd.DataFrame:
        """The typed stop_times frame of the ``trips`` rows that the boolean mask selects.

        Only those trips' calls are typed and sorted, so a day's departures of a national
        feed do not build the whole table.
        """
        return self.calls.frame(self.trip_codes[np.asarray(trips, dtype=bool)])

    @cached_property
    def trip_codes(self) -> np.ndarray:
        """Each ``trips`` row's code among the stop_times trip ids (:attr:`StopTimes.trip_ids`).

        −1 for a trip without calls. Trips are joined to their calls on these codes.
        """
        ids = pa.array(self.trips["trip_id"], type=pa.string(), from_pandas=True)
        called = self.calls.trip_ids
        if len(ids) == len(called) and pc.all(pc.equal(ids, called), skip_nulls=False).as_py():
            return np.arange(len(ids))  # the usual feed: trips.txt in the order stop_times calls
        return pc.index_in(ids, value_set=called).fill_null(-1).to_numpy().astype(np.int64)
