"""Readers and validators shared by every loader.

Each check raises :class:`~data_sources.errors.DataError` (or ``MissingDataError``) with a
message that names the file, the offending rows or column, and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from data_sources._register import known_kommunkoder
from data_sources.crs import COMPUTE_CRS
from data_sources.errors import DataError, MissingDataError

# SWEREF 99 TM area of use (EPSG:3006), with a margin for border stations in Norway/Denmark.
SWEDEN_BOUNDS_3006 = (150_000.0, 6_050_000.0, 1_100_000.0, 7_700_000.0)
_KOMMUNKOD = re.compile(r"^\d{4}$")
_MAX_LISTED = 5


def _listed(values: Iterable[object]) -> str:
    """Format at most a few offending values for an error message."""
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:_MAX_LISTED])
    more = f" and {len(values) - _MAX_LISTED} more" if len(values) > _MAX_LISTED else ""
    return shown + more


def bad_values(where: str | Path, column: str, requirement: str, values: Iterable[object],
               rows: Iterable[object]) -> DataError:
    """The error for values of ``column`` that fail ``requirement``, for the caller to raise.

    The message reads ``{where}: column {column!r} must {requirement}; bad value(s) …
    in row(s) …``, listing at most a few ``values`` and ``rows`` (see :func:`_listed`).
    """
    msg = (f"{where}: column {column!r} must {requirement}; bad value(s) {_listed(values)} "
           f"in row(s) {_listed(rows)}")
    return DataError(msg)


def require_file(path: Path) -> Path:
    """Return ``path`` if it is a file, else raise ``MissingDataError`` naming it."""
    if not path.is_file():
        msg = f"{path}: file not found (run `strukturbild fetch` or pass --data-dir)"
        raise MissingDataError(msg)
    return path


def read_vector(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector file (GeoPackage, GeoJSON, zipped shapefile) with pyogrio."""
    require_file(path)
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        where = f" (layer {layer!r})" if layer else ""
        msg = f"{path}: cannot be read as a vector file{where}: {exc}"
        raise DataError(msg) from exc


