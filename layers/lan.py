"""The ``lan`` layer: the region's län polygon."""

from __future__ import annotations

import geopandas as gpd

from data_sources.errors import DataError
from layers import palette
from layers.spec import LayerSpec, PopupField

SPEC = LayerSpec(
    id="lan",
    title_sv="Län",
    title_en="County",
    theme="Struktur",
    geometry_type="MultiPolygon",
    sources=("lan",),
    id_column="lanskod",
    style={"color": palette.LANSGRANS, "weight": 3, "fill": False},
    legend=((palette.LANSGRANS, "Länsgräns", "County boundary"),),
    display_tolerance_m=150.0,
    popup=(PopupField("lansnamn", "Län", "County"), PopupField("lanskod", "Länskod", "Code")),
)


def build(lan: gpd.GeoDataFrame, *, lanskod: str) -> gpd.GeoDataFrame:
    """Return the one län ``lanskod`` as ``lanskod, lansnamn, geometry``."""
    out = lan.loc[lan["lanskod"] == lanskod, ["lanskod", "lansnamn", "geometry"]]
    if out.empty:
        msg = f"län {lanskod!r} is not in the län boundaries; known: {sorted(lan['lanskod'])}"
        raise DataError(msg)
    return out.reset_index(drop=True)
