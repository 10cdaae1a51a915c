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
from data_sources.gtfs.reader import FeedSource, read_batches, strip_decimal_ids

# read dictionary-encoded: few distinct values, many rows
DICTIONARY = ("trip_id", "stop_id", "arrival_time", "departure_time")
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


def _arrow_seconds(texts: pa.Array) -> np.ndarray | None:
    """Float seconds of distinct time texts, or ``None`` when one is not plain H:MM:SS."""
    parts = pc.extract_regex(pc.utf8_trim_whitespace(texts), TIME)
    if parts.null_count:
        return None
    h, m, s = (pc.cast(pc.struct_field(parts, [i]), pa.int64()).to_numpy() for i in range(3))
    return (h * 3600 + m * 60 + s).astype("float64")


def _seconds(values: pa.Array, offset: int, where: str, column: str) -> np.ndarray:
    """Times of day as float seconds (NaN where empty); each distinct text parsed once.

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
        unique = unique.to_numpy(dtype="float64", na_value=np.nan)
    return np.append(unique, np.nan)[encoded.indices.fill_null(len(unique)).to_numpy()]


def _small_integers(values: pa.Array, offset: int, where: str, column: str, *,
                    default: int | None, dtype: str) -> np.ndarray:
    """Whole numbers of one block (see :func:`~data_sources.gtfs._values.integers`)."""
    cast = arrow_integers(values, default=default, dtype=dtype)
    if cast is not None:
        return cast
    frame = _as_series(values, offset).to_frame(column)
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
    out["row"] = np.arange(offset + 2, offset + 2 + batch.num_rows, dtype=np.int64)
    return out


def _categorical(blocks: list[pa.DictionaryArray]) -> pd.Categorical:
    """One categorical of cleaned ids over all blocks, its categories sorted.

    The blocks' dictionaries are unified by Arrow; ids are cleaned once per distinct text,
    and texts that clean to the same id share one category.
    """
    unified = pa.chunked_array(blocks).unify_dictionaries()
    cleaned = strip_decimal_ids(pd.Series(unified.chunk(0).dictionary.to_pandas()))
    remap, uniques = pd.factorize(cleaned)
    uniques = pd.Index(uniques, dtype="string")
    order = uniques.argsort()
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[order] = np.arange(len(uniques))
    code_of = np.append(np.where(remap >= 0, rank[remap], -1), -1)
    indices = np.concatenate([chunk.indices.fill_null(len(remap)).to_numpy()
                              for chunk in unified.chunks])
    return pd.Categorical.from_codes(code_of[indices],
                                     dtype=pd.CategoricalDtype(uniques[order]))


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
    untimed_end = ends & np.isnan(departure)
    if untimed_end.any():
        msg = (f"{where}: the first and last stop of a trip must have a time; missing for "
               f"trip_id {_listed(pd.unique(trip[untimed_end]).tolist())} in row(s) "
               f"{_listed(row[untimed_end].tolist())}")
        raise DataError(msg)


def _whole_seconds(values: np.ndarray) -> np.ndarray:
    """int32 seconds; times left empty inside a trip interpolated linearly."""
    if np.isnan(values).any():
        # Ends are timed (checked), so linear filling never crosses two trips.
        values = pd.Series(values).interpolate(limit_area="inside").round().to_numpy()
    return values.astype("int32")


def read_stop_times(source: FeedSource) -> pd.DataFrame:
    """Read stop_times, type it block by block; sort; interpolate inner times.

    Ids and times are held once per distinct text and block, not per row. Rows are sorted
    by ``trip_id`` (text order) and ``stop_sequence``; a missing arrival or departure takes
    the other.
    """
    where = source.where("stop_times")
    blocks, offset = [], 0
    for batch in read_batches(source, "stop_times", dictionary=DICTIONARY):
        blocks.append(_block(batch, offset, where))
        offset += batch.num_rows
    trip = _categorical([b["trip_id"] for b in blocks])
    stop = _categorical([b["stop_id"] for b in blocks])
    columns = {c: np.concatenate([b[c] for b in blocks]) for c in blocks[0] if c not in
               ("trip_id", "stop_id")}
    del blocks
    departure = np.where(np.isnan(columns["departure_s"]), columns["arrival_s"],
                         columns["departure_s"])
    columns["arrival_s"] = np.where(np.isnan(columns["arrival_s"]), departure,
                                    columns["arrival_s"])
    columns["departure_s"] = departure
    # empty trip ids (code −1) last, as pandas sorts missing values
    trip_key = np.where(trip.codes < 0, len(trip.categories), trip.codes)
    order = np.lexsort((columns["stop_sequence"], trip_key))
    trip, stop = trip[order], stop[order]
    columns = {c: v[order] for c, v in columns.items()}
    _check_order(trip, columns["stop_sequence"], columns["departure_s"], columns["row"], where)
    for column in ("arrival_s", "departure_s"):
        columns[column] = _whole_seconds(columns[column])
    out = pd.DataFrame({"trip_id": trip, "stop_id": stop} | columns)
    return out[COLUMNS]
