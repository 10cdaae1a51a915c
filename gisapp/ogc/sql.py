"""OGC items from the PostGIS store: bbox, property filters, paging and the CRS done in SQL.

A layer is a table of its build's schema (:mod:`gisapp.store.postgis`); nothing of it is
loaded into Python. One query selects a page of features, each assembled in SQL as the
GeoJSON text the in-memory source (:mod:`gisapp.ogc.features`) serves: the geometry in the
served CRS (axes flipped for EPSG:3006, whose order is northing, easting), exterior rings
counter-clockwise, coordinates rounded to the CRS's decimals, properties in column order,
``<``, ``>`` and ``&`` escaped as in every JSON answer. In CRS84, the default, the geometry
is the GeoJSON text stored with the row at build time (``_crs84_geojson``, no transform per
request; builds from before it have their geometry transformed per request). ``bbox`` in
CRS84 uses the GiST index of the stored CRS84 geometry, in EPSG:3006 the one on the geometry.

A property filter compares the property's text as the in-memory source does: texts as
they are, integers in decimal, booleans as ``true``/``false``, and floats as Python writes
them (``5779.0``, ``0.25``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from psycopg import sql

from data_sources.errors import NotFoundError
from gisapp.ogc.crs import CRS84, ServedCrs
from gisapp.ogc.features import Page
from gisapp.ogc.params import ItemsQuery
from gisapp.store import _tables
from gisapp.store.postgis import PostgisBuild
from layers.spec import LayerSpec

SRIDS = {CRS84.uri: 4326}  # any other served CRS is the storage CRS, EPSG:3006
_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))


@dataclass(frozen=True)
class _Table:
    """What the queries of one layer need: its table, columns and id expression."""

    table: sql.Identifier
    geometry: str
    properties: dict[str, str]  # name -> dtype
    feature_id: sql.Composable
    count: int
    extent: list[float] | None
    stored_crs84: bool  # has the build-time CRS84 columns (_tables.CRS84_GEOJSON)


def _text_of(name: str, dtype: str) -> sql.Composable:
    """SQL for the text of a property as the in-memory source writes it."""
    column = sql.Identifier(name)
    if dtype.startswith(("float", "Float")):
        # Python's repr: integral values keep '.0' (5779.0); others agree with PostgreSQL's
        return sql.SQL("CASE WHEN {c} = trunc({c}) AND abs({c}) < 1e16 "
                       "THEN {c}::bigint::text || '.0' ELSE {c}::text END").format(c=column)
    if dtype in ("str", "string", "object"):
        return column
    return sql.SQL("{}::text").format(column)


def _escaped(expression: sql.Composable) -> sql.Composable:
    """``expression`` (JSON text) with the HTML-significant characters escaped."""
    for char, escaped in _ESCAPES:
        expression = sql.SQL("replace({}, {}, {})").format(
            expression, sql.Literal(char), sql.Literal(escaped))
    return expression


class SqlSource:
    """Collections of PostGIS builds; per-layer facts are read once per build."""

    def __init__(self) -> None:
        self._build_id: str | None = None
        self._tables: dict[str, _Table] = {}
        self._lock = threading.Lock()

    def _table(self, build: PostgisBuild, spec: LayerSpec) -> _Table:
        """The facts of ``spec``'s layer in ``build`` (read on first use)."""
        with self._lock:
            if self._build_id != build.id:
                self._build_id, self._tables = build.id, {}
            if spec.id not in self._tables:
                self._tables[spec.id] = _read_table(build, spec)
            return self._tables[spec.id]

    def properties(self, build: PostgisBuild, spec: LayerSpec) -> list[str]:
        """Names of the layer's feature properties."""
        return list(self._table(build, spec).properties)

    def extent(self, build: PostgisBuild, spec: LayerSpec) -> list[float] | None:
        """The layer's CRS84 bounds, rounded to 6 decimals (``None`` when it is empty)."""
        return self._table(build, spec).extent

    def items(self, build: PostgisBuild, spec: LayerSpec, query: ItemsQuery) -> Page:
        """One page of the features matching ``query``'s bbox and property filters."""
        table = self._table(build, spec)
        where, params = _conditions(table, query)
        select = sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY _row LIMIT %s OFFSET %s").format(
            _feature_json(table, query.crs), table.table, where)
        with build.store.cursor() as cur:
            cur.execute(select, [*params, query.limit, query.offset])
            features = [row[0] for row in cur.fetchall()]
            if params:
                cur.execute(sql.SQL("SELECT count(*) FROM {} WHERE {}").format(
                    table.table, where), params)
                matched = cur.fetchone()[0]
            else:
                matched = table.count
        return Page(features, matched, query.offset, query.limit)

    def feature(self, build: PostgisBuild, spec: LayerSpec, feature_id: str,
                crs: ServedCrs) -> str:
        """The feature ``feature_id`` as GeoJSON text; ``NotFoundError`` when absent."""
        table = self._table(build, spec)
        select = sql.SQL("SELECT {} FROM {} WHERE {} = %s ORDER BY _row LIMIT 1").format(
            _feature_json(table, crs), table.table, table.feature_id)
        with build.store.cursor() as cur:
            cur.execute(select, (feature_id,))
            row = cur.fetchone()
        if row is None:
            msg = f"feature {feature_id[:80]!r} is not in collection {spec.id!r}"
            raise NotFoundError(msg)
        return row[0]


