"""Raw vector files read without geopandas/pyogrio, so that expected geometry facts do not come
from the loaders under test: a GeoPackage's features straight from its SQLite tables (the
GeoPackage binary header stripped, then WKB), GeoJSON with :mod:`json`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import shapely
from pyproj import Transformer

# GeoPackage binary header: 8 bytes, then an envelope whose size the flags' bits 1–3 give.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def gpkg_features(path: Path, table: str, columns: tuple[str, ...]) -> list[tuple]:
    """``(*columns, geometry)`` of every row of a GeoPackage feature ``table``."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        geom = db.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                          (table,)).fetchone()[0]
        rows = db.execute(f'SELECT {", ".join(columns)}, "{geom}" FROM "{table}"').fetchall()
    out = []
    for *values, blob in rows:
        start = 8 + _ENVELOPE_BYTES[(blob[3] >> 1) & 0b111]
        out.append((*values, shapely.from_wkb(bytes(blob[start:]))))
    return out


def geojson_points_3006(path: Path, columns: tuple[str, ...]) -> list[tuple]:
    """``(*columns, point)`` of a WGS 84 GeoJSON's point features, projected to EPSG:3006."""
    to_3006 = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return [(*(f["properties"][c] for c in columns),
             shapely.Point(to_3006.transform(*f["geometry"]["coordinates"][:2])))
            for f in doc["features"]]
