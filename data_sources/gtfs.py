"""GTFS timetables (Trafiklab GTFS Regional / GTFS Sverige 2 layout), as a zip or a folder.

:func:`parse` reads a feed into a :class:`Feed` of typed frames and checks its references
(stop_times → trips → routes, trips → services, stops → parent stations, frequencies →
trips, trips → shapes). Tables are read column-wise with pyarrow (only the columns used,
every id as text, times as int32 seconds after the service day's midnight, ids of the big
``stop_times`` table as categoricals), so a national feed loads without Python-object
blow-up. Quirks of real copies are tolerated: stray pandas index columns (``Unnamed: 0`` or
an empty header), ``.0`` decimals on integer ids (``539.0``), a UTF-8 byte-order mark.

Frames of a :class:`Feed` (EPSG:3006 where there is geometry):

* ``stops``: ``stop_id, stop_name, location_type (int8), parent_station, station_id``
  (the parent station, or the stop itself), ``geometry`` (Point);
* ``routes``: ``route_id, agency_id, route_short_name, route_long_name, route_type (int)``;
* ``trips``: ``trip_id, route_id, service_id, direction_id (Int8), shape_id, trip_headsign``;
* ``stop_times``: ``trip_id, stop_id`` (categorical), ``stop_sequence`` (int32),
  ``arrival_s, departure_s`` (int32, interpolated inside a trip where the feed leaves them
  empty), ``pickup_type, drop_off_type`` (int8, 0 when empty);
* ``calendar``: ``service_id, monday … sunday`` (int8), ``start_date, end_date`` (datetime64);
* ``calendar_dates``: ``service_id, date`` (datetime64), ``exception_type`` (int8: 1 added,
  2 removed);
* ``frequencies``: ``trip_id, start_s, end_s, headway_s`` (int32; empty when absent);
* ``shapes``: ``shape_id, shape_pt_sequence, x, y`` (EPSG:3006 metres), or ``None``.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pandas.api.types import union_categoricals
from pyproj import Transformer

from data_sources._http import DownloadSettings, download
from data_sources._validate import COMPUTE_CRS, _listed, to_compute_crs
from data_sources.base import SourceFile, SourceMeta
from data_sources.errors import DataError, MissingDataError

log = logging.getLogger(__name__)

GTFS_CRS = "EPSG:4326"
# location_type 0 stop, 1 station, 2 entrance; 3 generic node and 4 boarding area may lack
# coordinates and are not places on the street
LAST_PLACE_TYPE = 2
TRAFIKLAB_BASE = "https://opendata.samtrafiken.se"
REGIONAL_URL = "{base}/gtfs/{operator}/{operator}.zip?key={key}"
SWEDEN_URL = "{base}/gtfs-sweden/sweden.zip?key={key}"
KEY_ENV = "STRUKTURBILD_TRAFIKLAB_KEY"
KEY_HELP = (
    "Trafiklab needs a free API key: register at https://www.trafiklab.se, create a project "
    "with the API 'GTFS Regional', then run `strukturbild fetch --source gtfs_varmlandstrafik` "
    f"with the key in ${KEY_ENV}."
)
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

REGIONAL_OPERATOR = "varm"
REGIONAL = SourceMeta(
    name="gtfs_varmlandstrafik",
    title="Värmlandstrafik GTFS (buss och regionaltåg)",
    publisher="Samtrafiken i Sverige AB via Trafiklab (GTFS Regional, operatör varm)",
    licence="CC0 1.0",
    reference_year="current",
    native_crs=GTFS_CRS,
    landing_page="https://www.trafiklab.se/api/gtfs-datasets/gtfs-regional/",
    files=(
        SourceFile(path=f"transport_osm/gtfs/{REGIONAL_OPERATOR}.zip",
                   how_to_get=KEY_HELP),
    ),
    caveats=("Trafiklab publishes the current timetable only; keep the zip to rebuild a date.",),
)


@dataclass(frozen=True)
class Table:
    """Columns of one GTFS table: required, optional, and which hold ids (kept as text)."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()


