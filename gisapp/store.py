"""The layer store: builds on disk, one directory per build, ``current`` switched atomically.

Layout::

    <build_dir>/
        <build-id>/manifest.json, <layer>.parquet, indikatorer.parquet,
                   network.npz     (the road network the build measured along, if any)
        current -> <build-id>          (symlink, replaced atomically)
        .partial-<build-id>/           (a build in progress; never served)

This module is the only one that knows the layout; a PostGIS store would offer the same
:class:`BuildStore` / :class:`Build` interface.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import shutil
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from data_sources.errors import BuildError, NotFoundError
from layers.accessibility import Network

log = logging.getLogger(__name__)

CURRENT = "current"
PARTIAL_PREFIX = ".partial-"
LOCK = ".lock"  # held while a build is written
MANIFEST = "manifest.json"
INDICATORS = "indikatorer.parquet"
NETWORK = "network.npz"
NO_BUILD = "no build yet: run `strukturbild build`"


class Build:
    """A finished build: its manifest and its layers (read lazily, cached)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._layers: dict[str, gpd.GeoDataFrame] = {}

    @cached_property
    def manifest(self) -> dict:
        """The build's manifest (provenance, layer list, missing layers)."""
        return json.loads((self.path / MANIFEST).read_text("utf-8"))

    @property
    def id(self) -> str:
        """The build id (directory name)."""
        return self.manifest["build_id"]

    @cached_property
    def kommuner(self) -> dict[str, str]:
        """The region's kommuner as ``{kommunkod: kommunnamn}``, in code order."""
        return {k["kommunkod"]: k["kommunnamn"] for k in self.manifest["region"]["kommuner"]}

    def layer_ids(self) -> list[str]:
        """Ids of the layers in this build, in build order."""
        return list(self.manifest["layers"])

    def layer(self, layer_id: str) -> gpd.GeoDataFrame:
        """Return a layer frame in EPSG:3006; raise ``NotFoundError`` for an unknown id."""
        if layer_id not in self.manifest["layers"]:
            msg = f"layer {layer_id!r} is not in build {self.id}"
            raise NotFoundError(msg)
        if layer_id not in self._layers:
            self._layers[layer_id] = gpd.read_parquet(self.path / f"{layer_id}.parquet")
        return self._layers[layer_id]

    def require_layer(self, layer_id: str) -> gpd.GeoDataFrame:
        """Like :meth:`layer`, but the error says why the build lacks the layer."""
        if layer_id not in self.manifest["layers"]:
            reason = self.manifest["missing"].get(layer_id, "not a layer of this build")
            msg = f"the build has no {layer_id!r} layer: {reason}"
            raise NotFoundError(msg)
        return self.layer(layer_id)

    @cached_property
    def network(self) -> Network | None:
        """The road network the build measured along, or ``None`` (straight-line build)."""
        path = self.path / NETWORK
        if not path.is_file():
            return None
        with np.load(path) as arrays:
            return Network.of_arrays(dict(arrays))

    @cached_property
    def indicators(self) -> pd.DataFrame:
        """The long-format indicator table (empty when no indicator could be computed)."""
        path = self.path / INDICATORS
        return pd.read_parquet(path) if path.is_file() else pd.DataFrame()


class BuildStore:
    """Builds under one directory; writes are atomic, reads see only complete builds."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._open: tuple[Path, Build] | None = None  # the last build served, layers cached

    def current(self) -> Build | None:
        """Return the build that ``current`` points at, or ``None`` when there is none.

        The same :class:`Build` object (with its layers already read) is returned until
        ``current`` is switched, so requests do not re-read manifest and GeoParquet files.
        """
        link = self.root / CURRENT
        if not (link.is_symlink() and (link / MANIFEST).is_file()):
            return None
        path = link.resolve()
        opened = self._open
        if opened is None or opened[0] != path:
            opened = (path, Build(path))
            self._open = opened
        return opened[1]

    def require_current(self) -> Build:
        """The serving build; ``NotFoundError`` when nothing is built yet."""
        build = self.current()
        if build is None:
            raise NotFoundError(NO_BUILD)
        return build

    def write(
        self,
        layers: dict[str, gpd.GeoDataFrame],
        indicators: pd.DataFrame,
        manifest: dict,
        *,
        network: Network | None = None,
    ) -> Build:
        """Write a complete build and switch ``current`` to it; return the new build.

        Files go to ``.partial-<id>`` first; the directory is renamed to ``<id>`` only when
        every file is written, and ``current`` is replaced by ``os.replace`` of a fresh
        symlink. Any failure removes the partial directory and leaves ``current`` as it was.
        """
        not_geo = [i for i, frame in layers.items() if not isinstance(frame, gpd.GeoDataFrame)]
        if not_geo:
            msg = f"layer(s) {not_geo} are not GeoDataFrames; every layer needs a geometry"
            raise BuildError(msg)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with (self.root / LOCK).open("a") as lock:
                # one writer at a time: a second build waits instead of deleting this one's
                # partial directory as "stale"
                fcntl.flock(lock, fcntl.LOCK_EX)
                return self._write_locked(layers, indicators, manifest, network)
        except OSError as exc:
            msg = (f"build directory {self.root}: {exc.strerror or exc}; the previous build "
                   "keeps serving")
            raise BuildError(msg) from exc

    def _write_locked(self, layers: dict[str, gpd.GeoDataFrame], indicators: pd.DataFrame,
                      manifest: dict, network: Network | None) -> Build:
        """:meth:`write`'s work, with the store's lock held."""
        self._remove_stale_partials()
        build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
        partial = self.root / f"{PARTIAL_PREFIX}{build_id}"
        partial.mkdir()
        try:
            for layer_id, frame in layers.items():
                frame.to_parquet(partial / f"{layer_id}.parquet", index=False)
            if not indicators.empty:
                indicators.to_parquet(partial / INDICATORS, index=False)
            if network is not None:
                np.savez(partial / NETWORK, **network.arrays())
            manifest = {**manifest, "build_id": build_id}
            (partial / MANIFEST).write_text(
                json.dumps(manifest, indent=2, ensure_ascii=False, default=str), "utf-8"
            )
            final = self.root / build_id
            partial.rename(final)
        except Exception as exc:
            shutil.rmtree(partial, ignore_errors=True)
            msg = f"writing build {build_id} failed: {exc}; the previous build keeps serving"
            raise BuildError(msg) from exc
        self._switch_current(build_id)
        return Build(final)

    def _switch_current(self, build_id: str) -> None:
        """Point ``current`` at ``build_id`` atomically (symlink created aside, then renamed)."""
        tmp_link = self.root / f".{CURRENT}-{build_id}"
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(build_id, target_is_directory=True)
        os.replace(tmp_link, self.root / CURRENT)
        log.info("current -> %s", build_id)

    def _remove_stale_partials(self) -> None:
        """Delete partial directories left by interrupted builds."""
        for stale in self.root.glob(f"{PARTIAL_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
