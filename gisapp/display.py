"""Layers prepared for the browser: simplified for display, rounded, in EPSG:4326.

Polygon layers that tile the region (kommuner) are simplified as a coverage, so that
neighbours keep their shared borders; other polygons are simplified one by one with
topology preserved. Coordinates are rounded to ``COORD_DECIMALS`` (≈1 m).
"""

from __future__ import annotations

import html
import json

import geopandas as gpd
import pandas as pd
import shapely

SERVE_CRS = "EPSG:4326"
COORD_DECIMALS = 5
# Display tolerance in metres (EPSG:3006) per layer; layers not listed are not simplified.
TOLERANCE_M = {"kommuner": 150.0, "kommunindikatorer": 150.0, "lan": 150.0, "tatorter": 40.0,
               "upptagningsomraden": 20.0}
COVERAGE_LAYERS = {"kommuner", "kommunindikatorer"}


def simplify_for_display(layer_id: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``frame`` simplified for display (still EPSG:3006)."""
    tolerance = TOLERANCE_M.get(layer_id)
    if tolerance is None or frame.empty:
        return frame
    out = frame.copy()
    if layer_id in COVERAGE_LAYERS:
        out.geometry = shapely.coverage_simplify(out.geometry.values, tolerance)
    else:
        out.geometry = out.geometry.simplify(tolerance, preserve_topology=True)
    return out


def _json_safe(value: object) -> object:
    """Turn pandas/numpy scalars into JSON values; missing values become ``None``."""
    if value is None or (not isinstance(value, str | list | dict) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def to_geojson(frame: gpd.GeoDataFrame, *, escape: bool) -> dict:
    """Return a GeoJSON FeatureCollection in EPSG:4326 with rounded coordinates.

    With ``escape=True`` every string property is HTML-escaped, for pages whose templates
    insert properties as HTML (Leaflet popups and tooltips).
    """
    wgs = frame.to_crs(SERVE_CRS)
    geoms = shapely.set_precision(wgs.geometry.values, 10**-COORD_DECIMALS)
    props = wgs.drop(columns=wgs.geometry.name)
    features = []
    for geom, row in zip(geoms, props.to_dict(orient="records"), strict=True):
        properties = {k: _json_safe(v) for k, v in row.items()}
        if escape:
            properties = {k: html.escape(v) if isinstance(v, str) else v
                          for k, v in properties.items()}
        features.append({"type": "Feature", "properties": properties,
                         "geometry": json.loads(shapely.to_geojson(geom))})
    return {"type": "FeatureCollection", "features": features}