TABLES: dict[str, Table] = {
    "stops": Table(("stop_id", "stop_name", "stop_lat", "stop_lon"),
                   ("location_type", "parent_station"), ("stop_id", "parent_station")),
    "routes": Table(("route_id", "route_type"),
                    ("agency_id", "route_short_name", "route_long_name"),
                    ("route_id", "agency_id", "route_short_name")),
    "trips": Table(("route_id", "service_id", "trip_id"),
                   ("direction_id", "shape_id", "trip_headsign"),
                   ("route_id", "service_id", "trip_id", "shape_id")),
    "stop_times": Table(("trip_id", "stop_id", "stop_sequence"),
                        ("arrival_time", "departure_time", "pickup_type", "drop_off_type"),
                        ("trip_id", "stop_id")),
    "calendar": Table(("service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                       "saturday", "sunday", "start_date", "end_date"), ids=("service_id",)),
    "calendar_dates": Table(("service_id", "date", "exception_type"), ids=("service_id",)),
    "frequencies": Table(("trip_id", "start_time", "end_time", "headway_secs"),
                         ids=("trip_id",)),
    "shapes": Table(("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"),
                    ids=("shape_id",)),
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REQUIRED_TABLES = ("stops", "routes", "trips", "stop_times")
# Bytes of CSV text converted at a time; stop_times is typed block by block.
BLOCK_BYTES = 1 << 24


class GtfsReferenceError(DataError):
    """A GTFS table refers to a row that does not exist (e.g. a stop_id missing from stops)."""


@dataclass(frozen=True)
class Feed:
    """One GTFS feed as typed frames; see the module docstring for the columns."""

    path: Path
    stops: gpd.GeoDataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    frequencies: pd.DataFrame
    shapes: pd.DataFrame | None


class _Source:
    """Opens the member files of a feed that is either a zip archive or a folder."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            self._names = {p.name for p in self.path.iterdir() if p.is_file()}
            self._zip = None
        elif zipfile.is_zipfile(self.path):
            self._zip = zipfile.ZipFile(self.path)
            self._names = {Path(n).name: n for n in self._zip.namelist()}
        elif self.path.exists():
            msg = f"{self.path}: not a GTFS feed (expected a .zip archive or a folder of .txt)"
            raise DataError(msg)
        else:
            msg = f"{self.path}: GTFS feed not found (run `strukturbild fetch` or pass --data-dir)"
            raise MissingDataError(msg)

    def has(self, table: str) -> bool:
        """Return whether the feed contains ``<table>.txt``."""
        return f"{table}.txt" in self._names

    def where(self, table: str) -> str:
        """Name a member file for error messages."""
        return f"{self.path}/{table}.txt" if self._zip is None else f"{self.path}!{table}.txt"

    @contextmanager
    def open(self, table: str):
        """Open ``<table>.txt`` as a binary stream."""
        if self._zip is None:
            with (self.path / f"{table}.txt").open("rb") as handle:
                yield handle
        else:
            with self._zip.open(self._names[f"{table}.txt"]) as handle:
                yield handle

    def close(self) -> None:
        """Close the zip archive, if any."""
        if self._zip is not None:
            self._zip.close()


def _clean_header(line: bytes) -> list[str]:
    """Column names of a header line: BOM and blanks stripped, empty names made ``Unnamed: i``."""
    names = line.decode("utf-8-sig").strip().split(",")
    return [n.strip().strip('"') or f"Unnamed: {i}" for i, n in enumerate(names)]


def _strip_decimal_ids(values: pd.Series) -> pd.Series:
    """Text ids with stray ``.0`` float suffixes (``539.0`` → ``539``) and blanks removed."""
    text = values.astype("string").str.strip()
    if text.str.contains(".", regex=False).any():
        text = text.str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)
    return text.mask(text == "")


def iter_table(source: _Source, table: str) -> Iterator[pd.DataFrame]:
    """Yield one GTFS table in blocks of text columns (only the declared ones).

    Blocks hold about :data:`BLOCK_BYTES` of CSV text. Ids are cleaned of quirks; missing
    optional columns are empty. Each block's index is its rows' position in the file (line
    number − 2), so errors can name file lines.
    """
    spec = TABLES[table]
    where = source.where(table)
    with source.open(table) as handle:
        header = _clean_header(handle.readline())
        missing = [c for c in spec.required if c not in header]
        if missing:
            msg = f"{where}: missing column(s) {_listed(missing)}; found {header}"
            raise DataError(msg)
        wanted = [c for c in (*spec.required, *spec.optional) if c in header]
        offset = 0
        try:
            reader = pacsv.open_csv(
                handle,
                read_options=pacsv.ReadOptions(column_names=header, block_size=BLOCK_BYTES),
                convert_options=pacsv.ConvertOptions(
                    include_columns=wanted, column_types=dict.fromkeys(wanted, pa.string()),
                    strings_can_be_null=True),
            )
            for batch in reader:
                frame = batch.to_pandas()
                frame.index = pd.RangeIndex(offset, offset + len(frame))
                offset += len(frame)
                yield _complete(frame, spec)
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            if offset == 0 and "Empty CSV file" in str(exc):
                pass  # a header and no rows is a valid, empty GTFS table
            else:
                msg = (f"{where}: cannot be read as a UTF-8 CSV table near line {offset + 2}: "
                       f"{exc}")
                raise DataError(msg) from exc
        if offset == 0:
            yield _complete(pd.DataFrame({c: pd.Series(dtype="string") for c in wanted}), spec)


def _complete(frame: pd.DataFrame, spec: Table) -> pd.DataFrame:
    """Add absent optional columns (empty) and clean the id columns of one block."""
    for column in spec.optional:
        if column not in frame.columns:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="string")
    for column in spec.ids:
        frame[column] = _strip_decimal_ids(frame[column])
    return frame


def read_table(source: _Source, table: str) -> pd.DataFrame:
    """Read one whole GTFS table as text columns (see :func:`iter_table`)."""
    return pd.concat(list(iter_table(source, table)))


def _row_numbers(mask: pd.Series | np.ndarray, frame: pd.DataFrame) -> list[int]:
    """Line numbers in the file (header is line 1) of the rows selected by ``mask``."""
    return (frame.index[np.asarray(mask)] + 2).tolist()


def _integers(frame: pd.DataFrame, column: str, where: str, *, default: int | None = None,
              dtype: str = "int32") -> pd.Series:
    """Return ``column`` as integers; empty cells take ``default`` or are an error.

    Plain integer text is cast by Arrow; anything else (``1.0``, blanks, words) goes through
    pandas, which accepts whole decimals and names the rows of the rest.
    """
    try:
        cast = pc.cast(pa.array(frame[column], type=pa.string(), from_pandas=True), pa.int64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        cast = None
    if cast is not None and (cast.null_count == 0 or default is not None):
        filled = cast.fill_null(default) if cast.null_count else cast
        return pd.Series(filled.to_numpy(), index=frame.index).astype(dtype)
    values = pd.to_numeric(frame[column], errors="coerce")
    if default is not None:
        values = values.where(frame[column].notna(), default)
    bad = values.isna() | (values % 1 != 0)
    if bad.any():
        msg = (f"{where}: column {column!r} must hold whole numbers; bad value(s) "
               f"{_listed(frame.loc[bad, column].tolist())} in row(s) "
               f"{_listed(_row_numbers(bad, frame))}")
        raise DataError(msg)
    return values.astype(dtype)


def parse_times(values: pd.Series, where: str, column: str) -> pd.Series:
    """Seconds after the service day's midnight (``25:10:00`` → 90 600) as nullable Int32.

    Each distinct text is parsed once (a feed repeats a few thousand times of day).
    """
    codes, uniques = pd.factorize(values.astype("string").str.strip())
    parts = pd.Series(uniques, dtype="string").str.extract(r"^(\d{1,3}):(\d{2}):(\d{2})$")
    unique_seconds = (parts[0].astype("Int64") * 3600 + parts[1].astype("Int64") * 60
                      + parts[2].astype("Int64"))
    bad_unique = unique_seconds.isna().to_numpy()
    if bad_unique.any():
        bad = (codes >= 0) & bad_unique[np.maximum(codes, 0)]
        msg = (f"{where}: column {column!r} must hold times as H:MM:SS (may pass 24:00:00); "
               f"bad value(s) {_listed(pd.unique(values[bad]).tolist())} in row(s) "
               f"{_listed((values.index[bad] + 2).tolist())}")
        raise DataError(msg)
    seconds = pd.array(unique_seconds.to_numpy(dtype="float64", na_value=np.nan)[
        np.maximum(codes, 0)], dtype="Float64").astype("Int32")
    seconds[codes < 0] = pd.NA
    return pd.Series(seconds, index=values.index)


def _dates(frame: pd.DataFrame, column: str, where: str) -> pd.Series:
    """Parse ``YYYYMMDD`` dates, naming the rows that are not dates."""
    values = pd.to_datetime(frame[column], format="%Y%m%d", errors="coerce")
    bad = values.isna()
    if bad.any():
        msg = (f"{where}: column {column!r} must hold dates as YYYYMMDD; bad value(s) "
               f"{_listed(frame.loc[bad, column].tolist())} in row(s) "
               f"{_listed(_row_numbers(bad, frame))}")
        raise DataError(msg)
    return values


def _stops(frame: pd.DataFrame, where: str) -> gpd.GeoDataFrame:
    """Typed stops with their station id, as points in EPSG:3006.

    Generic nodes and boarding areas (``location_type`` 3 and 4) may lack coordinates in
    GTFS; they are not places anyone boards from a street, so they are left out.
    """
    frame = frame.copy()
    frame["location_type"] = _integers(frame, "location_type", where, default=0, dtype="int8")
    frame = frame[frame["location_type"] <= LAST_PLACE_TYPE]
    coords = frame[["stop_lon", "stop_lat"]].apply(pd.to_numeric, errors="coerce")
    bad = coords.isna().any(axis=1)
    if bad.any():
        msg = (f"{where}: stop_lat/stop_lon must be numbers; stop_id "
               f"{_listed(frame.loc[bad, 'stop_id'].tolist())} in row(s) "
               f"{_listed(_row_numbers(bad, frame))}")
        raise DataError(msg)
    frame["station_id"] = frame["parent_station"].fillna(frame["stop_id"])
    points = gpd.GeoDataFrame(
        frame[["stop_id", "stop_name", "location_type", "parent_station", "station_id"]],
        geometry=gpd.points_from_xy(coords["stop_lon"], coords["stop_lat"]), crs=GTFS_CRS)
    return to_compute_crs(points, Path(where), expected=GTFS_CRS)


def _stop_times_block(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Type one block of stop_times: times in seconds, small integers, ids categorical."""
    return pd.DataFrame({
        "trip_id": frame["trip_id"].astype("category"),
        "stop_id": frame["stop_id"].astype("category"),
        "stop_sequence": _integers(frame, "stop_sequence", where),
        "arrival_s": parse_times(frame["arrival_time"], where, "arrival_time"),
        "departure_s": parse_times(frame["departure_time"], where, "departure_time"),
        "pickup_type": _integers(frame, "pickup_type", where, default=0, dtype="int8"),
        "drop_off_type": _integers(frame, "drop_off_type", where, default=0, dtype="int8"),
        "row": (frame.index + 2).astype("int32"),
    })


def _stop_times(source: _Source) -> pd.DataFrame:
    """Stream stop_times block by block into typed columns; sort; interpolate inner times.

    Only one block of text is held at a time; the id categories of the blocks are unified.
    """
    where = source.where("stop_times")
    blocks = [_stop_times_block(block, where) for block in iter_table(source, "stop_times")]
    out = pd.concat([b.drop(columns=["trip_id", "stop_id"]) for b in blocks], ignore_index=True)
    for column in ("trip_id", "stop_id"):
        out[column] = union_categoricals([b[column] for b in blocks], sort_categories=True)
    del blocks
    out["departure_s"] = out["departure_s"].fillna(out["arrival_s"])
    out["arrival_s"] = out["arrival_s"].fillna(out["departure_s"])
    out = out.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)
    repeated = out.duplicated(["trip_id", "stop_sequence"], keep=False)
    if repeated.any():
        msg = (f"{where}: (trip_id, stop_sequence) must be unique; repeated for trip_id "
               f"{_listed(out.loc[repeated, 'trip_id'].unique().tolist())} in row(s) "
               f"{_listed(out.loc[repeated, 'row'].tolist())}")
        raise DataError(msg)
    first = ~out["trip_id"].duplicated(keep="first")
    last = ~out["trip_id"].duplicated(keep="last")
    untimed_end = (first | last) & out["departure_s"].isna()
    if untimed_end.any():
        msg = (f"{where}: the first and last stop of a trip must have a time; missing for "
               f"trip_id {_listed(out.loc[untimed_end, 'trip_id'].unique().tolist())} in row(s) "
               f"{_listed(out.loc[untimed_end, 'row'].tolist())}")
        raise DataError(msg)
    for column in ("arrival_s", "departure_s"):
        if out[column].isna().any():
            # Ends are timed (checked above), so linear filling never crosses two trips.
            out[column] = (out[column].astype("float64").interpolate(limit_area="inside")
                           .round().astype("int32"))
        else:
            out[column] = out[column].astype("int32")
    return out[["trip_id", "stop_id", "stop_sequence", "arrival_s", "departure_s",
                "pickup_type", "drop_off_type"]]


def _calendar(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Typed calendar: weekday flags 0/1 and validity dates."""
    out = frame[["service_id"]].copy()
    for day in WEEKDAYS:
        out[day] = _integers(frame, day, where, dtype="int8")
    out["start_date"] = _dates(frame, "start_date", where)
    out["end_date"] = _dates(frame, "end_date", where)
    return out


def _calendar_dates(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Typed calendar_dates; exception_type must be 1 (added) or 2 (removed)."""
    out = frame[["service_id"]].copy()
    out["date"] = _dates(frame, "date", where)
    out["exception_type"] = _integers(frame, "exception_type", where, dtype="int8")
    bad = ~out["exception_type"].isin((1, 2))
    if bad.any():
        msg = (f"{where}: exception_type must be 1 or 2; found "
               f"{_listed(out.loc[bad, 'exception_type'].tolist())} in row(s) "
               f"{_listed(_row_numbers(bad, out))}")
        raise DataError(msg)
    return out


def _frequencies(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Typed frequencies: start/end as seconds, headway > 0."""
    out = pd.DataFrame({
        "trip_id": frame["trip_id"],
        "start_s": parse_times(frame["start_time"], where, "start_time").astype("int32"),
        "end_s": parse_times(frame["end_time"], where, "end_time").astype("int32"),
        "headway_s": _integers(frame, "headway_secs", where),
    })
    bad = out["headway_s"] <= 0
    if bad.any():
        msg = f"{where}: headway_secs must be > 0 in row(s) {_listed(_row_numbers(bad, out))}"
        raise DataError(msg)
    return out


def _shapes(frame: pd.DataFrame, where: str) -> pd.DataFrame:
    """Shape points projected to EPSG:3006 metres, ordered along each shape."""
    lon = pd.to_numeric(frame["shape_pt_lon"], errors="coerce")
    lat = pd.to_numeric(frame["shape_pt_lat"], errors="coerce")
    bad = lon.isna() | lat.isna()
    if bad.any():
        msg = (f"{where}: shape_pt_lat/lon must be numbers in row(s) "
               f"{_listed(_row_numbers(bad, frame))}")
        raise DataError(msg)
    x, y = Transformer.from_crs(GTFS_CRS, COMPUTE_CRS, always_xy=True).transform(
        lon.to_numpy(), lat.to_numpy())
    out = pd.DataFrame({"shape_id": frame["shape_id"],
                        "shape_pt_sequence": _integers(frame, "shape_pt_sequence", where),
                        "x": x, "y": y})
    return out.sort_values(["shape_id", "shape_pt_sequence"], kind="stable").reset_index(drop=True)


def _require_refs(child: pd.DataFrame, column: str, parent_ids: Iterable[str],
                  where_what: tuple[str, str], *,
                  rows: Callable[[], pd.Series] | None = None) -> None:
    """Raise ``GtfsReferenceError`` naming the rows whose ``column`` is not in ``parent_ids``.

    ``where_what`` names the child file and the table that should hold the ids.

    Distinct values are checked first (cheap for the big categorical ``stop_times``); rows
    are only looked up when something is broken.
    """
    values = child[column]
    broken_ids = pd.Index(values.dropna().unique()).difference(pd.Index(parent_ids).unique())
    if broken_ids.empty:
        return
    broken = values.isin(broken_ids).to_numpy()
    lines = rows()[broken] if rows is not None else pd.Series(_row_numbers(broken, child))
    where, what = where_what
    msg = (f"{where}: {column} {_listed(sorted(broken_ids.astype(str)))} in row(s) "
           f"{_listed(lines.tolist())} not found in {what}")
    raise GtfsReferenceError(msg)


def check_references(feed: Feed, source: _Source) -> None:
    """Raise ``GtfsReferenceError`` on the first broken reference between tables."""
    trips, stop_times = source.where("trips"), source.where("stop_times")
    _require_refs(feed.stops, "parent_station", feed.stops["stop_id"],
                  (source.where("stops"), "stops.txt (stop_id)"))
    _require_refs(feed.trips, "route_id", feed.routes["route_id"], (trips, "routes.txt"))
    services = pd.concat([feed.calendar["service_id"], feed.calendar_dates["service_id"]])
    _require_refs(feed.trips, "service_id", services,
                  (trips, "calendar.txt or calendar_dates.txt"))
    _require_refs(feed.frequencies, "trip_id", feed.trips["trip_id"],
                  (source.where("frequencies"), "trips.txt"))
    if feed.shapes is not None:
        _require_refs(feed.trips, "shape_id", feed.shapes["shape_id"], (trips, "shapes.txt"))
    _require_refs(feed.stop_times, "trip_id", feed.trips["trip_id"], (stop_times, "trips.txt"),
                  rows=lambda: _stop_time_rows(feed.stop_times))
    _require_refs(feed.stop_times, "stop_id", feed.stops["stop_id"], (stop_times, "stops.txt"),
                  rows=lambda: _stop_time_rows(feed.stop_times))


def _stop_time_rows(stop_times: pd.DataFrame) -> pd.Series:
    """Identify stop_times rows (sorted, so file lines are lost) by trip and sequence."""
    sequence = stop_times["stop_sequence"].astype("string")
    return stop_times["trip_id"].astype("string") + "#" + sequence


def _optional_table(source: _Source, table: str, typed) -> pd.DataFrame:
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
    source = _Source(path)
    try:
        absent = [t for t in REQUIRED_TABLES if not source.has(t)]
        if not source.has("calendar") and not source.has("calendar_dates"):
            absent.append("calendar or calendar_dates")
        if absent:
            msg = f"{source.path}: GTFS feed lacks {', '.join(f'{t}.txt' for t in absent)}"
            raise MissingDataError(msg)
        routes = read_table(source, "routes")
        routes["route_type"] = _integers(routes, "route_type", source.where("routes"))
        trips = read_table(source, "trips")
        trips["direction_id"] = pd.to_numeric(trips["direction_id"], errors="coerce").astype("Int8")
        feed = Feed(
            path=Path(path),
            stops=_stops(read_table(source, "stops"), source.where("stops")),
            routes=routes,
            trips=trips,
            stop_times=_stop_times(source),
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
             len(feed.trips), len(feed.stop_times))
    return feed


def load_rail(data_dir: Path) -> Feed:
    """Load the rail feed (SJ and Tågab trips calling in Värmland, 2023) from ``data_dir``."""
    return parse(Path(data_dir) / RAIL_DIR)


def load_regional(data_dir: Path) -> Feed:
    """Load Värmlandstrafik's GTFS Regional zip from ``data_dir``."""
    return parse(REGIONAL.file(data_dir))


def fetch_keyed(name: str, data_dir: Path, key: str | None) -> list[str] | None:
    """Fetch the key-protected source ``name`` when a key is given; ``None`` if not applicable.

    Only :data:`REGIONAL` is fetched this way; other sources use :func:`data_sources.fetch`.
    """
    if name != REGIONAL.name or not key:
        return None
    path = fetch_gtfs(REGIONAL_OPERATOR, key, data_dir)
    return [f"{name}: {path.relative_to(data_dir)} hämtad från Trafiklab"]


def fetch_gtfs(operator: str, key: str, data_dir: Path, *,
               settings: DownloadSettings | None = None, base_url: str = TRAFIKLAB_BASE) -> Path:
    """Download Trafiklab's GTFS Regional feed of ``operator`` (e.g. ``varm``) with an API key.

    ``operator="sweden"`` downloads GTFS Sverige 2 instead. The zip is written atomically to
    ``data_dir/transport_osm/gtfs/<operator>.zip`` and checked to be a zip archive; returns
    its path; an answer that is not a zip leaves the previous file in place. Log lines and
    error messages show the URL with the key replaced by ``***``. ``base_url`` is
    Trafiklab's open-data host (another host only for mirrors and tests).
    """
    url = (SWEDEN_URL.format(base=base_url, key=key) if operator == "sweden"
           else REGIONAL_URL.format(base=base_url, operator=operator, key=key))
    target = Path(data_dir) / "transport_osm" / "gtfs" / f"{operator}.zip"

    def must_be_zip(path: Path) -> None:
        if not zipfile.is_zipfile(path):
            msg = (f"{target}: Trafiklab's answer is not a zip archive (wrong key or "
                   "operator?); the previous file is kept")
            raise DataError(msg)

    download(url, target, settings=settings, check=must_be_zip, secrets=(key,))
    return target
