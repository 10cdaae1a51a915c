"""The ``bredband`` layer: kommuner shaded by broadband access (PTS bredbandskartläggning).

Built only when a PTS table is in the data directory; without one the layer is listed as
"saknar data" with instructions (never a made-up value).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers import palette
from layers.indikatorer import BREDBAND_IDS
from layers.spec import LayerSpec, layer_texts, legend_rows, popups

SPEC = LayerSpec(
    id="bredband",
    **layer_texts("bredband"),
    theme="Digital",
    geometry_type="MultiPolygon",
    sources=("bredband_pts", "bredband"),
    id_column="kommunkod",
    style={"color": palette.BREDBAND_STROKE, "weight": 1, "fillColor": palette.BREDBAND_FILL,
           "fillOpacity": 0.3},
    legend=legend_rows("bredband", palette.BREDBAND_FILL),
    indicator_prefixes=("bredband_",),
    popup=popups("bredband", "kommunnamn", "bredband_1gbit_hushall", "bredband_100mbit_hushall",
                 "bredband_1gbit_arbetsstallen", "ar"),
    default_visible=False,
)


def build(kommuner: gpd.GeoDataFrame, rows: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the kommuner that have broadband rows, with their whole-kommun shares.

    ``rows`` are indicator rows from :func:`layers.indikatorer.broadband_rows`. Output
    columns: ``kommunkod, kommunnamn, ar``, one percent column per ``bredband_*`` id,
    ``geometry``.
    """
    whole = rows[rows["omrade"] == "hela_kommunen"]
    wide = whole.pivot_table(index="kommunkod", columns="indikator", values="varde",
                             aggfunc="first").reindex(columns=list(BREDBAND_IDS))
    years = whole.groupby("kommunkod")["ar"].agg(lambda s: "/".join(sorted(set(s))))
    wide = wide.assign(ar=years).reset_index()
    out = kommuner[["kommunkod", "kommunnamn", "geometry"]].merge(wide, on="kommunkod")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=kommuner.crs)
