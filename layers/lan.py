"""The ``lan`` layer: the region's län polygon."""

from __future__ import annotations

import geopandas as gpd

from layers import palette
from layers.region import lan_codes
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
    """Return the län of region ``lanskod`` as ``lanskod, lansnamn, geometry``, by code.

    ``lanskod`` is written as in :mod:`layers.region`; an unknown län is a ``DataError``
    naming it.
    """
    codes = lan_codes(lanskod, lan["lanskod"])
    out = lan.loc[lan["lanskod"].isin(codes), ["lanskod", "lansnamn", "geometry"]]
    return out.sort_values("lanskod").reset_index(drop=True)
