"""The file store: builds on disk, one directory per build, ``current`` switched atomically.

Layout::

    <build_dir>/
        <build-id>/manifest.json, <layer>.parquet, indikatorer.parquet,
                   network.npz     (the road network the build measured along, if any)
                   tiles.pmtiles   (the map layers as vector tiles, if any)
        current -> <build-id>          (symlink, replaced atomically)
        .partial-<build-id>/           (a build in progress; never served)

The manifest records the sha256 of every file of the build. A build is verified when it is
opened (manifest readable, every layer file present and readable, every checksum right); a
damaged ``current`` is reported by name (log, ``/healthz``) and the newest earlier build that
verifies is served instead. After each build, builds beyond the newest ``keep`` are pruned.

This module is the only one that knows the layout; it implements the
:class:`~gisapp.store.base.BuildStore` / :class:`~gisapp.store.base.Build` interface, as the
PostGIS store (:mod:`gisapp.store.postgis`) does.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from data_sources._http import sha256_file
from data_sources.errors import BuildError, NotFoundError
from gisapp.store.base import BUILD_ID, NO_BUILD, Build, BuildStore, check_layers, new_build_id
from layers.accessibility import Network

log = logging.getLogger(__name__)

CURRENT = "current"
PARTIAL_PREFIX = ".partial-"
LOCK = ".lock"  # held while a build is written
MANIFEST = "manifest.json"
INDICATORS = "indikatorer.parquet"
NETWORK = "network.npz"
TILES = "tiles.pmtiles"  # the map layers as vector tiles (gisapp.tiles)
EXPORTS = "exports"  # generated downloads of the build (gisapp.exports), not verified


class DamagedBuildError(BuildError):
    """A build on disk that cannot be served: what is wrong, naming the build and file.

    The message names no path, only the build and file, so it is shown to clients as is.
    """

    http_status = 503
    public_detail = True


class FileBuild(Build):
    """A finished build in its directory: manifest and layers (read lazily, cached)."""

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
        return self.path.name

    @property
    def local_dir(self) -> Path:
        """The build's directory."""
        return self.path

    def verify(self) -> None:
        """Check the build can be served; raise :class:`DamagedBuildError` saying why.

        The manifest must be readable, every layer file present, its checksum the one
        recorded at build time (builds from before checksums: readable as Parquet).
        """
        name = self.path.name
        try:
            manifest = self.manifest
        except (OSError, ValueError) as exc:
            msg = (f"build {name} is damaged: {MANIFEST} missing or unreadable "
                   f"({type(exc).__name__})")
            raise DamagedBuildError(msg) from None
        recorded = manifest.get("files", {})
        expected = {f"{layer_id}.parquet" for layer_id in manifest.get("layers", {})}
        for file_name in sorted(expected | set(recorded)):
            problem = _file_problem(self.path / file_name, recorded.get(file_name))
            if problem:
                msg = f"build {name} is damaged: {file_name} {problem}"
                raise DamagedBuildError(msg)

    def layer(self, layer_id: str) -> gpd.GeoDataFrame:
        """Return a layer frame in EPSG:3006; raise ``NotFoundError`` for an unknown id."""
        self._unknown_layer(layer_id)
        if layer_id not in self._layers:
            self._layers[layer_id] = gpd.read_parquet(self.path / f"{layer_id}.parquet")
        return self._layers[layer_id]

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

    @property
    def tiles(self) -> Path | None:
        """The build's PMTiles archive file, ``None`` for a build written without tiles."""
        path = self.path / TILES
        return path if path.is_file() else None


def _file_problem(path: Path, sha256: str | None) -> str | None:
    """What is wrong with one file of a build (``None`` when it is sound)."""
    if not path.is_file():
        return "is missing"
    if sha256 is not None:
        return None if sha256_file(path) == sha256 else "does not match its recorded sha256"
    if path.suffix == ".parquet":
        try:
            pq.read_metadata(path)
        except (OSError, ValueError) as exc:
            return f"is not readable Parquet ({type(exc).__name__})"
    return None


