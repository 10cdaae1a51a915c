"""The PostGIS store: each build in its own schema, ``current`` switched in one transaction.

Layout in the database (``STRUKTURBILD_STORE=postgresql://…`` or ``--store``)::

    strukturbild.builds    build_id, schema_name, manifest (json), dtypes (json), network,
                           tiles (the PMTiles archive)
    strukturbild.current   one row: the build_id served
    build_<id>.<layer>     one table per layer (gisapp.store._tables), geometry GiST-indexed
    build_<id>.indikatorer the indicator table

A build is written in one transaction that creates its schema, loads every table with COPY,
records the build and points ``current`` at it; a failed or killed build rolls back whole,
so the previous build keeps serving and no partial schema stays behind. Writers take an
advisory lock, so two builds never interleave. Readers (any number of app instances) look
up ``current`` on every request and serve a new build as soon as its transaction commits.
"""

from __future__ import annotations

import io
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property, partial
from urllib.parse import urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
from psycopg import sql
from psycopg.types.json import Json
from psycopg_pool import ConnectionPool, PoolTimeout

from data_sources.errors import BuildError
from gisapp.store import _tables
from gisapp.store.base import Build, BuildStore, check_layers, new_build_id
from layers.accessibility import Network

log = logging.getLogger(__name__)

META = "strukturbild"
INDICATORS = "indikatorer"
LOCK_KEY = 0x5374_7275  # pg_advisory_xact_lock key of the store's writers ("Stru")
POOL_SIZE = 16  # connections per app process (threads beyond wait for one)
POOL_TIMEOUT_S = 30.0  # how long a query waits for a free connection before answering 503
CONNECT_TIMEOUT_S = 5
BUILD_APPLICATION = "strukturbild build"  # application_name of a writing connection
# the manifest as the file store writes it: values JSON lacks (dates) as text, order kept
_manifest_json = partial(json.dumps, ensure_ascii=False, default=str)
_SETUP = f"""
CREATE SCHEMA IF NOT EXISTS {META};
CREATE TABLE IF NOT EXISTS {META}.builds (
    build_id text PRIMARY KEY,
    schema_name text NOT NULL UNIQUE,
    manifest json NOT NULL,
    dtypes json NOT NULL,
    network bytea,
    created timestamptz NOT NULL DEFAULT clock_timestamp()
);
ALTER TABLE {META}.builds ADD COLUMN IF NOT EXISTS tiles bytea;
CREATE TABLE IF NOT EXISTS {META}.current (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    build_id text NOT NULL REFERENCES {META}.builds
);
"""


class StoreUnavailableError(BuildError):
    """The database of the store cannot be reached or queried (503; names no password)."""

    http_status = 503
    public_detail = True


def _where(url: str) -> str:
    """The database ``url`` names, without user or password (for messages)."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"


def schema_of(build_id: str) -> str:
    """The schema name of a build (ids are ``YYYYMMDDTHHMMSSZ-hex``)."""
    return "build_" + build_id.lower().replace("-", "_")


class PostgisBuild(Build):
    """A build in its schema; layers, indicators and network are read on first use."""

    def __init__(self, store: PostgisStore, build_id: str, manifest: dict,
                 dtypes: dict[str, dict[str, str]]) -> None:
        self.store = store
        self._id = build_id
        self._manifest = manifest
        self.dtypes = dtypes
        self.schema = schema_of(build_id)
        self._layers: dict[str, gpd.GeoDataFrame] = {}
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        """The build id."""
        return self._id

    @property
    def manifest(self) -> dict:
        """The build's manifest as written."""
        return self._manifest

    @property
    def local_dir(self) -> None:
        """A build in the database has no directory."""
        return None

    def table(self, name: str) -> sql.Identifier:
        """The qualified name of one of the build's tables."""
        return sql.Identifier(self.schema, name)

    def layer(self, layer_id: str) -> gpd.GeoDataFrame:
        """Return a layer frame in EPSG:3006; raise ``NotFoundError`` for an unknown id."""
        self._unknown_layer(layer_id)
        with self._lock:
            if layer_id not in self._layers:
                with self.store.cursor() as cur:
                    self._layers[layer_id] = _tables.read_frame(
                        cur, self.table(layer_id), self.dtypes[layer_id])
            return self._layers[layer_id]

    @cached_property
    def network(self) -> Network | None:
        """The road network the build measured along, or ``None`` (straight-line build)."""
        with self.store.cursor() as cur:
            cur.execute(f"SELECT network FROM {META}.builds WHERE build_id = %s", (self.id,))
            data = cur.fetchone()[0]
        if data is None:
            return None
        with np.load(io.BytesIO(data)) as arrays:
            return Network.of_arrays(dict(arrays))

    @cached_property
    def tiles(self) -> bytes | None:
        """The build's PMTiles archive (read once), ``None`` for a build without tiles."""
        with self.store.cursor() as cur:
            cur.execute(f"SELECT tiles FROM {META}.builds WHERE build_id = %s", (self.id,))
            data = cur.fetchone()[0]
        return None if data is None else bytes(data)

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """The long-format indicator table (empty when no indicator could be computed)."""
        if INDICATORS not in self.dtypes:
            return pd.DataFrame()
        with self.store.cursor() as cur:
            return _tables.read_frame(cur, self.table(INDICATORS), self.dtypes[INDICATORS])


