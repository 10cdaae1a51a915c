"""Layers prepared for the browser: simplified for display, rounded, in EPSG:4326.

Each layer's spec says its display tolerance (``display_tolerance_m``); polygon layers that
tile the region (``coverage``, e.g. kommuner) are simplified as a coverage, so that
neighbours keep their shared borders; other polygons are simplified one by one with
topology preserved. Coordinates are rounded to ``COORD_DECIMALS`` (≈1 m) and polygon
exteriors run counter-clockwise, holes clockwise (RFC 7946 §3.1.6).
"""

from __future__ import annotations

import html

import geopandas as gpd
import shapely

from data_sources.crs import SERVE_CRS
from gisapp.web.geojson import geometry_dict
from gisapp.web.jsonsafe import json_value
from layers.catalog import SPECS

COORD_DECIMALS = 5


def simplify_for_display(layer_id: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``frame`` simplified for display as its spec says (still EPSG:3006)."""
    spec = SPECS.get(layer_id)
    tolerance = spec.display_tolerance_m if spec is not None else None
    if tolerance is None or frame.empty:
        return frame
    out = frame.copy()
    if spec.coverage:
        out.geometry = shapely.coverage_simplify(out.geometry.values, tolerance)
    else:
        out.geometry = out.geometry.simplify(tolerance, preserve_topology=True)
    return out


def to_geojson(frame: gpd.GeoDataFrame, *, escape: bool) -> dict:
    """Return a GeoJSON FeatureCollection in EPSG:4326 with rounded coordinates.

    With ``escape=True`` every string property is HTML-escaped, for pages whose templates
    insert properties as HTML (Leaflet popups and tooltips).
    """
    wgs = frame.to_crs(SERVE_CRS)
    geoms = shapely.orient_polygons(
        shapely.set_precision(wgs.geometry.values, 10**-COORD_DECIMALS), exterior_cw=False)
    props = wgs.drop(columns=wgs.geometry.name)
    features = []
    for geom, row in zip(geoms, props.to_dict(orient="records"), strict=True):
        properties = {k: json_value(v) for k, v in row.items()}
        if escape:
            properties = {k: html.escape(v) if isinstance(v, str) else v
                          for k, v in properties.items()}
        features.append({"type": "Feature", "properties": properties,
                         "geometry": geometry_dict(geom, COORD_DECIMALS)})
    return {"type": "FeatureCollection", "features": features}
