"""The ``kommuner`` layer: the region's kommuner with population and classification."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers import palette
from layers.region import lan_codes
from layers.spec import LayerSpec, layer_texts, legend_rows, popups

SPEC = LayerSpec(
    id="kommuner",
    **layer_texts("kommuner"),
    theme="Struktur",
    geometry_type="MultiPolygon",
    sources=("kommuner", "befolkning", "kommungrupper_skr"),
    id_column="kommunkod",
    style={"color": palette.KOMMUNGRANS, "weight": 1.5, "fillColor": palette.BACKGROUND_LAND,
           "fillOpacity": 0.05},
    legend=legend_rows("kommuner", palette.KOMMUNGRANS),
    display_tolerance_m=150.0,
    coverage=True,
    popup=popups("kommuner", "kommunnamn", "kommunkod", "invanare", "invanare_ar", "klass"),
)


def region_kommuner(kommuner: gpd.GeoDataFrame, *, lanskod: str) -> gpd.GeoDataFrame:
    """Return the kommuner of region ``lanskod`` (:mod:`layers.region`), sorted by kommunkod."""
    codes = lan_codes(lanskod, kommuner["lanskod"])
    out = kommuner[kommuner["lanskod"].isin(codes)]
    return out.sort_values("kommunkod").reset_index(drop=True)


def build(
    kommuner: gpd.GeoDataFrame,
    *,
    lanskod: str,
    befolkning: pd.DataFrame | None = None,
    klassning: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Join population and classification onto the region's kommun polygons.

    Returns the polygons' columns (``kommunkod, kommunnamn, lanskod, lansnamn`` and the
    geometry, as :func:`region_kommuner` gives them, without ``area_km2``) followed by
    ``invanare (Int64, empty when the population table lacks the kommun), invanare_ar,
    klass_kod, klass``.
    """
    out = region_kommuner(kommuner, lanskod=lanskod)
    out = out.drop(columns=[c for c in ("area_km2",) if c in out.columns])
    if befolkning is not None:
        pop = befolkning[["kommunkod", "invanare", "ar"]].rename(columns={"ar": "invanare_ar"})
        out = out.merge(pop, on="kommunkod", how="left")
        out["invanare"] = out["invanare"].astype("Int64")
    else:
        out["invanare"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["invanare_ar"] = None
    if klassning is not None:
        out = out.merge(klassning[["kommunkod", "klass_kod", "klass"]], on="kommunkod", how="left")
    else:
        out["klass_kod"] = None
        out["klass"] = None
    return gpd.GeoDataFrame(out, geometry="geometry", crs=kommuner.crs)
