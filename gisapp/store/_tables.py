"""Frames as PostgreSQL tables: a column type per dtype, rows by COPY, the same frame read back.

Each table has ``_row`` (the frame's row order, primary key), the frame's columns with SQL
types from their dtypes, and for a layer its geometry (EPSG:3006, GiST indexed) and two
columns the database generates from it as rows arrive, so serving the default CRS transforms
nothing: ``_crs84`` (its CRS84 transform, GiST indexed for bbox queries in that CRS) and
``_crs84_geojson`` (that transform as the OGC API serves it, :func:`served_geojson`). The
dtypes are recorded with the build (:func:`dtypes`), so :func:`read_frame` returns the frame
that was written: same column order, dtypes, missing values and geometries.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from psycopg import Cursor, sql

from data_sources.errors import BuildError

ROW = "_row"
SRID = 3006
GEOMETRY = "geometry"  # the dtype recorded for the geometry column
SERVED_SRID = 4326  # CRS84's axes (lon, lat) as PostGIS orders EPSG:4326
SERVED_DECIMALS = 6  # of the stored GeoJSON: gisapp.ogc.crs.CRS84's decimals
CRS84_GEOMETRY = "_crs84"  # the geometry transformed to SERVED_SRID
CRS84_GEOJSON = "_crs84_geojson"  # that geometry as served GeoJSON text
_SQL_TYPES = {"b": "boolean", "i": "bigint", "u": "bigint", "f": "double precision"}


def dtypes(frame: pd.DataFrame) -> dict[str, str]:
    """Every column of ``frame`` and its dtype name, in order (``geometry`` for the geometry)."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    return {str(name): GEOMETRY if name == geometry else str(dtype)
            for name, dtype in frame.dtypes.items()}


def normalized(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with object columns as GeoParquet reads them back (numbers as numbers).

    The pipeline may hand over object columns (floats and ``None``); Arrow gives them the
    dtype the file store's GeoParquet files give, so both stores return the same frame.
    """
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    objects = [n for n, d in frame.dtypes.items()
               if pd.api.types.is_object_dtype(d) and n != geometry]
    if not objects:
        return frame
    return frame.assign(**{n: _arrow(frame, n).to_pandas().set_axis(frame.index)
                           for n in objects})


def _arrow(frame: pd.DataFrame, name: str) -> pa.Array:
    """Column ``name`` as an Arrow array; ``BuildError`` for values Arrow cannot type."""
    try:
        return pa.array(frame[name], from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        msg = f"column {name!r} holds values no table can store ({exc})"
        raise BuildError(msg) from None


def _sql_type(frame: pd.DataFrame, name: str) -> str:
    """The SQL type of column ``name``; ``BuildError`` for one a table cannot hold."""
    column = frame[name]
    kind = column.dtype.kind
    if kind in _SQL_TYPES:
        return _SQL_TYPES[kind]
    arrow = _arrow(frame, name).type
    if pa.types.is_string(arrow) or pa.types.is_large_string(arrow) or pa.types.is_null(arrow):
        return "text"
    if pa.types.is_boolean(arrow):
        return "boolean"
    msg = (f"column {name!r} ({column.dtype}) cannot be stored in PostGIS: expected "
           "booleans, integers, floats or text")
    raise BuildError(msg)


def served_geojson(geometry: sql.Composable, decimals: int) -> sql.Composable:
    """SQL for ``geometry`` as GeoJSON text (``null`` for none) as the OGC API serves it.

    Exterior rings counter-clockwise, coordinates rounded to ``decimals``; the text has no
    ``<``, ``>`` or ``&`` (nothing to escape).
    """
    # only polygons: PostGIS 3.3's ST_ForcePolygonCCW reverses lines too
    return sql.SQL("COALESCE(ST_AsGeoJSON(CASE WHEN ST_Dimension({g}) = 2 THEN "
                   "ST_ForcePolygonCCW({g}) ELSE {g} END, {d}), 'null')").format(
        g=geometry, d=sql.Literal(decimals))


def _crs84_columns(geometry: str) -> list[sql.Composable]:
    """The generated columns of a layer's table: its geometry in CRS84, and as GeoJSON."""
    in_crs84 = sql.SQL("ST_Transform({}, {})").format(sql.Identifier(geometry),
                                                      sql.Literal(SERVED_SRID))
    return [sql.SQL("{} geometry(Geometry, {}) GENERATED ALWAYS AS ({}) STORED").format(
                sql.Identifier(CRS84_GEOMETRY), sql.Literal(SERVED_SRID), in_crs84),
            sql.SQL("{} text GENERATED ALWAYS AS ({}) STORED").format(
                sql.Identifier(CRS84_GEOJSON), served_geojson(in_crs84, SERVED_DECIMALS))]


def create_table(cur: Cursor, table: sql.Identifier, frame: pd.DataFrame) -> None:
    """Create ``table`` for ``frame`` (with its geometry and the CRS84 columns for a layer)."""
    columns = [sql.SQL("{} integer PRIMARY KEY").format(sql.Identifier(ROW))]
    for name, dtype in dtypes(frame).items():
        if name.startswith("_"):
            msg = f"column {name!r}: names beginning with '_' are the store's own"
            raise BuildError(msg)
        kind = (f"geometry(Geometry, {SRID})" if dtype == GEOMETRY
                else _sql_type(frame, name))
        columns.append(sql.SQL("{} " + kind).format(sql.Identifier(name)))
        if dtype == GEOMETRY:
            columns += _crs84_columns(name)
    cur.execute(sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(", ").join(columns)))


