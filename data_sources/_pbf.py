"""Reading OpenStreetMap ``.osm.pbf`` extracts with pyrosm, with the project's errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from data_sources._validate import require_file
from data_sources.errors import DataError

T = TypeVar("T")


def read_pbf(path: Path, read: Callable[[object], T]) -> T:
    """Open ``path`` with ``pyrosm.OSM`` and return ``read(osm)``.

    Raises ``MissingDataError`` when the file is absent and ``DataError`` naming the file
    when it is not a readable OSM PBF extract.
    """
    from pyrosm import OSM
    from pyrosm.exceptions import PBFException

    require_file(path)
    try:
        return read(OSM(str(path)))
    except (PBFException, OSError, ValueError, KeyError) as exc:
        msg = f"{path}: cannot be read as an OpenStreetMap PBF extract: {exc}"
        raise DataError(msg) from exc
