"""Typing the big ``stop_times`` table block by block in Arrow, grouped by trip and checked.

The table is read on all cores with ids and times dictionary-encoded
(:func:`~data_sources.gtfs.reader.read_batches`), and each block is typed without going
through Python strings: only the distinct values of a block are cleaned (ids) or parsed
(times). Text that the fast path cannot type goes through the general typing of
:mod:`~data_sources.gtfs._values`, which names the file's rows. The result is a
:class:`StopTimes` of integer codes and numbers; the typed frame (columns: see
:mod:`data_sources.gtfs.feed`) is built from it on demand, for all trips or a day's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_sources._validate import _listed
from data_sources.errors import DataError
from data_sources.gtfs._values import arrow_integers, integers, parse_times
from data_sources.gtfs.reader import FeedSource, clean_ids, read_batches

# How Arrow reads the columns: ids and times dictionary-encoded (few distinct values, many
# rows), whole numbers as such. A file that does not fit is read as text and typed by us.
_TEXT = pa.dictionary(pa.int32(), pa.string())
TYPES = dict.fromkeys(("trip_id", "stop_id", "arrival_time", "departure_time"), _TEXT) | {
    "stop_sequence": pa.int32(), "pickup_type": pa.int8(), "drop_off_type": pa.int8()}
COLUMNS = ["trip_id", "stop_id", "stop_sequence", "arrival_s", "departure_s", "pickup_type",
           "drop_off_type"]


def _column(batch: pa.RecordBatch, name: str) -> pa.Array:
    """A text column of the block; an optional column the file lacks is all empty."""
    if name in batch.schema.names:
        return batch.column(name)
    return pa.nulls(batch.num_rows, pa.string())


def _as_series(values: pa.Array, offset: int) -> pd.Series:
    """Arrow text as a pandas Series indexed by position in the file (line number − 2)."""
    return pd.Series(values.to_numpy(zero_copy_only=False),
                     index=pd.RangeIndex(offset, offset + len(values)))


TIME = r"^(?P<h>\d{1,3}):(?P<m>\d{2}):(?P<s>\d{2})$"
EMPTY_TIME = -1  # an empty arrival or departure cell, while rows are typed and sorted


def _without_nulls(indices: pa.Array, fill: int) -> np.ndarray:
    """Arrow integer indices as numpy, nulls (empty cells) replaced by ``fill``."""
    return (indices.fill_null(fill) if indices.null_count else indices).to_numpy()


def _arrow_seconds(texts: pa.Array) -> np.ndarray | None:
    """int32 seconds of distinct time texts, or ``None`` when one is not plain H:MM:SS."""
    parts = pc.extract_regex(pc.utf8_trim_whitespace(texts), TIME)
    if parts.null_count:
        return None
    h, m, s = (pc.cast(pc.struct_field(parts, [i]), pa.int64()).to_numpy() for i in range(3))
    return (h * 3600 + m * 60 + s).astype("int32")


def _seconds(values: pa.Array, offset: int, where: str, column: str) -> np.ndarray:
    """Times of day as int32 seconds (:data:`EMPTY_TIME` where empty), each text parsed once.

    Texts Arrow cannot read as H:MM:SS go through :func:`~data_sources.gtfs._values.
    parse_times`, which names the rows of bad values.
    """
    encoded = pc.dictionary_encode(values)
    unique = _arrow_seconds(encoded.dictionary)
    if unique is None:
        try:
            unique = parse_times(pd.Series(encoded.dictionary.to_pandas()), where, column)
        except DataError:
            parse_times(_as_series(values, offset), where, column)  # raises, naming the rows
            raise
        unique = unique.to_numpy(dtype="int32", na_value=EMPTY_TIME)
    return np.append(unique, np.int32(EMPTY_TIME))[_without_nulls(encoded.indices, len(unique))]


def _small_integers(values: pa.Array, offset: int, where: str, column: str, *,
                    default: int | None, dtype: str) -> np.ndarray:
    """Whole numbers of one block, read as numbers or as text.

    Text goes through :func:`~data_sources.gtfs._values.integers`, which names bad rows.
    """
    cast = arrow_integers(values, default=default, dtype=dtype)
    if cast is not None:
        return cast
    frame = _as_series(pc.cast(values, pa.string()), offset).to_frame(column)
    return integers(frame, column, where, default=default, dtype=dtype).to_numpy()


def _block(batch: pa.RecordBatch, offset: int, where: str) -> dict:
    """Type one block: ids dictionary-encoded, the other columns as numpy arrays."""
    out = {c: pc.dictionary_encode(_column(batch, c)) for c in ("trip_id", "stop_id")}
    out["stop_sequence"] = _small_integers(_column(batch, "stop_sequence"), offset, where,
                                           "stop_sequence", default=None, dtype="int32")
    for column, text in (("arrival_s", "arrival_time"), ("departure_s", "departure_time")):
        out[column] = _seconds(_column(batch, text), offset, where, text)
    for column in ("pickup_type", "drop_off_type"):
        out[column] = _small_integers(_column(batch, column), offset, where, column,
                                      default=0, dtype="int8")
    return out


def _codes(blocks: list[pa.DictionaryArray]) -> tuple[pa.Array, np.ndarray]:
    """Cleaned distinct ids over all blocks, in order of first appearance, and each row's code.

    The blocks' dictionaries are cleaned together, once per entry
    (:func:`~data_sources.gtfs.reader.clean_ids`); entries that clean to the same id, in
    one block or several, share one code. An empty cell's code is −1.
    """
    dictionaries = [block.dictionary for block in blocks]
    cleaned = pc.dictionary_encode(clean_ids(pa.concat_arrays(dictionaries)))
    # the code of each entry of every block's dictionary, in block order; then an empty cell's
    code_of = np.append(_without_nulls(cleaned.indices, -1), -1).astype(np.int32)
    empty = len(code_of) - 1
    starts = np.cumsum([0] + [len(d) for d in dictionaries[:-1]])
    codes = np.concatenate([code_of[_without_nulls(block.indices, empty - start) + start]
                            for block, start in zip(blocks, starts, strict=True)])
    return cleaned.dictionary, codes


def _sorted_categorical(ids: pa.Array, codes: np.ndarray) -> pd.Categorical:
    """The ``ids`` that ``codes`` use, as a categorical with sorted categories.

    Categories sort as Python sorts text (by code point); code −1 is missing.
    """
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(ids)))
    texts = ids.take(pa.array(used))
    order = pc.sort_indices(texts).to_numpy()
    rank = np.full(len(ids) + 1, -1, dtype=np.int32)  # the last cell answers −1
    rank[used[order]] = np.arange(len(used), dtype=np.int32)
    categories = pd.Index(pd.array(texts.take(pa.array(order)), dtype="string"))
    return pd.Categorical.from_codes(rank[codes], dtype=pd.CategoricalDtype(categories),
                                     validate=False)


def _trip_order(trip_key: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    """Row order by trip, then ``stop_sequence`` (as a stable :func:`numpy.lexsort`).

    Feeds list each trip's calls together and in sequence, so the order is usually found by
    sorting the trips' runs of rows, not the rows; other files are sorted row by row.
    """
    rows = len(trip_key)
    if rows == 0:
        return np.zeros(0, dtype=np.int64)
    new_run = np.r_[True, trip_key[1:] != trip_key[:-1]]
    starts = np.flatnonzero(new_run)
    run_keys = trip_key[starts]
    by_key = np.argsort(run_keys, kind="stable")
    keys = run_keys[by_key]
    in_sequence = bool(np.all((sequence[1:] >= sequence[:-1]) | new_run[1:]))
    if not (in_sequence and np.all(keys[1:] != keys[:-1])):
        return np.lexsort((sequence, trip_key))
    lengths = np.diff(np.r_[starts, rows])[by_key]
    first_out = np.r_[0, np.cumsum(lengths)[:-1]]
    return np.repeat(starts[by_key] - first_out, lengths) + np.arange(rows)


def _check_order(trip_ids: pa.Array, trip: np.ndarray, sequence: np.ndarray,
                 departure: np.ndarray, row: np.ndarray, where: str) -> None:
    """Raise on repeated ``(trip_id, stop_sequence)`` or an untimed first or last stop.

    The arrays are grouped by trip (codes into ``trip_ids``) and sorted by sequence.
    """
    new_trip = np.r_[True, trip[1:] != trip[:-1]] if len(trip) else np.zeros(0, bool)
    same = ~new_trip[1:] & (sequence[1:] == sequence[:-1])
    repeated = np.r_[same, False] | np.r_[False, same]
    if repeated.any():
        trips, rows = _offending(trip_ids, trip, sequence, row, repeated)
        msg = (f"{where}: (trip_id, stop_sequence) must be unique; repeated for trip_id "
               f"{_listed(trips)} in row(s) {_listed(rows)}")
        raise DataError(msg)
    ends = new_trip | np.r_[new_trip[1:], True]
    untimed_end = ends & (departure == EMPTY_TIME)
    if untimed_end.any():
        trips, rows = _offending(trip_ids, trip, sequence, row, untimed_end)
        msg = (f"{where}: the first and last stop of a trip must have a time; missing for "
               f"trip_id {_listed(trips)} in row(s) {_listed(rows)}")
        raise DataError(msg)


def _offending(trip_ids: pa.Array, trip: np.ndarray, sequence: np.ndarray, row: np.ndarray,
               mask: np.ndarray) -> tuple[list[str], list[int]]:
    """Trip ids and file lines of the rows in ``mask``, as the sorted table lists them.

    That is by trip id (as text), then sequence, then line.
    """
    ids = trip_ids.take(pa.array(trip[mask])).to_pylist()
    listed = sorted(zip(ids, sequence[mask].tolist(), row[mask].tolist(), strict=True))
    return list(dict.fromkeys(i for i, _, _ in listed)), [line for *_, line in listed]


def _whole_seconds(values: np.ndarray) -> np.ndarray:
    """int32 seconds; times left empty inside a trip interpolated linearly."""
    empty = values == EMPTY_TIME
    if not empty.any():
        return values
    # Ends are timed (checked), so linear filling never crosses two trips.
    filled = pd.Series(np.where(empty, np.nan, values)).interpolate(limit_area="inside")
    return filled.round().to_numpy().astype("int32")


def _either_time(first: np.ndarray, other: np.ndarray) -> np.ndarray:
    """``first``, taking ``other`` where ``first`` is empty."""
    empty = first == EMPTY_TIME
    return np.where(empty, other, first) if empty.any() else first


@dataclass(frozen=True)
class StopTimes:
    """A feed's stop_times, read and checked; typed frames are built on demand (:meth:`frame`).

    Rows are grouped by trip (trips in order of first appearance in the file) and sorted by
    ``stop_sequence``. ``trip`` and ``stop`` are int32 codes into ``trip_ids`` and
    ``stop_ids`` (the cleaned distinct ids, in order of first appearance). ``values`` holds
    ``stop_sequence`` (int32), ``arrival_s, departure_s`` (int32 seconds, an empty one
    taking the other; :data:`EMPTY_TIME` inside a trip where both are empty) and
    ``pickup_type, drop_off_type`` (int8).

    Keeping the calls as codes lets a day's departures type only the trips that run
    (:meth:`frame` with ``trips``) instead of the whole national table.
    """

    trip_ids: pa.Array
    stop_ids: pa.Array
    trip: np.ndarray
    stop: np.ndarray
    values: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.trip)

    def frame(self, trips: np.ndarray | None = None) -> pd.DataFrame:
        """The typed stop_times frame (columns: :mod:`data_sources.gtfs.feed`).

        All calls, or those of the trips whose codes (into ``trip_ids``) are ``trips``
        (codes < 0 are ignored). Rows sorted by ``trip_id`` (text order) and
        ``stop_sequence``; ``trip_id`` and ``stop_id`` are categoricals of the ids used,
        sorted; times left empty inside a trip are interpolated.
        """
        if trips is None:
            rows = slice(None)
        else:
            wanted = np.zeros(len(self.trip_ids), dtype=bool)
            wanted[trips[trips >= 0]] = True
            rows = np.flatnonzero(wanted[self.trip])
        trip = _sorted_categorical(self.trip_ids, self.trip[rows])
        stop = _sorted_categorical(self.stop_ids, self.stop[rows])
        columns = {c: v[rows] for c, v in self.values.items()}
        order = _trip_order(trip.codes, columns["stop_sequence"])
        if not _is_identity(order):
            trip = pd.Categorical.from_codes(trip.codes[order], dtype=trip.dtype, validate=False)
            stop = pd.Categorical.from_codes(stop.codes[order], dtype=stop.dtype, validate=False)
            columns = {c: v[order] for c, v in columns.items()}
        for column in ("arrival_s", "departure_s"):
            columns[column] = _whole_seconds(columns[column])
        out = pd.DataFrame({"trip_id": trip, "stop_id": stop} | columns, copy=False)
        return out[COLUMNS]


def _is_identity(order: np.ndarray) -> bool:
    """Whether the permutation ``order`` leaves every row in place."""
    return bool(np.all(order == np.arange(len(order))))


def read_stop_times(source: FeedSource) -> StopTimes:
    """Read stop_times, type it block by block, group it by trip and check it.

    Ids and times are held once per distinct text and block, not per row. A missing
    arrival or departure takes the other. Raises ``DataError`` naming the rows for an empty
    id, a repeated ``(trip_id, stop_sequence)`` or a trip whose first or last stop has no
    time.
    """
    where = source.where("stop_times")
    blocks, offset = [], 0
    for batch in read_batches(source, "stop_times", TYPES):
        blocks.append(_block(batch, offset, where))
        offset += batch.num_rows
    trip_ids, trip = _codes([b["trip_id"] for b in blocks])
    stop_ids, stop = _codes([b["stop_id"] for b in blocks])
    for name, codes in (("trip_id", trip), ("stop_id", stop)):
        empty = np.flatnonzero(codes < 0)
        if len(empty):  # both are required: a call of no trip, or at no stop
            msg = f"{where}: column {name!r} is empty in row(s) {_listed((empty + 2).tolist())}"
            raise DataError(msg)
    values = {c: np.concatenate([b[c] for b in blocks]) for c in blocks[0] if c not in
              ("trip_id", "stop_id")}
    del blocks
    departure = _either_time(values["departure_s"], values["arrival_s"])
    values["arrival_s"] = _either_time(values["arrival_s"], departure)
    values["departure_s"] = departure
    order = _trip_order(trip, values["stop_sequence"])
    if not _is_identity(order):
        trip, stop = trip[order], stop[order]
        values = {c: v[order] for c, v in values.items()}
    _check_order(trip_ids, trip, values["stop_sequence"], values["departure_s"], order + 2,
                 where)
    return StopTimes(trip_ids, stop_ids, trip, stop, values)