def read_table(path: Path, *, dtype: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Read a UTF-8 CSV file, keeping code columns as strings when ``dtype`` says so.

    The index is each row's line number in the file (the header is line 1), so every
    "row(s) N" in an error message points at line N of the CSV.
    """
    require_file(path)
    try:
        frame = pd.read_csv(path, dtype=dtype, encoding="utf-8")
        frame.index = frame.index + 2
        return frame
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = f"{path}: cannot be read as a UTF-8 CSV table: {exc}"
        raise DataError(msg) from exc
    except ValueError as exc:  # a dtype that does not fit the values
        msg = f"{path}: a column does not have the expected type: {exc}"
        raise DataError(msg) from exc


def require_columns(frame: pd.DataFrame, columns: Iterable[str], path: Path) -> None:
    """Raise if any of ``columns`` is missing from ``frame``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = (
            f"{path}: missing column(s) {_listed(missing)}; "
            f"expected {sorted(columns)}, found {list(frame.columns)}"
        )
        raise DataError(msg)


def require_unique(frame: pd.DataFrame, column: str, path: Path) -> None:
    """Raise if ``column`` holds duplicated or empty ids."""
    empty = frame[column].isna()
    if empty.any():
        msg = f"{path}: column {column!r} is empty in row(s) {_listed(frame.index[empty])}"
        raise DataError(msg)
    dup = frame[column][frame[column].duplicated(keep=False)]
    if not dup.empty:
        msg = f"{path}: column {column!r} must be unique; duplicated: {_listed(sorted(set(dup)))}"
        raise DataError(msg)


def require_kommunkod(frame: pd.DataFrame, path: Path, column: str = "kommunkod") -> None:
    """Raise unless every value of ``column`` is a 4-digit string naming a real kommun."""
    values = frame[column]
    malformed = values[~values.astype("string").fillna("").str.fullmatch(_KOMMUNKOD)]
    if not malformed.empty:
        raise bad_values(path, column, "hold 4-digit kommunkoder as text (e.g. '0114')",
                         malformed.tolist(), malformed.index)
    unknown = values[~values.isin(known_kommunkoder())]
    if not unknown.empty:
        msg = (
            f"{path}: column {column!r} holds code(s) that are not Swedish kommuner: "
            f"{_listed(unknown.tolist())} in row(s) {_listed(unknown.index)}"
        )
        raise DataError(msg)


def to_compute_crs(
    frame: gpd.GeoDataFrame, path: Path, *, expected: str | None = None
) -> gpd.GeoDataFrame:
    """Check the CRS of ``frame`` and return it in EPSG:3006.

    Raises when the CRS is absent, differs from ``expected`` (the publisher's native CRS),
    or when most features do not land in Sweden once transformed (a mislabelled CRS; a
    minority abroad is allowed, e.g. international stations).
    """
    if frame.crs is None:
        msg = f"{path}: no coordinate reference system; expected {expected or 'a declared CRS'}"
        raise DataError(msg)
    if expected is not None and not frame.crs.equals(expected):
        msg = f"{path}: CRS is {frame.crs.to_string()}, expected {expected}"
        raise DataError(msg)
    out = frame.to_crs(COMPUTE_CRS)
    present = out.geometry[out.geometry.notna() & ~out.geometry.is_empty]
    if len(present):
        bounds = present.bounds
        x0, y0, x1, y1 = SWEDEN_BOUNDS_3006
        inside = ((bounds.minx >= x0) & (bounds.miny >= y0)
                  & (bounds.maxx <= x1) & (bounds.maxy <= y1))
        if inside.mean() < 0.5:
            minx, miny, maxx, maxy = present.total_bounds
            msg = (
                f"{path}: most coordinates fall outside Sweden once read as "
                f"{frame.crs.to_string()} (bounds in EPSG:3006: {minx:.0f}, {miny:.0f}, "
                f"{maxx:.0f}, {maxy:.0f}); is the declared CRS wrong?"
            )
            raise DataError(msg)
    return out


def require_geometry(frame: gpd.GeoDataFrame, path: Path, id_column: str) -> None:
    """Raise if any geometry is missing, empty or invalid, naming the feature ids."""
    geoms = frame.geometry
    empty = geoms.isna() | geoms.is_empty
    if empty.any():
        ids = _listed(frame.loc[empty, id_column])
        msg = f"{path}: empty or missing geometry for {id_column} {ids}"
        raise DataError(msg)
    invalid = ~geoms.is_valid
    if invalid.any():
        first = frame.loc[invalid].iloc[0]
        reason = shapely.is_valid_reason(first.geometry)
        msg = (
            f"{path}: invalid geometry for {id_column} {_listed(frame.loc[invalid, id_column])} "
            f"({reason})"
        )
        raise DataError(msg)


def points_from_xy(
    frame: pd.DataFrame, x: str, y: str, crs: str, path: Path
) -> gpd.GeoDataFrame:
    """Build point geometries from two numeric columns; rows without coordinates are an error."""
    coords = frame[[x, y]].apply(pd.to_numeric, errors="coerce")
    missing = coords.isna().any(axis=1)
    if missing.any():
        rows = _listed(frame.index[missing])
        msg = f"{path}: columns {x!r}/{y!r} are not numeric in row(s) {rows}"
        raise DataError(msg)
    geometry = gpd.points_from_xy(coords[x], coords[y], crs=crs)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


def validated_vector(
    path: Path,
    *,
    columns: Iterable[str],
    id_column: str,
    expected_crs: str | None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector file and run every standard check; return ``columns`` + geometry in 3006.

    Checks, in order: file exists and is readable, required columns, CRS (declared, as
    expected, and landing in Sweden), non-empty valid geometry, unique ``id_column``, and
    real kommunkoder when a ``kommunkod`` column is among ``columns``.
    """
    columns = list(columns)
    frame = read_vector(path, layer=layer)
    require_columns(frame, columns, path)
    frame = to_compute_crs(frame, path, expected=expected_crs)
    require_geometry(frame, path, id_column)
    require_unique(frame, id_column, path)
    if "kommunkod" in columns:
        require_kommunkod(frame, path)
    out = frame[[*columns, frame.geometry.name]]
    return out if out.geometry.name == "geometry" else out.rename_geometry("geometry")


def validated_table(
    path: Path,
    *,
    columns: Iterable[str],
    text_columns: Iterable[str] = ("kommunkod", "lanskod"),
    id_column: str | None = "kommunkod",
) -> pd.DataFrame:
    """Read a CSV table, keep code columns as text, and run the standard checks.

    Checks: file exists and is UTF-8 CSV, required ``columns``, unique ``id_column``, and
    real kommunkoder when ``kommunkod`` is among ``columns``. Returns ``columns`` only.
    """
    columns = list(columns)
    frame = read_table(path, dtype={c: "string" for c in text_columns})
    require_columns(frame, columns, path)
    if id_column is not None:
        require_unique(frame, id_column, path)
    if "kommunkod" in columns:
        require_kommunkod(frame, path)
    return frame[columns].copy()


def require_whole_numbers(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """Return ``column`` as int64, raising if any value is missing, fractional or negative."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() | (values < 0) | (values % 1 != 0)
    if bad.any():
        raise bad_values(path, column, "hold whole numbers ≥ 0",
                         frame.loc[bad, column].tolist(), frame.index[bad])
    return values.astype("int64")
