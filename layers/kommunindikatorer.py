"""The ``kommunindikatorer`` layer: kommun polygons carrying indicator values and classifications.

The long indicator table is the product; this layer is its map form (one column per
indicator, the ``hela_kommunen`` value) plus one ``klass_<id>`` column per classification,
which the web app uses to group kommuner (SKR kommungrupper, Tillväxtverket kommuntyper).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers import palette
from layers.spec import LayerSpec, layer_texts, popups

SPEC = LayerSpec(
    id="kommunindikatorer",
    **layer_texts("kommunindikatorer"),
    theme="Befolkning",
    geometry_type="MultiPolygon",
    sources=("befolkning", "tatortspunkter", "scb_kommunpanel", "kommungrupper_skr",
             "kommuntyper_tillvaxtverket"),
    id_column="kommunkod",
    style={"color": palette.INDIKATOR_OUTLINE, "weight": 1, "fillOpacity": 0},
    display_tolerance_m=150.0,
    coverage=True,
    indicator_prefixes=("andel_eftergymnasial",),
    popup=popups("kommunindikatorer", "kommunnamn", "befolkning", "andel_i_tatort",
                 "andel_eftergymnasial_16_74", "klass_skr"),
    default_visible=False,
)


def build(
    kommuner: gpd.GeoDataFrame, table: pd.DataFrame, klassningar: dict[str, pd.DataFrame]
) -> gpd.GeoDataFrame:
    """Return the region's kommuner with indicator and classification columns.

    Output columns: ``kommunkod, kommunnamn``, one float column per indicator id in
    ``table`` (its ``hela_kommunen`` value, NaN when absent), ``klass_<id>`` per entry of
    ``klassningar`` (``kommunkod, klass`` tables), ``geometry``.
    """
    out = kommuner[["kommunkod", "kommunnamn", "geometry"]].copy()
    whole = table[table["omrade"] == "hela_kommunen"]
    if not whole.empty:
        wide = whole.pivot_table(index="kommunkod", columns="indikator", values="varde",
                                 aggfunc="first")
        out = out.merge(wide.reset_index(), on="kommunkod", how="left")
    for key, classes in klassningar.items():
        out = out.merge(classes[["kommunkod", "klass"]].rename(columns={"klass": f"klass_{key}"}),
                        on="kommunkod", how="left")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=kommuner.crs)
