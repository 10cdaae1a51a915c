"""The store interface: a :class:`BuildStore` holds builds, one of them ``current``.

Two stores implement it: :class:`gisapp.store.files.FileStore` (GeoParquet files on one
machine, the embedded default) and :class:`gisapp.store.postgis.PostgisStore` (one schema per
build in PostgreSQL/PostGIS, shared by several app instances). The rest of the app sees only
:class:`Build` and :class:`BuildStore`.
"""

from __future__ import annotations

import re
import secrets
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources.errors import BuildError, LayerMissingError, NotFoundError
from layers.accessibility import Network

NO_BUILD = "no build yet: run `strukturbild build`"
BUILD_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")


def new_build_id() -> str:
    """A new build id: its UTC time (ids sort by age) and a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def check_layers(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Refuse a build whose layers are not all GeoDataFrames (``BuildError`` naming them)."""
    not_geo = [i for i, frame in layers.items() if not isinstance(frame, gpd.GeoDataFrame)]
    if not_geo:
        msg = f"layer(s) {not_geo} are not GeoDataFrames; every layer needs a geometry"
        raise BuildError(msg)


class Build(ABC):
    """A finished build: its manifest, layers, indicator table and road network."""

    @property
    @abstractmethod
    def id(self) -> str:
        """The build id."""

    @property
    @abstractmethod
    def manifest(self) -> dict:
        """The build's manifest (provenance, layer list, missing layers)."""

    @property
    @abstractmethod
    def local_dir(self) -> Path | None:
        """The build's own directory on this machine, or ``None`` (a build in a database)."""

    @abstractmethod
    def layer(self, layer_id: str) -> gpd.GeoDataFrame:
        """Return a layer frame in EPSG:3006; raise ``NotFoundError`` for an unknown id."""

    @property
    @abstractmethod
    def network(self) -> Network | None:
        """The road network the build measured along, or ``None`` (straight-line build)."""

    @property
    @abstractmethod
    def indicators(self) -> pd.DataFrame:
        """The long-format indicator table (empty when no indicator could be computed)."""

    @property
    @abstractmethod
    def tiles(self) -> Path | bytes | None:
        """The build's PMTiles archive of map tiles (:mod:`gisapp.tiles`).

        Its file on this machine (file store), its bytes (a build in a database), or
        ``None`` for a build written without tiles.
        """

    @cached_property
    def kommuner(self) -> dict[str, str]:
        """The region's kommuner as ``{kommunkod: kommunnamn}``, in code order."""
        return {k["kommunkod"]: k["kommunnamn"] for k in self.manifest["region"]["kommuner"]}

    def layer_ids(self) -> list[str]:
        """Ids of the layers in this build, in build order."""
        return list(self.manifest["layers"])

    def require_layer(self, layer_id: str) -> gpd.GeoDataFrame:
        """Like :meth:`layer`, but the error says why the build lacks the layer."""
        if layer_id not in self.manifest["layers"]:
            reason = self.manifest["missing"].get(layer_id, "not a layer of this build")
            raise LayerMissingError(layer_id, reason)
        return self.layer(layer_id)

    def _unknown_layer(self, layer_id: str) -> None:
        """Raise ``NotFoundError`` unless ``layer_id`` is a layer of this build."""
        if layer_id not in self.manifest["layers"]:
            msg = f"layer {layer_id!r} is not in build {self.id}"
            raise NotFoundError(msg)


class BuildStore(ABC):
    """Where builds live; writes are atomic, readers only ever see complete builds."""

    @abstractmethod
    def current(self) -> Build | None:
        """Return the build to serve, or ``None`` when there is none.

        The same :class:`Build` object (with what it has read) is returned until ``current``
        is switched, so requests do not re-read layers.
        """

    @abstractmethod
    def status(self) -> dict[str, object]:
        """The store's state for ``/healthz``: ``status`` and the ``build_id`` served.

        ``status`` is ok, degraded (serving an earlier build), damaged (nothing to serve)
        or none.
        """

    @abstractmethod
    def write(self, layers: dict[str, gpd.GeoDataFrame], indicators: pd.DataFrame,
              manifest: dict, *, network: Network | None = None,
              tiles: bytes | None = None) -> Build:
        """Write a complete build and switch ``current`` to it; return the new build.

        ``tiles`` is the build's PMTiles archive (:func:`gisapp.tiles.writer.write_archive`).

        Any failure (or an interrupted process) leaves ``current`` as it was.
        """

    @abstractmethod
    def build_ids(self) -> list[str]:
        """Ids of the complete builds kept in the store, oldest first."""

    @abstractmethod
    def prune(self) -> list[str]:
        """Delete builds older than the store's newest ``keep`` (never ``current``)."""

    @abstractmethod
    def close(self) -> None:
        """Release what the store holds open (database connections)."""

    def require_current(self) -> Build:
        """The serving build; ``NotFoundError`` when nothing is built yet."""
        build = self.current()
        if build is None:
            raise NotFoundError(NO_BUILD)
        return build
