"""GeoJSON geometries as exact text: coordinates rounded to a number of decimals.

``shapely.to_geojson`` writes every double with up to 16 significant digits, so a coordinate
rounded to 6 decimals can still print as ``13.076403000000001``. Here each coordinate is
rounded with Python's correctly rounded :func:`round`, whose shortest ``repr`` has at most
the asked-for decimals (RFC 7946 §11.2 advises 6 for degrees).
"""

from __future__ import annotations

import json

import shapely
import shapely.geometry


def _rounded(value: object, decimals: int) -> object:
    """``value`` (nested coordinate sequences) with every number rounded."""
    if isinstance(value, list | tuple):
        return [_rounded(item, decimals) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item, decimals) if key in ("coordinates", "geometries") else item
                for key, item in value.items()}
    if isinstance(value, float | int):
        return round(float(value), decimals)
    return value


def geometry_dict(geometry: shapely.Geometry | None, decimals: int) -> dict | None:
    """The GeoJSON geometry object of ``geometry`` with rounded coordinates (``None`` if none)."""
    if geometry is None or shapely.is_missing(geometry):
        return None
    return _rounded(shapely.geometry.mapping(geometry), decimals)


def geometry_text(geometry: shapely.Geometry | None, decimals: int) -> str:
    """:func:`geometry_dict` as compact JSON text (``null`` for no geometry)."""
    return json.dumps(geometry_dict(geometry, decimals), separators=(",", ":"))