def _read_table(build: PostgisBuild, spec: LayerSpec) -> _Table:
    """Columns, id expression, row count and CRS84 extent of a layer's table."""
    dtypes = build.dtypes[spec.id]
    geometry = next(n for n, d in dtypes.items() if d == "geometry")
    properties = {n: d for n, d in dtypes.items() if n != geometry}
    table = build.table(spec.id)
    with build.store.cursor() as cur:
        feature_id = sql.SQL("_row::text")
        if spec.id_column in properties:
            candidate = _text_of(spec.id_column, properties[spec.id_column])
            cur.execute(sql.SQL("SELECT count(DISTINCT {}) = count(*) FROM {}").format(
                candidate, table))
            if cur.fetchone()[0]:
                feature_id = candidate
        cur.execute("SELECT EXISTS (SELECT FROM information_schema.columns WHERE "
                    "table_schema = %s AND table_name = %s AND column_name = %s)",
                    (build.schema, spec.id, _tables.CRS84_GEOJSON))
        stored_crs84 = cur.fetchone()[0]
        cur.execute(sql.SQL("SELECT (SELECT count(*) FROM {t}), ST_XMin(e), ST_YMin(e), "
                            "ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent({g}) AS e FROM {t}) "
                            "AS x").format(t=table, g=_in_crs84(geometry, stored_crs84)))
        count, *bounds = cur.fetchone()
    extent = [round(float(v), 6) for v in bounds] if bounds[0] is not None else None
    return _Table(table, geometry, properties, feature_id, count, extent, stored_crs84)


def _in_crs84(geometry: str, stored: bool) -> sql.Composable:
    """The geometry in CRS84: the stored column, or (older builds) transformed per row."""
    if stored:
        return sql.Identifier(_tables.CRS84_GEOMETRY)
    return sql.SQL("ST_Transform({}, 4326)").format(sql.Identifier(geometry))


def _served_geojson(table: _Table, crs: ServedCrs) -> sql.Composable:
    """The geometry's GeoJSON text in ``crs`` (stored at build time for CRS84)."""
    if (crs.uri in SRIDS and table.stored_crs84 and not crs.swap_axes
            and crs.decimals == _tables.SERVED_DECIMALS):
        return sql.Identifier(_tables.CRS84_GEOJSON)
    served = (_in_crs84(table.geometry, table.stored_crs84) if crs.uri in SRIDS
              else sql.Identifier(table.geometry))
    if crs.swap_axes:
        served = sql.SQL("ST_FlipCoordinates({})").format(served)
    return _tables.served_geojson(served, crs.decimals)


def _feature_json(table: _Table, crs: ServedCrs) -> sql.Composable:
    """SQL assembling one feature's GeoJSON text (the geometry's has nothing to escape)."""
    properties = sql.SQL(", ").join(sql.Identifier(n) for n in table.properties)
    return sql.SQL(
        "'{{\"type\":\"Feature\",\"id\":' || {fid} || ',\"geometry\":' || {geometry} || "
        "',\"properties\":' || {properties} || '}}'").format(
        fid=_escaped(sql.SQL("to_json({})::text").format(table.feature_id)),
        geometry=_served_geojson(table, crs),
        properties=_escaped(sql.SQL("(SELECT row_to_json(p) FROM (SELECT {}) AS p)::text")
                            .format(properties)))


def _conditions(table: _Table, query: ItemsQuery) -> tuple[sql.Composable, list]:
    """The WHERE clause of ``query``'s bbox and property filters, and its parameters."""
    conditions: list[sql.Composable] = []
    params: list = []
    if query.bbox is not None:
        srid = SRIDS.get(query.bbox_crs.uri, 3006)
        geometry = (_in_crs84(table.geometry, table.stored_crs84) if srid == 4326
                    else sql.Identifier(table.geometry))
        conditions.append(sql.SQL("ST_Intersects({}, ST_MakeEnvelope(%s, %s, %s, %s, {}))")
                          .format(geometry, sql.Literal(srid)))
        params += list(query.bbox)
    for name, value in query.filters.items():
        conditions.append(sql.SQL("{} = %s").format(_text_of(name, table.properties[name])))
        params.append(value)
    where = sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("true")
    return where, params
