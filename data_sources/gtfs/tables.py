"""Typing each GTFS table, and :func:`parse`, which reads, types and checks a whole feed.

Times become int32 seconds after the service day's midnight (``25:10:00`` → 90 600), ids
stay text (the big ``stop_times`` table's ids as categoricals), coordinates are projected to
EPSG:3006. Columns of the typed frames: see :mod:`data_sources.gtfs.feed`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import Transformer

from data_sources._validate import COMPUTE_CRS, _listed, to_compute_crs
from data_sources.errors import DataError, MissingDataError
from data_sources.gtfs._values import dates, integers, parse_times
from data_sources.gtfs.checks import check_references
from data_sources.gtfs.feed import (
    GTFS_CRS,
    RAIL_2025_DIR,
    RAIL_2025_NATIONAL,
    RAIL_DIR,
    RAIL_NATIONAL,
    REGIONAL,
    Feed,
)
from data_sources.gtfs.reader import TABLES, FeedSource, read_table, row_numbers
from data_sources.gtfs.stop_times import read_stop_times

log = logging.getLogger(__name__)

# location_type 0 stop, 1 station, 2 entrance; 3 generic node and 4 boarding area may lack
# coordinates and are not places on the street
LAST_PLACE_TYPE = 2
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REQUIRED_TABLES = ("stops", "routes", "trips", "stop_times")


def _stops(frame: pd.DataFrame, where: str) -> gpd.GeoDataFrame:
    """Typed stops with their station id, as points in EPSG:3006.

    Generic nodes and boarding areas (``location_type`` 3 and 4) may lack coordinates in
    GTFS; they are not places anyone boards from a street, so they are left out.
    """
    frame = frame.copy()
    frame["location_type"] = integers(frame, "location_type", where, default=0, dtype="int8")
    frame = frame[frame["location_type"] <= LAST_PLACE_TYPE]
    coords = frame[["stop_lon", "stop_lat"]].apply(pd.to_numeric, errors="coerce")
    bad = coords.isna().any(axis=1)
    if bad.any():
        msg = (f"{where}: stop_lat/stop_lon must be numbers; stop_id "
               f"{_listed(frame.loc[bad, 'stop_id'].tolist())} in row(s) "
               f"{_listed(row_numbers(bad, frame))}")
        raise DataError(msg)
    frame["station_id"] = frame["parent_station"].fillna(frame["stop_id"])
    points = gpd.GeoDataFrame(
        frame[["stop_id", "stop_name", "location_type", "parent_station", "station_id"]],
        geometry=gpd.points_from_xy(coords["stop_lon"], coords["stop_lat"]), crs=GTFS_CRS)
    return to_compute_crs(points, Path(where), expected=GTFS_CRS)


def _direction_ids(values: pd.Series) -> pd.Series:
    """``direction_id`` as nullable Int8: 0 or 1 in GTFS; empty or not a number is missing."""
    try:
        cast = pc.cast(pa.array(values, type=pa.string(), from_pandas=True), pa.int8())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # "1.0", words: pandas reads what it can
        return pd.to_numeric(values, errors="coerce").astype("Int8")
    return pd.Series(pd.array(cast, dtype="Int8"), index=values.index)


def _agency(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """The operators: ``agency_id`` (empty in a one-agency feed that leaves it out), name."""
    del where  # text columns only: nothing to name
    if "agency_id" not in frame.columns:
        frame = frame.assign(agency_id=pd.Series(pd.NA, index=frame.index, dtype="string"))
    return frame[["agency_id", "agency_name"]].reset_index(drop=True)


def _calendar(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Typed calendar: weekday flags 0/1 (anything else is an error) and validity dates."""
    out = frame[["service_id"]].copy()
    for day in WEEKDAYS:
        out[day] = integers(frame, day, where, dtype="int8")
    bad = ~out[list(WEEKDAYS)].isin((0, 1)).all(axis=1)
    if bad.any():
        msg = (f"{where}: weekday flags (monday … sunday) must be 0 or 1 in row(s) "
               f"{_listed(row_numbers(bad, out))}")
        raise DataError(msg)
    out["start_date"] = dates(frame, "start_date", where)
    out["end_date"] = dates(frame, "end_date", where)
    return out