def index_geometry(cur: Cursor, table: sql.Identifier, geometry: str) -> None:
    """GiST indexes on ``geometry`` and on its CRS84 transform, then fresh statistics."""
    for column in (geometry, CRS84_GEOMETRY):
        cur.execute(sql.SQL("CREATE INDEX ON {} USING gist ({})").format(
            table, sql.Identifier(column)))
    cur.execute(sql.SQL("ANALYZE {}").format(table))


def _values(frame: pd.DataFrame, name: str, dtype: str) -> list:
    """Column ``name`` as Python values for COPY: missing is ``None``, geometry hex EWKB."""
    if dtype == GEOMETRY:
        geoms = shapely.set_srid(np.asarray(frame[name].values), SRID)
        return list(shapely.to_wkb(geoms, hex=True, include_srid=True))
    column = frame[name]
    return column.astype(object).where(column.notna(), None).tolist()


def copy_frame(cur: Cursor, table: sql.Identifier, frame: pd.DataFrame) -> None:
    """Write every row of ``frame`` into ``table`` with COPY."""
    names = dtypes(frame)
    columns = [list(range(len(frame)))]
    columns += [_values(frame, name, dtype) for name, dtype in names.items()]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        table, sql.SQL(", ").join(sql.Identifier(n) for n in [ROW, *names]))
    with cur.copy(statement) as copy:
        for row in zip(*columns, strict=True):
            copy.write_row(row)


def read_frame(cur: Cursor, table: sql.Identifier, names: dict[str, str]) -> pd.DataFrame:
    """Read ``table`` back as the frame written (a GeoDataFrame when it has a geometry)."""
    selected = [sql.SQL("ST_AsBinary({})").format(sql.Identifier(n)) if d == GEOMETRY
                else sql.Identifier(n) for n, d in names.items()]
    cur.execute(sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
        sql.SQL(", ").join(selected), table, sql.Identifier(ROW)))
    rows = cur.fetchall()
    data = {}
    for i, (name, dtype) in enumerate(names.items()):
        values = [row[i] for row in rows]
        if dtype == GEOMETRY:
            data[name] = gpd.GeoSeries(shapely.from_wkb(values), crs=SRID)
        else:
            data[name] = pd.Series(values, dtype=object).astype(dtype)
    geometry = next((n for n, d in names.items() if d == GEOMETRY), None)
    frame = pd.DataFrame(data, columns=list(names))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=SRID) if geometry else frame
