"""Checks that a downloaded file looks like the format its name promises.

Checked before the file replaces the previous one, so an HTML error page answered with
status 200 never becomes data.

One check per format, by the target's suffix: zip containers (``.zip``, ``.xlsx``), SQLite
(``.gpkg``), OSM PBF, Parquet, TIFF, JSON/GeoJSON and delimited text (``.csv``); any other
suffix only has to not be an HTML page.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from data_sources.errors import FetchError

HEAD_BYTES = 64 * 1024
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")


def _text_head(head: bytes) -> str | None:
    """The head as text (a byte-order mark dropped); ``None`` for binary data (NUL bytes)."""
    if b"\x00" in head:
        return None
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def _is_csv(head: bytes) -> bool:
    text = _text_head(head)
    if not text or text.lstrip()[:1] == "<":
        return False
    first_line = text.splitlines()[0] if text.splitlines() else ""
    return any(sep in first_line for sep in (",", ";", "\t"))


def _is_json(head: bytes) -> bool:
    text = _text_head(head)
    return bool(text) and text.lstrip()[:1] in ("{", "[")


def _is_pbf(head: bytes) -> bool:
    return len(head) > 16 and b"OSMHeader" in head[:32]


CHECKS = {
    ".zip": ("a zip archive", lambda path, head: zipfile.is_zipfile(path)),
    ".xlsx": ("an Excel workbook", lambda path, head: zipfile.is_zipfile(path)),
    ".gpkg": ("a GeoPackage", lambda path, head: head.startswith(b"SQLite format 3\x00")),
    ".pbf": ("an OSM PBF file", lambda path, head: _is_pbf(head)),
    ".parquet": ("a Parquet file", lambda path, head: head.startswith(b"PAR1")),
    ".tif": ("a TIFF", lambda path, head: head[:4] in (b"II*\x00", b"MM\x00*")),
    ".json": ("JSON", lambda path, head: _is_json(head)),
    ".geojson": ("GeoJSON", lambda path, head: _is_json(head)),
    ".csv": ("delimited text (CSV)", lambda path, head: _is_csv(head)),
}


def check_format(path: Path, name: str, url: str) -> None:
    """Raise :class:`FetchError` unless ``path`` looks like the format of the file ``name``."""
    with Path(path).open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.lstrip()[:20].lower().startswith(_HTML_STARTS):
        msg = f"{url}: the answer is an HTML page, not the data file {name}; previous file kept"
        raise FetchError(msg)
    expected = CHECKS.get(Path(name).suffix.lower())
    if expected is not None and not expected[1](path, head):
        msg = f"{url}: the answer is not {expected[0]} as {name} must be; previous file kept"
        raise FetchError(msg)
