"""Typing the big ``stop_times`` table block by block in Arrow, then sorting it by trip.

The table is read on all cores with ids and times dictionary-encoded
(:func:`~data_sources.gtfs.reader.read_batches`), and each block is typed without going
through Python strings: only the distinct values of a block are cleaned (ids) or parsed
(times). The blocks' ids are then joined into
one sorted categorical each. Text that the fast path cannot type goes through the general
typing of :mod:`~data_sources.gtfs._values`, which names the file's rows. Output columns:
see :mod:`data_sources.gtfs.feed`.
"""

from __future__ import annotations

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


def _categorical(blocks: list[pa.DictionaryArray]) -> pd.Categorical:
    """One categorical of cleaned ids over all blocks, its categories sorted.

    The blocks' dictionaries are cleaned together, once per entry
    (:func:`~data_sources.gtfs.reader.clean_ids`); entries that clean to the same id, in
    one block or several, share one category. Categories sort by code point, as Python
    sorts text.
    """
    dictionaries = [block.dictionary for block in blocks]
    cleaned = pc.dictionary_encode(clean_ids(pa.concat_arrays(dictionaries)))
    uniques = cleaned.dictionary
    order = pc.sort_indices(uniques).to_numpy()
    rank = np.empty(len(uniques), dtype=np.int32)
    rank[order] = np.arange(len(uniques), dtype=np.int32)
    remap = _without_nulls(cleaned.indices, -1)
    # the code of each entry of every block's dictionary, in block order; then an empty
    # cell's: −1, pandas' missing code
    code_of = np.append(np.where(remap >= 0, rank[remap], -1), -1).astype(np.int32)
    empty = len(code_of) - 1
    starts = np.cumsum([0] + [len(d) for d in dictionaries[:-1]])
    codes = np.concatenate([code_of[_without_nulls(block.indices, empty - start) + start]
                            for block, start in zip(blocks, starts, strict=True)])
    categories = pd.Index(pd.array(uniques.take(order), dtype="string"))
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories),
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


def _check_order(trip: pd.Categorical, sequence: np.ndarray, departure: np.ndarray,
                 row: np.ndarray, where: str) -> None:
    """Raise on repeated ``(trip_id, stop_sequence)`` or an untimed first or last stop.

    The arrays are sorted by trip and sequence.
    """
    codes = trip.codes
    new_trip = np.r_[True, codes[1:] != codes[:-1]] if len(codes) else np.zeros(0, bool)
    same = ~new_trip[1:] & (sequence[1:] == sequence[:-1])
    repeated = np.r_[same, False] | np.r_[False, same]
    if repeated.any():
        msg = (f"{where}: (trip_id, stop_sequence) must be unique; repeated for trip_id "
               f"{_listed(pd.unique(trip[repeated]).tolist())} in row(s) "
               f"{_listed(row[repeated].tolist())}")
        raise DataError(msg)
    ends = new_trip | np.r_[new_trip[1:], True]
    untimed_end = ends & (departure == EMPTY_TIME)
    if untimed_end.any():
        msg = (f"{where}: the first and last stop of a trip must have a time; missing for "
               f"trip_id {_listed(pd.unique(trip[untimed_end]).tolist())} in row(s) "
               f"{_listed(row[untimed_end].tolist())}")
        raise DataError(msg)


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


def read_stop_times(source: FeedSource) -> pd.DataFrame:
    """Read stop_times, type it block by block; sort; interpolate inner times.

    Ids and times are held once per distinct text and block, not per row. Rows are sorted
    by ``trip_id`` (text order) and ``stop_sequence``; a missing arrival or departure takes
    the other.
    """
    where = source.where("stop_times")
    blocks, offset = [], 0
    for batch in read_batches(source, "stop_times", TYPES):
        blocks.append(_block(batch, offset, where))
        offset += batch.num_rows
    trip = _categorical([b["trip_id"] for b in blocks])
    stop = _categorical([b["stop_id"] for b in blocks])
    for name, ids in (("trip_id", trip), ("stop_id", stop)):
        empty = np.flatnonzero(ids.codes < 0)
        if len(empty):  # both are required: a call of no trip, or at no stop
            msg = f"{where}: column {name!r} is empty in row(s) {_listed((empty + 2).tolist())}"
            raise DataError(msg)
    columns = {c: np.concatenate([b[c] for b in blocks]) for c in blocks[0] if c not in
               ("trip_id", "stop_id")}
    del blocks
    departure = _either_time(columns["departure_s"], columns["arrival_s"])
    columns["arrival_s"] = _either_time(columns["arrival_s"], departure)
    columns["departure_s"] = departure
    order = _trip_order(trip.codes, columns["stop_sequence"])
    trip = pd.Categorical.from_codes(trip.codes[order], dtype=trip.dtype, validate=False)
    stop = pd.Categorical.from_codes(stop.codes[order], dtype=stop.dtype, validate=False)
    columns = {c: v[order] for c, v in columns.items()}
    _check_order(trip, columns["stop_sequence"], columns["departure_s"], order + 2, where)
    for column in ("arrival_s", "departure_s"):
        columns[column] = _whole_seconds(columns[column])
    out = pd.DataFrame({"trip_id": trip, "stop_id": stop} | columns, copy=False)
    return out[COLUMNS]