class PostgisStore(BuildStore):
    """Builds in a PostgreSQL/PostGIS database named by a ``postgresql://`` URL."""

    def __init__(self, url: str, keep: int = 3) -> None:
        self.url = url
        self.keep = max(1, keep)
        self._pool: ConnectionPool | None = None
        self._pool_pid = 0
        self._pool_lock = threading.Lock()
        self._open: PostgisBuild | None = None

    def _connection_pool(self) -> ConnectionPool:
        """The connection pool of this process (a forked worker opens its own)."""
        with self._pool_lock:
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = ConnectionPool(
                    self.url, min_size=1, max_size=POOL_SIZE, open=True, timeout=POOL_TIMEOUT_S,
                    kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S})
                self._pool_pid = os.getpid()
            return self._pool

    def close(self) -> None:
        """Close this process's connection pool (reopened on the next query)."""
        with self._pool_lock:
            if self._pool is not None and self._pool_pid == os.getpid():
                self._pool.close()
            self._pool = None

    @contextmanager
    def cursor(self) -> Iterator[psycopg.Cursor]:
        """A cursor on a pooled autocommit connection; database errors become 503."""
        try:
            with self._connection_pool().connection() as conn, conn.cursor() as cur:
                yield cur
        except PoolTimeout as exc:  # an OperationalError too: caught before the others
            msg = f"the PostGIS store at {_where(self.url)}: no connection free in time"
            raise StoreUnavailableError(msg) from exc
        except (psycopg.OperationalError, psycopg.errors.UndefinedTable) as exc:
            msg = f"the PostGIS store at {_where(self.url)} cannot be read ({type(exc).__name__})"
            raise StoreUnavailableError(msg) from exc

    def current(self) -> PostgisBuild | None:
        """The build ``current`` names (looked up on every call, so a switch shows at once)."""
        with self.cursor() as cur:
            try:
                cur.execute(f"SELECT build_id FROM {META}.current")
            except psycopg.errors.UndefinedTable:  # nothing ever built into this database
                return None
            row = cur.fetchone()
            if row is None:
                return None
            opened = self._open
            if opened is None or opened.id != row[0]:
                cur.execute(f"SELECT manifest, dtypes FROM {META}.builds WHERE build_id = %s",
                            row)
                manifest, dtypes = cur.fetchone()
                opened = self._open = PostgisBuild(self, row[0], manifest, dtypes)
        return opened

    def status(self) -> dict[str, object]:
        """``ok`` with the build served, ``none`` before the first build."""
        build = self.current()
        if build is None:
            return {"status": "none", "build_id": None}
        return {"status": "ok", "build_id": build.id}

    def write(self, layers: dict[str, gpd.GeoDataFrame], indicators: pd.DataFrame,
              manifest: dict, *, network: Network | None = None,
              tiles: bytes | None = None) -> PostgisBuild:
        """Load a complete build into a new schema and switch ``current``, in one transaction.

        Any failure rolls the transaction back: ``current`` stays as it was.
        """
        check_layers(layers)
        build_id = new_build_id()
        manifest = {**manifest, "build_id": build_id}
        try:
            with psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S,
                                 application_name=BUILD_APPLICATION) as conn:
                with conn.transaction(), conn.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                    _setup(cur)
                    dtypes = _load(cur, schema_of(build_id), layers, indicators)
                    cur.execute(
                        f"INSERT INTO {META}.builds (build_id, schema_name, manifest, dtypes, "
                        "network, tiles) VALUES (%s, %s, %s, %s, %s, %s)",
                        (build_id, schema_of(build_id), Json(manifest, _manifest_json),
                         Json(dtypes), _network_bytes(network), tiles))
                    cur.execute(
                        f"INSERT INTO {META}.current (build_id) VALUES (%s) ON CONFLICT "
                        "(only_row) DO UPDATE SET build_id = excluded.build_id", (build_id,))
        except (psycopg.Error, BuildError) as exc:
            msg = (f"writing build {build_id} to the PostGIS store at {_where(self.url)} "
                   f"failed: {str(exc).strip()}; the previous build keeps serving")
            raise BuildError(msg) from exc
        log.info("current -> %s (PostGIS %s)", build_id, _where(self.url))
        self.prune()
        return PostgisBuild(self, build_id, manifest, dtypes)

    def build_ids(self) -> list[str]:
        """Ids of the complete builds kept in the database, oldest first."""
        with self.cursor() as cur:
            try:
                cur.execute(f"SELECT build_id FROM {META}.builds ORDER BY created")
            except psycopg.errors.UndefinedTable:
                return []
            return [row[0] for row in cur.fetchall()]

    def prune(self) -> list[str]:
        """Drop the schemas of builds older than the newest ``keep`` (never ``current``)."""
        with psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                cur.execute(
                    f"SELECT build_id FROM {META}.builds WHERE build_id NOT IN "
                    f"(SELECT build_id FROM {META}.current) ORDER BY created DESC OFFSET %s",
                    (self.keep - 1,))
                removed = [row[0] for row in cur.fetchall()]
                for build_id in removed:
                    cur.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                        sql.Identifier(schema_of(build_id))))
                    cur.execute(f"DELETE FROM {META}.builds WHERE build_id = %s", (build_id,))
        if removed:
            log.info("pruned builds %s (keeping the newest %d)", ", ".join(removed), self.keep)
        return removed


