"""Coordinate reference systems the OGC API serves (Part 2: CRS by reference).

``CRS84`` (longitude, latitude) is the default output; ``EPSG:3006`` (SWEREF 99 TM), the
storage CRS, is served on request. Coordinates follow each CRS's *axis order* as the standard
requires: EPSG:3006 is defined as northing, easting, so its coordinates and ``bbox`` values
are ``N, E`` (QGIS and GDAL handle this; GeoJSON readers that ignore the CRS should ask for
the default CRS84).
"""

from __future__ import annotations

from dataclasses import dataclass

from data_sources.errors import RequestError


@dataclass(frozen=True)
class ServedCrs:
    """A served CRS: its OGC URI, the pyproj/geopandas name, axis swap and output decimals."""

    uri: str
    name: str
    swap_axes: bool
    decimals: int


# 6 decimals of a degree (≈ 0.1 m), RFC 7946 §11.2's advice
CRS84 = ServedCrs("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84", False, 6)
SWEREF99TM = ServedCrs("http://www.opengis.net/def/crs/EPSG/0/3006", "EPSG:3006", True, 2)
SERVED = (CRS84, SWEREF99TM)
STORAGE = SWEREF99TM
# Short spellings accepted besides the URIs.
_ALIASES = {"CRS84": CRS84, "OGC:CRS84": CRS84, "EPSG:3006": SWEREF99TM}


def parse_crs(value: str | None, parameter: str) -> ServedCrs:
    """Parse a ``crs``/``bbox-crs`` value (URI or short name); default CRS84 when absent.

    Given but empty (``crs=``) is an error: the OpenAPI document declares no empty value.
    """
    if value is None:
        return CRS84
    for crs in SERVED:
        if value == crs.uri:
            return crs
    if value in _ALIASES:
        return _ALIASES[value]
    supported = ", ".join(c.uri for c in SERVED)
    raise RequestError(parameter, f"unsupported CRS {value[:80]!r}; supported: {supported}")
