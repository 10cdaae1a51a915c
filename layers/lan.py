"""The ``lan`` layer: the region's län polygon."""

from __future__ import annotations

import geopandas as gpd

from data_sources.errors import DataError
from layers import palette
from layers.spec import LayerSpec, layer_texts, legend_rows, popups

SPEC = LayerSpec(
    id="lan",
    **layer_texts("lan"),
    theme="Struktur",
    geometry_type="MultiPolygon",
    sources=("lan",),
    id_column="lanskod",
    style={"color": palette.LANSGRANS, "weight": 3, "fill": False},
    legend=legend_rows("lan", palette.LANSGRANS),
    display_tolerance_m=150.0,
    popup=popups("lan", "lansnamn", "lanskod"),
)


def build(lan: gpd.GeoDataFrame, *, lanskod: str) -> gpd.GeoDataFrame:
    """Return the one län ``lanskod`` as ``lanskod, lansnamn, geometry``."""
    out = lan.loc[lan["lanskod"] == lanskod, ["lanskod", "lansnamn", "geometry"]]
    if out.empty:
        msg = f"län {lanskod!r} is not in the län boundaries; known: {sorted(lan['lanskod'])}"
        raise DataError(msg)
    return out.reset_index(drop=True)
