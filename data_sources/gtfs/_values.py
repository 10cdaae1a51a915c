"""Typing GTFS text values: whole numbers, times of day and dates, with errors naming rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_sources._validate import bad_values
from data_sources.gtfs.reader import row_numbers


def arrow_integers(values: pa.Array, *, default: int | None = None,
                   dtype: str = "int32") -> np.ndarray | None:
    """Plain integer text as a numpy array (empty cells ``default``), or ``None``.

    ``None`` when some text is not a plain integer, or a cell is empty and there is no
    ``default``: :func:`integers` then decides and names the rows.
    """
    try:
        cast = pc.cast(values, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if cast.null_count and default is None:
        return None
    filled = cast.fill_null(default) if cast.null_count else cast
    return filled.to_numpy().astype(dtype)


def integers(frame: pd.DataFrame, column: str, where: str, *, default: int | None = None,
              dtype: str = "int32") -> pd.Series:
    """Return ``column`` as integers; empty cells take ``default`` or are an error.

    Plain integer text is cast by Arrow; anything else (``1.0``, blanks, words) goes through
    pandas, which accepts whole decimals and names the rows of the rest.
    """
    cast = arrow_integers(pa.array(frame[column], type=pa.string(), from_pandas=True),
                          default=default, dtype=dtype)
    if cast is not None:
        return pd.Series(cast, index=frame.index)
    values = pd.to_numeric(frame[column], errors="coerce")
    if default is not None:
        values = values.where(frame[column].notna(), default)
    bad = values.isna() | (values % 1 != 0)
    if bad.any():
        raise bad_values(where, column, "hold whole numbers", frame.loc[bad, column].tolist(),
                         row_numbers(bad, frame))
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
        raise bad_values(where, column, "hold times as H:MM:SS (may pass 24:00:00)",
                         pd.unique(values[bad]).tolist(), (values.index[bad] + 2).tolist())
    # code −1 (empty cell) takes the NaN appended last, read as missing by Float64
    seconds = pd.array(np.append(unique_seconds.to_numpy(dtype="float64", na_value=np.nan),
                                 np.nan)[codes], dtype="Float64").astype("Int32")
    return pd.Series(seconds, index=values.index)


def dates(frame: pd.DataFrame, column: str, where: str) -> pd.Series:
    """Parse ``YYYYMMDD`` dates, naming the rows that are not dates."""
    values = pd.to_datetime(frame[column], format="%Y%m%d", errors="coerce")
    bad = values.isna()
    if bad.any():
        raise bad_values(where, column, "hold dates as YYYYMMDD",
                         frame.loc[bad, column].tolist(), row_numbers(bad, frame))
    return values
