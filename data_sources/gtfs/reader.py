"""Reading a GTFS feed's tables from a zip archive or a folder, block by block, as text.

Tables are read column-wise with pyarrow (only the declared columns, every value as text),
in blocks of about :data:`BLOCK_BYTES` of CSV, so a national feed never sits in memory as
text at once. Quirks of real copies are tolerated: stray pandas index columns
(``Unnamed: 0`` or an empty header), ``.0`` decimals on integer ids (``539.0``), a UTF-8
byte-order mark.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from data_sources._validate import _listed
from data_sources.errors import DataError, MissingDataError


@dataclass(frozen=True)
class Table:
    """Columns of one GTFS table: required, optional, and which hold ids (kept as text)."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()


TABLES: dict[str, Table] = {
    "agency": Table(("agency_name",), ("agency_id",), ("agency_id",)),
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
# Bytes of CSV text converted at a time; stop_times is typed block by block.
BLOCK_BYTES = 1 << 24


class FeedSource:
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


# an integer id written as a float (``539.0``)
DECIMAL_ID = r"^(-?\d+)\.0+$"


def clean_ids(text: pa.Array) -> pa.Array:
    """Arrow text ids trimmed, ``.0`` float suffixes removed (``539.0`` → ``539``), empty null."""
    text = pc.utf8_trim_whitespace(text)
    if pc.any(pc.match_substring(text, ".")).as_py():
        text = pc.replace_substring_regex(text, DECIMAL_ID, r"\1")
    empty = pc.equal(text, "")
    if not pc.any(empty).as_py():  # the usual case; Arrow's if_else on text is slow
        return text
    return pc.if_else(empty, pa.scalar(None, pa.string()), text)


def strip_decimal_ids(values: pd.Series) -> pd.Series:
    """Text ids as in :func:`clean_ids`, as a pandas ``string`` Series."""
    cleaned = clean_ids(pa.array(values, type=pa.string(), from_pandas=True))
    return pd.Series(pd.array(cleaned, dtype="string"), index=values.index)


def iter_batches(source: FeedSource, table: str) -> Iterator[pa.RecordBatch]:
    """Yield one GTFS table as Arrow record batches of text (only the declared columns).

    Batches hold about :data:`BLOCK_BYTES` of CSV text, in file order; a table with a
    header and no rows gives one empty batch. Ids are not cleaned here (see
    :func:`iter_table`).
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
                offset += batch.num_rows
                yield batch
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            if offset == 0 and "Empty CSV file" in str(exc):
                pass  # a header and no rows is a valid, empty GTFS table
            else:
                msg = (f"{where}: cannot be read as a UTF-8 CSV table near line {offset + 2}: "
                       f"{exc}")
                raise DataError(msg) from exc
        if offset == 0:
            yield pa.RecordBatch.from_pydict({c: pa.array([], pa.string()) for c in wanted})


def read_batches(source: FeedSource, table: str,
                 types: dict[str, pa.DataType] | None = None) -> list[pa.RecordBatch]:
    """Read one GTFS table at once, on all cores, as batches of about :data:`BLOCK_BYTES`.

    Columns as in :func:`iter_batches`, as text unless ``types`` gives an Arrow type
    (dictionary-encoded text is held once per distinct value and batch, not once per row).
    A file Arrow cannot read this way (a broken line, or a value not of its column's type)
    is read again as text by :func:`iter_batches`, whose typing names the rows.
    """
    spec = TABLES[table]
    with source.open(table) as handle:
        header = _clean_header(handle.readline())
        wanted = [c for c in (*spec.required, *spec.optional) if c in header]
        column_types = {c: (types or {}).get(c, pa.string()) for c in wanted}
        try:
            read = pacsv.read_csv(
                handle,
                read_options=pacsv.ReadOptions(column_names=header, block_size=BLOCK_BYTES),
                convert_options=pacsv.ConvertOptions(include_columns=wanted,
                                                     column_types=column_types,
                                                     strings_can_be_null=True))
        except (pa.ArrowInvalid, UnicodeDecodeError):
            read = None  # a missing column, an empty table or a broken line: said below
    if read is None or read.num_rows == 0 or any(c not in header for c in spec.required):
        return list(iter_batches(source, table))
    return read.to_batches()


def iter_table(source: FeedSource, table: str) -> Iterator[pd.DataFrame]:
    """Yield one GTFS table in blocks of text columns (see :func:`read_batches`).

    Ids are cleaned of quirks; missing optional columns are empty. Each block's index is its
    rows' position in the file (line number − 2), so errors can name file lines.
    """
    offset = 0
    for batch in read_batches(source, table):
        frame = batch.to_pandas()
        frame.index = pd.RangeIndex(offset, offset + len(frame))
        offset += len(frame)
        yield _complete(frame, TABLES[table])


def _complete(frame: pd.DataFrame, spec: Table) -> pd.DataFrame:
    """Add absent optional columns (empty) and clean the id columns of one block."""
    for column in spec.optional:
        if column not in frame.columns:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="string")
    for column in spec.ids:
        frame[column] = strip_decimal_ids(frame[column])
    return frame


def read_table(source: FeedSource, table: str) -> pd.DataFrame:
    """Read one whole GTFS table as text columns (see :func:`iter_table`)."""
    return pd.concat(list(iter_table(source, table)))


def row_numbers(mask: pd.Series | np.ndarray, frame: pd.DataFrame) -> list[int]:
    """Line numbers in the file (header is line 1) of the rows selected by ``mask``."""
    return (frame.index[np.asarray(mask)] + 2).tolist()