def _written_ns(path: Path) -> int:
    """When ``path`` was last written (ns), 0 when it is missing."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@dataclass(frozen=True)
class Opened:
    """What ``current`` resolved to: the build served (or ``None``) and a damage report."""

    target: Path
    build: FileBuild | None
    damaged: dict[str, str] | None = None


class FileStore(BuildStore):
    """Builds under one directory; writes are atomic, reads see only complete builds."""

    def __init__(self, root: Path, keep: int = 3) -> None:
        self.root = Path(root)
        self.keep = max(1, keep)
        self._open: Opened | None = None  # the last build served, layers cached

    def current(self) -> FileBuild | None:
        """Return the build to serve, or ``None`` when there is none.

        That is the build ``current`` points at when it verifies, else the newest earlier
        build that does (see :meth:`status`). The same :class:`Build` object (with its layers
        already read) is returned until ``current`` is switched, so requests do not re-read
        manifest and GeoParquet files.
        """
        opened = self._opened()
        return opened.build if opened else None

    def status(self) -> dict[str, object]:
        """The store's state for ``/healthz``.

        ``status`` is ok, degraded (serving an earlier build), damaged (nothing to serve) or
        none; ``build_id`` the build served; ``damaged`` (id, problem) when ``current`` is.
        """
        opened = self._opened()
        if opened is None:
            return {"status": "none", "build_id": None}
        state = "ok" if opened.damaged is None else "degraded" if opened.build else "damaged"
        return {"status": state, "build_id": opened.build.id if opened.build else None,
                **({"damaged": opened.damaged} if opened.damaged else {})}

    def require_current(self) -> FileBuild:
        """The serving build.

        Raises ``NotFoundError`` when nothing is built yet, :class:`DamagedBuildError` (503)
        when ``current`` is damaged and no earlier build verifies.
        """
        opened = self._opened()
        if opened is None:
            raise NotFoundError(NO_BUILD)
        if opened.build is None:
            msg = f"{opened.damaged['problem']}; no earlier complete build to serve"
            raise DamagedBuildError(msg)
        return opened.build

    def _opened(self) -> Opened | None:
        """Resolve ``current``; open and verify it (once per target), falling back if damaged."""
        link = self.root / CURRENT
        if not link.is_symlink():
            return None
        target = link.resolve()
        opened = self._open
        if opened is None or opened.target != target:
            opened = self._open_verified(target)
            self._open = opened
        return opened

    def _open_verified(self, target: Path) -> Opened:
        """Open ``target``; if it is damaged, the newest earlier build that verifies."""
        build = FileBuild(target)
        try:
            build.verify()
            return Opened(target, build)
        except DamagedBuildError as exc:
            damaged = {"build_id": target.name, "problem": str(exc)}
        for candidate in reversed(self._build_dirs()):
            if candidate.name >= target.name:
                continue
            fallback = FileBuild(candidate)
            try:
                fallback.verify()
            except DamagedBuildError:
                continue
            log.error("%s; serving the earlier build %s", damaged["problem"], candidate.name)
            return Opened(target, fallback, damaged)
        log.error("%s; no earlier complete build to serve", damaged["problem"])
        return Opened(target, None, damaged)

    def _build_dirs(self) -> list[Path]:
        """Every finished build directory, oldest first.

        Ids begin with their UTC second; builds of the same second are in the order they
        were completed (the time their manifest, the last file, was written).
        """
        if not self.root.is_dir():
            return []
        builds = [p for p in self.root.iterdir()
                  if p.is_dir() and not p.is_symlink() and BUILD_ID.match(p.name)]
        return sorted(builds, key=lambda p: (p.name[:16], _written_ns(p / MANIFEST)))

    def close(self) -> None:
        """Nothing to release: the file store holds nothing open between calls."""

    def build_ids(self) -> list[str]:
        """Ids of the complete builds kept in the build directory, oldest first."""
        return [p.name for p in self._build_dirs()]

    def prune(self) -> list[str]:
        """Delete builds older than the newest ``keep`` (never ``current``); return their ids."""
        current = (self.root / CURRENT).resolve()
        builds = self._build_dirs()
        removed = []
        for old in builds[:max(0, len(builds) - self.keep)]:
            if old.resolve() != current:
                shutil.rmtree(old, ignore_errors=True)
                removed.append(old.name)
        if removed:
            log.info("pruned builds %s (keeping the newest %d)", ", ".join(removed), self.keep)
        return removed

    def write(
        self,
        layers: dict[str, gpd.GeoDataFrame],
        indicators: pd.DataFrame,
        manifest: dict,
        *,
        network: Network | None = None,
        tiles: bytes | None = None,
    ) -> FileBuild:
        """Write a complete build and switch ``current`` to it; return the new build.

        Files go to ``.partial-<id>`` first; the directory is renamed to ``<id>`` only when
        every file is written, and ``current`` is replaced by ``os.replace`` of a fresh
        symlink. Any failure removes the partial directory and leaves ``current`` as it was.
        """
        check_layers(layers)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with (self.root / LOCK).open("a") as lock:
                # one writer at a time: a second build waits instead of deleting this one's
                # partial directory as "stale"
                fcntl.flock(lock, fcntl.LOCK_EX)
                return self._write_locked(layers, indicators, manifest, network, tiles)
        except OSError as exc:
            msg = (f"build directory {self.root}: {exc.strerror or exc}; the previous build "
                   "keeps serving")
            raise BuildError(msg) from exc

    def _write_locked(self, layers: dict[str, gpd.GeoDataFrame], indicators: pd.DataFrame,
                      manifest: dict, network: Network | None,
                      tiles: bytes | None) -> FileBuild:
        """:meth:`write`'s work, with the store's lock held."""
        self._remove_stale_partials()
        build_id = new_build_id()
        partial = self.root / f"{PARTIAL_PREFIX}{build_id}"
        partial.mkdir()
        try:
            for layer_id, frame in layers.items():
                frame.to_parquet(partial / f"{layer_id}.parquet", index=False)
            if not indicators.empty:
                indicators.to_parquet(partial / INDICATORS, index=False)
            if network is not None:
                np.savez(partial / NETWORK, **network.arrays())
            if tiles is not None:
                (partial / TILES).write_bytes(tiles)
            files = {p.name: sha256_file(p) for p in sorted(partial.iterdir()) if p.is_file()}
            manifest = {**manifest, "build_id": build_id, "files": files}
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
        self.prune()
        return FileBuild(final)

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