def _setup(cur: psycopg.Cursor) -> None:
    """Create PostGIS (when absent) and the store's own tables (when absent)."""
    cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if cur.fetchone() is None:
        cur.execute("CREATE EXTENSION postgis")
    cur.execute(_SETUP)


def _load(cur: psycopg.Cursor, schema: str, layers: dict[str, gpd.GeoDataFrame],
          indicators: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Create ``schema`` with one table per layer and the indicators; return their dtypes."""
    cur.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    frames: dict[str, pd.DataFrame] = {}
    for layer_id, frame in layers.items():
        if frame.crs is None:
            msg = f"layer {layer_id!r} has no CRS; layers are stored in EPSG:{_tables.SRID}"
            raise BuildError(msg)
        frame = frame.to_crs(_tables.SRID).reset_index(drop=True)
        frames[layer_id] = _tables.normalized(frame)
    if not indicators.empty:
        frames[INDICATORS] = _tables.normalized(indicators.reset_index(drop=True))
    for name, frame in frames.items():
        table = sql.Identifier(schema, name)
        _tables.create_table(cur, table, frame)
        _tables.copy_frame(cur, table, frame)
        if isinstance(frame, gpd.GeoDataFrame):
            _tables.index_geometry(cur, table, frame.geometry.name)
    return {name: _tables.dtypes(frame) for name, frame in frames.items()}


def _network_bytes(network: Network | None) -> bytes | None:
    """The network's arrays as one ``.npz`` file's bytes (``None`` without a network)."""
    if network is None:
        return None
    buffer = io.BytesIO()
    np.savez(buffer, **network.arrays())
    return buffer.getvalue()
