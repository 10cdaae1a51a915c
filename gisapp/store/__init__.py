"""The layer store: where builds live, one of them ``current``.

:class:`Build` and :class:`BuildStore` are the interface the app uses; :func:`open_store`
makes the store a location names: a ``postgresql://`` URL gives the PostGIS store
(:mod:`gisapp.store.postgis`, shared by several app instances), anything else is a build
directory of the file store (:mod:`gisapp.store.files`, the embedded default).
"""

from __future__ import annotations

import os
from pathlib import Path

from gisapp.store.base import BUILD_ID, NO_BUILD, Build, BuildStore
from gisapp.store.files import CURRENT, EXPORTS, MANIFEST, DamagedBuildError, FileBuild, FileStore

__all__ = ["BUILD_ID", "CURRENT", "EXPORTS", "MANIFEST", "NO_BUILD", "Build", "BuildStore",
           "DamagedBuildError", "FileBuild", "FileStore", "is_database_url", "open_store"]

DATABASE_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(location: str | os.PathLike) -> bool:
    """Whether ``location`` names a PostgreSQL database rather than a build directory."""
    return str(location).startswith(DATABASE_SCHEMES)


def open_store(location: str | os.PathLike, keep: int = 3) -> BuildStore:
    """The store at ``location``: a ``postgresql://`` URL or a build directory."""
    if is_database_url(location):
        from gisapp.store.postgis import PostgisStore

        return PostgisStore(str(location), keep=keep)
    return FileStore(Path(location), keep=keep)