def _calendar_dates(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Typed calendar_dates; exception_type must be 1 (added) or 2 (removed)."""
    out = frame[["service_id"]].copy()
    out["date"] = dates(frame, "date", where)
    out["exception_type"] = integers(frame, "exception_type", where, dtype="int8")
    bad = ~out["exception_type"].isin((1, 2))
    if bad.any():
        msg = (f"{where}: exception_type must be 1 or 2; found "
               f"{_listed(out.loc[bad, 'exception_type'].tolist())} in row(s) "
               f"{_listed(row_numbers(bad, out))}")
        raise DataError(msg)
    return out


def _frequencies(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Typed frequencies: start/end as seconds, headway > 0."""
    out = pd.DataFrame({
        "trip_id": frame["trip_id"],
        "start_s": parse_times(frame["start_time"], where, "start_time").astype("int32"),
        "end_s": parse_times(frame["end_time"], where, "end_time").astype("int32"),
        "headway_s": integers(frame, "headway_secs", where),
    })
    bad = out["headway_s"] <= 0
    if bad.any():
        msg = f"{where}: headway_secs must be > 0 in row(s) {_listed(row_numbers(bad, out))}"
        raise DataError(msg)
    return out


def _shapes(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Shape points projected to EPSG:3006 metres, ordered along each shape."""
    lon = pd.to_numeric(frame["shape_pt_lon"], errors="coerce")
    lat = pd.to_numeric(frame["shape_pt_lat"], errors="coerce")
    bad = lon.isna() | lat.isna()
    if bad.any():
        msg = (f"{where}: shape_pt_lat/lon must be numbers in row(s) "
               f"{_listed(row_numbers(bad, frame))}")
        raise DataError(msg)
    x, y = Transformer.from_crs(GTFS_CRS, COMPUTE_CRS, always_xy=True).transform(
        lon.to_numpy(), lat.to_numpy())
    out = pd.DataFrame({"shape_id": frame["shape_id"],
                        "shape_pt_sequence": integers(frame, "shape_pt_sequence", where),
                        "x": x, "y": y})
    return out.sort_values(["shape_id", "shape_pt_sequence"], kind="stable").reset_index(drop=True)


def _optional_table(source: FeedSource, table: str, typed) -> pd.DataFrame:
    """Read and type ``table`` when present, else an empty frame of its typed columns."""
    if source.has(table):
        return typed(read_table(source, table), source.where(table))
    empty = pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES[table].required})
    return typed(empty, source.where(table))


def parse(path: Path) -> Feed:
    """Read, type and check a GTFS feed (zip archive or folder).

    Raises ``MissingDataError`` when the feed or a required table is absent, ``DataError``
    for a malformed table and :class:`GtfsReferenceError` for a broken reference; each
    message names the file, the rows and the ids involved.
    """
    source = FeedSource(path)
    try:
        absent = [t for t in REQUIRED_TABLES if not source.has(t)]
        if not source.has("calendar") and not source.has("calendar_dates"):
            absent.append("calendar or calendar_dates")
        if absent:
            msg = f"{source.path}: GTFS feed lacks {', '.join(f'{t}.txt' for t in absent)}"
            raise MissingDataError(msg)
        routes = read_table(source, "routes")
        routes["route_type"] = integers(routes, "route_type", source.where("routes"))
        trips = read_table(source, "trips")
        trips["direction_id"] = _direction_ids(trips["direction_id"])
        feed = Feed(
            path=Path(path),
            agency=_optional_table(source, "agency", _agency),
            stops=_stops(read_table(source, "stops"), source.where("stops")),
            routes=routes,
            trips=trips,
            calls=read_stop_times(source),
            calendar=_optional_table(source, "calendar", _calendar),
            calendar_dates=_optional_table(source, "calendar_dates", _calendar_dates),
            frequencies=_optional_table(source, "frequencies", _frequencies),
            shapes=(_shapes(read_table(source, "shapes"), source.where("shapes"))
                    if source.has("shapes") else None),
        )
        check_references(feed, source)
    finally:
        source.close()
    log.info("GTFS %s: %d stops, %d trips, %d stop_times", path, len(feed.stops),
             len(feed.trips), len(feed.calls))
    return feed


def load_rail(data_dir: Path) -> Feed:
    """Load the rail feed (SJ and Tågab trips calling in Värmland, 2023) from ``data_dir``."""
    return parse(Path(data_dir) / RAIL_DIR)


def load_rail_2025(data_dir: Path) -> Feed:
    """Load the 2025 GTFS Sverige 2 rail subset (SJ Göteborg–Karlstad) from ``data_dir``."""
    return parse(Path(data_dir) / RAIL_2025_DIR)


def load_rail_national(data_dir: Path) -> Feed:
    """Load the national rail feed (GTFS Regional of operator sj, 2023) from ``data_dir``."""
    return parse(RAIL_NATIONAL.file(data_dir))


def load_rail_2025_national(data_dir: Path) -> Feed:
    """Load the national 2025 GTFS Sverige 2 rail subset from ``data_dir``."""
    return parse(RAIL_2025_NATIONAL.file(data_dir))


def load_regional(data_dir: Path) -> Feed:
    """Load Värmlandstrafik's GTFS Regional zip from ``data_dir``."""
    return parse(REGIONAL.file(data_dir))
